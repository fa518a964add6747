"""Date filters of the audit journal and the PII access log at the ends of the calendar.

Found by schemathesis: ``date_to=9999-12-31`` (the day after it does not exist) and
``date_from=0001-01-01`` (its Beijing midnight is still year 0 in UTC) answered 500 on
the auditor's API and pages.  A bound at an end of the calendar bounds nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from talentport.common.services import audit_event_record
from talentport.people.models import Role, User

pytestmark = pytest.mark.django_db

EDGES = ["date_to=9999-12-31", "date_from=0001-01-01", "date_from=0001-01-01&date_to=9999-12-31"]


@pytest.fixture
def auditor_client() -> Client:
    auditor = User.objects.create_user(
        username="auditor1", password="pw-123456-Aa", role=Role.AUDITOR
    )
    audit_event_record(subject_type="people.user", action="auth.login", actor=auditor)
    client = Client(raise_request_exception=False)
    client.force_login(auditor)
    return client


@pytest.mark.parametrize("query", EDGES)
@pytest.mark.parametrize("url", ["/api/v1/audit/events", "/api/v1/audit/pii-access"])
def test_the_api_takes_dates_at_the_ends_of_the_calendar(
    auditor_client: Client, url: str, query: str
) -> None:
    # when
    response = auditor_client.get(url + "?" + query)

    # then
    assert response.status_code == 200, response.content


def test_a_bound_at_the_end_of_the_calendar_keeps_every_event(auditor_client: Client) -> None:
    # given
    everything = auditor_client.get("/api/v1/audit/events").json()

    # when
    response = auditor_client.get("/api/v1/audit/events?" + EDGES[2])

    # then
    assert everything["count"] >= 1
    assert response.json()["results"] == everything["results"]


@pytest.mark.parametrize("query", EDGES)
@pytest.mark.parametrize("name", ["workbench:audit", "workbench:audit-pii"])
def test_the_pages_take_dates_at_the_ends_of_the_calendar(
    auditor_client: Client, name: str, query: str
) -> None:
    # when
    response: Any = auditor_client.get(reverse(name) + "?" + query)

    # then
    assert response.status_code == 200
