"""The jobs service is Qingdao's: staff of other cities and department specialists are
refused its staff pages, its staff API and its staff services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from talentport.jobs import services
from talentport.jobs.errors import JobsError
from talentport.people.models import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "jurisdiction"),
    [
        (Role.WINDOW_SPECIALIST, "weihai"),
        (Role.ADMINISTRATOR, "liaocheng"),
        (Role.DEPARTMENT_SPECIALIST, "qingdao"),
        (Role.WINDOW_SPECIALIST, "qingdao.shinan"),
    ],
)
def test_staff_out_of_scope_are_refused(role: str, jurisdiction: str) -> None:
    # given
    outsider = staff_user("outsider", role, jurisdiction=jurisdiction)
    client = Client()
    client.force_login(outsider)
    # when / then
    assert client.get("/jobs/staff/pool/").status_code == 403
    assert client.get("/jobs/staff/").status_code == 403
    assert client.get("/api/v1/jobs/ambassadors/stats").status_code == 403
    with pytest.raises(JobsError):
        services.ambassador_create(actor=outsider, name="x", country="英国", university="Oxford")


def test_qingdao_staff_are_let_in(client: Any) -> None:
    client.force_login(staff_user("qd-window", Role.WINDOW_SPECIALIST))
    assert client.get("/jobs/staff/pool/").status_code == 200
    assert client.get("/api/v1/jobs/ambassadors/stats").status_code == 200
