"""Reads of the funds app."""

from __future__ import annotations

from django.db.models import QuerySet

from talentport.funds.models import Grant


def grant_list(*, status: str | None = None) -> QuerySet[Grant]:
    qs = Grant.objects.select_related("profile__user", "decided_by").order_by("-created_at")
    return qs.filter(status=status) if status else qs
