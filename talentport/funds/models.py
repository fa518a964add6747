"""Grants: benefits granted without application (免申即享) await a staff confirmation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentport.common.models import BaseModel


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("不予发放")


class Grant(BaseModel):
    profile = models.ForeignKey(
        "people.TalentProfile",
        verbose_name=_("人才画像"),
        on_delete=models.PROTECT,
        related_name="grants",
    )
    policy_id = models.CharField(_("政策编号"), max_length=120, db_index=True)
    jurisdiction = models.CharField(
        _("所属区域"),
        max_length=60,
        db_index=True,
        default="",
        help_text=_("政策的区域，如 qingdao.shinan"),
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("兑现该政策的服务事项所属部门"),
    )
    policy_version = models.PositiveIntegerField(_("政策版本"))
    title = models.CharField(_("政策名称"), max_length=200)
    amount = models.DecimalField(
        _("金额上限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=GrantStatus.choices, default=GrantStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reason = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("免申即享发放")
        verbose_name_plural = _("免申即享发放")
        constraints = [
            models.UniqueConstraint(fields=["profile", "policy_id"], name="uniq_grant_per_policy")
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.profile}"
