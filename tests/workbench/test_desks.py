"""The workbench offers each account the desks it may use, and no other."""

from __future__ import annotations

import pytest
from django.test import Client

from talentport.catalog.models import Department
from talentport.people.models import Role
from tests.factories import staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_catalog")]


def desks_of(user: object) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get("/workbench/")
    assert response.status_code == 200
    body = response.content.decode()
    return body[body.index('id="desks"') : body.index("</ul>", body.index('id="desks"'))]


def test_a_window_specialist_sees_archives_jobs_and_assistance_only() -> None:
    desks = desks_of(staff_user("w", Role.WINDOW_SPECIALIST))
    for url in ("/archives/staff/", "/jobs/staff/", "/cases/assist/"):
        assert url in desks
    for url in ("/cases/workbench/supervision/", "/policies/staff/grants/", "/workbench/staff/"):
        assert url not in desks
    assert "/workbench/audit/" not in desks


def test_a_department_specialist_sees_the_queue_and_grants_not_archives() -> None:
    department = Department.objects.filter(jurisdiction__code="qingdao").first()
    desks = desks_of(
        staff_user("d", Role.DEPARTMENT_SPECIALIST, jurisdiction=None, department=department)
    )
    assert "/cases/workbench/" in desks and "/policies/staff/grants/" in desks
    assert "/archives/staff/" not in desks and "/jobs/staff/" not in desks


def test_the_auditor_opens_the_workbench_and_sees_the_audit_desk_only() -> None:
    desks = desks_of(staff_user("a", Role.AUDITOR, jurisdiction=None))
    assert "/workbench/audit/" in desks
    assert "/cases/workbench/" not in desks and "/archives/staff/" not in desks


def test_an_account_without_scope_is_told_to_ask_an_administrator() -> None:
    desks = desks_of(staff_user("n", Role.WINDOW_SPECIALIST, jurisdiction=None))
    assert "尚未设置权限范围" in desks
