"""Staff workbench: landing page (others extend it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from talentport.people import permissions
from talentport.people.permissions import Perm
from talentport.workbench.selectors import users_by_role, workbench_counts


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not permissions.has_perm(request.user, Perm.WORKBENCH):
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
