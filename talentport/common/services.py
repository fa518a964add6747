"""Writes shared by every app: the append-only audit journal (a hash chain)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from talentport.common.audit_chain import chain_verify
from talentport.common.logmask import mask_personal_data
from talentport.common.models import AuditEvent, AuditVerification, AuditVerificationScope
from talentport.common.request_context import client_ip, current_request


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
    subject: models.Model | None = None,
    action: str,
    actor: Any = None,
    on_behalf_of: Any = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    subject_type: str = "",
    subject_id: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the journal.

    ``subject`` is the object the event is about; an event about no stored object (a
    failed sign-in with an unknown name, a read of a whole list) names it with
    ``subject_type``/``subject_id`` instead.  ``ip`` defaults to the address of the
    request being served (``talentport.common.request_context``); none outside one.
    """
    if subject is not None:
        subject_type = subject._meta.label_lower
        subject_id = str(getattr(subject, "uuid", None) or subject.pk)
    elif not subject_type:
        raise ValueError("审计事件必须注明对象")
    if ip is None:
        request = current_request()
        ip = client_ip(request) if request is not None else None
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        on_behalf_of=on_behalf_of,
        subject_type=subject_type,
        subject_id=subject_id[:64],
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=mask_personal_data(reason),
        data=masked(data or {}),
        ip=ip or None,
    )


def audit_chain_verification_run(
    *, tail: int | None = None, actor: Any = None, using: str = "default"
) -> AuditVerification:
    """Verify the chain (all of it, or its newest ``tail`` rows) and keep the outcome."""
    started = timezone.now()
    result = chain_verify(using=using, tail=tail)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    run: AuditVerification = AuditVerification.objects.using(using).create(
        started_at=started,
        finished_at=timezone.now(),
        scope=AuditVerificationScope.FULL if tail is None else AuditVerificationScope.TAIL,
        events=result.events,
        first_seq=result.first_seq,
        last_seq=result.last_seq,
        ok=result.ok,
        first_bad_seq=result.first_bad.seq if result.first_bad else None,
        reason=result.first_bad.reason if result.first_bad else "",
        actor=actor_obj,
    )
    return run
