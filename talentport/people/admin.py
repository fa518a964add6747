from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from talentport.common.services import audit_event_record
from talentport.people.models import Role, StaffScope, User

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
    list_display = ("username", "display_name", "role", "department", "is_active", "is_staff")
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
