"""Staff workbench: landing page (others extend it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from talentport.workbench.selectors import users_by_role, workbench_counts


def is_staff_member(user: object) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (getattr(user, "is_staff_role", False) or getattr(user, "is_superuser", False))
    )


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied
    counts = []
    for count in workbench_counts():
        url = ""
        if request.user.is_staff and count.admin_url_name:
            try:
                url = reverse(count.admin_url_name)
            except NoReverseMatch:
                url = ""
        counts.append({"label": count.label, "value": count.value, "url": url})
    context = {"counts": counts, "roles": users_by_role(), "can_admin": request.user.is_staff}
    return render(request, "workbench/home.html", context)
