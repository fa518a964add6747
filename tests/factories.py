"""Factories for the tests: accounts of every role, staff with their scopes."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from talentport.people.models import Role, StaffScope, User

PASSWORD = "Test-Password-2026!"


class UserFactory(DjangoModelFactory):  # type: ignore[misc]
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    display_name = factory.LazyAttribute(lambda u: u.username)
    role = Role.APPLICANT
    password = factory.django.Password(PASSWORD)


def staff_user(
    username: str,
    role: str = Role.ADMINISTRATOR,
    *,
    jurisdiction: str | None = "qingdao",
    department: Any = None,
    **extra: Any,
) -> User:
    """A staff account with one scope (``jurisdiction=None``: none besides its department)."""
    user = UserFactory(username=username, role=role, department=department, **extra)
    if jurisdiction is not None:
        StaffScope.objects.get_or_create(user=user, jurisdiction=jurisdiction, department=None)
    return user
