"""Account forms: sign-up (self-service roles only) and login."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from talentport.people.models import Role, User
from talentport.people.selectors import user_username_taken
from talentport.people.services import SELF_SERVICE_ROLES

SIGNUP_ROLE_CHOICES = [
    (value, label) for value, label in Role.choices if value in SELF_SERVICE_ROLES
]


class LoginForm(AuthenticationForm):
    """Django's login form with Chinese labels and browser autocomplete hints."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].label = _("密码")


class SignupForm(forms.Form):
    role = forms.ChoiceField(
        label=_("注册身份"),
        choices=SIGNUP_ROLE_CHOICES,
        initial=Role.APPLICANT,
        widget=forms.RadioSelect,
        help_text=_("工作人员账户由管理员在后台创建。"),
    )
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("150 个字符以内，可使用字母、数字和 @/./+/-/_。"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    display_name = forms.CharField(
        label=_("姓名或单位名称"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱"),
        help_text=_("用于接收通知和找回密码。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("请再次输入同一密码。"),
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if user_username_taken(username=username):
            raise forms.ValidationError(_("该用户名已被使用。"), code="username_taken")
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif password1:
            candidate = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                display_name=cleaned.get("display_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
