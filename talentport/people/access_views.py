"""我的授权: every grant a person made (and, for a guardian on record, their minor's),
with a revoke button; the grants others made to this account, which it may give up."""

from __future__ import annotations

import uuid as uuid_mod
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from talentport.people import selectors, services
from talentport.people.models import AccessKind, User


def _uuid_or_404(raw: str) -> uuid_mod.UUID:
    try:
        return uuid_mod.UUID(raw)
    except ValueError:
        raise Http404 from None


def _person_for(request: HttpRequest, me: User) -> User:
    """Whose grants are managed: mine, or (``person``) a minor I am guardian on record for."""
    raw = request.POST.get("person") or request.GET.get("person") or ""
    if not raw:
        return me
    person = next(
        (p for p in selectors.minors_of_guardian(guardian=me) if str(p.uuid) == raw), None
    )
    if person is None:
        raise Http404
    return person


@login_required
@require_http_methods(["GET", "POST"])
def access_overview(request: HttpRequest) -> HttpResponse:
    me = request.user
    assert isinstance(me, User)  # noqa: S101 - login_required ran
    status = 200
    errors: dict[str, str] = {}
    posted: dict[str, Any] = {}
    if request.method == "POST":
        op = request.POST.get("op", "")
        person = _person_for(request, me)
        try:
            if op == "grant":
                posted = {
                    "kind": request.POST.get("kind", ""),
                    "username": request.POST.get("username", "").strip()[:150],
                }
                services.access_grant_create(
                    actor=me,
                    person=person,
                    kind=posted["kind"],
                    grantee_username=posted["username"],
                )
                messages.success(request, _("已授权。对方现在可以按授权范围查看或代办。"))
                return redirect(request.path)
            if op in ("revoke", "renounce"):
                grant = selectors.access_grant_get(uuid=_uuid_or_404(request.POST.get("id", "")))
                if grant is None:
                    raise Http404
                if op == "revoke" and grant.person_id != person.pk:
                    raise Http404
                if op == "renounce" and grant.grantee_id != me.pk:
                    raise Http404
                services.access_grant_revoke(actor=me, grant=grant)
                messages.success(
                    request,
                    _("已撤销授权，对方立即失去查看和代办权限。")
                    if op == "revoke"
                    else _("已放弃该授权。"),
                )
                return redirect(request.path)
            raise Http404
        except services.AccessGrantError as exc:
            if exc.status == 404:
                raise Http404 from exc
            errors[exc.field if exc.field in ("kind", "grantee") else "grantee"] = exc.message
            status = 403 if exc.status == 403 else 400
    minors = [
        {"person": p, "grants": list(selectors.access_grants_given(person=p))}
        for p in selectors.minors_of_guardian(guardian=me)
    ]
    return render(
        request,
        "people/access.html",
        {
            "given": list(selectors.access_grants_given(person=me)),
            "received": list(selectors.access_grants_received(grantee=me)),
            "archive_links": selectors.archive_guardian_links_given(person=me),
            "minors": minors,
            "kinds": AccessKind.choices,
            "errors": errors,
            "posted": posted,
        },
        status=status,
    )
