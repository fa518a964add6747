"""View decorators for role checks, shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

View = Callable[..., HttpResponseBase]


def staff_required(view: View) -> View:
    """Anonymous visitors go to the login page; signed-in people who are not staff
    (window or department specialist, administrator, or a superuser) get the Chinese 403
    page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        user = request.user
        if not (getattr(user, "is_staff_role", False) or getattr(user, "is_superuser", False)):
            raise PermissionDenied("只有工作人员可以访问此页面")
        return view(request, *args, **kwargs)

    return wrapper
