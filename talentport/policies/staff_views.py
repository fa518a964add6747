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
from talentport.policies.errors import PolicyPublishError
from talentport.policies.models import PolicyVersion
from talentport.policies.selectors import (
    policies_in_force,
    policy_version_history,
    policy_versions_current,
)
from talentport.policies.services import policy_publish, policy_push_run


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
                _("已发布 %(title)s 第 %(v)s 版，并已向新符合条件的人推送。")
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


@require_POST
@staff_required
def push_run_view(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, Perm.POLICY_PUSH)
    in_scope = [
        p.id
        for p in policies_in_force()
        if permissions.can(request.user, Perm.POLICY_PUSH, permissions.Target(p.jurisdiction))
    ]
    report = policy_push_run(policy_ids=in_scope)
    messages.success(
        request,
        _("已评估 %(p)s 份画像：新消息 %(m)s 条，截止提醒 %(r)s 条，免申即享待确认 %(g)s 笔。")
        % {"p": report.profiles, "m": report.messages, "r": report.reminders, "g": report.grants},
    )
    return redirect("policies:staff_list")
