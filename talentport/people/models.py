"""Accounts and roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentport.common.models import BaseModel


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    GUARDIAN = "guardian", _("监护人（家长）")
    EMPLOYER = "employer", _("用人单位")
    WINDOW_SPECIALIST = "window_specialist", _("窗口服务专员")
    DEPARTMENT_SPECIALIST = "department_specialist", _("部门服务专员")
    ADMINISTRATOR = "administrator", _("管理员")
    AUDITOR = "auditor", _("安全审计员")


# Staff who handle cases, files, policies and grants.
OPERATIONAL_STAFF_ROLES = frozenset(
    {Role.WINDOW_SPECIALIST, Role.DEPARTMENT_SPECIALIST, Role.ADMINISTRATOR}
)
# Every back-office account: operational staff and the auditor (two factors, short sessions).
BACK_OFFICE_ROLES = OPERATIONAL_STAFF_ROLES | {Role.AUDITOR}


class User(AbstractUser, BaseModel):
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.APPLICANT)
    display_name = models.CharField(_("姓名"), max_length=80, blank=True)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="specialists_accounts",
        help_text=_("部门服务专员必须绑定一个部门"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def is_staff_role(self) -> bool:
        """Operational staff (window, department, administrator); see people.permissions."""
        return self.role in OPERATIONAL_STAFF_ROLES

    def __str__(self) -> str:
        return self.display_name or self.username


class TalentProfile(BaseModel):
    """What a person told the platform about themselves, in the contract profile format
    (../shared/contracts/profile.schema.json): the policy engine evaluates exactly this."""

    user = models.OneToOneField(
        User,
        verbose_name=_("账户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="talent_profile",
    )
    data = models.JSONField(_("画像数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("人才画像")
        verbose_name_plural = _("人才画像")

    def __str__(self) -> str:
        return str(self.user) if self.user_id else str(self.uuid)
