"""Shared model bases: public UUIDs, timestamps, validity periods, append-only events."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every public object is addressed by a UUID, never by its row number."""

    uuid = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class ValidityQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def valid_on(self, day: dt.date | None = None) -> ValidityQuerySet:
        day = day or timezone.localdate()
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day),
        )


class ValidityMixin(models.Model):
    """A period during which a catalog item, guide or policy is in force (both ends inclusive)."""

    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)

    class Meta:
        abstract = True

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class AppendOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Bulk updates and deletes are refused too: a journal is only ever appended to."""

    def update(self, **kwargs: Any) -> int:
        raise ValueError(str(self.model.append_only_label) + "只能追加，不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError(str(self.model.append_only_label) + "不能删除")


class AppendOnlyModel(models.Model):
    """A journal row: written once, never changed or deleted (corrections are new rows)."""

    append_only_label = "记录"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError(self.append_only_label + "只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError(self.append_only_label + "不能删除")


class AuditEventQuerySet(AppendOnlyQuerySet):
    """``bulk_create`` seals the rows as the next links of the hash chain."""

    def bulk_create(  # type: ignore[override]
        self, objs: Iterable[AuditEvent], batch_size: int | None = None, **kwargs: Any
    ) -> list[AuditEvent]:
        from talentport.common.audit_chain import chained

        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise ValueError("审计事件不能忽略或覆盖冲突")
        events = list(objs)
        if not events:
            return events
        with chained(events, using=self.db):
            return list(super().bulk_create(events, batch_size=batch_size))


class AuditEvent(AppendOnlyModel):
    """Append-only journal of everything that happened to an object.

    Nothing is updated or deleted: a correction is a new event.  The rows form a hash
    chain (``seq``, ``prev_hash``, ``hash``; see ``talentport.common.audit_chain``)
    that ``talentport audit verify`` checks; ``save()`` and ``bulk_create`` seal every
    new row.
    """

    append_only_label = "审计事件"

    uuid = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    seq = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代办对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_type = models.CharField(_("对象类型"), max_length=80, db_index=True)
    subject_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    action = models.CharField(_("动作"), max_length=80)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["seq"]
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from talentport.common.audit_chain import chained

        if self.pk is not None:
            raise ValueError(self.append_only_label + "只能追加，不能修改")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with chained([self], using=using):
            super().save(*args, **kwargs)


class AuditChainHead(models.Model):
    """The newest link of the audit chain: one row, locked by every append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.PositiveBigIntegerField(_("最新序号"), default=0)
    hash = models.CharField(_("最新哈希"), max_length=64)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditVerificationScope(models.TextChoices):
    FULL = "full", _("全部记录")
    TAIL = "tail", _("最近记录")


class AuditVerification(AppendOnlyModel):
    """The outcome of one verification of the audit chain (the command, or the page's
    button for the newest rows)."""

    append_only_label = "审计链校验记录"

    uuid = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("完成时间"), default=timezone.now)
    scope = models.CharField(
        _("范围"), max_length=8, choices=AuditVerificationScope.choices, default="full"
    )
    events = models.PositiveBigIntegerField(_("校验条数"), default=0)
    first_seq = models.PositiveBigIntegerField(_("起始序号"), null=True, blank=True)
    last_seq = models.PositiveBigIntegerField(_("截止序号"), null=True, blank=True)
    ok = models.BooleanField(_("完整"))
    first_bad_seq = models.PositiveBigIntegerField(_("首个异常序号"), null=True, blank=True)
    reason = models.CharField(_("异常原因"), max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("审计链校验记录")
        verbose_name_plural = _("审计链校验记录")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.scope} {'ok' if self.ok else 'broken'}"


class PiiAccessLog(AppendOnlyModel):
    """Append-only record of who saw which personal data of whom, and why.

    Written by ``talentport.common.pii.log_pii_access``; never updated or deleted.
    """

    append_only_label = "个人信息查看记录"

    uuid = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_type = models.CharField(_("对象类型"), max_length=80)
    subject_id = models.CharField(_("对象编号"), max_length=64)
    field = models.CharField(_("字段"), max_length=80)
    purpose = models.CharField(_("查看目的"), max_length=200)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    path = models.CharField(_("访问路径"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.subject_type}#{self.subject_id}.{self.field}"


class QueueHeartbeat(models.Model):
    """When a queue worker last ran the scheduler's heartbeat task (``common.heartbeat``,
    sent every minute by the one scheduler): a fresh row means both are alive."""

    name = models.CharField(_("名称"), max_length=40, primary_key=True)
    seen_at = models.DateTimeField(_("最近一次"))
    hostname = models.CharField(_("主机"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("任务队列心跳")
        verbose_name_plural = _("任务队列心跳")

    def __str__(self) -> str:
        return f"{self.name} {self.seen_at.isoformat()}"
