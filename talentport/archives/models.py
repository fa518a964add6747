"""Personnel archives (人事档案): one person, one file, and its append-only journal."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talentport.common.crypto import BlindIndexField, EncryptedTextField
from talentport.common.idcard import validate_cn_mobile, validate_id_card
from talentport.common.models import AppendOnlyModel, BaseModel


class ArchiveStatus(models.TextChoices):
    RECEIVED = "received", _("已接收")
    STORED = "stored", _("已入库")
    MATERIALS_ADDED = "materials_added", _("已补充材料")
    TRANSFER_REQUESTED = "transfer_requested", _("已申请转递")
    IN_TRANSIT = "in_transit", _("转递中")
    DELIVERED = "delivered", _("已送达")


#: Allowed moves of the state machine (a file may receive materials more than once).
TRANSITIONS: dict[str, frozenset[str]] = {
    ArchiveStatus.RECEIVED: frozenset({ArchiveStatus.STORED}),
    ArchiveStatus.STORED: frozenset(
        {ArchiveStatus.MATERIALS_ADDED, ArchiveStatus.TRANSFER_REQUESTED}
    ),
    ArchiveStatus.MATERIALS_ADDED: frozenset(
        {ArchiveStatus.MATERIALS_ADDED, ArchiveStatus.TRANSFER_REQUESTED}
    ),
    ArchiveStatus.TRANSFER_REQUESTED: frozenset({ArchiveStatus.IN_TRANSIT}),
    ArchiveStatus.IN_TRANSIT: frozenset({ArchiveStatus.DELIVERED}),
    ArchiveStatus.DELIVERED: frozenset(),
}


class ImportSource(models.TextChoices):
    WEB = "web", _("工作台上传")
    CLI = "cli", _("命令行")
    API = "api", _("接口")


class ArchiveBatch(BaseModel):
    """One school's hand-over list, as imported."""

    school = models.CharField(_("学校"), max_length=120, db_index=True)
    jurisdiction = models.CharField(
        _("管辖区域"),
        max_length=60,
        default="qingdao",
        db_index=True,
        help_text=_("接收档案的区域（如 qingdao）；工作人员只能办理本人权限范围内的档案"),
    )
    filename = models.CharField(_("文件名"), max_length=255, blank=True)
    source = models.CharField(
        _("导入方式"), max_length=8, choices=ImportSource.choices, default=ImportSource.WEB
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_count = models.PositiveIntegerField(_("接收份数"), default=0)
    refused_count = models.PositiveIntegerField(_("退回行数"), default=0)
    refused = models.JSONField(_("退回明细"), default=list, blank=True)

    class Meta:
        verbose_name = _("档案交接批次")
        verbose_name_plural = _("档案交接批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.school} {self.created_at:%Y-%m-%d %H:%M}"


class ArchiveFile(BaseModel):
    """A person's file: who it is (ID number encrypted, searchable by blind index),
    where it is now, and where it goes."""

    batch = models.ForeignKey(
        ArchiveBatch,
        verbose_name=_("交接批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="files",
    )
    school = models.CharField(_("学校"), max_length=120, db_index=True)
    jurisdiction = models.CharField(_("管辖区域"), max_length=60, default="qingdao", db_index=True)
    class_name = models.CharField(_("班级"), max_length=60, blank=True)
    name = models.CharField(_("姓名"), max_length=80)
    id_card = EncryptedTextField(_("身份证号"))
    id_card_index = BlindIndexField(
        _("身份证号索引"), source="id_card", normalizer=validate_id_card, unique=True
    )
    id_card_masked = models.CharField(_("身份证号（脱敏）"), max_length=18)
    birth_date = models.DateField(_("出生日期"))
    guardian_name = models.CharField(_("监护人姓名"), max_length=80, blank=True)
    guardian_phone = EncryptedTextField(_("监护人电话"), null=True, blank=True)
    guardian_phone_index = BlindIndexField(
        _("监护人电话索引"), source="guardian_phone", normalizer=validate_cn_mobile
    )
    guardian_phone_masked = models.CharField(_("监护人电话（脱敏）"), max_length=24, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=24,
        choices=ArchiveStatus.choices,
        default=ArchiveStatus.RECEIVED,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("本人账户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="archive_files",
    )
    materials = models.JSONField(_("补充材料"), default=list, blank=True)
    transfer_input = models.JSONField(_("转递依据"), default=dict, blank=True)
    destination_kind = models.CharField(_("转递去向类别"), max_length=20, blank=True)
    destination_name = models.CharField(_("转递去向"), max_length=200, blank=True)
    destination_explanation = models.TextField(_("去向说明"), blank=True)
    transfer_requested_at = models.DateTimeField(_("申请转递时间"), null=True, blank=True)
    courier_number = models.CharField(_("机要编号"), max_length=40, blank=True)
    dispatched_at = models.DateTimeField(_("寄出时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    # The claim code printed on the school's hand-over list: only its keyed hash is kept
    # once the staff have downloaded the list; until then it waits encrypted.
    claim_code_index = models.CharField(
        _("认领码摘要"), max_length=64, blank=True, default="", editable=False
    )
    claim_code_pending = EncryptedTextField(_("待打印的认领码"), null=True, blank=True)
    claim_code_issued_at = models.DateTimeField(_("认领码生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("人事档案")
        verbose_name_plural = _("人事档案")
        ordering = ["school", "class_name", "name", "id"]
        indexes = [models.Index(fields=["status", "transfer_requested_at"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_card_masked}）"


class ArchiveEvent(AppendOnlyModel):
    """Append-only journal of one file: who did what, from which state to which, when."""

    append_only_label = "档案流转记录"

    uuid = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    file = models.ForeignKey(
        ArchiveFile, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="events"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=24, blank=True)
    to_state = models.CharField(_("新状态"), max_length=24, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("档案流转记录")
        verbose_name_plural = _("档案流转记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class GuardianLinkStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    REVOKED = "revoked", _("已撤销")


class GuardianLink(BaseModel):
    """A guardian account allowed to follow a file.

    While the student is a minor the link alone suffices; once they are 18 the student's
    consent (``consented_at``) is needed too, and the student may revoke it.
    """

    file = models.ForeignKey(
        ArchiveFile, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="guardian_links"
    )
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("监护人账户"),
        on_delete=models.PROTECT,
        related_name="archive_guardian_links",
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=GuardianLinkStatus.choices,
        default=GuardianLinkStatus.ACTIVE,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("建立人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consented_at = models.DateTimeField(_("本人同意时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("监护人查询授权")
        verbose_name_plural = _("监护人查询授权")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["file", "guardian"],
                condition=models.Q(status="active"),
                name="archives_one_active_link_per_guardian",
            )
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.file}"


class ArchiveClaimCode(BaseModel):
    """The one-time code sent by SMS to the phone the school gave, for one account's claim
    of one file: stored as a keyed hash, with an expiry and a count of wrong tries.  A new
    code for the same file and account replaces the old one."""

    file = models.ForeignKey(
        ArchiveFile, verbose_name=_("档案"), on_delete=models.CASCADE, related_name="claim_codes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认领账户"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("档案认领验证码")
        verbose_name_plural = _("档案认领验证码")
        constraints = [
            models.UniqueConstraint(fields=["file", "user"], name="archives_one_claim_code")
        ]

    def __str__(self) -> str:
        return f"{self.file_id}/{self.user_id}"
