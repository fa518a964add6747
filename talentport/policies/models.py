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


class PushState(models.Model):
    """What the last push knew of one stored profile, kept compactly so a push over a
    city's talent database diffs in bulk and tells a person only what is new to them.

    ``eligible``: the ids of the policies the person was eligible for, comma-separated
    and sorted; ``reminded``: ``policy@closing-date`` pairs already reminded of.
    """

    profile = models.OneToOneField(
        "people.TalentProfile",
        verbose_name=_("人才画像"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="push_state",
    )
    eligible = models.TextField(_("可享受的政策"), blank=True, default="")
    reminded = models.TextField(_("已提醒的截止"), blank=True, default="")
    # 8-byte BLAKE2 digest of the profile as last evaluated: an unchanged profile is not
    # validated again (it was, when its digest was stored).
    digest = models.BigIntegerField(_("画像摘要"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("政策找人状态")
        verbose_name_plural = _("政策找人状态")

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.eligible}"


class PushRunStatus(models.TextChoices):
    WAITING = "waiting", _("等待执行")
    RUNNING = "running", _("执行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class PushTrigger(models.TextChoices):
    PUBLISH = "publish", _("发布政策")
    MANUAL = "manual", _("工作人员发起")
    NIGHTLY = "nightly", _("每晚例行")
    CLI = "cli", _("命令行")


class PushRun(BaseModel):
    """One push over the stored profiles (政策找人): who started it, for which policies
    (and, for a publication, which version), how far it got and what it did. A run is
    executed in the queue in chunks; each chunk's writes and the run's checkpoint commit
    together, so a worker killed mid-run is resumed from the checkpoint and nobody is
    told twice."""

    trigger = models.CharField(_("触发方式"), max_length=12, choices=PushTrigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    policy_ids = models.JSONField(
        _("政策范围"), null=True, blank=True, help_text=_("空表示全部有效政策")
    )
    policy_version = models.ForeignKey(
        PolicyVersion,
        verbose_name=_("发布的版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="push_runs",
    )
    as_of = models.DateField(_("评估日期"), null=True, blank=True)
    dry_run = models.BooleanField(_("仅试算"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=PushRunStatus.choices, default=PushRunStatus.WAITING
    )
    total = models.PositiveIntegerField(_("画像总数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    checkpoint = models.BigIntegerField(_("进度位置"), default=0)
    counts = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    queued = models.BooleanField(_("已进入队列"), default=False)
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("政策找人批次")
        verbose_name_plural = _("政策找人批次")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == PushRunStatus.DONE:
            return 100
        return min(100, self.processed * 100 // self.total) if self.total else 0


class PolicyPreview(BaseModel):
    """政策沙盘: what a draft version would change over the stored profiles, computed in
    the queue on the push's engine before anyone publishes it."""

    policy_id = models.CharField(_("政策编号"), max_length=120)
    jurisdiction = models.CharField(_("所属区域"), max_length=60)
    text = models.TextField(_("草案（YAML）"))
    note = models.CharField(_("发布说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    as_of = models.DateField(_("评估日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=PushRunStatus.choices, default=PushRunStatus.WAITING
    )
    total = models.PositiveIntegerField(_("画像总数"), default=0)
    processed = models.PositiveIntegerField(_("已处理"), default=0)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("政策沙盘")
        verbose_name_plural = _("政策沙盘")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == PushRunStatus.DONE:
            return 100
        return min(100, self.processed * 100 // self.total) if self.total else 0
