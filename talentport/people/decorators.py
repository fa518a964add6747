"""View decorators for role and permission checks, shared by every app's pages.

They ask :mod:`talentport.people.permissions`; nothing here decides on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from talentport.people import permissions
from talentport.people.permissions import Perm

View = Callable[..., HttpResponseBase]


def _guard(check: Callable[[Any], bool], message: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def staff_required(view: View) -> View:
    """Anonymous visitors go to the login page; signed-in people who are not staff
    (window or department specialist, administrator, or a superuser) get the Chinese 403
    page."""
    return _guard(permissions.is_staff, "只有工作人员可以访问此页面")(view)


def permission_required(
    perm: Perm, target: permissions.Target | None = None
) -> Callable[[View], View]:
    """The account's role must allow ``perm`` and a scope of theirs must cover ``target``
    (without one: some scope). A view acting on one object still checks that object."""
    return _guard(lambda user: permissions.can(user, perm, target), permissions.DENIED)
