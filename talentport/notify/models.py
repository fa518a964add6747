"""Inbox messages and their delivery over e-mail and SMS."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentport.common.crypto import EncryptedTextField
from talentport.common.models import BaseModel


class MessageKind(models.TextChoices):
    POLICY_ELIGIBLE = "policy_eligible", _("新可享受政策")
    POLICY_REMINDER = "policy_reminder", _("政策申报即将截止")
    GRANT = "grant", _("免申即享待确认")
    CASE_UPDATE = "case_update", _("办件进度")
    GENERAL = "general", _("通知")


class Message(BaseModel):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.PROTECT,
        related_name="messages",
    )
    kind = models.CharField(_("类型"), max_length=24, choices=MessageKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    dedupe_key = models.CharField(
        _("去重键"),
        max_length=200,
        unique=True,
        help_text=_("同一键只发送一次，重复执行不会重复发送"),
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed = models.BooleanField(_("已发邮件"), default=False)
    texted = models.BooleanField(_("已发短信"), default=False)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Notice(BaseModel):
    """A notice with no inbox: to an imported talent-database profile (no account) or to
    a phone given for this one notice (a case form's phone, an archive claim code).

    One per dedupe key, ever, like :class:`Message` (``outbox_queue`` looks in both).
    Title and body are masked (no ID, phone or passport number in them)."""

    kind = models.CharField(_("类型"), max_length=24, choices=MessageKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True)
    profile = models.ForeignKey(
        "people.TalentProfile",
        verbose_name=_("人才画像"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notices",
    )

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DeliveryChannel(models.TextChoices):
    INBOX_EMAIL = "inbox_email", _("站内消息邮件")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    RETRYING = "retrying", _("等待重试")
    HELD = "held", _("夜间暂缓")


class DeliveryTarget(models.TextChoices):
    ACCOUNT = "account", _("账户")
    PROFILE = "profile", _("人才库联系人")
    PHONE = "phone", _("指定手机号")


class Delivery(BaseModel):
    """One notice over one channel, sent by the delivery task after commit.

    The address is not copied here: it is read (decrypted) from the account or the
    profile when the delivery is sent, so that a withdrawn consent or a changed phone is
    respected. Only a phone given for this one notice (``target`` ``phone``) is kept,
    encrypted, with a masked copy for staff. ``secret_text`` (encrypted) is the text of an
    SMS that carries a code: sent as is, never shown.
    """

    message = models.ForeignKey(
        Message,
        verbose_name=_("站内消息"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("通知"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=DeliveryChannel.choices)
    target = models.CharField(_("收件对象"), max_length=16, choices=DeliveryTarget.choices)
    phone = EncryptedTextField(_("手机号"), null=True, blank=True)
    phone_masked = models.CharField(_("手机号（脱敏）"), max_length=24, blank=True)
    secret_text = EncryptedTextField(_("短信内容（加密）"), null=True, blank=True)
    quiet_exempt = models.BooleanField(
        _("夜间照发"), default=False, help_text=_("验证码等有人等待的短信，夜间也发送")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # the sender that claimed the row (its lease runs until next_attempt_at)
    claimed_by = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("消息发送记录")
        verbose_name_plural = _("消息发送记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["channel", "sent_at"], name="delivery_rate"),
            models.Index(fields=["claimed_by"], name="delivery_claim"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "channel"],
                condition=models.Q(message__isnull=False),
                name="delivery_message_channel_unique",
            ),
            models.UniqueConstraint(
                fields=["notice", "channel"],
                condition=models.Q(notice__isnull=False),
                name="delivery_notice_channel_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_status_display()}"
