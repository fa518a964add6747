"""Writes of the cases app: bundles, applications, department sub-cases, the SLA clock,
ratings.  Every transition goes through :func:`_subcase_transition` or
:func:`_application_set_status`, which check it is allowed, update the row only if its
``version`` is still the one read (optimistic locking) and record an audit event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid as uuid_mod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from talentport.cases import clock
from talentport.cases.errors import CaseError, CaseErrorCode
from talentport.cases.models import (
    BAD_LEVELS,
    INDICATORS,
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    Bundle,
    BundleItem,
    BundleStage,
    CorrectionNotice,
    DegreeConfirmation,
    DepartmentMembership,
    Filer,
    MaterialFile,
    Rating,
    RatingLevel,
    RectificationStatus,
    RectificationTask,
    ReturnVisit,
    ReturnVisitStatus,
    SubCase,
    SubCaseStatus,
)
from talentport.cases.selectors import (
    application_guardians,
    bundle_checklist,
    bundle_prefill,
    calendar_overrides_all,
    department_supervisors,
    subcase_specialists,
)
from talentport.cases.validation import form_data_clean, idempotency_key_clean, text_clean
from talentport.catalog.models import Department, ServiceItem
from talentport.common import files
from talentport.common.models import AuditEvent
from talentport.common.services import audit_event_record
from talentport.notify.delivery import delivery_to_phone_queue
from talentport.notify.services import message_send
from talentport.people import permissions
from talentport.people import services as people_services
from talentport.people.models import AccessGrant, AccessKind, Role, User
from talentport.people.permissions import Perm

logger = logging.getLogger(__name__)

REPO_BUNDLE_DIR = Path(__file__).resolve().parents[2] / "data" / "bundles"
#: Material codes a confirmed degree (学历汇) stands in for: "一次确认、全市通用".
DEGREE_MATERIAL_CODES = frozenset({"degree_certificate", "cscse_certificate"})
DEFAULT_LIMIT_DAYS = 10
RECTIFICATION_DAYS = 15
REMIND_SHARE = 0.8

# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


_FILE_CALENDARS: dict[tuple[tuple[str, int], ...], dict[int, clock.YearCalendar]] = {}


def _calendar_file_stamp() -> tuple[tuple[str, int], ...]:
    stamp = []
    for directory in clock.default_calendar_dirs():
        if directory.is_dir():
            for f in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
                stamp.append((str(f), f.stat().st_mtime_ns))
    return tuple(stamp)


def _calendar() -> dict[int, clock.YearCalendar]:
    """Calendar files (parsed once per change of the files) + the administrator's days
    (one query, always fresh)."""
    stamp = _calendar_file_stamp()
    files = _FILE_CALENDARS.get(stamp)
    if files is None:
        files = clock.load_calendar_files()
        _FILE_CALENDARS.clear()
        _FILE_CALENDARS[stamp] = files
    calendars = dict(files)
    calendars.update(calendar_overrides_all(include_files=False))
    return calendars


def _today() -> dt.date:
    return timezone.localdate()


def _due(start: dt.date, days: int, calendar: Mapping[int, clock.YearCalendar]) -> clock.DueDate:
    return clock.add_working_days(start, days, extra_calendar=calendar)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _acting_for(actor: User, person: User) -> User | None:
    """Who the actor acts on behalf of (帮办代办), or None when acting for themself."""
    return None if actor.pk == person.pk else person


def _link(application: Application) -> str:
    return f"/cases/applications/{application.uuid}/"


def _notify(application: Application, *, title: str, body: str, key: str) -> None:
    """Inbox + e-mail to the applicant and the guardians they authorised; SMS to the phone.

    Only queued here (the caller holds the application's lock): the e-mail and SMS
    deliveries go out after commit (talentport.notify.delivery)."""
    recipients = [application.applicant, *application_guardians(application=application)]
    for person in recipients:
        message_send(
            recipient=person,
            kind="case_update",
            title=title,
            body=body,
            link=_link(application),
            dedupe_key=f"case:{key}:{person.pk}",
        )
    phone = application.form_phone
    if phone:
        delivery_to_phone_queue(
            phone=phone,
            title=f"【留学人才港】{title}",
            kind="case_update",
            dedupe_key=f"case:{key}:sms",
        )


# --------------------------------------------------------------------------- #
# Bundles from YAML (versioned)
# --------------------------------------------------------------------------- #


@dataclass
class BundleLoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _bundle_hash(bundle: Bundle) -> str:
    items = [
        {
            "key": i.key,
            "stage": i.stage,
            "title": i.title,
            "kind": i.kind,
            "service_item": i.service_item.code if i.service_item else None,
            "department": i.department.code,
            "materials": i.materials,
            "fields": i.fields,
            "legal": i.legal_limit_days,
            "promised": i.promised_limit_days,
            "limit_note": i.limit_note,
            "in_person": i.in_person,
            "policy": i.policy,
            "preselected": i.preselected,
            "depends_on": i.depends_on,
            "result": i.result,
        }
        for i in bundle.items.select_related("service_item", "department").order_by(
            "sort_order", "id"
        )
    ]
    head = {
        "title": bundle.title,
        "city": bundle.city,
        "life_event": bundle.life_event,
        "summary": bundle.summary,
        "filer": bundle.filer,
        "fields": bundle.fields,
        "active": bundle.active,
    }
    raw = json.dumps([head, items], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def bundle_touch(*, bundle: Bundle) -> Bundle:
    """Bump the version of a bundle whose content changed (YAML load or admin edit)."""
    digest = _bundle_hash(bundle)
    if digest != bundle.content_hash:
        if bundle.content_hash:
            bundle.version += 1
        bundle.content_hash = digest
        bundle.save(update_fields=["version", "content_hash", "updated_at"])
    return bundle


def _item_from_row(bundle: Bundle, row: Mapping[str, Any], order: int) -> dict[str, Any]:
    service = None
    if row.get("service_item"):
        service = ServiceItem.objects.filter(code=row["service_item"]).first()
        if service is None:
            raise ValueError(f"{bundle.code}: 目录中没有事项 {row['service_item']}（请先加载目录）")
    dept_code = row.get("department") or (service.department.code if service else None)
    department = Department.objects.filter(code=dept_code).first()
    if department is None:
        raise ValueError(f"{bundle.code}: 没有部门 {dept_code}")
    materials = []
    for m in row.get("materials") or []:
        materials.append(
            {
                "code": m["code"],
                "name": m["name"],
                "requirements": m.get("requirements", ""),
                "required": bool(m.get("required", True)),
            }
        )
    legal = row.get("legal_limit_days", service.legal_limit_days if service else None)
    promised = row.get("promised_limit_days", service.promised_limit_days if service else None)
    in_person = row.get("in_person", service.in_person if service else None)
    return {
        "stage": row.get("stage", BundleStage.ANY),
        "title": row.get("title") or (service.title if service else row["key"]),
        "kind": row.get("kind") or (service.kind if service else ""),
        "service_item": service,
        "department": department,
        "materials": materials,
        "fields": list(row.get("fields") or []),
        "legal_limit_days": legal,
        "promised_limit_days": promised,
        "limit_note": row.get("limit_note", ""),
        "in_person": in_person,
        "policy": row.get("policy", ""),
        "preselected": bool(row.get("preselected", False)),
        "depends_on": list(row.get("depends_on") or []),
        "result": row.get("result") or (service.result if service else ""),
        "sort_order": order,
    }


@transaction.atomic
def bundle_load(*, directory: Path = REPO_BUNDLE_DIR) -> BundleLoadReport:
    """Load every ``*.yaml`` bundle; idempotent: unchanged bundles keep their version."""
    report = BundleLoadReport()
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for order, row in enumerate(data.get("bundles", [])):
            bundle, created = Bundle.objects.get_or_create(
                code=row["code"],
                defaults={"title": row["title"], "city": row["city"]},
            )
            before = bundle.content_hash
            for name in ("title", "city", "life_event", "summary", "source"):
                setattr(bundle, name, row.get(name, ""))
            bundle.filer = row.get("filer", Filer.PERSON)
            bundle.fields = row.get("fields", [])
            bundle.sort_order = row.get("sort_order", order)
            bundle.active = bool(row.get("active", True))
            bundle.save()
            keys = []
            for index, item_row in enumerate(row.get("items", [])):
                keys.append(item_row["key"])
                values = _item_from_row(bundle, item_row, index)
                BundleItem.objects.update_or_create(
                    bundle=bundle, key=item_row["key"], defaults=values
                )
            for item in bundle.items.exclude(key__in=keys):
                item.delete()
            bundle_touch(bundle=bundle)
            if created:
                report.created.append(bundle.code)
            elif bundle.content_hash != before:
                report.updated.append(bundle.code)
            else:
                report.unchanged.append(bundle.code)
    return report


def bundle_snapshot(*, bundle: Bundle) -> dict[str, Any]:
    """The bundle as filed: an application keeps the version it was filed under."""
    items = {}
    for i in bundle.items.select_related("department", "service_item").order_by("sort_order", "id"):
        items[i.key] = {
            "key": i.key,
            "stage": i.stage,
            "title": i.title,
            "department": i.department.code,
            "department_name": i.department.name,
            "service_item": i.service_item.code if i.service_item else None,
            "materials": i.materials,
            "fields": i.fields,
            "legal_limit_days": i.legal_limit_days,
            "promised_limit_days": i.promised_limit_days,
            "limit_note": i.limit_note,
            "in_person": i.in_person,
            "depends_on": i.depends_on,
            "result": i.result,
        }
    return {
        "code": bundle.code,
        "title": bundle.title,
        "version": bundle.version,
        "fields": bundle.fields,
        "items": items,
    }


# --------------------------------------------------------------------------- #
# Material library
# --------------------------------------------------------------------------- #


def file_kind_detect(head: bytes, content: bytes) -> str | None:
    """The file type by its magic bytes (never by its name or the browser's claim)."""
    return files.detect_kind(content or head)


_REFUSALS = {
    files.Refusal.TYPE: CaseErrorCode.FILE_TYPE,
    files.Refusal.MISMATCH: CaseErrorCode.FILE_TYPE_MISMATCH,
    files.Refusal.ACTIVE_CONTENT: CaseErrorCode.FILE_UNSAFE,
    files.Refusal.UNCHECKABLE: CaseErrorCode.FILE_UNSAFE,
    files.Refusal.ARCHIVE_TOO_LARGE: CaseErrorCode.FILE_UNSAFE,
}


def material_upload(
    *, owner: User, actor: User, code: str, filename: str, content: bytes, name: str = ""
) -> MaterialFile:
    """Check and store one file in the owner's material library (under MEDIA_ROOT).

    The type kept is the one detected from the bytes (common.files): a name claiming
    another type, a PDF with scripts or automatic actions and an OFD that would expand
    past the limits are refused with the reason.
    """
    if not content:
        raise CaseError(CaseErrorCode.FILE_EMPTY, "文件为空", field="file")
    limit = int(settings.MAX_UPLOAD_BYTES)
    if len(content) > limit:
        raise CaseError(
            CaseErrorCode.FILE_TOO_LARGE,
            f"文件超过大小上限（{limit // 1024} KB）",
            field="file",
        )
    try:
        kind = files.upload_check(content=content, filename=filename)
    except files.UnsafeFileError as exc:
        raise CaseError(_REFUSALS[exc.reason], exc.message, field="file") from exc
    public_id = uuid_mod.uuid4()
    relative = Path("cases") / str(owner.uuid) / f"{public_id}.{kind}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    material = MaterialFile.objects.create(
        uuid=public_id,
        owner=owner,
        uploaded_by=actor,
        code=code,
        name=name,
        filename=Path(filename).name[:200] or f"{code}.{kind}",
        kind=kind,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        path=str(relative),
    )
    audit_event_record(
        subject=material,
        action="material_upload",
        actor=actor,
        on_behalf_of=_acting_for(actor, owner),
        data={"code": code, "kind": kind, "size": len(content)},
    )
    return material


def material_path(*, material: MaterialFile) -> Path:
    return Path(settings.MEDIA_ROOT) / material.path


def material_content(*, material: MaterialFile) -> bytes:
    """The stored bytes, checked again: the same bytes as uploaded, of the type detected.

    A file changed or replaced on disk since (another digest, or no longer an allowed
    type) is refused rather than served.
    """
    try:
        content = material_path(material=material).read_bytes()
    except OSError as exc:
        logger.warning("material %s: stored file unreadable (%s)", material.uuid, exc)
        raise CaseError(
            CaseErrorCode.FILE_INTEGRITY, gettext("文件已丢失或无法读取，不予下载"), field="file"
        ) from exc
    try:
        if hashlib.sha256(content).hexdigest() != material.sha256:
            raise files.UnsafeFileError(files.Refusal.TYPE, gettext("文件内容已被改动，不予下载"))
        files.stored_check(content=content, kind=material.kind)
    except files.UnsafeFileError as exc:
        logger.warning("material %s: refused download (%s)", material.uuid, exc.reason)
        raise CaseError(CaseErrorCode.FILE_INTEGRITY, exc.message, field="file") from exc
    return content


def degree_confirm(*, owner: User, actor: User, data: Mapping[str, Any]) -> DegreeConfirmation:
    """学历汇: confirm the degree once; every later application reuses it."""
    record, _created = DegreeConfirmation.objects.update_or_create(
        owner=owner,
        defaults={"data": dict(data), "confirmed_at": timezone.now(), "confirmed_by": actor},
    )
    audit_event_record(
        subject=record,
        action="degree_confirm",
        actor=actor,
        on_behalf_of=_acting_for(actor, owner),
        # which fields, not their values: the data itself stays encrypted in the record
        data={"fields": sorted(str(k) for k in data)},
    )
    return record


# --------------------------------------------------------------------------- #
# Authorisations
# --------------------------------------------------------------------------- #


def _grant_error(error: Any) -> CaseError:
    code = {403: CaseErrorCode.FORBIDDEN, 404: CaseErrorCode.NOT_FOUND}.get(
        error.status, CaseErrorCode.PERSON_UNKNOWN
    )
    return CaseError(code, error.message, field=error.field)


def guardian_authorise(
    *, actor: User, application: Application, guardian_username: str
) -> AccessGrant:
    """The applicant (or a minor applicant's guardian on record) lets a guardian account
    follow this application."""
    try:
        return people_services.access_grant_create(
            actor=actor,
            person=application.applicant,
            kind=AccessKind.GUARDIAN,
            grantee_username=guardian_username,
            application=application,
        )
    except people_services.AccessGrantError as exc:
        raise _grant_error(exc) from exc


def employee_consent_grant(*, employee: User, employer_username: str) -> AccessGrant:
    try:
        return people_services.access_grant_create(
            actor=employee,
            person=employee,
            kind=AccessKind.EMPLOYER,
            grantee_username=employer_username,
        )
    except people_services.AccessGrantError as exc:
        raise _grant_error(exc) from exc


def employee_consent_revoke(*, employee: User, consent: AccessGrant) -> AccessGrant:
    """The employee withdraws the consent; the employer can no longer file for them, nor
    see the applications it filed."""
    if consent.person_id != employee.pk or consent.kind != AccessKind.EMPLOYER:
        raise CaseError(CaseErrorCode.NOT_FOUND, "未找到该授权", field="consent")
    try:
        return people_services.access_grant_revoke(actor=employee, grant=consent)
    except people_services.AccessGrantError as exc:
        raise _grant_error(exc) from exc


def application_filer_check(*, actor: User, applicant: User, bundle: Bundle) -> None:
    """Refuse (CaseError with a Chinese reason) when ``actor`` may not file for ``applicant``."""
    _check_filer(actor=actor, applicant=applicant, bundle=bundle)


def membership_set(
    *, user: User, department: Department, supervisor: bool = False, phone: str = ""
) -> DepartmentMembership:
    membership, _created = DepartmentMembership.objects.update_or_create(
        user=user, department=department, defaults={"supervisor": supervisor, "phone": phone}
    )
    return membership


# --------------------------------------------------------------------------- #
# Applications
# --------------------------------------------------------------------------- #


def _check_filer(*, actor: User, applicant: User, bundle: Bundle) -> None:
    if actor.pk == applicant.pk:
        return
    if actor.role == Role.EMPLOYER:
        if bundle.filer != Filer.EMPLOYER:
            raise CaseError(
                CaseErrorCode.NOT_EMPLOYER_BUNDLE, "该事项不由用人单位代为申请", field="bundle"
            )
        if not permissions.has_grant(
            grantee=actor, person_id=applicant.pk, kind=AccessKind.EMPLOYER
        ):
            raise CaseError(
                CaseErrorCode.CONSENT_MISSING, "员工尚未同意由本单位代为申请", field="applicant"
            )
        return
    if permissions.has_perm(actor, Perm.ASSIST):
        if not permissions.has_grant(
            grantee=actor, person_id=applicant.pk, kind=AccessKind.ASSISTANT
        ):
            raise CaseError(
                CaseErrorCode.CONSENT_MISSING,
                "申请人尚未授权您帮办代办，请申请人在「我的授权」中授权",
                field="applicant",
            )
        return
    if permissions.may_grant_for(actor=actor, person=applicant):
        return  # a minor's guardian on record
    raise CaseError(CaseErrorCode.FORBIDDEN, "没有权限为他人申请")


def _check_items(bundle_snapshot_: Mapping[str, Any], stage: str, keys: Sequence[str]) -> list[str]:
    items = bundle_snapshot_["items"]
    out: list[str] = []
    for key in keys:
        item = items.get(key)
        if item is None or item["stage"] not in (stage, BundleStage.ANY):
            raise CaseError(CaseErrorCode.ITEM_UNKNOWN, f"事项 {key} 不属于所选阶段", field="items")
        if key not in out:
            out.append(key)
    # A prerequisite step is always part of the application.
    for key in list(out):
        for dep in items[key].get("depends_on") or []:
            if dep not in out:
                out.append(dep)
    return out


def application_create(
    *,
    bundle: Bundle,
    stage: str,
    applicant: User,
    actor: User,
    selected_items: Sequence[str] | None = None,
    form_data: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> tuple[Application, bool]:
    """A draft application; the same idempotency key returns the same application."""
    idempotency_key = idempotency_key_clean(idempotency_key)
    form_data = form_data_clean(form_data)
    if not bundle.active:
        raise CaseError(CaseErrorCode.BUNDLE_INACTIVE, "该一件事暂停受理", field="bundle")
    _check_filer(actor=actor, applicant=applicant, bundle=bundle)
    if idempotency_key:
        existing = Application.objects.filter(
            applicant=applicant, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing, False
    snapshot = bundle_snapshot(bundle=bundle)
    if stage not in {i["stage"] for i in snapshot["items"].values()}:
        raise CaseError(CaseErrorCode.STAGE_UNKNOWN, "该一件事没有这个阶段", field="stage")
    if selected_items is None:
        # The checklist decides (policy engine, defaults); it also gives the prefill.
        checklist = bundle_checklist(bundle=bundle, stage=stage, person=applicant)
        selected_items = [i["key"] for i in checklist["items"] if i["applies"]]
        prefill = {f["key"]: f["value"] for f in checklist["fields"]}
    else:
        prefill = bundle_prefill(bundle=bundle, person=applicant)
    keys = _check_items(snapshot, stage, selected_items)
    wanted = {f for k in keys for f in snapshot["items"][k].get("fields") or []}
    data = {k: v for k, v in prefill.items() if k in wanted and v not in (None, "")}
    data.update(dict(form_data or {}))
    try:
        with transaction.atomic():
            application = Application.objects.create(
                applicant=applicant,
                filed_by=actor,
                bundle=bundle,
                bundle_version=bundle.version,
                stage=stage,
                snapshot=snapshot,
                selected_items=keys,
                form_data=data,
                idempotency_key=idempotency_key or None,
            )
            audit_event_record(
                subject=application,
                action="create",
                actor=actor,
                on_behalf_of=_acting_for(actor, applicant),
                to_state=ApplicationStatus.DRAFT,
                data={"bundle": bundle.code, "version": bundle.version, "stage": stage},
            )
    except IntegrityError:
        return Application.objects.get(applicant=applicant, idempotency_key=idempotency_key), False
    return application, True


def application_update(
    *,
    application: Application,
    actor: User,
    selected_items: Sequence[str] | None = None,
    form_data: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Application:
    """Save the draft (items and form), never losing an update silently.

    The row is locked while the form is merged.  With ``expected_version`` (the
    version the editor read, e.g. a hidden field of the page) a draft saved meanwhile
    from another tab or by a helper is a conflict (409) instead of being overwritten.
    """
    form_data = form_data_clean(form_data)
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application.pk)
        if current.status != ApplicationStatus.DRAFT:
            raise CaseError(CaseErrorCode.NOT_DRAFT, "申请已提交，不能再修改草稿")
        if expected_version is not None and expected_version != current.version:
            raise CaseError(
                CaseErrorCode.CONFLICT,
                "该草稿已在其他页面或由他人保存过，本次修改未保存；请刷新后重新填写",
                field="version",
            )
        if selected_items is not None:
            current.selected_items = _check_items(current.snapshot, current.stage, selected_items)
        changed: list[str] = []
        if form_data is not None:
            merged = dict(current.form_data)
            for key, value in form_data.items():
                if isinstance(key, str) and merged.get(key) != value:
                    merged[key] = value
                    changed.append(key)
            current.form_data = merged
        current.version += 1
        current.save(
            update_fields=["selected_items", "form_data", "phone_index", "version", "updated_at"]
        )
        audit_event_record(
            subject=current,
            action="draft_save",
            actor=actor,
            on_behalf_of=_acting_for(actor, current.applicant),
            data={"fields": changed, "version": current.version},
        )
    return current


def application_materials_needed(*, application: Application) -> list[dict[str, Any]]:
    """The union of the selected items' materials: each code once (一次告知)."""
    union: dict[str, dict[str, Any]] = {}
    items = application.snapshot["items"]
    for key in application.selected_items:
        for m in items[key]["materials"]:
            entry = union.setdefault(m["code"], {**m, "items": [], "required": False})
            entry["items"].append(items[key]["title"])
            entry["required"] = entry["required"] or bool(m.get("required", True))
    return list(union.values())


def application_attach_material(
    *, application: Application, actor: User, code: str, material: MaterialFile
) -> ApplicationMaterial:
    if material.owner_id != application.applicant_id:
        raise CaseError(CaseErrorCode.NOT_FOUND, "未找到该材料", field="file")
    codes = {m["code"] for m in application_materials_needed(application=application)}
    if code not in codes:
        raise CaseError(CaseErrorCode.MATERIAL_UNKNOWN, "本申请不需要这项材料", field="code")
    link, _created = ApplicationMaterial.objects.update_or_create(
        application=application, code=code, defaults={"file": material}
    )
    audit_event_record(
        subject=application,
        action="material_attach",
        actor=actor,
        on_behalf_of=_acting_for(actor, application.applicant),
        data={"code": code, "file": str(material.uuid)},
    )
    return link


def _reuse_library(application: Application, needed: Iterable[dict[str, Any]]) -> set[str]:
    """Attach the latest library file of each still missing material (uploaded once).

    Returns the codes the application now has.
    """
    have = set(application.materials.values_list("code", flat=True))
    missing = [m["code"] for m in needed if m["code"] not in have]
    if not missing:
        return have
    latest: dict[str, MaterialFile] = {}
    for f in MaterialFile.objects.filter(
        owner_id=application.applicant_id, code__in=missing
    ).order_by("created_at", "id"):
        latest[f.code] = f  # the newest wins
    ApplicationMaterial.objects.bulk_create(
        [ApplicationMaterial(application=application, code=c, file=f) for c, f in latest.items()]
    )
    return have | set(latest)


def application_missing(
    *, application: Application, have: set[str] | None = None
) -> list[dict[str, str]]:
    """What still blocks submission: required fields and materials (``have``: the
    material codes already attached, when the caller just read them)."""
    problems: list[dict[str, str]] = []
    snapshot = application.snapshot
    wanted_fields: list[str] = []
    for key in application.selected_items:
        for f in snapshot["items"][key].get("fields") or []:
            if f not in wanted_fields:
                wanted_fields.append(f)
    labels = {f["key"]: f for f in snapshot.get("fields") or []}
    for key in wanted_fields:
        spec = labels.get(key, {"label": key, "required": True})
        if spec.get("required", True) and not str(application.form_data.get(key) or "").strip():
            problems.append(
                {
                    "field": f"form_data.{key}",
                    "code": CaseErrorCode.FIELD_REQUIRED,
                    "message": f"请填写「{spec.get('label', key)}」",
                }
            )
    if have is None:
        have = set(application.materials.values_list("code", flat=True))
    needed = [
        m
        for m in application_materials_needed(application=application)
        if m["required"] and m["code"] not in have
    ]
    degree_ok = (
        any(m["code"] in DEGREE_MATERIAL_CODES for m in needed)
        and DegreeConfirmation.objects.filter(owner_id=application.applicant_id).exists()
    )
    for m in needed:
        if degree_ok and m["code"] in DEGREE_MATERIAL_CODES:
            continue
        problems.append(
            {
                "field": f"materials.{m['code']}",
                "code": CaseErrorCode.MATERIAL_MISSING,
                "message": f"请上传「{m['name']}」",
            }
        )
    return problems


def application_submit(*, application: Application, actor: User) -> Application:
    """Submit once: one application number, one sub-case per department, clocks start.

    Submitting an application already submitted returns it unchanged (idempotent).
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("applicant", "bundle")
            .get(pk=application.pk)
        )
        if application.status != ApplicationStatus.DRAFT:
            return application
        if not application.selected_items:
            raise CaseError(CaseErrorCode.ITEMS_EMPTY, "请至少选择一个事项", field="items")
        needed = application_materials_needed(application=application)
        have = _reuse_library(application, needed)
        problems = application_missing(application=application, have=have)
        if problems:
            error = CaseError(CaseErrorCode(problems[0]["code"]), problems[0]["message"])
            error.field = problems[0]["field"]
            error.problems = problems  # type: ignore[attr-defined]
            raise error
        now = timezone.now()
        today = timezone.localdate(now)
        items = application.snapshot["items"]
        by_dept: dict[str, list[str]] = {}
        for key in application.selected_items:
            by_dept.setdefault(items[key]["department"], []).append(key)
        departments = {d.code: d for d in Department.objects.filter(code__in=by_dept)}
        subcases = []
        calendar: dict[int, clock.YearCalendar] | None = None
        for code, keys in by_dept.items():
            limit = max(
                (
                    items[k]["promised_limit_days"]
                    or items[k]["legal_limit_days"]
                    or DEFAULT_LIMIT_DAYS
                )
                for k in keys
            )
            deps = sorted(
                {
                    items[d]["department"]
                    for k in keys
                    for d in items[k].get("depends_on") or []
                    if items[d]["department"] != code
                }
            )
            sc = SubCase(
                application=application,
                department=departments[code],
                items=keys,
                depends_on=deps,
                limit_days=limit,
            )
            if deps:
                sc.status = SubCaseStatus.WAITING
            else:
                if calendar is None:
                    calendar = _calendar()
                due = _due(today, limit, calendar)
                sc.status = SubCaseStatus.SUBMITTED
                sc.started_on, sc.due_date, sc.due_provisional = today, due.due, due.provisional
            subcases.append(sc)
        SubCase.objects.bulk_create(subcases)
        application.number = f"YJS{today:%Y%m%d}{application.pk:08d}"
        application.status = ApplicationStatus.PROCESSING
        application.submitted_at = now
        application.version += 1
        application.save(
            update_fields=["number", "status", "submitted_at", "version", "updated_at"]
        )
        on_behalf = _acting_for(actor, application.applicant)
        audit_event_record(
            subject=application,
            action="submit",
            actor=actor,
            on_behalf_of=on_behalf,
            from_state=ApplicationStatus.DRAFT,
            to_state=ApplicationStatus.PROCESSING,
            data={"number": application.number},
        )
        # One INSERT for the sub-cases' journals (append-only: bulk inserts, never updates).
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    actor=actor if actor.is_authenticated else None,
                    on_behalf_of=on_behalf,
                    subject_type=SubCase._meta.label_lower,
                    subject_id=str(sc.uuid),
                    action="create",
                    to_state=sc.status,
                    data={
                        "items": sc.items,
                        "due": sc.due_date.isoformat() if sc.due_date else None,
                    },
                )
                for sc in subcases
            ]
        )
        _notify(
            application,
            title=f"您的申请已提交，申请编号 {application.number}",
            body=f"{application.bundle.title}：已分送 {len(subcases)} 个部门并联办理。",
            key=f"{application.uuid}:submitted",
        )
    return application


def application_file(
    *,
    bundle: Bundle,
    stage: str,
    applicant: User,
    actor: User,
    selected_items: Sequence[str] | None = None,
    form_data: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> tuple[Application, bool]:
    """Create and submit in one call; the same idempotency key creates one application."""
    application, created = application_create(
        bundle=bundle,
        stage=stage,
        applicant=applicant,
        actor=actor,
        selected_items=selected_items,
        form_data=form_data,
        idempotency_key=idempotency_key,
    )
    return application_submit(application=application, actor=actor), created


def _lock_application(subcase: SubCase) -> tuple[Application, list[SubCase]]:
    """Lock the application of ``subcase`` and read all its sub-cases (inside atomic).

    Every step on a sub-case takes this lock first, so the steps of one application
    are serialised and the roll-up is computed from the rows read under the lock
    (no second read); steps on different applications never wait for each other.
    """
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("applicant", "bundle")
        .get(pk=subcase.application_id)
    )
    siblings = list(SubCase.objects.filter(application_id=application.pk).order_by("id"))
    return application, siblings


def _application_rollup(
    application: Application, siblings: Sequence[SubCase], subcase: SubCase, actor: User | None
) -> Application:
    """Application status from its sub-cases (``subcase`` as just changed, the others as
    read under the lock); closes only when every one has a result."""
    statuses = [subcase.status if s.pk == subcase.pk else s.status for s in siblings]
    if all(s in (SubCaseStatus.COMPLETED, SubCaseStatus.REJECTED) for s in statuses):
        target = ApplicationStatus.CLOSED
    elif SubCaseStatus.CORRECTION in statuses:
        target = ApplicationStatus.CORRECTION
    else:
        target = ApplicationStatus.PROCESSING
    if target == application.status:
        return application
    before = application.status
    application.status = target
    application.version += 1
    fields = ["status", "version", "updated_at"]
    if target == ApplicationStatus.CLOSED:
        application.closed_at = timezone.now()
        fields.append("closed_at")
    application.save(update_fields=fields)
    audit_event_record(
        subject=application,
        action="rollup",
        actor=actor,
        from_state=before,
        to_state=target,
    )
    if target == ApplicationStatus.CLOSED:
        _notify(
            application,
            title=f"申请 {application.number} 已全部办结",
            body="各部门均已出具结果，欢迎对本次办理进行评价（好差评）。",
            key=f"{application.uuid}:closed",
        )
    return application


# --------------------------------------------------------------------------- #
# Sub-case state machine
# --------------------------------------------------------------------------- #

#: action → (allowed from, to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": ((SubCaseStatus.SUBMITTED,), SubCaseStatus.ACCEPTED),
    "request_correction": (
        (SubCaseStatus.SUBMITTED, SubCaseStatus.ACCEPTED),
        SubCaseStatus.CORRECTION,
    ),
    "answer_correction": ((SubCaseStatus.CORRECTION,), ""),  # back to resume_status
    "approve": ((SubCaseStatus.ACCEPTED,), SubCaseStatus.APPROVED),
    "reject": (
        (SubCaseStatus.SUBMITTED, SubCaseStatus.ACCEPTED, SubCaseStatus.APPROVED),
        SubCaseStatus.REJECTED,
    ),
    "complete": ((SubCaseStatus.APPROVED,), SubCaseStatus.COMPLETED),
    "activate": ((SubCaseStatus.WAITING,), SubCaseStatus.SUBMITTED),
}
ACTION_LABELS = {
    "accept": "受理",
    "request_correction": "要求补正",
    "answer_correction": "提交补正",
    "approve": "审核通过",
    "reject": "不予办理",
    "complete": "办结",
    "activate": "开始办理",
}


def subcase_allowed_actions(*, subcase: SubCase) -> list[str]:
    return [
        a
        for a, (sources, _to) in TRANSITIONS.items()
        if subcase.status in sources and a not in ("activate", "answer_correction")
    ]


def _check_department_actor(subcase: SubCase, actor: User) -> None:
    if (
        actor.role == Role.DEPARTMENT_SPECIALIST
        and actor.is_active
        and actor.department_id == subcase.department_id
    ):
        return  # the account's own department: no query needed
    department = Department.objects.select_related("jurisdiction__parent").get(
        pk=subcase.department_id
    )
    if permissions.can(actor, Perm.SUBCASE_HANDLE, permissions.department_target(department)):
        return
    raise CaseError(CaseErrorCode.FORBIDDEN, "只有责任部门的服务专员可以办理该子件")


def _subcase_transition(
    *,
    subcase: SubCase,
    action: str,
    actor: User | None,
    expected_version: int | None,
    reason: str = "",
    on_behalf_of: User | None = None,
    updates: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    to_state: str | None = None,
) -> SubCase:
    sources, target = TRANSITIONS[action]
    target = to_state or target
    if expected_version is not None and expected_version != subcase.version:
        raise CaseError(CaseErrorCode.CONFLICT, "该子件已被他人处理，请刷新后重试", field="version")
    if subcase.status not in sources:
        current = _label(SubCaseStatus, subcase.status)
        raise CaseError(
            CaseErrorCode.TRANSITION_NOT_ALLOWED,
            f"子件当前状态为「{current}」，不能执行「{ACTION_LABELS[action]}」",
            field="action",
        )
    values = dict(updates or {})
    now = timezone.now()
    changed = SubCase.objects.filter(
        pk=subcase.pk, version=subcase.version, status=subcase.status
    ).update(status=target, version=F("version") + 1, updated_at=now, **values)
    if changed != 1:
        raise CaseError(CaseErrorCode.CONFLICT, "该子件已被他人处理，请刷新后重试", field="version")
    before = subcase.status
    # The conditional UPDATE matched the row as read: its new state is known exactly.
    for name, value in values.items():
        setattr(subcase, name, value)
    subcase.status = target
    subcase.version += 1
    subcase.updated_at = now
    audit_event_record(
        subject=subcase,
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        from_state=before,
        to_state=target,
        reason=reason,
        data=dict(data or {}),
    )
    return subcase


def _after_transition(
    subcase: SubCase,
    actor: User | None,
    title: str,
    body: str = "",
    *,
    locked: tuple[Application, list[SubCase]],
) -> None:
    application, siblings = locked
    application = _application_rollup(application, siblings, subcase, actor)
    _notify(
        application,
        title=title,
        body=body,
        key=f"{subcase.uuid}:v{subcase.version}",
    )


def subcase_accept(*, subcase: SubCase, actor: User, expected_version: int | None) -> SubCase:
    _check_department_actor(subcase, actor)
    with transaction.atomic():
        locked = _lock_application(subcase)
        subcase = _subcase_transition(
            subcase=subcase,
            action="accept",
            actor=actor,
            expected_version=expected_version,
            updates={"assignee": actor},
        )
        _after_transition(subcase, actor, f"{subcase.department.name}已受理您的申请", locked=locked)
    return subcase


def subcase_request_correction(
    *,
    subcase: SubCase,
    actor: User,
    expected_version: int | None,
    entries: Sequence[Mapping[str, str]],
    message: str = "",
) -> SubCase:
    """补正: one notice listing everything; the clock pauses until the person answers."""
    _check_department_actor(subcase, actor)
    clean = [
        {"field": str(e.get("field", "")), "message": str(e.get("message", "")).strip()}
        for e in entries
        if str(e.get("message", "")).strip()
    ]
    if not clean:
        raise CaseError(CaseErrorCode.CORRECTION_EMPTY, "请列出需要补正的全部内容", field="entries")
    with transaction.atomic():
        locked = _lock_application(subcase)
        subcase = _subcase_transition(
            subcase=subcase,
            action="request_correction",
            actor=actor,
            expected_version=expected_version,
            reason=message,
            updates={
                "resume_status": subcase.status,
                "paused_since": _today(),
                "assignee": subcase.assignee or actor,
            },
            data={"entries": clean},
        )
        CorrectionNotice.objects.create(
            subcase=subcase, entries=clean, message=message, requested_by=actor
        )
        lines = "；".join(e["message"] for e in clean)
        _after_transition(
            subcase,
            actor,
            f"{subcase.department.name}请您补正材料",
            f"需要补正：{lines}。补正期间办理时限暂停计算。",
            locked=locked,
        )
    return subcase


def subcase_answer_correction(
    *,
    subcase: SubCase,
    actor: User,
    answer: str = "",
    expected_version: int | None = None,
) -> SubCase:
    """The person answers the correction notice; the clock resumes, due date moves."""
    answer = text_clean(answer, field="answer")
    notice = subcase.corrections.filter(answered_at__isnull=True).order_by("-id").first()
    if notice is None or subcase.status != SubCaseStatus.CORRECTION:
        raise CaseError(CaseErrorCode.NO_OPEN_CORRECTION, "该子件没有待补正的通知")
    calendar = _calendar()
    today = _today()
    paused = max(
        0, clock.working_days_between(subcase.paused_since or today, today, extra_calendar=calendar)
    )
    updates: dict[str, Any] = {
        "paused_since": None,
        "paused_days": subcase.paused_days + paused,
        "resume_status": "",
    }
    if subcase.due_date is not None and paused:
        moved = clock.add_working_days(subcase.due_date, paused, extra_calendar=calendar)
        updates["due_date"] = moved.due
        updates["due_provisional"] = subcase.due_provisional or moved.provisional
    person = subcase.application.applicant
    with transaction.atomic():
        locked = _lock_application(subcase)
        subcase = _subcase_transition(
            subcase=subcase,
            action="answer_correction",
            actor=actor,
            expected_version=expected_version,
            on_behalf_of=_acting_for(actor, person),
            reason=answer,
            updates=updates,
            to_state=subcase.resume_status or SubCaseStatus.SUBMITTED,
            data={"paused_working_days": paused},
        )
        notice.answered_at = timezone.now()
        notice.answered_by = actor
        notice.answer = answer
        notice.save(update_fields=["answered_at", "answered_by", "answer", "updated_at"])
        _after_transition(
            subcase, actor, f"您已提交补正，{subcase.department.name}继续办理", locked=locked
        )
    return subcase


def subcase_approve(
    *, subcase: SubCase, actor: User, expected_version: int | None, reason: str = ""
) -> SubCase:
    _check_department_actor(subcase, actor)
    with transaction.atomic():
        locked = _lock_application(subcase)
        subcase = _subcase_transition(
            subcase=subcase,
            action="approve",
            actor=actor,
            expected_version=expected_version,
            reason=reason,
        )
        _after_transition(subcase, actor, f"{subcase.department.name}审核通过", locked=locked)
    return subcase


def subcase_reject(
    *, subcase: SubCase, actor: User, expected_version: int | None, reason: str
) -> SubCase:
    _check_department_actor(subcase, actor)
    if not reason.strip():
        raise CaseError(CaseErrorCode.REASON_REQUIRED, "不予办理必须说明理由", field="reason")
    with transaction.atomic():
        locked = _lock_application(subcase)
        subcase = _subcase_transition(
            subcase=subcase,
            action="reject",
            actor=actor,
            expected_version=expected_version,
            reason=reason,
            updates={"reason": reason, "finished_at": timezone.now()},
        )
        _activate_dependants(subcase, actor, locked[1])
        _after_transition(
            subcase,
            actor,
            f"{subcase.department.name}不予办理",
            f"理由：{reason}",
            locked=locked,
        )
    return subcase


def subcase_complete(
    *,
    subcase: SubCase,
    actor: User,
    expected_version: int | None,
    result_number: str,
    result_note: str = "",
) -> SubCase:
    """办结 with a result (certificate number / decision document number)."""
    _check_department_actor(subcase, actor)
    if not result_number.strip():
        raise CaseError(
            CaseErrorCode.RESULT_REQUIRED,
            "请填写办理结果（证件编号或决定文书号）",
            field="result_number",
        )
    with transaction.atomic():
        locked = _lock_application(subcase)
        subcase = _subcase_transition(
            subcase=subcase,
            action="complete",
            actor=actor,
            expected_version=expected_version,
            updates={
                "result_number": result_number.strip(),
                "result_note": result_note,
                "finished_at": timezone.now(),
            },
            data={"result_number": result_number.strip()},
        )
        _activate_dependants(subcase, actor, locked[1])
        _after_transition(
            subcase,
            actor,
            f"{subcase.department.name}已办结",
            f"结果编号：{subcase.result_number}",
            locked=locked,
        )
    return subcase


def _activate_dependants(subcase: SubCase, actor: User | None, siblings: list[SubCase]) -> None:
    """Start the clock of the steps that waited for this one (sequential bundles).

    ``siblings`` are the sub-cases read under the application lock; the activated ones
    are updated in place so that the roll-up sees them.
    """
    if subcase.status != SubCaseStatus.COMPLETED:
        return
    codes = _department_codes({s.department_id for s in siblings})
    done = {
        codes[s.department_id]
        for s in siblings
        if (subcase.status if s.pk == subcase.pk else s.status) == SubCaseStatus.COMPLETED
    }
    waiting = [
        s
        for s in siblings
        if s.pk != subcase.pk and s.status == SubCaseStatus.WAITING and set(s.depends_on) <= done
    ]
    if not waiting:
        return
    calendar = _calendar()
    today = _today()
    for s in waiting:
        due = _due(today, s.limit_days, calendar)
        _subcase_transition(
            subcase=s,
            action="activate",
            actor=actor,
            expected_version=None,
            updates={
                "started_on": today,
                "due_date": due.due,
                "due_provisional": due.provisional,
            },
        )


_DEPARTMENT_CODES: dict[int, str] = {}


def _department_codes(ids: Iterable[int]) -> dict[int, str]:
    """Department id → code (codes never change; cached per process)."""
    missing = [i for i in ids if i not in _DEPARTMENT_CODES]
    if missing:
        _DEPARTMENT_CODES.update(
            Department.objects.filter(pk__in=missing).values_list("pk", "code")
        )
    return _DEPARTMENT_CODES


SUBCASE_ACTIONS = {
    "accept": subcase_accept,
    "approve": subcase_approve,
}


# --------------------------------------------------------------------------- #
# SLA: reminders at 80 % and escalation when overdue (idempotent)
# --------------------------------------------------------------------------- #


@dataclass
class SlaTickReport:
    reminded: int = 0
    escalated: int = 0


OPEN_STATUSES = (SubCaseStatus.SUBMITTED, SubCaseStatus.ACCEPTED, SubCaseStatus.APPROVED)


def sla_tick(*, today: dt.date | None = None) -> SlaTickReport:
    """Remind specialists at 80 % of the time used, escalate overdue sub-cases to supervisors.

    Each sub-case is reminded once and escalated once (``reminded_at``/``escalated_at``
    set with a conditional UPDATE, messages with a dedupe key), so running it again
    sends nothing new.  Sub-cases waiting for a correction are paused and skipped.
    """
    today = today or _today()
    calendar = _calendar()
    report = SlaTickReport()
    candidates = SubCase.objects.filter(
        status__in=OPEN_STATUSES, due_date__isnull=False, escalated_at__isnull=True
    ).select_related("department", "application", "assignee")
    for sc in candidates.iterator():
        assert sc.started_on is not None and sc.due_date is not None  # noqa: S101
        total = clock.working_days_between(sc.started_on, sc.due_date, extra_calendar=calendar)
        used = clock.working_days_between(sc.started_on, today, extra_calendar=calendar)
        if today > sc.due_date:
            if SubCase.objects.filter(pk=sc.pk, escalated_at__isnull=True).update(
                escalated_at=timezone.now()
            ):
                report.escalated += 1
                audit_event_record(
                    subject=sc,
                    action="escalate",
                    reason="超过办理时限",
                    data={"due": sc.due_date.isoformat(), "today": today.isoformat()},
                )
                for boss in department_supervisors(department=sc.department):
                    message_send(
                        recipient=boss,
                        kind="case_update",
                        title=f"督办：{sc.application.number} {sc.department.name} 已超期",
                        body=f"到期日 {sc.due_date.isoformat()}，请督促办理。",
                        link=f"/cases/workbench/subcases/{sc.uuid}/",
                        dedupe_key=f"sla:escalate:{sc.uuid}:{boss.pk}",
                    )
        elif sc.reminded_at is None and total > 0 and used >= REMIND_SHARE * total:
            if SubCase.objects.filter(pk=sc.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            ):
                report.reminded += 1
                audit_event_record(
                    subject=sc,
                    action="remind",
                    data={"used": used, "total": total, "due": sc.due_date.isoformat()},
                )
                targets = [sc.assignee] if sc.assignee else subcase_specialists(subcase=sc)
                for person in targets:
                    message_send(
                        recipient=person,
                        kind="case_update",
                        title=f"提醒：{sc.application.number} 办理时限已用 {used}/{total} 个工作日",
                        body=f"到期日 {sc.due_date.isoformat()}。",
                        link=f"/cases/workbench/subcases/{sc.uuid}/",
                        dedupe_key=f"sla:remind:{sc.uuid}:{person.pk}",
                    )
    return report


# --------------------------------------------------------------------------- #
# 好差评, rectification, return visits
# --------------------------------------------------------------------------- #


def rating_submit(
    *,
    application: Application,
    actor: User,
    level: str,
    indicators: Mapping[str, str] | None = None,
    comment: str = "",
    subcase: SubCase | None = None,
) -> Rating:
    """Rate the whole application (``subcase`` None) or one department, once each."""
    comment = text_clean(comment, field="comment")
    if application.status != ApplicationStatus.CLOSED:
        raise CaseError(CaseErrorCode.NOT_CLOSED, "办结后才能评价")
    valid = set(RatingLevel.values)
    if level not in valid:
        raise CaseError(CaseErrorCode.RATING_LEVEL, "请选择评价等级", field="level")
    clean = {}
    for key, value in (indicators or {}).items():
        if key not in INDICATORS or value not in valid:
            raise CaseError(CaseErrorCode.RATING_LEVEL, f"分项评价 {key} 无效", field="indicators")
        clean[key] = value
    if subcase is not None and subcase.application_id != application.pk:
        raise CaseError(CaseErrorCode.NOT_FOUND, "未找到该部门子件", field="subcase")
    scope = str(subcase.uuid) if subcase else "application"
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                application=application,
                subcase=subcase,
                scope=scope,
                level=level,
                indicators=clean,
                comment=comment,
                rated_by=actor,
            )
            audit_event_record(
                subject=application,
                action="rate",
                actor=actor,
                on_behalf_of=_acting_for(actor, application.applicant),
                data={"scope": scope, "level": level, "indicators": clean},
            )
            if level in BAD_LEVELS:
                due = _due(_today(), RECTIFICATION_DAYS, _calendar())
                task = RectificationTask.objects.create(
                    rating=rating,
                    department=subcase.department if subcase else None,
                    due_date=due.due,
                    due_provisional=due.provisional,
                )
                ReturnVisit.objects.create(rating=rating)
                audit_event_record(
                    subject=task,
                    action="open",
                    to_state=RectificationStatus.OPEN,
                    data={"due": due.due.isoformat(), "level": level},
                )
    except IntegrityError:
        raise CaseError(CaseErrorCode.ALREADY_RATED, "已经评价过了") from None
    return rating


def rectification_reply(*, task: RectificationTask, actor: User, reply: str) -> RectificationTask:
    if task.status != RectificationStatus.OPEN:
        raise CaseError(CaseErrorCode.TRANSITION_NOT_ALLOWED, "该整改已答复")
    if not reply.strip():
        raise CaseError(CaseErrorCode.REASON_REQUIRED, "请填写整改答复", field="reply")
    changed = RectificationTask.objects.filter(pk=task.pk, status=RectificationStatus.OPEN).update(
        status=RectificationStatus.REPLIED,
        reply=reply,
        replied_at=timezone.now(),
        replied_by=actor,
        updated_at=timezone.now(),
    )
    if not changed:
        raise CaseError(CaseErrorCode.CONFLICT, "该整改已被他人答复")
    audit_event_record(
        subject=task,
        action="reply",
        actor=actor,
        from_state=RectificationStatus.OPEN,
        to_state=RectificationStatus.REPLIED,
        reason=reply,
    )
    task.refresh_from_db()
    return task


def return_visit_record(
    *,
    visit: ReturnVisit,
    actor: User,
    note: str,
    reached: bool | None = True,
    satisfaction: str = "",
) -> ReturnVisit:
    """回访: reached → done with the satisfaction after the visit; not reached → the
    attempt is recorded and the visit stays pending (to be tried again)."""
    if visit.status != ReturnVisitStatus.PENDING:
        raise CaseError(CaseErrorCode.TRANSITION_NOT_ALLOWED, "该回访已完成")
    if reached is None:
        raise CaseError(CaseErrorCode.REASON_REQUIRED, "请选择是否联系上", field="reached")
    if satisfaction and satisfaction not in RatingLevel.values:
        raise CaseError(CaseErrorCode.RATING_LEVEL, "回访满意度无效", field="satisfaction")
    if not reached and satisfaction:
        raise CaseError(
            CaseErrorCode.RATING_LEVEL, "未联系上时不能记录满意度", field="satisfaction"
        )
    if not reached and not note.strip():
        raise CaseError(
            CaseErrorCode.REASON_REQUIRED, "未联系上时请说明情况（如电话无人接听）", field="note"
        )
    now = timezone.now()
    target = ReturnVisitStatus.DONE if reached else ReturnVisitStatus.PENDING
    changed = ReturnVisit.objects.filter(pk=visit.pk, status=ReturnVisitStatus.PENDING).update(
        status=target,
        reached=reached,
        satisfaction=satisfaction,
        note=note,
        visited_at=now,
        visited_by=actor,
        updated_at=now,
    )
    if not changed:
        raise CaseError(CaseErrorCode.CONFLICT, "该回访已被他人记录，请刷新后查看")
    audit_event_record(
        subject=visit,
        action="visit" if reached else "visit_unreached",
        actor=actor,
        from_state=ReturnVisitStatus.PENDING,
        to_state=target,
        reason=note,
        data={"reached": reached, "satisfaction": satisfaction},
    )
    visit.refresh_from_db()
    return visit
