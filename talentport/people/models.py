"""Accounts and roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentport.common.crypto import BlindIndexField, EncryptedTextField
from talentport.common.idcard import validate_cn_mobile
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
    # The talent database (意愿来青留学人才信息库, seed 003 §二(十)): people the bureau
    # knows from alumni associations, fairs, schools and ambassadors, who may have no
    # account. ``source`` names where the row came from, ``source_key`` is that
    # source's own id; an account's own profile has neither.
    source = models.CharField(_("来源"), max_length=60, blank=True, default="", db_default="")
    source_key = models.CharField(
        _("来源编号"), max_length=120, blank=True, default="", db_default=""
    )
    contact_name = EncryptedTextField(_("联系人姓名"), null=True, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), null=True, blank=True)
    contact_phone_index = BlindIndexField(
        _("联系电话索引"),
        source="contact_phone",
        normalizer=validate_cn_mobile,
        default="",
        db_default="",
    )
    contact_phone_masked = models.CharField(
        _("联系电话（脱敏）"), max_length=24, blank=True, default="", db_default=""
    )
    contact_email = EncryptedTextField(_("电子邮箱"), null=True, blank=True)
    contact_email_masked = models.CharField(
        _("电子邮箱（脱敏）"), max_length=120, blank=True, default="", db_default=""
    )
    consent = models.BooleanField(
        _("同意联系"),
        default=False,
        db_default=False,
        help_text=_("未同意的人从不被联系，但计入统计"),
    )
    consent_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    # sha256 of the imported line (profile, contact, consent): an unchanged re-import
    # is recognised without decrypting anything.
    data_digest = models.CharField(
        _("数据摘要"), max_length=64, blank=True, default="", db_default=""
    )
    # policies.services.profile_checked_digest of ``data`` when a writer validated it
    # against the contract (the import, the person's save): the push trusts that very
    # document without validating it again; any other document (changed elsewhere, or a
    # release with other checks) has another digest and is validated.
    checked = models.BigIntegerField(_("校验摘要"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("人才画像")
        verbose_name_plural = _("人才画像")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_key"],
                condition=~models.Q(source=""),
                name="talent_profile_source_key_unique",
            )
        ]

    def __str__(self) -> str:
        return str(self.user) if self.user_id else str(self.uuid)

    @property
    def contactable(self) -> bool:
        """An imported person the bureau may contact: consent and a phone or e-mail."""
        return self.consent and bool(self.contact_phone or self.contact_email)


class StaffScope(BaseModel):
    """Where a staff account may act: a jurisdiction, optionally one department in it.

    ``jurisdiction`` is a dotted path — ``qingdao`` (the city and every district and zone
    in it), ``qingdao.shinan`` (one district), ``weihai``, ``liaocheng`` — the form the
    policy files use. Administrators assign scopes through
    :func:`talentport.people.services.staff_scope_grant`; every change is audited.
    """

    user = models.ForeignKey(
        User, verbose_name=_("工作人员"), on_delete=models.CASCADE, related_name="scopes"
    )
    jurisdiction = models.CharField(
        _("管辖区域"), max_length=80, help_text=_("如 qingdao、qingdao.shinan、weihai")
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("限定部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示该区域内各部门"),
    )
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("工作人员权限范围")
        verbose_name_plural = _("工作人员权限范围")
        ordering = ["user_id", "jurisdiction", "id"]

    def __str__(self) -> str:
        suffix = f" · {self.department}" if self.department_id else ""
        return f"{self.user} @ {self.jurisdiction}{suffix}"


class AccessKind(models.TextChoices):
    GUARDIAN = "guardian", _("监护人查看办理进度")
    EMPLOYER = "employer", _("用人单位代为申请")
    ASSISTANT = "assistant", _("窗口专员帮办代办")


class AccessGrant(BaseModel):
    """A person lets another account see (guardian) or act on (employer, window
    specialist) their applications — all of them, or one. Granted only by the person
    (or, for a minor, the guardian on record); revoking ends it at once."""

    person = models.ForeignKey(
        User, verbose_name=_("本人"), on_delete=models.PROTECT, related_name="access_given"
    )
    grantee = models.ForeignKey(
        User, verbose_name=_("被授权账户"), on_delete=models.PROTECT, related_name="access_received"
    )
    kind = models.CharField(_("授权类型"), max_length=16, choices=AccessKind.choices)
    application = models.UUIDField(
        _("限定申请"), null=True, blank=True, help_text=_("空表示本人的全部申请")
    )
    granted_by = models.ForeignKey(
        User, verbose_name=_("授权人"), on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["grantee", "kind", "revoked_at"]),
            models.Index(fields=["person", "kind", "revoked_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.grantee} ({self.kind})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ImportRunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未能导入")


class ProfileImportRun(BaseModel):
    """One import into the talent database (from the staff page or the command line):
    who, when, which source and file, how far it got and its counts. The refused lines
    are kept (line, field, message: no personal data) so that staff can correct them."""

    actor = models.ForeignKey(
        User,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("来源"), max_length=60)
    filename = models.CharField(_("文件名"), max_length=255, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportRunStatus.choices, default=ImportRunStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("行数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变"), default=0)
    refused_count = models.PositiveIntegerField(_("退回"), default=0)
    refused = models.JSONField(_("退回的行"), default=list, blank=True)
    error = models.TextField(_("原因"), blank=True, default="")
    upload_path = models.CharField(_("待导入文件"), max_length=255, blank=True, default="")
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("人才信息库导入")
        verbose_name_plural = _("人才信息库导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} · {self.filename}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, 100 * self.processed // self.total)


class TalentProfileLink(BaseModel):
    """An account that proved it holds the phone of an imported profile it did not take
    over (it had a profile of its own, or several imported rows carry that number): the
    tie is kept so that neither profile is lost and the push treats them as one person."""

    user = models.ForeignKey(
        User, verbose_name=_("账户"), on_delete=models.CASCADE, related_name="talent_links"
    )
    profile = models.ForeignKey(
        TalentProfile,
        verbose_name=_("导入的人才画像"),
        on_delete=models.CASCADE,
        related_name="account_links",
    )
    via = models.CharField(_("关联依据"), max_length=16, default="phone")

    class Meta:
        verbose_name = _("人才画像关联")
        verbose_name_plural = _("人才画像关联")
        constraints = [
            models.UniqueConstraint(fields=["user", "profile"], name="talent_profile_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.profile}"
