"""Reads of the notify app."""

from __future__ import annotations

from django.db.models import QuerySet

from talentport.notify.models import Message
from talentport.people.models import User


def message_list_for(*, user: User) -> QuerySet[Message]:
    return Message.objects.filter(recipient=user).order_by("-created_at", "-id")


def message_unread_count(*, user: User) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()
