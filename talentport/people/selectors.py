"""Reads of the people app."""

from __future__ import annotations

from talentport.people.models import User


def user_username_taken(*, username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()
