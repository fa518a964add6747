"""Writes of the archives app: intake, the state machine, account and guardian links.

Every change goes through one function here, checks it is allowed, and appends an
:class:`~talentport.archives.models.ArchiveEvent` (and a common audit event).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import math
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from talentport.archives import importer
from talentport.archives.errors import ArchiveError, ArchiveErrorCode, ClaimThrottled
from talentport.archives.models import (
    TRANSITIONS,
    ArchiveBatch,
    ArchiveClaimCode,
    ArchiveEvent,
    ArchiveFile,
    ArchiveStatus,
    GuardianLink,
    GuardianLinkStatus,
    ImportSource,
)
from talentport.archives.rules import TransferInput, TransferInputError, transfer_destination
from talentport.common.crypto import blind_index, blind_index_filter
from talentport.common.idcard import (
    IdentityFormatError,
    mask_id_card,
    mask_phone,
    validate_cn_mobile,
    validate_id_card,
)
from talentport.common.logmask import mask_personal_data
from talentport.common.services import audit_event_record, masked
from talentport.notify.delivery import delivery_to_phone_queue
from talentport.notify.services import message_send
from talentport.people import permissions
from talentport.people.permissions import Perm

logger = logging.getLogger("talentport.archives")

DUPLICATE_ON_RECORD = "该身份证号已有档案记录（一人一档），不能重复接收"
CHUNK = 500
COURIER_NUMBER = re.compile(r"[0-9A-Za-z-]{4,40}")
_MOBILE_NUMBER = re.compile(r"1[3-9]\d{9}")


def _is_staff(user: Any, file: ArchiveFile | None = None, jurisdiction: str = "") -> bool:
    """Archive staff whose scope covers the file (or the jurisdiction)."""
    place = file.jurisdiction if file is not None else jurisdiction
    if not place:
        return permissions.can(user, Perm.ARCHIVE_MANAGE)
    return permissions.can(user, Perm.ARCHIVE_MANAGE, permissions.Target(place))


def archive_is_adult(*, file: ArchiveFile, today: dt.date | None = None) -> bool:
    """18 or older on ``today`` (China time), from the birth date in the ID number."""
    today = today or timezone.localdate()
    birth = file.birth_date
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return age >= 18


# --------------------------------------------------------------------------- #
# Intake
# --------------------------------------------------------------------------- #


@dataclass
class ImportReport:
    batch: ArchiveBatch | None
    accepted: int
    refused: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The contract §8 report."""
        return {"accepted": self.accepted, "refused": self.refused}


def _on_record(id_cards: list[str]) -> set[str]:
    """The ID numbers among ``id_cards`` that already have a file (via the blind index)."""
    index_field = ArchiveFile._meta.get_field("id_card_index")
    found: set[str] = set()
    for start in range(0, len(id_cards), CHUNK):
        chunk = id_cards[start : start + CHUNK]
        by_index: dict[str, str] = {}
        for number in chunk:
            for candidate in index_field.candidates_for(number):
                by_index[candidate] = number
        existing = ArchiveFile.objects.filter(id_card_index__in=list(by_index)).values_list(
            "id_card_index", flat=True
        )
        found.update(by_index[index] for index in existing)
    return found


def archive_batch_import(
    *,
    source: importer.Source,
    school: str,
    actor: Any = None,
    filename: str = "",
    via: str = ImportSource.WEB,
    today: dt.date | None = None,
    jurisdiction: str = permissions.ARCHIVES_JURISDICTION,
) -> ImportReport:
    """Import a school's hand-over list: valid rows become files, invalid rows are reported.

    Raises :class:`ImportFileError` (nothing imported) for an unreadable file or missing
    required columns.  All accepted rows are written in one transaction.  A staff actor
    must hold the jurisdiction the files are received into; without an actor (the
    command line, run by the operator of the installation) the default one is used.
    """
    if actor is not None and not _is_staff(actor, jurisdiction=jurisdiction):
        raise ArchiveError(
            "您只能在本人权限范围内接收档案", code=ArchiveErrorCode.FORBIDDEN, field="school"
        )
    school = (school or "").strip()
    if not school:
        raise ArchiveError("请填写学校名称", field="school")
    if len(school) > 120:
        raise ArchiveError("学校名称过长，最多120个字", field="school")
    today = today or timezone.localdate()
    parsed = importer.parse_workbook(source, today=today)

    duplicates = _on_record([row.id_card for row in parsed.valid])
    refused = list(parsed.refused)
    accepted_rows = []
    for row in parsed.valid:
        if row.id_card in duplicates:
            refused.append(
                {
                    "row": row.row,
                    "errors": [{"field": importer.ID_CARD, "message": DUPLICATE_ON_RECORD}],
                }
            )
        else:
            accepted_rows.append(row)
    refused.sort(key=lambda item: item["row"])

    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    try:
        with transaction.atomic():
            batch = ArchiveBatch.objects.create(
                school=school,
                jurisdiction=jurisdiction,
                filename=filename[:255],
                source=via,
                imported_by=actor_obj,
                accepted_count=len(accepted_rows),
                refused_count=len(refused),
                refused=refused,
            )
            files = [
                ArchiveFile(
                    batch=batch,
                    school=school,
                    jurisdiction=jurisdiction,
                    class_name=row.class_name,
                    name=row.name,
                    id_card=row.id_card,
                    id_card_masked=mask_id_card(row.id_card),
                    birth_date=row.birth_date,
                    guardian_name=row.guardian_name,
                    guardian_phone=row.guardian_phone or None,
                    guardian_phone_masked=mask_phone(row.guardian_phone)
                    if row.guardian_phone
                    else "",
                    status=ArchiveStatus.RECEIVED,
                    status_changed_at=now,
                )
                for row in accepted_rows
            ]
            for file in files:  # printed on the hand-over list, shown once at its download
                _set_claim_code(file, claim_code_new(), pending=True, now=now)
            ArchiveFile.objects.bulk_create(files, batch_size=CHUNK)
            ArchiveEvent.objects.bulk_create(
                [
                    ArchiveEvent(
                        file=file,
                        at=now,
                        actor=actor_obj,
                        action="received",
                        to_state=ArchiveStatus.RECEIVED,
                        note=f"随{school}档案交接名单接收",
                        data={"batch": str(batch.uuid)},
                    )
                    for file in files
                ],
                batch_size=CHUNK,
            )
            audit_event_record(
                subject=batch,
                action="archives.batch_imported",
                actor=actor_obj,
                data={"school": school, "accepted": len(accepted_rows), "refused": len(refused)},
            )
    except IntegrityError as exc:  # a concurrent import took one of these ID numbers
        raise ArchiveError(
            "导入时有档案被同时接收，请重新导入", code=ArchiveErrorCode.CONFLICT
        ) from exc
    return ImportReport(batch=batch, accepted=len(accepted_rows), refused=refused)


# --------------------------------------------------------------------------- #
# State machine
# --------------------------------------------------------------------------- #


def _label(state: str) -> str:
    try:
        return str(ArchiveStatus(state).label)
    except ValueError:
        return state


def _record(
    *,
    file: ArchiveFile,
    actor: Any,
    action: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ArchiveEvent:
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    note = mask_personal_data(note)  # the journal never holds a clear ID or phone number
    event = ArchiveEvent.objects.create(
        file=file,
        actor=actor_obj,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=masked(data or {}),
    )
    audit_event_record(
        subject=file,
        action="archives." + action,
        actor=actor_obj,
        from_state=from_state,
        to_state=to_state,
        reason=note,
        data=data,
    )
    return event


def archive_transition(
    *,
    file: ArchiveFile,
    actor: Any,
    to_state: str,
    note: str = "",
    materials: str = "",
    courier_number: str = "",
    transfer: TransferInput | None = None,
) -> ArchiveFile:
    """Move a file to ``to_state`` if the state machine allows it; journal the move."""
    if not _is_staff(actor, file):
        raise ArchiveError("只有工作人员可以办理档案流转", code=ArchiveErrorCode.FORBIDDEN)
    if to_state not in ArchiveStatus.values:
        raise ArchiveError("未知的档案状态", field="to_state")
    note = (note or "").strip()
    with transaction.atomic():
        locked = ArchiveFile.objects.select_for_update().get(pk=file.pk)
        from_state = locked.status
        if to_state not in TRANSITIONS[from_state]:
            raise ArchiveError(
                f"档案当前状态为“{_label(from_state)}”，不能变更为“{_label(to_state)}”",
                code=ArchiveErrorCode.TRANSITION_NOT_ALLOWED,
                field="to_state",
            )
        now = timezone.now()
        data: dict[str, Any] = {}
        if to_state == ArchiveStatus.MATERIALS_ADDED:
            materials = (materials or "").strip()
            if not materials:
                raise ArchiveError("请填写补充的材料名称", field="materials")
            locked.materials = [*locked.materials, {"at": now.isoformat(), "materials": materials}]
            data["materials"] = materials
            note = note or f"补充材料：{materials}"
        elif to_state == ArchiveStatus.TRANSFER_REQUESTED:
            if transfer is None:
                raise ArchiveError("请填写就业情况，以确定档案转递去向", field="employment_kind")
            try:
                destination = transfer_destination(transfer)
            except TransferInputError as exc:
                raise ArchiveError.many(exc.errors) from exc
            locked.transfer_input = asdict(transfer)
            locked.destination_kind = destination.kind
            locked.destination_name = destination.name
            locked.destination_explanation = destination.explanation
            locked.transfer_requested_at = now
            data.update(destination=destination.name, kind=destination.kind)
            note = note or f"申请转递至{destination.name}：{destination.explanation}"
        elif to_state == ArchiveStatus.IN_TRANSIT:
            courier_number = (courier_number or "").strip()
            if not COURIER_NUMBER.fullmatch(courier_number):
                raise ArchiveError(
                    "请填写机要编号（4至40位字母、数字或连字符）", field="courier_number"
                )
            locked.courier_number = courier_number
            locked.dispatched_at = now
            data["courier_number"] = courier_number
            note = (
                note or f"已通过机要寄出，机要编号 {courier_number}，寄往{locked.destination_name}"
            )
        elif to_state == ArchiveStatus.DELIVERED:
            locked.delivered_at = now
            note = note or f"{locked.destination_name}已签收"
        elif to_state == ArchiveStatus.STORED:
            note = note or "档案已入库保管"
        locked.status = to_state
        locked.status_changed_at = now
        locked.save()
        event = _record(
            file=locked,
            actor=actor,
            action=to_state,
            from_state=from_state,
            to_state=to_state,
            note=note,
            data=data,
        )
        _notify_on_commit(file=locked, event=event)
    return locked


def archive_store(*, file: ArchiveFile, actor: Any, note: str = "") -> ArchiveFile:
    return archive_transition(file=file, actor=actor, to_state=ArchiveStatus.STORED, note=note)


def archive_materials_add(
    *, file: ArchiveFile, actor: Any, materials: str, note: str = ""
) -> ArchiveFile:
    return archive_transition(
        file=file,
        actor=actor,
        to_state=ArchiveStatus.MATERIALS_ADDED,
        materials=materials,
        note=note,
    )


def archive_transfer_request(
    *, file: ArchiveFile, actor: Any, transfer: TransferInput, note: str = ""
) -> ArchiveFile:
    return archive_transition(
        file=file,
        actor=actor,
        to_state=ArchiveStatus.TRANSFER_REQUESTED,
        transfer=transfer,
        note=note,
    )


def archive_dispatch(
    *, file: ArchiveFile, actor: Any, courier_number: str, note: str = ""
) -> ArchiveFile:
    return archive_transition(
        file=file,
        actor=actor,
        to_state=ArchiveStatus.IN_TRANSIT,
        courier_number=courier_number,
        note=note,
    )


def archive_deliver(*, file: ArchiveFile, actor: Any, note: str = "") -> ArchiveFile:
    return archive_transition(file=file, actor=actor, to_state=ArchiveStatus.DELIVERED, note=note)


TRANSFER_CANCELLED = "transfer_cancelled"
#: Journal actions the student and their guardians are told about.
NOTIFIED_ACTIONS = frozenset(
    {
        ArchiveStatus.STORED,
        ArchiveStatus.MATERIALS_ADDED,
        ArchiveStatus.TRANSFER_REQUESTED,
        ArchiveStatus.IN_TRANSIT,
        ArchiveStatus.DELIVERED,
        TRANSFER_CANCELLED,
    }
)


def archive_transfer_cancel(*, file: ArchiveFile, actor: Any, reason: str) -> ArchiveFile:
    """Correct a transfer request made in error: back to the state it was requested from.

    Only before dispatch (a file in transit is recalled by courier, not here).  The
    destination is cleared from the file; the request itself stays in the journal,
    and the cancellation is journaled with its reason.  Nothing is deleted.
    """
    if not _is_staff(actor, file):
        raise ArchiveError("只有工作人员可以办理档案流转", code=ArchiveErrorCode.FORBIDDEN)
    reason = (reason or "").strip()
    if not reason:
        raise ArchiveError("请填写撤销转递申请的原因", field="reason")
    if len(reason) > 500:
        raise ArchiveError("原因最多500个字", field="reason")
    with transaction.atomic():
        locked = ArchiveFile.objects.select_for_update().get(pk=file.pk)
        if locked.status != ArchiveStatus.TRANSFER_REQUESTED:
            raise ArchiveError(
                f"档案当前状态为“{_label(locked.status)}”，只有“已申请转递”且尚未寄出的"
                "档案可以撤销转递申请",
                code=ArchiveErrorCode.TRANSITION_NOT_ALLOWED,
                field="to_state",
            )
        requested = (
            ArchiveEvent.objects.filter(file=locked, to_state=ArchiveStatus.TRANSFER_REQUESTED)
            .order_by("-at", "-id")
            .first()
        )
        back_to = requested.from_state if requested is not None else ""
        if back_to not in (ArchiveStatus.STORED, ArchiveStatus.MATERIALS_ADDED):
            back_to = ArchiveStatus.MATERIALS_ADDED if locked.materials else ArchiveStatus.STORED
        data = {
            "cancelled_destination": locked.destination_name,
            "cancelled_kind": locked.destination_kind,
        }
        locked.status = back_to
        locked.status_changed_at = timezone.now()
        locked.transfer_input = {}
        locked.destination_kind = ""
        locked.destination_name = ""
        locked.destination_explanation = ""
        locked.transfer_requested_at = None
        locked.save()
        event = _record(
            file=locked,
            actor=actor,
            action=TRANSFER_CANCELLED,
            from_state=ArchiveStatus.TRANSFER_REQUESTED,
            to_state=back_to,
            note=f"撤销转递申请：{reason}",
            data=data,
        )
        _notify_on_commit(file=locked, event=event)
    return locked


# --------------------------------------------------------------------------- #
# Notifications to the family
# --------------------------------------------------------------------------- #


def _notice(file: ArchiveFile, event: ArchiveEvent) -> tuple[str, str]:
    """Title and body of the family message for one journal event (Chinese first)."""
    name = file.name
    data = event.data or {}
    if event.action == ArchiveStatus.STORED:
        return gettext("档案已入库"), gettext(
            "%(name)s的人事档案已入库，由留学人员档案库专门保管。"
        ) % {"name": name}
    if event.action == ArchiveStatus.MATERIALS_ADDED:
        return gettext("档案已补充材料"), gettext(
            "%(name)s的人事档案已补充材料：%(materials)s。"
        ) % {
            "name": name,
            "materials": data.get("materials", ""),
        }
    if event.action == ArchiveStatus.TRANSFER_REQUESTED:
        return gettext("档案已申请转递"), gettext(
            "%(name)s的人事档案已申请转递至%(destination)s。"
        ) % {
            "name": name,
            "destination": data.get("destination", ""),
        }
    if event.action == ArchiveStatus.IN_TRANSIT:
        return gettext("档案转递中"), gettext(
            "%(name)s的人事档案已通过机要寄出，机要编号 %(courier)s，寄往%(destination)s。"
        ) % {
            "name": name,
            "courier": data.get("courier_number", ""),
            "destination": file.destination_name,
        }
    if event.action == ArchiveStatus.DELIVERED:
        return gettext("档案已送达"), gettext(
            "%(name)s的人事档案已送达%(destination)s，转递完成。"
        ) % {
            "name": name,
            "destination": file.destination_name,
        }
    if event.action == TRANSFER_CANCELLED:
        return gettext("档案转递申请已撤销"), gettext(
            "%(name)s的人事档案转递申请已撤销，档案继续在库保管。%(note)s"
        ) % {"name": name, "note": event.note}
    label = _label(event.to_state)
    return gettext("档案状态更新"), gettext("%(name)s的人事档案状态：%(state)s。") % {
        "name": name,
        "state": label,
    }


def archive_family_recipients(*, file: ArchiveFile, today: dt.date | None = None) -> list[Any]:
    """Who is told about the file: the linked student account and every guardian whose
    link lets them follow it (active, and consented once the student is an adult)."""
    recipients: list[Any] = []
    if file.student_id is not None:
        recipients.append(file.student)
    adult = archive_is_adult(file=file, today=today)
    links = GuardianLink.objects.filter(file=file, status=GuardianLinkStatus.ACTIVE).select_related(
        "guardian"
    )
    for link in links:
        if (link.consented_at is not None or not adult) and link.guardian not in recipients:
            recipients.append(link.guardian)
    return recipients


def archive_event_notify(*, file: ArchiveFile, event: ArchiveEvent) -> int:
    """Send the family their inbox message for one journal event; returns how many were new.

    The dedupe key is per file, event and recipient, so running this again sends nothing.
    """
    if event.action not in NOTIFIED_ACTIONS:
        return 0
    title, body = _notice(file, event)
    link = reverse("archives:my_file", kwargs={"file_id": file.uuid})
    sent = 0
    for recipient in archive_family_recipients(file=file):
        _, created = message_send(
            recipient=recipient,
            kind="general",
            title=title,
            body=body,
            link=link,
            dedupe_key=f"archives:{file.uuid}:{event.uuid}:{recipient.uuid}",
        )
        sent += int(created)
    return sent


def archive_notifications_resend(*, file: ArchiveFile) -> int:
    """Send any family message of the file's journal not yet sent (idempotent catch-up)."""
    file = ArchiveFile.objects.select_related("student").get(pk=file.pk)
    sent = 0
    for event in ArchiveEvent.objects.filter(file=file, action__in=NOTIFIED_ACTIONS):
        sent += archive_event_notify(file=file, event=event)
    return sent


def _notify_on_commit(*, file: ArchiveFile, event: ArchiveEvent) -> None:
    file_pk = file.pk

    def send() -> None:
        fresh = ArchiveFile.objects.select_related("student").get(pk=file_pk)
        archive_event_notify(file=fresh, event=event)

    transaction.on_commit(send)


# --------------------------------------------------------------------------- #
# Accounts: the student claims a file, guardians are linked with consent
# --------------------------------------------------------------------------- #


# --------------------------------------------------------------------------- #
# Claims: name + ID number + a second factor, one answer whatever the file
# --------------------------------------------------------------------------- #

#: Claim codes on the hand-over list: no 0/O, 1/I/L, so that a printed code reads one way.
CLAIM_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CLAIM_CODE_LENGTH = 8
SMS_CODE_DIGITS = 6
CLAIM_CODE_SCOPE = "archives.claim_code"
SMS_CODE_SCOPE = "archives.claim_sms_code"
CLAIM_COUNTER_SCOPE = "archives.claim_counter"
CLAIM_WINDOW_SECONDS = 3600
_CODE_SEPARATORS = re.compile(r"[\s\-_]")


def claim_sent_message() -> str:
    """Step 1's one answer: says nothing about whether a file exists."""
    return gettext(
        "如果信息与学校交接名单一致，验证码已发送至学校登记的联系电话；"
        "也可使用学校交接清单上的认领码"
    )


def claim_refused_message() -> str:
    """Step 2's one refusal, whatever went wrong."""
    return gettext("信息或验证码不正确，或档案无法认领；如有疑问请联系学校或档案窗口")


def _claim_throttled(wait: float) -> ClaimThrottled:
    return ClaimThrottled(
        gettext("该身份证号的认领尝试过于频繁，请约 %(minutes)s 分钟后再试")
        % {"minutes": max(1, math.ceil(wait / 60))},
        wait=wait,
    )


def claim_code_new() -> str:
    """A random claim code for the hand-over list (8 characters, ~39 bits)."""
    return "".join(secrets.choice(CLAIM_CODE_ALPHABET) for _ in range(CLAIM_CODE_LENGTH))


def _claim_code_hash(file: ArchiveFile, code: str) -> str:
    return blind_index(f"{file.uuid}:{code}", scope=CLAIM_CODE_SCOPE)


def _sms_code_hash(file: ArchiveFile, user: Any, code: str) -> str:
    return blind_index(f"{file.uuid}:{user.uuid}:{code}", scope=SMS_CODE_SCOPE)


def _set_claim_code(file: ArchiveFile, code: str, *, pending: bool, now: dt.datetime) -> None:
    file.claim_code_index = _claim_code_hash(file, code)
    file.claim_code_pending = code if pending else None
    file.claim_code_issued_at = now


def _normalise_code(code: object) -> str:
    return _CODE_SEPARATORS.sub("", str(code or "")).upper()[:32]


def _claim_number(id_card: object) -> str:
    try:
        return validate_id_card(id_card)
    except IdentityFormatError as exc:
        raise ArchiveError(exc.message, field="id_card") from exc


def _counter_key(kind: str, number: str) -> str:
    return "archives:claim:" + kind + ":" + blind_index(number, scope=CLAIM_COUNTER_SCOPE)


def _count(kind: str, number: str) -> tuple[int, float]:
    """Add one to the hourly counter ``kind`` of an ID number: (count, seconds left)."""
    key = _counter_key(kind, number)
    now = time.time()
    cache.add(key + ":start", now, CLAIM_WINDOW_SECONDS)
    cache.add(key, 0, CLAIM_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, CLAIM_WINDOW_SECONDS)
        count = 1
    start = float(cache.get(key + ":start") or now)
    return count, max(1.0, start + CLAIM_WINDOW_SECONDS - now)


def _claim_lock_wait(number: str) -> float | None:
    until = cache.get(_counter_key("lock", number))
    if until is None:
        return None
    left = float(until) - time.time()
    return left if left > 0 else None


def _claim_failed(number: str, file: ArchiveFile | None, user: Any) -> None:
    """Count a failed claim of this ID number; lock its claims when there were too many."""
    failures, _left = _count("failures", number)
    limit = int(settings.ARCHIVE_CLAIM_FAILURES_PER_FILE)
    if failures >= limit:
        lock_seconds = int(settings.ARCHIVE_CLAIM_LOCK_MINUTES) * 60
        cache.set(_counter_key("lock", number), time.time() + lock_seconds, lock_seconds)
        logger.warning("archive claims locked for one ID number after %s failures", failures)
    if file is not None:
        _record(
            file=file,
            actor=user,
            action="claim_refused",
            note="认领未通过（信息或验证码不符）",
            data={"account": str(user.uuid), "failures": failures},
        )


def _sms_text(user: Any, code: str) -> str:
    return gettext(
        "【留学人才港】账户 %(account)s 正在认领学校移交的人事档案，验证码 %(code)s，"
        "%(minutes)s 分钟内有效。如非本人操作，请勿告知他人并联系学校。"
    ) % {
        "account": user.get_username(),
        "code": code,
        "minutes": int(settings.ARCHIVE_CLAIM_CODE_TTL_MINUTES),
    }


def archive_claim_code_send(*, user: Any, id_card: str, name: str) -> None:
    """Step 1 of a claim: when a file matches (ID number through the blind index, name,
    not someone else's) and the school gave a mobile number, send a one-time code there.

    Whatever the outcome the caller answers the same (:func:`claim_sent_message`); only a
    malformed ID number (400, ``id_card``) or too many codes for this ID number within an
    hour (:class:`ClaimThrottled`, counted whether a file exists or not) differ.
    """
    if not getattr(user, "is_authenticated", False):
        raise ArchiveError("请先登录", code=ArchiveErrorCode.FORBIDDEN)
    number = _claim_number(id_card)
    wait = _claim_lock_wait(number)
    if wait is not None:
        raise _claim_throttled(wait)
    sent, left = _count("codes", number)
    if sent > int(settings.ARCHIVE_CLAIM_CODES_PER_FILE_PER_HOUR):
        raise _claim_throttled(left)
    file = ArchiveFile.objects.filter(
        blind_index_filter(ArchiveFile, "id_card_index", number)
    ).first()
    if file is None or file.name != (name or "").strip():
        return
    if file.student_id not in (None, user.pk) or not file.guardian_phone:
        return
    try:
        phone = validate_cn_mobile(file.guardian_phone)
    except IdentityFormatError:
        return
    if not _MOBILE_NUMBER.fullmatch(phone):  # a landline cannot receive the code
        return
    code = f"{secrets.randbelow(10**SMS_CODE_DIGITS):0{SMS_CODE_DIGITS}d}"
    now = timezone.now()
    with transaction.atomic():
        ArchiveClaimCode.objects.update_or_create(
            file=file,
            user=user,
            defaults={
                "code_hash": _sms_code_hash(file, user, code),
                "expires_at": now
                + dt.timedelta(minutes=int(settings.ARCHIVE_CLAIM_CODE_TTL_MINUTES)),
                "attempts": 0,
                "used_at": None,
            },
        )
        _record(
            file=file,
            actor=user,
            action="claim_code_sent",
            note="已向学校登记的联系电话发送认领验证码",
            data={"account": str(user.uuid)},
        )
        # queued, sent after commit; the text (it carries the code) is kept encrypted
        # and goes out at night too: the person is waiting for it
        delivery_to_phone_queue(
            phone=phone,
            title=gettext("档案认领验证码"),
            dedupe_key=f"archives:claim-sms:{file.uuid}:{secrets.token_hex(8)}",
            secret_text=_sms_text(user, code),
            quiet_exempt=True,
        )


def _sms_code_valid(file: ArchiveFile, user: Any, code: str, now: dt.datetime) -> bool | None:
    """True/False for a 6-digit code of this file and account; None when there is none."""
    row = ArchiveClaimCode.objects.filter(file=file, user=user, used_at__isnull=True).first()
    if row is None:
        return None
    fresh = row.expires_at > now and row.attempts < int(settings.ARCHIVE_CLAIM_FAILURES_PER_FILE)
    if fresh and hmac.compare_digest(row.code_hash, _sms_code_hash(file, user, code)):
        row.used_at = now
        row.save(update_fields=["used_at", "updated_at"])
        return True
    ArchiveClaimCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    return False


def archive_claim(*, user: Any, id_card: str, name: str, code: str) -> ArchiveFile:
    """Step 2 of a claim: bind the file to ``user`` with name, ID number and a second
    factor — the SMS code of step 1 or the claim code of the hand-over list.

    Every failure (no such file, another name, a wrong or expired code, a file already
    bound to another account) raises the same ``ArchiveError`` (:func:`claim_refused_message`,
    field ``code``) and counts against the ID number: after
    ``ARCHIVE_CLAIM_FAILURES_PER_FILE`` within an hour its claims are locked
    (:class:`ClaimThrottled`) for ``ARCHIVE_CLAIM_LOCK_MINUTES``, right code or not.
    Claiming a file already bound to ``user`` again returns it.
    """
    if not getattr(user, "is_authenticated", False):
        raise ArchiveError("请先登录", code=ArchiveErrorCode.FORBIDDEN)
    number = _claim_number(id_card)
    wait = _claim_lock_wait(number)
    if wait is not None:
        raise _claim_throttled(wait)
    normal = _normalise_code(code)
    now = timezone.now()
    file: ArchiveFile | None = None
    with transaction.atomic():
        file = (
            ArchiveFile.objects.select_for_update()
            .filter(blind_index_filter(ArchiveFile, "id_card_index", number))
            .first()
        )
        claimable = (
            file is not None
            and file.name == (name or "").strip()
            and file.student_id in (None, user.pk)
        )
        if claimable and file is not None and file.student_id == user.pk:
            return file  # already this account's: nothing to guess, nothing to bind
        via = ""
        if claimable and file is not None:
            if len(normal) == SMS_CODE_DIGITS and normal.isdigit():
                via = "sms" if _sms_code_valid(file, user, normal, now) else ""
            elif (
                len(normal) == CLAIM_CODE_LENGTH
                and file.claim_code_index
                and hmac.compare_digest(file.claim_code_index, _claim_code_hash(file, normal))
            ):
                via = "handover_code"
        if via and file is not None:
            file.student = user
            fields = ["student", "updated_at"]
            if via == "handover_code":  # used once: staff regenerate one if ever needed
                file.claim_code_index = ""
                file.claim_code_pending = None
                fields += ["claim_code_index", "claim_code_pending"]
            file.save(update_fields=fields)
            _record(
                file=file,
                actor=user,
                action="student_linked",
                note="本人账户已绑定档案（"
                + ("短信验证码" if via == "sms" else "交接清单认领码")
                + "）",
                data={"account": str(user.uuid), "via": via},
            )
            return file
    _claim_failed(number, file, user)
    raise ArchiveError(claim_refused_message(), code=ArchiveErrorCode.CLAIM_REFUSED, field="code")


def archive_default_jurisdiction(*, user: Any) -> str:
    """Where a staff member's imports go: the archives' jurisdiction when their scope
    covers it, else their own (narrower) archive scope."""
    if _is_staff(user, jurisdiction=permissions.ARCHIVES_JURISDICTION):
        return permissions.ARCHIVES_JURISDICTION
    mine = permissions.scope_jurisdictions(user, Perm.ARCHIVE_MANAGE)
    return mine[0] if mine else permissions.ARCHIVES_JURISDICTION


def _require_staff(actor: Any, file: ArchiveFile | None = None, jurisdiction: str = "") -> None:
    if not _is_staff(actor, file, jurisdiction):
        raise ArchiveError("只有工作人员可以办理档案业务", code=ArchiveErrorCode.FORBIDDEN)


def archive_claim_code_regenerate(*, file: ArchiveFile, actor: Any) -> str:
    """A new hand-over claim code for one file (the old one stops working); returned once
    to be printed, kept only as its keyed hash."""
    _require_staff(actor, file)
    code = claim_code_new()
    with transaction.atomic():
        locked = ArchiveFile.objects.select_for_update().get(pk=file.pk)
        _set_claim_code(locked, code, pending=False, now=timezone.now())
        locked.save(
            update_fields=[
                "claim_code_index",
                "claim_code_pending",
                "claim_code_issued_at",
                "updated_at",
            ]
        )
        _record(
            file=locked,
            actor=actor,
            action="claim_code_regenerated",
            note="重新生成交接清单认领码，原认领码作废",
        )
    return code


@dataclass
class HandoverRow:
    file: ArchiveFile
    code: str | None  # None: already handed out (or the file is claimed)


def archive_handover_list(*, batch: ArchiveBatch, actor: Any) -> list[HandoverRow]:
    """The batch's hand-over list with each student's claim code, shown this once.

    Codes generated at import wait encrypted until this download; a file without a code
    (imported before codes existed) gets one now.  Afterwards only the hashes remain:
    a second download lists the files without codes (staff regenerate a lost one).
    """
    _require_staff(actor, jurisdiction=batch.jurisdiction)
    rows: list[HandoverRow] = []
    now = timezone.now()
    shown = 0
    with transaction.atomic():
        files = (
            ArchiveFile.objects.select_for_update()
            .filter(batch=batch)
            .order_by("class_name", "name", "id")
        )
        for file in files:
            code: str | None = None
            if file.student_id is None:
                if file.claim_code_pending:
                    code = file.claim_code_pending
                elif not file.claim_code_index:
                    code = claim_code_new()
            if code is not None:
                _set_claim_code(file, code, pending=False, now=now)
                file.save(
                    update_fields=[
                        "claim_code_index",
                        "claim_code_pending",
                        "claim_code_issued_at",
                        "updated_at",
                    ]
                )
                shown += 1
            rows.append(HandoverRow(file=file, code=code))
        audit_event_record(
            subject=batch,
            action="archives.handover_list_downloaded",
            actor=actor,
            data={"files": len(rows), "codes_shown": shown},
        )
    return rows


def guardian_link_create(*, file: ArchiveFile, guardian: Any, actor: Any) -> GuardianLink:
    """Let ``guardian`` follow ``file``: created by the student (consent given) or by staff.

    Staff may link a minor's guardian outright; for an adult the link waits for the
    student's consent.
    """
    file = ArchiveFile.objects.get(pk=file.pk)  # fresh: who owns it now
    is_owner = file.student_id is not None and file.student_id == getattr(actor, "pk", None)
    if not (is_owner or _is_staff(actor, file)):
        raise ArchiveError("只有本人或工作人员可以添加监护人", code=ArchiveErrorCode.FORBIDDEN)
    if guardian is None or getattr(guardian, "role", "") != "guardian":
        raise ArchiveError("该账户不是监护人（家长）账户", field="guardian")
    if GuardianLink.objects.filter(
        file=file, guardian=guardian, status=GuardianLinkStatus.ACTIVE
    ).exists():
        raise ArchiveError(
            "该监护人已可查看此档案", code=ArchiveErrorCode.CONFLICT, field="guardian"
        )
    now = timezone.now()
    with transaction.atomic():
        link = GuardianLink.objects.create(
            file=file,
            guardian=guardian,
            created_by=actor,
            consented_at=now if is_owner else None,
        )
        adult = archive_is_adult(file=file)
        note = f"添加监护人 {guardian}"
        if not is_owner and adult:
            note += "，待本人同意后生效"
        _record(
            file=file,
            actor=actor,
            action="guardian_linked",
            note=note,
            data={"link": str(link.uuid), "guardian": str(guardian.uuid)},
        )
    return link


def guardian_link_consent(*, link: GuardianLink, actor: Any) -> GuardianLink:
    file = ArchiveFile.objects.get(pk=link.file_id)  # fresh: who owns it now
    if file.student_id is None or file.student_id != getattr(actor, "pk", None):
        raise ArchiveError("只有本人可以同意监护人查看", code=ArchiveErrorCode.FORBIDDEN)
    if link.status != GuardianLinkStatus.ACTIVE:
        raise ArchiveError("该授权已撤销", code=ArchiveErrorCode.CONFLICT)
    if link.consented_at is None:
        link.consented_at = timezone.now()
        link.save(update_fields=["consented_at", "updated_at"])
        _record(
            file=file,
            actor=actor,
            action="guardian_consented",
            note=f"本人同意 {link.guardian} 查看档案",
        )
    return link


def guardian_link_revoke(*, link: GuardianLink, actor: Any) -> GuardianLink:
    """The adult student (or staff) withdraws a guardian's access."""
    file = ArchiveFile.objects.get(pk=link.file_id)  # fresh: who owns it now
    is_owner = file.student_id is not None and file.student_id == getattr(actor, "pk", None)
    if is_owner and not archive_is_adult(file=file):
        raise ArchiveError(
            "未满18周岁的，撤销监护人查看须由工作人员办理", code=ArchiveErrorCode.FORBIDDEN
        )
    if not (is_owner or _is_staff(actor, file)):
        raise ArchiveError("只有本人或工作人员可以撤销监护人查看", code=ArchiveErrorCode.FORBIDDEN)
    if link.status == GuardianLinkStatus.REVOKED:
        return link
    link.status = GuardianLinkStatus.REVOKED
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.save(update_fields=["status", "revoked_at", "revoked_by", "updated_at"])
    _record(
        file=file, actor=actor, action="guardian_revoked", note=f"撤销 {link.guardian} 查看档案"
    )
    return link
