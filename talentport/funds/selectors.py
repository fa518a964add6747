"""Reads of the funds app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from talentport.funds.models import Grant
from talentport.people import permissions


def grant_list(*, user: Any, status: str | None = None) -> QuerySet[Grant]:
    """The grants ``user`` may decide: those of policies inside their scopes."""
    qs = (
        Grant.objects.select_related("profile__user", "decided_by", "department")
        .filter(
            permissions.scope_q(
                user, permissions.Perm.GRANT_DECIDE, path="jurisdiction", department="department_id"
            )
        )
        .order_by("-created_at")
    )
    return qs.filter(status=status) if status else qs


def grant_get_for(*, user: Any, uuid: Any) -> Grant | None:
    """A grant ``user`` may decide, else None (a 404: out of scope is not told apart)."""
    return grant_list(user=user).filter(uuid=uuid).first()
