"""Reads for the staff workbench landing page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from talentport.catalog.models import Department, LifeEvent, ServiceItem, Specialist
from talentport.people.models import Role, User


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    admin_url_name: str = ""


def workbench_counts() -> list[Figure]:
    """Headline counts of the catalog and the accounts."""
    services = ServiceItem.objects.valid_on().count()
    return [
        Figure(_("现行服务事项"), services, "admin:catalog_serviceitem_changelist"),
        Figure(_("办事部门"), Department.objects.count(), "admin:catalog_department_changelist"),
        Figure(_("服务专员"), Specialist.objects.count(), "admin:catalog_specialist_changelist"),
        Figure(_("人生事件"), LifeEvent.objects.count(), "admin:catalog_lifeevent_changelist"),
        Figure(_("用户"), User.objects.count(), "admin:people_user_changelist"),
    ]


def users_by_role() -> list[tuple[str, int]]:
    rows = User.objects.values("role").annotate(n=Count("id"))
    counts = {row["role"]: row["n"] for row in rows}
    return [(str(label), counts.get(value, 0)) for value, label in Role.choices]
