from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from talentport.common.services import audit_event_record
from talentport.people.models import Role, StaffScope, User
from talentport.people.otp import otp_devices_reset

if TYPE_CHECKING:  # the generic forms of these classes exist only for the type checker
    _ChangeForm = UserChangeForm[User]
    _CreationForm = UserCreationForm[User]
    _UserAdmin = DjangoUserAdmin[User]
else:
    _ChangeForm = UserChangeForm
    _CreationForm = UserCreationForm
    _UserAdmin = DjangoUserAdmin


def _check_department(form: forms.BaseForm) -> None:
    role = form.cleaned_data.get("role")
    department = form.cleaned_data.get("department")
    if role == Role.DEPARTMENT_SPECIALIST and department is None:
        form.add_error("department", _("部门服务专员必须绑定一个部门。"))


class StaffUserChangeForm(_ChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_department(self)
        return cleaned


class StaffUserCreationForm(_CreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "role", "display_name", "email", "department")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_department(self)
        return cleaned


class StaffScopeInline(admin.TabularInline):  # type: ignore[type-arg]
    """Scopes are shown here and changed on the workbench page (工作人员与权限范围), where
    every change is checked against the administrator's own scope and audited."""

    model = StaffScope
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ("jurisdiction", "department", "granted_by", "created_at")
    readonly_fields = fields
    verbose_name_plural = _("权限范围（在工作台“工作人员与权限范围”中调整）")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


AUDITED_FIELDS = ("role", "is_active", "is_staff", "is_superuser", "department")


@admin.register(User)
class UserAdmin(_UserAdmin):
    inlines = [StaffScopeInline]

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        changed = [f for f in AUDITED_FIELDS if f in getattr(form, "changed_data", [])]
        super().save_model(request, obj, form, change)
        if changed or not change:
            audit_event_record(
                subject=obj,
                action="role.changed" if change else "user.created_by_admin",
                actor=request.user,
                to_state=obj.role,
                data={f: str(getattr(obj, f)) for f in changed},
            )

    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    list_display = (
        "username",
        "display_name",
        "role",
        "department",
        "is_active",
        "is_staff",
        "two_factor",
    )
    actions = ["reset_two_factor"]
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "display_name", "email")
    list_select_related = ("department",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("身份与部门"), {"fields": ("role", "display_name", "department")}),
        (_("联系方式"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "role",
                    "display_name",
                    "email",
                    "department",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(confirmed))

    @admin.display(description=_("两步验证"), boolean=True, ordering="has_two_factor")
    def two_factor(self, obj: User) -> bool:
        return bool(getattr(obj, "has_two_factor", False))

    @admin.action(description=_("重置两步验证（下次登录须重新绑定手机）"), permissions=["change"])
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reason = str(_("管理员在后台重置"))
        reset = 0
        for user in queryset:
            if otp_devices_reset(user=user, actor=request.user, reason=reason):
                reset += 1
        self.message_user(
            request,
            ngettext(
                "已重置 %(count)d 个账户的两步验证。",
                "已重置 %(count)d 个账户的两步验证。",
                reset,
            )
            % {"count": reset},
            messages.SUCCESS,
        )


# Device secrets are never shown in the admin (an administrator could otherwise read any
# colleague's second factor); a device is only reset, through the audited action above.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
