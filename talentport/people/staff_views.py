"""Staff accounts and their scopes (权限范围), kept by administrators within their own scope.

Every change goes through :mod:`talentport.people.services` and is audited.
"""

from __future__ import annotations

import uuid as uuid_mod
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from talentport.catalog.models import Department
from talentport.people import permissions, selectors, services
from talentport.people.decorators import permission_required
from talentport.people.models import Role, StaffScope, User
from talentport.people.permissions import Perm

STAFF_ROLES = (Role.WINDOW_SPECIALIST, Role.DEPARTMENT_SPECIALIST, Role.ADMINISTRATOR)


def _uuid_or_404(raw: str) -> uuid_mod.UUID:
    try:
        return uuid_mod.UUID(raw)
    except ValueError:
        raise Http404 from None


def _jurisdiction_choices(actor: User) -> list[tuple[str, str]]:
    """Jurisdictions the actor may hand out: theirs and everything inside them."""
    known = services.known_jurisdictions()
    return [
        (path, name)
        for path, name in known.items()
        if permissions.can(actor, Perm.SCOPE_MANAGE, permissions.Target(path))
    ]


@permission_required(Perm.SCOPE_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_scopes(request: HttpRequest) -> HttpResponse:
    actor = request.user
    assert isinstance(actor, User)  # noqa: S101 - the decorator checked
    accounts = selectors.staff_accounts_in_scope(actor=actor)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        op = request.POST.get("op", "")
        target = next((u for u in accounts if str(u.uuid) == request.POST.get("user", "")), None)
        if target is None:
            raise Http404
        try:
            if op == "add":
                department = None
                code = request.POST.get("department", "").strip()
                if code:
                    department = (
                        Department.objects.select_related("jurisdiction__parent")
                        .filter(code=code[:80])
                        .first()
                    )
                    if department is None:
                        raise services.ScopeError(_("未知的部门"), field="department")
                services.staff_scope_grant(
                    actor=actor,
                    user=target,
                    jurisdiction=request.POST.get("jurisdiction", "")[:80],
                    department=department,
                )
                messages.success(request, _("已为 %(name)s 增加权限范围") % {"name": target})
            elif op == "remove":
                scope = StaffScope.objects.filter(
                    uuid=_uuid_or_404(request.POST.get("scope", "")), user=target
                ).first()
                if scope is None:
                    raise Http404
                services.staff_scope_revoke(actor=actor, scope=scope)
                messages.success(request, _("已移除 %(name)s 的一项权限范围") % {"name": target})
            elif op == "role":
                services.staff_role_set(actor=actor, user=target, role=request.POST.get("role", ""))
                messages.success(request, _("已修改 %(name)s 的角色") % {"name": target})
            else:
                raise Http404
            return redirect("staff:staff_scopes")
        except services.ScopeError as exc:
            errors = {"user": str(target.uuid), exc.field: exc.message}
            status = 400
    rows: list[dict[str, Any]] = [
        {"account": u, "scopes": list(u.scopes.all()), "implicit": u.department} for u in accounts
    ]
    return render(
        request,
        "people/staff_scopes.html",
        {
            "rows": rows,
            "jurisdictions": _jurisdiction_choices(actor),
            "departments": Department.objects.select_related("jurisdiction").order_by(
                "jurisdiction__sort_order", "name"
            ),
            "roles": [(r, Role(r).label) for r in STAFF_ROLES],
            "errors": errors,
        },
        status=status,
    )
