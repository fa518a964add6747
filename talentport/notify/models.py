"""Inbox messages and their delivery over e-mail and SMS."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
