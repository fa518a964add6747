"""The admin site: the same sign-in as the rest of the back office.

With ``STAFF_OTP_REQUIRED`` (and for any account with a confirmed device) the admin is
open only to a session that has given its one-time code, as django-otp's
``OTPAdminSite`` does; signing in happens on the platform's own login page, which leads
to the code step, rather than on the admin's password-only form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from talentport.people.otp import otp_pending


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not otp_pending(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(next_url)
        if otp_pending(request):
            return HttpResponseRedirect(
                reverse("people:otp_verify") + "?" + urlencode({"next": next_url})
            )
        response: HttpResponse = super().login(request, extra_context)
        return response
