"""我能享受哪些政策: a guided questionnaire that asks only what still matters, then
shows what the person gets, what closes soon, why not the others, what would make them
eligible, and how the districts of Qingdao compare."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from talentport.people.models import TalentProfile
from talentport.policies.engine import needed_fields, validate_profile
from talentport.policies.errors import PolicyPublishError
from talentport.policies.questions import (
    QINGDAO_DISTRICTS,
    AnswerError,
    ask_rank,
    profile_get,
    profile_set,
    question_for,
)
from talentport.policies.selectors import (
    district_comparison,
    eligibility_for_profile,
    policies_in_force,
    service_items_for_policies,
)
from talentport.policies.services import talent_profile_save

SESSION_KEY = "policy_check"
CLOSING_SOON_DAYS = 90


def _state(request: HttpRequest) -> dict[str, Any]:
    state: Any = request.session.get(SESSION_KEY)
    if not isinstance(state, dict):
        return {"profile": {}, "skipped": [], "answered": []}
    return dict(state)


def _store(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state
    request.session.modified = True


def _question_path(profile: dict[str, Any], path: str) -> str:
    """Ask whether a home was bought before asking about that home."""
    if path.startswith("housing.bought_home.") and not isinstance(
        profile_get(profile, "housing.bought_home"), dict
    ):
        return "housing.bought_home"
    return path


def _remaining(state: dict[str, Any]) -> list[str]:
    profile = state["profile"]
    skipped = set(state["skipped"])
    out: list[str] = []
    for path in needed_fields(profile, policies=policies_in_force()):
        asked = _question_path(profile, path)
        if asked not in skipped and asked not in out:
            out.append(asked)
    return sorted(out, key=ask_rank)


def check_start(request: HttpRequest) -> HttpResponse:
    saved = None
    if request.user.is_authenticated:
        saved = TalentProfile.objects.filter(user=request.user).first()
    state = request.session.get(SESSION_KEY)
    return render(
        request,
        "policies/check_start.html",
        {
            "saved": saved,
            "in_progress": isinstance(state, dict) and bool(state.get("answered")),
            "policy_count": len(policies_in_force()),
        },
    )


@require_POST
def check_begin(request: HttpRequest) -> HttpResponse:
    state: dict[str, Any] = {"profile": {}, "skipped": [], "answered": []}
    if request.POST.get("resume") == "saved" and request.user.is_authenticated:
        saved = TalentProfile.objects.filter(user=request.user).first()
        if saved is not None:
            state["profile"] = dict(saved.data)
            state["answered"] = ["(saved)"]
    _store(request, state)
    return redirect("policies:check_question")


def check_question(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    error = ""
    if request.method == "POST":
        path = request.POST.get("path", "")
        remaining = _remaining(state)
        if path not in remaining:
            return redirect("policies:check_question")
        if "skip" in request.POST:
            state["skipped"].append(path)
            _store(request, state)
            return redirect("policies:check_question")
        question = question_for(path)
        raw: str | list[str] = (
            request.POST.getlist("answer")
            if question.kind == "districts"
            else request.POST.get("answer", "")
        )
        try:
            value = question.parse(raw)
            candidate = _deepcopy(state["profile"])
            profile_set(candidate, question.path, value)
            problems = validate_profile(candidate)
            if problems:
                raise AnswerError("；".join(p.message for p in problems))
        except AnswerError as exc:
            error = str(exc)
        else:
            state["profile"] = candidate
            state["answered"].append(question.path)
            _store(request, state)
            return redirect("policies:check_question")
    remaining = _remaining(state)
    if not remaining:
        return redirect("policies:check_results")
    question = question_for(remaining[0])
    answered = len([a for a in state["answered"] if a != "(saved)"])
    total = answered + len(remaining)
    return render(
        request,
        "policies/check_question.html",
        {
            "question": question,
            "error": error,
            "answered": answered,
            "remaining": len(remaining),
            "percent": int(100 * answered / total) if total else 100,
            "current": profile_get(state["profile"], question.path),
        },
        status=400 if error else 200,
    )


def _deepcopy(data: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(data)


def check_results(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    profile = state["profile"]
    doc = eligibility_for_profile(profile=profile)
    guides = service_items_for_policies()
    today = dt.date.fromisoformat(doc["as_of"])
    results = doc["results"]
    for r in results:
        r["guide"] = guides.get(r["policy"])
        r["not_met"] = [x for x in r["reasons"] if x.get("met") is False]
        r["missing_labels"] = [str(question_for(path).label) for path in r["missing"]]
        closes = r.get("window_closes")
        r["days_left"] = (dt.date.fromisoformat(closes) - today).days if closes else None
    eligible = [r for r in results if r["status"] == "eligible"]
    eligible.sort(key=lambda r: -Decimal(str((r["benefit"] or {}).get("max_total") or 0)))
    closing = [
        r
        for r in eligible
        if r["days_left"] is not None and 0 <= r["days_left"] <= CLOSING_SOON_DAYS
    ]
    closing.sort(key=lambda r: r["days_left"])
    comparison = district_comparison(profile=profile, districts=QINGDAO_DISTRICTS)
    best = comparison[0].total if comparison else Decimal(0)
    return render(
        request,
        "policies/check_results.html",
        {
            "doc": doc,
            "eligible": eligible,
            "closing": closing,
            "excluded": [r for r in results if r["status"] == "excluded"],
            "needs_info": [r for r in results if r["status"] == "needs_info"],
            "ineligible": [r for r in results if r["status"] == "ineligible"],
            "hints": [r for r in results if r.get("hint") and r["status"] != "eligible"],
            "comparison": comparison,
            "best_total": best,
            "total": doc["totals"]["max_total"],
            "answered": len(state["answered"]),
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
def check_save(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    try:
        talent_profile_save(user=request.user, data=state["profile"])
    except PolicyPublishError as exc:
        messages.error(request, _("画像保存失败：") + str(exc))
    else:
        messages.success(request, _("已保存。下次登录可继续，新政策出台时我们会主动通知您。"))
    return redirect("policies:check_results")


@require_POST
def check_reset(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("policies:check_start")
