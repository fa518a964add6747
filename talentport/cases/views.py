"""Pages of 一件事: the person's application and the specialists' workbench."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from talentport.cases import selectors, services
from talentport.cases.errors import CaseError, CaseErrorCode
from talentport.cases.models import (
    INDICATORS,
    ApplicationStatus,
    RatingLevel,
    SubCase,
)
from talentport.people.models import Role, User


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
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, id: str) -> HttpResponse:
    bundle = selectors.bundle_get(uuid=id)
    if bundle is None or not bundle.active:
        raise Http404
    user = _user(request)
    stages = selectors.bundle_stages(bundle=bundle)
    stage = request.POST.get("stage") or request.GET.get("stage") or stages[0]["value"]
    if request.method == "POST":
        keys = request.POST.getlist("items")
        form = {k[5:]: v for k, v in request.POST.items() if k.startswith("form_")}
        try:
            application, _ = services.application_create(
                bundle=bundle,
                stage=stage,
                applicant=user,
                actor=user,
                selected_items=keys,
                form_data=form,
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
        except CaseError as e:
            _fail(request, e)
        else:
            messages.success(request, "草稿已保存，请上传材料后提交")
            return redirect("cases:application", id=application.uuid)
    checklist = selectors.bundle_checklist(bundle=bundle, stage=stage, person=user)
    import uuid as uuid_mod

    return render(
        request,
        "cases/start.html",
        {
            "bundle": bundle,
            "stages": stages,
            "stage": stage,
            "checklist": checklist,
            "idempotency_key": uuid_mod.uuid4().hex,
        },
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
            if op == "upload":
                upload = request.FILES.get("file")
                if upload is None:
                    raise CaseError(CaseErrorCode.FILE_EMPTY, "请选择文件", field="file")
                material = services.material_upload(
                    owner=application.applicant,
                    actor=user,
                    code=request.POST["code"],
                    filename=upload.name or "",
                    content=upload.read(),
                )
                services.application_attach_material(
                    application=application,
                    actor=user,
                    code=request.POST["code"],
                    material=material,
                )
                messages.success(request, "材料已上传")
            elif op == "submit":
                application = services.application_submit(application=application, actor=user)
                messages.success(request, "申请已提交，申请编号 " + (application.number or ""))
            elif op == "answer":
                sc = application.subcases.filter(uuid=request.POST["subcase"]).first()
                if sc is None:
                    raise Http404
                services.subcase_answer_correction(
                    subcase=sc, actor=user, answer=request.POST.get("answer", "")
                )
                messages.success(request, "补正已提交")
            elif op == "rate":
                sc = None
                if request.POST.get("subcase"):
                    sc = application.subcases.filter(uuid=request.POST["subcase"]).first()
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
                    person=user,
                    guardian_username=request.POST.get("username", ""),
                    application=application,
                )
                messages.success(request, "已授权")
        except CaseError as e:
            _fail(request, e)
        return redirect("cases:application", id=application.uuid)
    attached = {m.code: m.file for m in application.materials.select_related("file")}
    needed = services.application_materials_needed(application=application)
    for m in needed:
        m["file"] = attached.get(m["code"])
    rated = set(application.ratings.values_list("scope", flat=True))
    return render(
        request,
        "cases/application.html",
        {
            "application": application,
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
        },
    )


@login_required
def material_download(request: HttpRequest, id: str) -> FileResponse:
    material = selectors.material_visible_to(user=_user(request), uuid=id)
    if material is None:
        raise Http404
    return FileResponse(
        services.material_path(material=material).open("rb"),
        as_attachment=True,
        filename=material.filename,
    )


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if not (user.is_staff_role or user.is_superuser):
        raise Http404
    return user


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    status = request.GET.get("status") or None
    return render(
        request,
        "cases/queue.html",
        {
            "subcases": selectors.subcase_queue(user=user, status=status)[:200],
            "is_supervisor": selectors.is_supervisor(user=user),
            "is_window": user.role in (Role.WINDOW_SPECIALIST, Role.ADMINISTRATOR),
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
    return render(request, "cases/subcase.html", _subcase_context(sc))


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
def supervision(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not (selectors.is_supervisor(user=user) or user.role == Role.ADMINISTRATOR):
        raise Http404
    return render(
        request, "cases/supervision.html", {"board": selectors.supervisor_dashboard(user=user)}
    )
