"""Reads of the notify app."""

from __future__ import annotations

from django.db.models import QuerySet

from talentport.notify.models import Message


def message_list_for(*, user: object) -> QuerySet[Message]:
    return Message.objects.filter(recipient=user).order_by("-created_at", "-id")


def message_unread_count(*, user: object) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()
