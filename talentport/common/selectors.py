"""Reads shared by every app."""

from __future__ import annotations

from django.db import models

from talentport.common.models import AuditEvent


def audit_events_for(*, subject: models.Model) -> models.QuerySet[AuditEvent]:
    subject_id = getattr(subject, "uuid", None) or subject.pk
    return AuditEvent.objects.filter(
        subject_type=subject._meta.label_lower, subject_id=str(subject_id)
    ).order_by("at", "id")
