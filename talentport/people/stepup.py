"""Step-up re-authentication: a fresh password or one-time code before a sensitive act.

Revealing an ID number in full, publishing a policy and deciding a payment (免申即享
grant) need a confirmation of the account's own credentials within the last
``STEP_UP_MINUTES`` (default 5) minutes.  The time of the last confirmation is kept in the
session under :data:`SESSION_KEY`; signing in (password, then the code for accounts that
have one) counts as a confirmation.

One piece serves every surface:

- :func:`step_up_required` for Django views.  A stale GET is redirected to
  ``/accounts/confirm/?next=...``; a stale POST gets the confirmation form in place (403)
  with the submitted fields carried along, so that one more click confirms *and* submits
  without losing what was typed.
- :class:`StepUpFresh`, a DRF permission: the API answers 403 with code
  ``step_up_required`` and a Chinese message naming the page to re-confirm at.
- :func:`step_up_fresh` / :func:`step_up_redirect` for a view that needs the check only
  on one branch (the archive page reveals only with ``?reveal=1``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast, overload
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from rest_framework import permissions, status
from rest_framework.request import Request

from talentport.api.errors import ApiError, error
from talentport.common.clientip import client_ip
from talentport.common.services import audit_event_record
from talentport.people.otp import otp_check, otp_confirmed_device, otp_throttled

SESSION_KEY = "talentport_step_up_at"
PASSWORD_FIELD = "stepup_password"  # noqa: S105 - a form field name, not a password
CODE_FIELD = "stepup_code"
CARRY_EXCLUDED = {"csrfmiddlewaretoken", PASSWORD_FIELD, CODE_FIELD}

View = Callable[..., HttpResponseBase]


def step_up_mark(request: HttpRequest) -> None:
    """Record that the account has just confirmed its credentials."""
    request.session[SESSION_KEY] = timezone.now().timestamp()


def step_up_fresh(request: HttpRequest | Request) -> bool:
    """The last confirmation is at most ``STEP_UP_MINUTES`` old."""
    session = getattr(request, "session", None)
    if session is None:
        return False
    stamp = session.get(SESSION_KEY)
    if not isinstance(stamp, int | float):
        return False
    age = timezone.now().timestamp() - float(stamp)
    return 0 <= age <= int(settings.STEP_UP_MINUTES) * 60


def step_up_url(next_url: str = "") -> str:
    base = reverse("people:confirm")
    return f"{base}?{urlencode({'next': next_url})}" if next_url else base


def step_up_redirect(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(step_up_url(request.get_full_path()))


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def step_up_confirm(request: HttpRequest, *, password: str = "", code: str = "") -> str | None:
    """Check the signed-in account's password (or its one-time code when it has a device).

    Returns ``None`` when confirmed (and marks the session), otherwise the Chinese message
    to show next to the field.  Wrong passwords count towards the sign-in lockout
    (django-axes); wrong codes towards django-otp's throttle; both are audited.
    """
    user: Any = request.user
    device = otp_confirmed_device(user=user)
    if device is not None:
        wait = otp_throttled(device)
        code = code.strip().replace(" ", "")
        if wait is not None:
            otp_check(request=request, device=device, token=code, purpose="step_up")
            return _("尝试次数过多，请在 %(seconds)s 秒后再试。") % {"seconds": wait.seconds}
        if not (code.isdigit() and len(code) == device.digits):
            return _("请输入身份验证器上显示的 6 位数字动态码。")
        if not otp_check(request=request, device=device, token=code, purpose="step_up"):
            return _("动态码不正确或已过期，请输入身份验证器上当前显示的 6 位数字。")
    else:
        confirmed = authenticate(request, username=user.get_username(), password=password)
        if confirmed is None or confirmed.pk != user.pk:
            audit_event_record(
                subject=user,
                action="auth.step_up_failed",
                actor=user,
                data={"ip": client_ip(request)},
            )
            return _("密码不正确，请重新输入。")
    step_up_mark(request)
    audit_event_record(
        subject=user,
        action="auth.step_up",
        actor=user,
        data={"ip": client_ip(request), "path": request.path[:200]},
    )
    return None


def _carried_fields(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name in request.POST
        if name not in CARRY_EXCLUDED
        for value in request.POST.getlist(name)
    ]


def render_confirm(
    request: HttpRequest,
    *,
    action: str,
    next_url: str = "",
    error_message: str = "",
    carried: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HttpResponse:
    uses_code = otp_confirmed_device(user=request.user) is not None
    return render(
        request,
        "people/confirm.html",
        {
            "action": action,
            "next": next_url,
            "uses_code": uses_code,
            "field_name": CODE_FIELD if uses_code else PASSWORD_FIELD,
            "error_message": error_message,
            "carried": carried or [],
            "minutes": settings.STEP_UP_MINUTES,
        },
        status=status_code,
    )


@overload
def step_up_required(view: View) -> View: ...


@overload
def step_up_required(
    view: None = None, *, methods: frozenset[str] | None = None
) -> Callable[[View], View]: ...


def step_up_required(
    view: View | None = None, *, methods: frozenset[str] | None = None
) -> View | Callable[[View], View]:
    """Guard a view with a fresh confirmation; ``methods`` limits it to those HTTP methods.

    Usable bare (``@step_up_required``) or with arguments
    (``@step_up_required(methods=frozenset({"POST"}))``).
    """

    def decorate(inner: View) -> View:
        @wraps(inner)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if methods is not None and request.method not in methods:
                return inner(request, *args, **kwargs)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if step_up_fresh(request):
                return inner(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                return step_up_redirect(request)
            carried = _carried_fields(request)
            if PASSWORD_FIELD in request.POST or CODE_FIELD in request.POST:
                problem = step_up_confirm(
                    request,
                    password=request.POST.get(PASSWORD_FIELD, ""),
                    code=request.POST.get(CODE_FIELD, ""),
                )
                if problem is None:
                    return inner(request, *args, **kwargs)
            else:
                problem = ""
            return render_confirm(
                request,
                action=request.get_full_path(),
                error_message=problem,
                carried=carried,
                status_code=403,
            )

        return cast(View, wrapper)

    if view is not None:
        return decorate(view)
    return decorate


class StepUpFresh(permissions.BasePermission):
    """DRF: 403 ``step_up_required`` unless the session confirmed its credentials lately."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if step_up_fresh(request):
            return True
        message = _(
            "此操作需要重新确认身份：请先在 %(url)s 输入密码（已启用两步验证的账户输入动态码），"
            "%(minutes)s 分钟内再提交。"
        ) % {"url": reverse("people:confirm"), "minutes": settings.STEP_UP_MINUTES}
        raise ApiError([error("", message, "step_up_required")], status.HTTP_403_FORBIDDEN)


def step_up_on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Signing in with the password is itself a fresh confirmation."""
    if request is not None and hasattr(request, "session"):
        step_up_mark(request)
