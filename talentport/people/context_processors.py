"""``access`` in every template: what the signed-in account may open, asked lazily of the
one permission model (nothing is queried unless a template looks)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from talentport.people import permissions
from talentport.people.permissions import JOBS_JURISDICTION, Perm


class Access:
    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def workbench(self) -> bool:
        return permissions.is_back_office(self.user)

    @cached_property
    def jobs_staff(self) -> bool:
        return permissions.can(self.user, Perm.JOBS_MANAGE, permissions.Target(JOBS_JURISDICTION))


def access(request: HttpRequest) -> dict[str, Any]:
    return {"access": Access(getattr(request, "user", None))}
