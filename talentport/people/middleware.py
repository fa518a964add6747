"""Back-office sessions: the two-factor gate and the shorter idle expiry.

``StaffSessionMiddleware`` goes after ``django_otp.middleware.OTPMiddleware`` (which goes
after ``AuthenticationMiddleware``) and after ``MessageMiddleware``:

- A back-office account that owes the one-time-code step (:func:`otp.otp_pending`) can reach
  only the code page, the enrolment page (while it has no confirmed device), logout, the
  language switch and static files.  Any other page redirects to the code step, and the
  API answers 403 with code ``otp_required``.
- A back-office session expires after ``STAFF_SESSION_IDLE_MINUTES`` (default 15) without
  a request, instead of the 30 minutes (``SESSION_COOKIE_AGE``) people get.  Sessions are
  saved on every request, so every request starts the idle period again.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from talentport.people.otp import otp_confirmed_device, otp_pending
from talentport.people.permissions import is_back_office

API_PREFIX = "/api/"


def otp_step_url(request: HttpRequest, next_url: str = "") -> str:
    """The enrolment page for an account without a confirmed device, else the code page."""
    name = "people:otp_verify"
    if otp_confirmed_device(user=request.user) is None:
        name = "people:otp_enrol"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class StaffSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _open_paths(self) -> tuple[str, ...]:
        return (
            reverse("people:otp_verify"),
            reverse("people:otp_enrol"),
            reverse("people:logout"),
            reverse("set_language"),
            settings.STATIC_URL or "/static/",
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if otp_pending(request) and not request.path.startswith(self._open_paths()):
            return self._refuse(request)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if is_back_office(user) and hasattr(request, "session") and not request.session.is_empty():
            request.session.set_expiry(int(settings.STAFF_SESSION_IDLE_MINUTES) * 60)
        return response

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            message = _("请先完成两步验证：在浏览器中登录并输入身份验证器上的 6 位动态码后再试。")
            return JsonResponse(
                {"errors": [{"field": "", "code": "otp_required", "message": message}]},
                status=403,
                json_dumps_params={"ensure_ascii": False},
            )
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
        return HttpResponseRedirect(otp_step_url(request, next_url))
