"""Published versions of the policies the engine evaluates.

The shipped rule files (talentport/policies/rules/) are version 1; staff publish new
versions from the back office. A version is stored only after it parsed and its own
test cases passed, so the version in force is always the latest stored one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from talentport.common.models import BaseModel


class VersionOrigin(models.TextChoices):
    PACKAGE = "package", _("随软件发布")
    STAFF = "staff", _("后台发布")


class PolicyVersion(BaseModel):
    policy_id = models.CharField(_("政策编号"), max_length=120, db_index=True)
    version = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("政策名称"), max_length=200)
    jurisdiction = models.CharField(_("所属区域"), max_length=60)
    text = models.TextField(_("政策文件（YAML）"))
    origin = models.CharField(_("来源"), max_length=10, choices=VersionOrigin.choices)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("发布说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        ordering = ["policy_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["policy_id", "version"], name="uniq_policy_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class EligibilitySnapshot(models.Model):
    """The last known status of one policy for one stored profile, so a push tells a
    person only what is new to them."""

    profile = models.ForeignKey(
        "people.TalentProfile",
        verbose_name=_("人才画像"),
        on_delete=models.CASCADE,
        related_name="eligibility_snapshots",
    )
    policy_id = models.CharField(_("政策编号"), max_length=120)
    status = models.CharField(_("状态"), max_length=16)
    window_closes = models.DateField(_("申报截止"), null=True, blank=True)
    max_total = models.DecimalField(
        _("金额上限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    evaluated_at = models.DateTimeField(_("评估时间"), auto_now=True)

    class Meta:
        verbose_name = _("政策匹配结果")
        verbose_name_plural = _("政策匹配结果")
        constraints = [
            models.UniqueConstraint(fields=["profile", "policy_id"], name="uniq_snapshot")
        ]

    def __str__(self) -> str:
        return f"{self.policy_id}: {self.status}"
