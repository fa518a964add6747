"""Back office for policies: versions in force, publishing a new version, confirming
免申即享 grants, and running the push by hand."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from talentport.funds.models import Grant, GrantStatus
from talentport.funds.selectors import grant_list as grant_list_select
from talentport.funds.services import GrantTransitionError
from talentport.funds.services import grant_decide as grant_decide_service
from talentport.people.decorators import staff_required
from talentport.people.stepup import step_up_required
from talentport.policies.errors import PolicyPublishError
from talentport.policies.models import PolicyVersion
from talentport.policies.selectors import policy_version_history, policy_versions_current
from talentport.policies.services import policy_publish, policy_push_run


@staff_required
def policy_list(request: HttpRequest) -> HttpResponse:
    return render(request, "policies/staff_list.html", {"versions": policy_versions_current()})


@staff_required
@step_up_required(methods=frozenset({"POST"}))
def policy_publish_view(request: HttpRequest) -> HttpResponse:
    policy_id = request.GET.get("policy", "")
    text = ""
    history: list[PolicyVersion] = []
    if policy_id:
        history = policy_version_history(policy_id=policy_id)
        if not history:
            raise Http404
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
    status = request.GET.get("status") or GrantStatus.PENDING
    if status not in GrantStatus.values:
        status = GrantStatus.PENDING
    return render(
        request,
        "policies/staff_grants.html",
        {
            "grants": grant_list_select(status=status)[:200],
            "status": status,
            "statuses": GrantStatus.choices,
        },
    )


@require_POST
@staff_required
@step_up_required
def grant_decide_view(request: HttpRequest, grant_uuid: str) -> HttpResponse:
    grant = Grant.objects.filter(uuid=grant_uuid).first()
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
    report = policy_push_run()
    messages.success(
        request,
        _("已评估 %(p)s 份画像：新消息 %(m)s 条，截止提醒 %(r)s 条，免申即享待确认 %(g)s 笔。")
        % {"p": report.profiles, "m": report.messages, "r": report.reminders, "g": report.grants},
    )
    return redirect("policies:staff_list")
