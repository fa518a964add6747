"""Sign-in pages of the second factor: enrol a TOTP app, give a code, re-confirm (step-up)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from talentport.people import otp
from talentport.people.middleware import otp_step_url
from talentport.people.permissions import is_back_office
from talentport.people.stepup import (
    CODE_FIELD,
    PASSWORD_FIELD,
    render_confirm,
    safe_next,
    step_up_confirm,
    step_up_mark,
)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("6 位动态码"),
        max_length=12,
        help_text=gettext_lazy("打开手机上的身份验证器应用，输入“TalentPort”一项当前显示的数字。"),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "autofocus": True,
                "class": "otp-input",
            }
        ),
        error_messages={
            "required": gettext_lazy("请输入 6 位数字动态码。"),
            "max_length": gettext_lazy("请输入 6 位数字动态码。"),
        },
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"].replace(" ", "").strip()
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("请输入 6 位数字动态码。"), code="format")
        return token


def _next(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _done(request: HttpRequest) -> HttpResponseRedirect:
    home = "workbench:home" if is_back_office(request.user) else "portal:home"
    return HttpResponseRedirect(_next(request) or reverse(home))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    if not otp.otp_pending(request):
        return _done(request)
    device = otp.otp_confirmed_device(user=request.user)
    if device is None:
        return HttpResponseRedirect(otp_step_url(request, _next(request)))
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        wait = otp.otp_throttled(device)
        if wait is not None:
            otp.otp_check(request=request, device=device, token="", purpose="sign_in")
            form.is_valid()
            form.add_error(
                "token",
                _("尝试次数过多，请在 %(seconds)s 秒后再试。") % {"seconds": wait.seconds},
            )
            status = 429
        elif form.is_valid():
            if otp.otp_check(
                request=request,
                device=device,
                token=form.cleaned_data["token"],
                purpose="sign_in",
            ):
                step_up_mark(request)
                return _done(request)
            form.add_error(
                "token", _("动态码不正确或已过期，请输入身份验证器上当前显示的 6 位数字。")
            )
            status = 400
        else:
            status = 400
    return render(
        request, "people/otp_verify.html", {"form": form, "next": _next(request)}, status=status
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_back_office(user):
        raise PermissionDenied(_("只有工作人员账户需要设置两步验证。"))
    if otp.otp_confirmed_device(user=user) is not None:
        if otp.otp_session_verified(request):
            messages.info(request, _("已启用两步验证。如需更换手机，请联系管理员重置。"))
            return HttpResponseRedirect(reverse("people:account"))
        return HttpResponseRedirect(otp_step_url(request, _next(request)))
    device = otp.otp_device_for_enrolment(user=user)
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and otp.otp_device_confirm(
            request=request, device=device, token=form.cleaned_data["token"]
        ):
            step_up_mark(request)
            messages.success(request, _("两步验证已启用。以后登录时，请输入身份验证器上的动态码。"))
            return _done(request)
        if form.is_valid():
            wait = otp.otp_throttled(device)
            form.add_error(
                "token",
                _("尝试次数过多，请在 %(seconds)s 秒后再试。") % {"seconds": wait.seconds}
                if wait
                else _("动态码不正确，请确认手机时间准确后，输入应用中当前显示的 6 位数字。"),
            )
        status = 400
    return render(
        request,
        "people/otp_enrol.html",
        {
            "form": form,
            "next": _next(request),
            "qr_svg": otp.otp_qr_svg(device),
            "secret_groups": otp.otp_secret_groups(device),
            "required": settings.STAFF_OTP_REQUIRED,
            "issuer": settings.OTP_TOTP_ISSUER,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """``/accounts/confirm/?next=...``: re-enter the password (or the code) before a sensitive act."""
    next_url = _next(request)
    if request.method == "POST":
        problem = step_up_confirm(
            request,
            password=request.POST.get(PASSWORD_FIELD, ""),
            code=request.POST.get(CODE_FIELD, ""),
        )
        if problem is None:
            return HttpResponseRedirect(next_url or reverse("people:account"))
        return render_confirm(
            request,
            action=request.get_full_path(),
            next_url=next_url,
            error_message=problem,
            status_code=400,
        )
    return render_confirm(request, action=request.get_full_path(), next_url=next_url)
