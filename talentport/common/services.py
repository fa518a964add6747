"""Writes shared by every app: the append-only audit journal."""

from __future__ import annotations

from typing import Any

from django.db import models

from talentport.common.logmask import mask_personal_data
from talentport.common.models import AuditEvent


def masked(value: Any) -> Any:
    """``value`` (text, or JSON-like data) with ID, phone and passport numbers masked:
    a journal is copied everywhere (auditor page, exports, backups) and kept forever."""
    if isinstance(value, str):
        return mask_personal_data(value)
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [masked(v) for v in value]
    return value


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
        reason=mask_personal_data(reason),
        data=masked(data or {}),
    )
