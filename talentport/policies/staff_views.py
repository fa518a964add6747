"""Back office for policies: versions in force, publishing a new version, confirming
免申即享 grants, and running the push by hand."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from talentport.funds.models import GrantStatus
from talentport.funds.selectors import grant_get_for
from talentport.funds.selectors import grant_list as grant_list_select
from talentport.funds.services import GrantTransitionError
from talentport.funds.services import grant_decide as grant_decide_service
from talentport.people import permissions
from talentport.people.decorators import staff_required
from talentport.people.permissions import Perm
from talentport.people.stepup import step_up_required
from talentport.policies.engine import PolicyError
from talentport.policies.errors import PolicyPublishError
from talentport.policies.models import (
    PolicyPreview,
    PolicyVersion,
    PushRun,
    PushRunStatus,
    PushTrigger,
)
from talentport.policies.push import push_run_create, push_stats
from talentport.policies.sandbox import preview_create
from talentport.policies.selectors import (
    policies_in_force,
    policy_version_history,
    policy_versions_current,
)
from talentport.policies.services import policy_publish


def _may_publish(user: object, jurisdiction: str) -> bool:
    return permissions.can(user, Perm.POLICY_PUBLISH, permissions.Target(jurisdiction))


@staff_required
def policy_list(request: HttpRequest) -> HttpResponse:
    versions = policy_versions_current()
    return render(
        request,
        "policies/staff_list.html",
        {
            "versions": versions,
            "publishable": {
                v.policy_id for v in versions if _may_publish(request.user, v.jurisdiction)
            },
            "may_publish": permissions.can(request.user, Perm.POLICY_PUBLISH),
            "may_push": permissions.can(request.user, Perm.POLICY_PUSH),
            "may_decide": permissions.can(request.user, Perm.GRANT_DECIDE),
        },
    )


@staff_required
@step_up_required(methods=frozenset({"POST"}))
def policy_publish_view(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Perm.POLICY_PUBLISH)
    policy_id = request.GET.get("policy", "")[:120]
    text = ""
    history: list[PolicyVersion] = []
    if policy_id:
        history = policy_version_history(policy_id=policy_id)
        if not history:
            raise Http404
        permissions.require(
            request.user, Perm.POLICY_PUBLISH, permissions.Target(history[0].jurisdiction)
        )
        text = history[0].text
    errors: list[str] = []
    note = ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        note = request.POST.get("note", "")[:300]
        try:
            version = policy_publish(text=text, actor=request.user, note=note)
        except PolicyPublishError as exc:
            errors = exc.reasons
        else:
            messages.success(
                request,
                _(
                    "已发布 %(title)s 第 %(v)s 版；政策找人推送已在后台开始，可在“推送记录”查看进度。"
                )
                % {"title": version.title, "v": version.version},
            )
            return redirect("policies:staff_list")
    return render(
        request,
        "policies/staff_publish.html",
        {"text": text, "note": note, "errors": errors, "history": history, "policy_id": policy_id},
        status=400 if errors else 200,
    )


@staff_required
def grant_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Perm.GRANT_DECIDE)
    status = request.GET.get("status") or GrantStatus.PENDING
    if status not in GrantStatus.values:
        status = GrantStatus.PENDING
    return render(
        request,
        "policies/staff_grants.html",
        {
            "grants": grant_list_select(user=request.user, status=status)[:200],
            "status": status,
            "statuses": GrantStatus.choices,
        },
    )


@require_POST
@staff_required
@step_up_required
def grant_decide_view(request: HttpRequest, grant_uuid: str) -> HttpResponse:
    grant = grant_get_for(user=request.user, uuid=grant_uuid)
    if grant is None:
        raise Http404
    try:
        grant_decide_service(
            grant=grant,
            actor=request.user,
            confirm=request.POST.get("decision") == "confirm",
            reason=request.POST.get("reason", ""),
        )
    except GrantTransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已处理。"))
    return redirect("policies:staff_grants")


def _push_scope(user: object) -> list[str]:
    """The policies in force this staff member may push."""
    return [
        p.id
        for p in policies_in_force()
        if permissions.can(user, Perm.POLICY_PUSH, permissions.Target(p.jurisdiction))
    ]


def _run_visible(run: PushRun, in_scope: set[str]) -> bool:
    """A run over every policy (the nightly push) shows only counts: any staff member who
    may push sees it; a run over some policies, those who may push one of them."""
    if run.policy_ids is None:
        return True
    return bool(set(run.policy_ids) & in_scope)


@require_POST
@staff_required
def push_run_view(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Perm.POLICY_PUSH)
    in_scope = _push_scope(request.user)
    if not in_scope:
        messages.error(request, _("您的管辖范围内没有有效政策。"))
        return redirect("policies:staff_runs")
    run = push_run_create(trigger=PushTrigger.MANUAL, actor=request.user, policy_ids=in_scope)
    messages.success(request, _("政策找人推送已在后台开始。"))
    return redirect("policies:staff_run", run_uuid=run.uuid)


@staff_required
def push_runs(request: HttpRequest) -> HttpResponse:
    """Every push run (who, when, which version, how far, what it did)."""
    permissions.require(request.user, Perm.POLICY_PUSH)
    in_scope = set(_push_scope(request.user))
    runs = [
        run
        for run in PushRun.objects.select_related("started_by", "policy_version")[:300]
        if _run_visible(run, in_scope)
    ][:50]
    return render(
        request,
        "policies/staff_runs.html",
        {
            "runs": runs,
            "stats": push_stats(),
            "active": any(r.status in {PushRunStatus.WAITING, PushRunStatus.RUNNING} for r in runs),
        },
    )


@staff_required
def push_run_detail(request: HttpRequest, run_uuid: str) -> HttpResponse:
    permissions.require(request.user, Perm.POLICY_PUSH)
    run = (
        PushRun.objects.select_related("started_by", "policy_version").filter(uuid=run_uuid).first()
    )
    if run is None or not _run_visible(run, set(_push_scope(request.user))):
        raise Http404
    return render(
        request,
        "policies/staff_run.html",
        {
            "run": run,
            "counts": run.counts or {},
            "active": run.status in {PushRunStatus.WAITING, PushRunStatus.RUNNING},
        },
    )


CHANGES = {"became": _("将新符合条件"), "lost": _("将不再符合"), "changed": _("金额变化")}


@require_POST
@staff_required
def policy_preview_start(request: HttpRequest) -> HttpResponse:
    """政策沙盘: queue a preview of the draft in the publish form."""
    permissions.require(request.user, Perm.POLICY_PUBLISH)
    text = request.POST.get("text", "")
    note = request.POST.get("note", "")[:300]
    try:
        preview = preview_create(text=text, actor=request.user, note=note)
    except PolicyError as exc:
        return render(
            request,
            "policies/staff_publish.html",
            {"text": text, "note": note, "errors": [str(exc)], "history": [], "policy_id": ""},
            status=400,
        )
    return redirect("policies:staff_preview", preview_uuid=preview.uuid)


@staff_required
def policy_preview_detail(request: HttpRequest, preview_uuid: str) -> HttpResponse:
    permissions.require(request.user, Perm.POLICY_PUBLISH)
    preview = PolicyPreview.objects.filter(uuid=preview_uuid).first()
    if preview is None or not _may_publish(request.user, preview.jurisdiction):
        raise Http404
    result = preview.result or {}
    sample = [
        {**row, "change_label": CHANGES.get(row.get("change", ""), "")}
        for row in result.get("sample", [])
    ]
    return render(
        request,
        "policies/staff_preview.html",
        {
            "preview": preview,
            "result": result,
            "counts": result.get("counts", {}),
            "sample": sample,
            "active": preview.status in {PushRunStatus.WAITING, PushRunStatus.RUNNING},
        },
    )
