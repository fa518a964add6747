"""Account pages: login, logout, sign-up, my account, password reset (Django's auth views)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from talentport.common.clientip import client_ip
from talentport.people.forms import LoginForm, SignupForm
from talentport.people.middleware import otp_step_url
from talentport.people.otp import otp_confirmed_device, otp_pending
from talentport.people.permissions import is_back_office
from talentport.people.services import RegistrationError, user_register
from talentport.people.throttles import throttle_checks, throttled_response


class LoginView(auth_views.LoginView):
    template_name = "people/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        """Back-office accounts that owe the code step go there next (keeping ``next``)."""
        url = super().get_success_url()
        if otp_pending(self.request):
            return otp_step_url(self.request, url)
        return url


@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; POST logs out (never on a plain link)."""
    if request.method == "POST":
        logout(request)
        messages.success(request, _("您已安全退出。"))
        return redirect("portal:home")
    return render(request, "people/logout.html")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("people:account")
    if request.method == "POST":
        verdict = throttle_checks(
            [
                ("signup-ip", client_ip(request), settings.SIGNUP_RATE_PER_IP),
                ("signup-email", request.POST.get("email", ""), settings.SIGNUP_RATE_PER_EMAIL),
            ]
        )
        if not verdict.allowed:
            return throttled_response(request, verdict)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_register(
                username=data["username"],
                email=data["email"],
                password=data["password1"],
                role=data["role"],
                display_name=data["display_name"],
            )
        except RegistrationError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功，欢迎使用留学人才港。"))
            return redirect("people:account")
    return render(request, "people/signup.html", {"form": form})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    back_office = is_back_office(request.user)
    return render(
        request,
        "people/account.html",
        {
            "account": request.user,
            "back_office": back_office,
            "otp_enabled": back_office and otp_confirmed_device(user=request.user) is not None,
        },
    )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "people/password_reset_form.html"
    email_template_name = "people/password_reset_email.txt"
    subject_template_name = "people/password_reset_subject.txt"
    success_url = reverse_lazy("people:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Counted per IP address and per e-mail given, whether an account has it or not:
        the answer (the "sent" page, or 429 past the rate) never tells which."""
        verdict = throttle_checks(
            [
                ("reset-ip", client_ip(request), settings.PASSWORD_RESET_RATE_PER_IP),
                (
                    "reset-email",
                    request.POST.get("email", ""),
                    settings.PASSWORD_RESET_RATE_PER_EMAIL,
                ),
            ]
        )
        if not verdict.allowed:
            return throttled_response(request, verdict)
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "people/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "people/password_reset_confirm.html"
    success_url = reverse_lazy("people:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "people/password_reset_complete.html"
