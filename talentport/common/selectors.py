"""Reads shared by every app: the audit journal, the PII access log, chain checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone

from talentport.common.models import (
    AuditChainHead,
    AuditEvent,
    AuditVerification,
    AuditVerificationScope,
    PiiAccessLog,
)


def audit_events_for(*, subject: models.Model) -> models.QuerySet[AuditEvent]:
    subject_id = getattr(subject, "uuid", None) or subject.pk
    return AuditEvent.objects.filter(
        subject_type=subject._meta.label_lower, subject_id=str(subject_id)
    ).order_by("at", "id")


def _day_start(day: dt.date) -> dt.datetime | None:
    """Midnight of ``day`` in the platform's time zone (Beijing time); None at the ends of
    the calendar (0001-01-01 in Beijing is still year 0 in UTC, which no database stores)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    try:
        start.astimezone(dt.UTC)
    except OverflowError:
        return None
    return start


def _day_after(day: dt.date) -> dt.date | None:
    return None if day >= dt.date.max else day + dt.timedelta(days=1)


def _filter_common(
    rows: models.QuerySet[Any],
    *,
    actor: str = "",
    subject_type: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> models.QuerySet[Any]:
    if actor:
        rows = rows.filter(actor__username=actor)
    if subject_type:
        rows = rows.filter(subject_type=subject_type)
    # a bound at an end of the calendar bounds nothing: "from 0001-01-01", "to 9999-12-31"
    start = _day_start(date_from) if date_from is not None else None
    if start is not None:
        rows = rows.filter(at__gte=start)
    after = _day_after(date_to) if date_to is not None else None
    end = _day_start(after) if after is not None else None
    if end is not None:  # the whole of that day
        rows = rows.filter(at__lt=end)
    return rows


def audit_event_search(
    *,
    actor: str = "",
    action: str = "",
    subject_type: str = "",
    subject_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> models.QuerySet[AuditEvent]:
    """Journal rows, newest first; ``actor`` is a username, ``action`` exact or a prefix
    ending in a dot (``auth.`` for every sign-in event)."""
    rows = _filter_common(
        AuditEvent.objects.all(),
        actor=actor,
        subject_type=subject_type,
        date_from=date_from,
        date_to=date_to,
    )
    if action:
        rows = (
            rows.filter(action__startswith=action)
            if action.endswith(".")
            else rows.filter(action=action)
        )
    if subject_id:
        rows = rows.filter(subject_id=subject_id)
    return rows.select_related("actor", "on_behalf_of").order_by("-seq")


def pii_access_search(
    *,
    actor: str = "",
    subject_type: str = "",
    subject_id: str = "",
    field: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> models.QuerySet[PiiAccessLog]:
    """Who saw which personal data of whom, newest first."""
    rows = _filter_common(
        PiiAccessLog.objects.all(),
        actor=actor,
        subject_type=subject_type,
        date_from=date_from,
        date_to=date_to,
    )
    if subject_id:
        rows = rows.filter(subject_id=subject_id)
    if field:
        rows = rows.filter(field=field)
    return rows.select_related("actor").order_by("-at", "-id")


def audit_chain_head() -> AuditChainHead | None:
    return AuditChainHead.objects.filter(pk=1).first()


def audit_verification_latest(
    *, scope: str = AuditVerificationScope.FULL
) -> AuditVerification | None:
    return (
        AuditVerification.objects.filter(scope=scope)
        .select_related("actor")
        .order_by("-started_at", "-id")
        .first()
    )
