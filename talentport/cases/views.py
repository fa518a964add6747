"""Pages of 一件事: the person's application and the specialists' workbench."""

from __future__ import annotations

import uuid as uuid_mod
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from talentport.cases import selectors, services
from talentport.cases.errors import CaseError, CaseErrorCode
from talentport.cases.models import (
    INDICATORS,
    Application,
    ApplicationStatus,
    Bundle,
    Filer,
    RatingLevel,
    SubCase,
    SubCaseStatus,
)
from talentport.common import files
from talentport.common.pii import log_pii_access, log_pii_access_many
from talentport.people import permissions
from talentport.people import selectors as people_selectors
from talentport.people.models import Role, User
from talentport.people.permissions import Perm


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required ran
    return user


def _fail(request: HttpRequest, error: CaseError) -> None:
    for p in getattr(error, "problems", None) or [error.as_dict()]:
        messages.error(request, p["message"])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "cases/home.html",
        {
            "bundles": selectors.bundle_list(),
            "applications": selectors.application_visible_to(user=user).filter(applicant=user)[:50],
            "is_window": _is_window(user),
            "is_employer": user.role == Role.EMPLOYER,
        },
    )


def _is_window(user: User) -> bool:
    return permissions.has_perm(user, Perm.ASSIST)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, id: str) -> HttpResponse:
    bundle = selectors.bundle_get(uuid=id)
    if bundle is None or not bundle.active:
        raise Http404
    user = _user(request)
    return _start_page(request, bundle=bundle, applicant=user, actor=user)


def _start_page(
    request: HttpRequest,
    *,
    bundle: Bundle,
    applicant: User,
    actor: User,
    acting_as: str = "",
) -> HttpResponse:
    """一次告知 + one form for ``applicant``, filed by ``actor`` (themself, a window
    specialist for 帮办代办, or a consenting employee's employer)."""
    stages = selectors.bundle_stages(bundle=bundle)
    if not stages:
        raise Http404
    values = [s["value"] for s in stages]
    stage = request.POST.get("stage") or request.GET.get("stage") or values[0]
    if stage not in values:
        stage = values[0]
    selected: list[str] | None = None
    posted: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        selected = request.POST.getlist("items")
        posted = {k[5:]: request.POST.get(k, "") for k in request.POST if k.startswith("form_")}
        if request.POST.get("op") != "refresh" and not selected:
            messages.error(request, _("请至少选择一个事项"))
            status = 400
        elif request.POST.get("op") != "refresh":
            try:
                application, _created = services.application_create(
                    bundle=bundle,
                    stage=stage,
                    applicant=applicant,
                    actor=actor,
                    selected_items=selected,
                    form_data=posted,
                    idempotency_key=request.POST.get("idempotency_key") or None,
                )
            except CaseError as e:
                _fail(request, e)
                status = e.status if e.status != 404 else 400
            else:
                messages.success(request, _("草稿已保存，请上传材料后提交"))
                return redirect("cases:application", id=application.uuid)
    checklist = selectors.bundle_checklist(
        bundle=bundle, stage=stage, person=applicant, selected=selected
    )
    for f in checklist["fields"]:
        if f["key"] in posted:
            f["value"] = posted[f["key"]]
    return render(
        request,
        "cases/start.html",
        {
            "bundle": bundle,
            "stages": stages,
            "stage": stage,
            "checklist": checklist,
            "applicant": applicant,
            "acting_as": acting_as,
            "idempotency_key": request.POST.get("idempotency_key") or uuid_mod.uuid4().hex,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, id: str) -> HttpResponse:
    user = _user(request)
    application = selectors.application_get_for(user=user, uuid=id)
    if application is None:
        raise Http404
    may_act = selectors.can_act_for_person(user=user, application=application)
    if request.method == "POST":
        if not may_act:
            raise Http404
        op = request.POST.get("op")
        try:
            if op == "save":
                posted = {
                    k[5:]: request.POST.get(k, "") for k in request.POST if k.startswith("form_")
                }
                try:
                    version = int(request.POST.get("version", ""))
                except ValueError:
                    version = -1
                try:
                    application = services.application_update(
                        application=application,
                        actor=user,
                        form_data=posted,
                        expected_version=version,
                    )
                except CaseError as e:
                    if e.status != 409:
                        raise
                    _fail(request, e)
                    application.refresh_from_db()
                    context = _application_context(user, application, may_act, posted=posted)
                    return render(request, "cases/application.html", context, status=409)
                messages.success(request, _("草稿已保存"))
            elif op == "upload":
                code = _material_code(application, request.POST.get("code", ""))
                upload = request.FILES.get("file")
                if upload is None:
                    raise CaseError(CaseErrorCode.FILE_EMPTY, "请选择文件", field="file")
                material = services.material_upload(
                    owner=application.applicant,
                    actor=user,
                    code=code,
                    filename=upload.name or "",
                    content=upload.read(),
                )
                services.application_attach_material(
                    application=application,
                    actor=user,
                    code=code,
                    material=material,
                )
                messages.success(request, "材料已上传")
            elif op == "submit":
                application = services.application_submit(application=application, actor=user)
                messages.success(request, "申请已提交，申请编号 " + (application.number or ""))
            elif op == "answer":
                sc = application.subcases.filter(
                    uuid=_uuid_or_404(request.POST.get("subcase", ""))
                ).first()
                if sc is None:
                    raise Http404
                services.subcase_answer_correction(
                    subcase=sc, actor=user, answer=request.POST.get("answer", "")
                )
                messages.success(request, "补正已提交")
            elif op == "rate":
                sc = None
                if request.POST.get("subcase"):
                    sc = application.subcases.filter(
                        uuid=_uuid_or_404(request.POST["subcase"])
                    ).first()
                    if sc is None:
                        raise Http404
                services.rating_submit(
                    application=application,
                    actor=user,
                    level=request.POST.get("level", ""),
                    indicators={k: request.POST[k] for k in INDICATORS if request.POST.get(k)},
                    comment=request.POST.get("comment", ""),
                    subcase=sc,
                )
                messages.success(request, "感谢您的评价")
            elif op == "guardian":
                services.guardian_authorise(
                    actor=user,
                    application=application,
                    guardian_username=request.POST.get("username", ""),
                )
                messages.success(request, "已授权")
        except CaseError as e:
            if op == "upload" and e.field == "file":
                # a refused file: the page again, the reason next to that file's input
                context = _application_context(user, application, may_act)
                context["upload_error"] = {"code": request.POST.get("code"), "message": e.message}
                return render(request, "cases/application.html", context, status=400)
            # the same page again, the refusal shown, answered 400 (403/409 as the service says)
            _fail(request, e)
            application.refresh_from_db()
            context = _application_context(user, application, may_act)
            status = e.status if e.status in (403, 409) else 400
            return render(request, "cases/application.html", context, status=status)
        return redirect("cases:application", id=application.uuid)
    context = _application_context(user, application, may_act)
    if context["fields"] and user.pk != application.applicant_id:
        # a helper, an employer or a guardian sees the person's form (ID number, phone)
        log_pii_access(
            actor=user, subject=application, field="form_data", purpose="查看一件事申请表单"
        )
    return render(request, "cases/application.html", context)


def _material_code(application: Application, code: str) -> str:
    """The material code posted with an upload: one this application needs (else 400)."""
    needed = {m["code"] for m in services.application_materials_needed(application=application)}
    if code not in needed:
        raise CaseError(CaseErrorCode.MATERIAL_UNKNOWN, _("本申请不需要这项材料"), field="code")
    return code


def _draft_fields(application: Application, posted: dict[str, str] | None) -> list[dict[str, Any]]:
    """The one form of a draft: the union of the selected items' fields."""
    specs = {f["key"]: f for f in application.snapshot.get("fields") or [] if f.get("key")}
    keys: list[str] = []
    for item in application.selected_items:
        for key in application.snapshot["items"][item].get("fields") or []:
            if key not in keys:
                keys.append(key)
    out = []
    for key in keys:
        spec = dict(specs.get(key, {"key": key, "label": key}))
        spec["key"] = key
        value = application.form_data.get(key)
        spec["value"] = posted[key] if posted and key in posted else value
        out.append(spec)
    return out


def _application_context(
    user: User, application: Application, may_act: bool, *, posted: dict[str, str] | None = None
) -> dict[str, Any]:
    attached = {m.code: m.file for m in application.materials.select_related("file")}
    needed = services.application_materials_needed(application=application)
    for m in needed:
        m["file"] = attached.get(m["code"])
    rated = set(application.ratings.values_list("scope", flat=True))
    is_draft = application.status == ApplicationStatus.DRAFT
    return {
        "application": application,
        "fields": _draft_fields(application, posted) if is_draft else [],
        "journal": selectors.application_events(application=application),
        "filed_for": application.filed_by_id != application.applicant_id,
        "may_act": may_act,
        "is_draft": application.status == ApplicationStatus.DRAFT,
        "is_closed": application.status == ApplicationStatus.CLOSED,
        "materials": needed,
        "missing": services.application_missing(application=application)
        if application.status == ApplicationStatus.DRAFT
        else [],
        "items": [application.snapshot["items"][k] for k in application.selected_items],
        "timeline": selectors.application_timeline(application=application),
        "levels": RatingLevel.choices,
        "indicators": INDICATORS.items(),
        "rated": rated,
    }


@login_required
def material_download(request: HttpRequest, id: str) -> HttpResponse:
    material = selectors.material_visible_to(user=_user(request), uuid=id)
    if material is None:
        raise Http404
    try:
        content = services.material_content(material=material)
    except CaseError as e:
        return render(request, "cases/file_refused.html", {"message": e.message}, status=e.status)
    return files.stored_file_response(content, filename=material.filename, kind=material.kind)


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if not permissions.is_staff(user):
        raise Http404
    return user


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    status = request.GET.get("status") or None
    if status not in (None, *SubCaseStatus.values):
        status = None  # an unknown filter shows the whole queue
    return render(
        request,
        "cases/queue.html",
        {
            "subcases": selectors.subcase_queue(user=user, status=status)[:200],
            "is_supervisor": selectors.is_supervisor(user=user),
            "is_window": _is_window(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def subcase_detail(request: HttpRequest, id: str) -> HttpResponse:
    user = _staff(request)
    sc = selectors.subcase_get_for(user=user, uuid=id)
    if sc is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            version = int(request.POST.get("version", "-1"))
        except ValueError:
            version = -1
        common: dict[str, Any] = {"subcase": sc, "actor": user, "expected_version": version}
        try:
            if action == "accept":
                services.subcase_accept(**common)
            elif action == "request_correction":
                lines = [x.strip() for x in request.POST.get("entries", "").splitlines()]
                services.subcase_request_correction(
                    **common,
                    entries=[{"field": "", "message": x} for x in lines if x],
                    message=request.POST.get("reason", ""),
                )
            elif action == "approve":
                services.subcase_approve(**common)
            elif action == "reject":
                services.subcase_reject(**common, reason=request.POST.get("reason", ""))
            elif action == "complete":
                services.subcase_complete(
                    **common,
                    result_number=request.POST.get("result_number", ""),
                    result_note=request.POST.get("result_note", ""),
                )
            else:
                raise Http404
            messages.success(request, "已" + services.ACTION_LABELS[action])
        except CaseError as e:
            _fail(request, e)
            if e.status == 409:
                return render(request, "cases/subcase.html", _subcase_context(sc), status=409)
        return redirect("cases:subcase", id=sc.uuid)
    context = _subcase_context(sc)
    log_pii_access(
        actor=user, subject=sc.application, field="form_data", purpose="部门办理查看申请表单"
    )
    return render(request, "cases/subcase.html", context)


def _subcase_context(sc: SubCase) -> dict[str, Any]:
    sc.refresh_from_db()
    application = sc.application
    items = [application.snapshot["items"][k] for k in sc.items]
    codes = {m["code"] for i in items for m in i["materials"]}
    files = [m for m in application.materials.select_related("file") if m.code in codes]
    return {
        "sc": sc,
        "application": application,
        "items": items,
        "files": files,
        "actions": services.subcase_allowed_actions(subcase=sc),
        "labels": services.ACTION_LABELS,
        "corrections": sc.corrections.order_by("id"),
        "events": selectors.application_timeline(application=application),
    }


@login_required
@require_http_methods(["GET", "POST"])
def supervision(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not selectors.is_supervisor(user=user):
        raise Http404
    if request.method == "POST":
        op = request.POST.get("op")
        target = request.POST.get("id", "")
        try:
            if op == "reply":
                task = selectors.rectification_visible(user=user, uuid=_uuid_or_404(target))
                if task is None:
                    raise Http404
                services.rectification_reply(
                    task=task, actor=user, reply=request.POST.get("reply", "")
                )
                messages.success(request, _("整改答复已记录"))
            elif op == "visit":
                visit = selectors.return_visit_visible(user=user, uuid=_uuid_or_404(target))
                if visit is None:
                    raise Http404
                reached = {"yes": True, "no": False}.get(request.POST.get("reached", ""))
                services.return_visit_record(
                    visit=visit,
                    actor=user,
                    note=request.POST.get("note", ""),
                    reached=reached,
                    satisfaction=request.POST.get("satisfaction", ""),
                )
                messages.success(
                    request, _("回访已记录") if reached else _("已记录未联系上，请稍后再次回访")
                )
            else:
                raise Http404
        except CaseError as e:
            _fail(request, e)
        return redirect("cases:supervision")
    return render(
        request,
        "cases/supervision.html",
        {"board": selectors.supervisor_dashboard(user=user), "levels": RatingLevel.choices},
    )


def _uuid_or_404(raw: str) -> uuid_mod.UUID:
    try:
        return uuid_mod.UUID(raw)
    except ValueError:
        raise Http404 from None


# --------------------------------------------------------------------------- #
# 学历汇: confirm the degree once
# --------------------------------------------------------------------------- #

DEGREE_FIELDS = ("school", "degree", "graduation_date", "cscse_number")


@login_required
@require_http_methods(["GET", "POST"])
def degree(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    record = selectors.degree_confirmation(owner=user)
    values = dict(record.data) if record else {}
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in DEGREE_FIELDS}
        missing = [
            label
            for key, label in (("school", _("毕业院校")), ("degree", _("学历学位")))
            if not values[key]
        ]
        if missing:
            for label in missing:
                messages.error(request, _("请填写「%(label)s」") % {"label": label})
            status = 400
        else:
            services.degree_confirm(owner=user, actor=user, data=values)
            messages.success(request, _("学历信息已确认，今后办理相关事项无需再提交学历学位证书"))
            return redirect("cases:degree")
    return render(
        request,
        "cases/degree.html",
        {"record": record, "values": values, "fields": DEGREE_FIELDS},
        status=status,
    )


# --------------------------------------------------------------------------- #
# Employee consent and the employer's filing
# --------------------------------------------------------------------------- #


@login_required
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "grant":
                services.employee_consent_grant(
                    employee=user, employer_username=request.POST.get("username", "").strip()
                )
                messages.success(request, _("已同意该用人单位代为申请"))
            elif op == "revoke":
                consent = people_selectors.access_grant_get(
                    uuid=_uuid_or_404(request.POST.get("id", ""))
                )
                if consent is None or consent.person_id != user.pk:
                    raise Http404
                services.employee_consent_revoke(employee=user, consent=consent)
                messages.success(request, _("已撤销授权，该单位不能再为您申请"))
            else:
                raise Http404
        except CaseError as e:
            _fail(request, e)
        return redirect("cases:consents")
    return render(
        request, "cases/consents.html", {"consents": selectors.employee_consents(employee=user)}
    )


def _employer(request: HttpRequest) -> User:
    user = _user(request)
    if user.role != Role.EMPLOYER:
        raise Http404
    return user


@login_required
def employer(request: HttpRequest) -> HttpResponse:
    user = _employer(request)
    query = request.GET.get("employee", "").strip()
    looked_up: User | None = None
    refusal = ""
    if query:
        looked_up = selectors.person_by_username(username=query)
        if looked_up is None:
            refusal = _("没有这个员工账户")
        elif looked_up not in selectors.employer_employees(employer=user):
            refusal = _("该员工尚未同意由本单位代为申请，请员工先在「授权用人单位代办」页面同意")
    return render(
        request,
        "cases/employer.html",
        {
            "employees": selectors.employer_employees(employer=user),
            "bundles": selectors.bundle_list().filter(filer=Filer.EMPLOYER),
            "applications": selectors.employer_applications(employer=user)[:100],
            "query": query,
            "looked_up": looked_up,
            "refusal": refusal,
        },
    )


def _refused(request: HttpRequest, error: CaseError, back: str) -> HttpResponse:
    return render(
        request,
        "cases/refused.html",
        {"reason": error.message, "back": back},
        status=403 if error.status in (400, 403) else error.status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def employer_start(request: HttpRequest, person: str, id: str) -> HttpResponse:
    user = _employer(request)
    employee = selectors.person_get(uuid=person)
    bundle = selectors.bundle_get(uuid=id)
    if employee is None or bundle is None or not bundle.active:
        raise Http404
    try:
        services.application_filer_check(actor=user, applicant=employee, bundle=bundle)
    except CaseError as e:
        return _refused(request, e, reverse("cases:employer"))
    return _start_page(
        request,
        bundle=bundle,
        applicant=employee,
        actor=user,
        acting_as=_("用人单位代员工申请"),
    )


# --------------------------------------------------------------------------- #
# 帮办代办: a window specialist files or acts for a person who needs help
# --------------------------------------------------------------------------- #


def _window(request: HttpRequest) -> User:
    user = _user(request)
    if not _is_window(user):
        raise Http404
    return user


@login_required
@require_http_methods(["GET", "POST"])
def assist(request: HttpRequest) -> HttpResponse:
    """The people who authorised this specialist, and a search among them by username,
    name, e-mail or phone: a POST, so the phone is never in a URL or an access log; who
    was found by which search is in the PII access log."""
    user = _window(request)
    query = request.POST.get("q", "").strip()[:80] if request.method == "POST" else ""
    people = selectors.assisted_people(user=user, query=query)
    if query and people:
        log_pii_access_many(
            actor=user, subjects=people, field="contact", purpose="帮办代办查找办事人"
        )
    return render(
        request,
        "cases/assist.html",
        {"query": query, "people": people, "my_code": user.username},
    )


@login_required
def assist_person(request: HttpRequest, person: str) -> HttpResponse:
    user = _window(request)
    target = selectors.assisted_person_get(user=user, uuid=person)
    if target is None:
        raise Http404
    return render(
        request,
        "cases/assist_person.html",
        {
            "person": target,
            "bundles": selectors.bundle_list(),
            "applications": selectors.application_visible_to(user=user)
            .filter(applicant=target)
            .select_related("bundle", "filed_by")
            .order_by("-created_at")[:100],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assist_start(request: HttpRequest, person: str, id: str) -> HttpResponse:
    user = _window(request)
    target = selectors.assisted_person_get(user=user, uuid=person)
    bundle = selectors.bundle_get(uuid=id)
    if target is None or bundle is None or not bundle.active:
        raise Http404
    return _start_page(
        request,
        bundle=bundle,
        applicant=target,
        actor=user,
        acting_as=_("窗口帮办代办"),
    )
