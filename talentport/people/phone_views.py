"""验证手机号: the account holder proves a mobile number, and is linked to the talent
database profile the bureau imported for it (see :mod:`talentport.people.talent_link`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from talentport.people.talent_link import (
    PhoneVerificationError,
    phone_verification_confirm,
    phone_verification_send,
)


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("手机号码"), max_length=20)
    code = forms.CharField(label=_("验证码"), max_length=8, required=False)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def phone_verify(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        phone, code = form.cleaned_data["phone"], form.cleaned_data["code"]
        try:
            if request.POST.get("op") == "confirm":
                result = phone_verification_confirm(user=request.user, phone=phone, code=code)
                if result.taken_over is not None or result.linked:
                    messages.success(
                        request, gettext("手机号已验证，已关联您在人才信息库中的信息。")
                    )
                else:
                    messages.success(request, gettext("手机号已验证。"))
                return redirect("people:account")
            phone_verification_send(user=request.user, phone=phone)
            sent = True
        except PhoneVerificationError as exc:
            form.add_error(exc.field, exc.message)
            sent = exc.field == "code"
    return render(request, "people/phone_verify.html", {"form": form, "sent": sent})
