"""Writes of the funds app."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from talentport.common.services import audit_event_record
from talentport.funds.models import Grant, GrantStatus
from talentport.people import permissions


class GrantTransitionError(Exception):
    pass


def grant_target(grant: Grant) -> permissions.Target:
    return permissions.Target(grant.jurisdiction, grant.department_id)


def grant_decide(*, grant: Grant, actor: Any, confirm: bool, reason: str = "") -> Grant:
    """Staff confirm or refuse a pending 免申即享 grant; a decided grant stays decided.

    Only staff whose scope covers the grant's policy (its jurisdiction, and the department
    that pays it) may decide it (``PermissionDenied`` otherwise)."""
    permissions.require(actor, permissions.Perm.GRANT_DECIDE, grant_target(grant))
    with transaction.atomic():
        locked = Grant.objects.select_for_update().get(pk=grant.pk)
        if locked.status != GrantStatus.PENDING:
            raise GrantTransitionError(
                f"该发放已处理（{locked.get_status_display()}），不能重复处理"
            )
        if not confirm and not reason.strip():
            raise GrantTransitionError("不予发放时必须填写原因")
        new = GrantStatus.CONFIRMED if confirm else GrantStatus.REJECTED
        locked.status = new
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
        audit_event_record(
            subject=locked,
            action="grant_decide",
            actor=actor,
            from_state=GrantStatus.PENDING,
            to_state=new,
            reason=reason,
        )
    return locked
