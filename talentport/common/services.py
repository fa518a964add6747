"""Writes shared by every app: the append-only audit journal."""

from __future__ import annotations

from typing import Any

from django.db import models

from talentport.common.models import AuditEvent


def audit_event_record(
    *,
    subject: models.Model,
    action: str,
    actor: Any = None,
    on_behalf_of: Any = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    subject_id = getattr(subject, "uuid", None) or subject.pk
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        on_behalf_of=on_behalf_of,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject_id),
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )
