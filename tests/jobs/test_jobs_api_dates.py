"""Dates of events and fairs created through the API lie in 2000—2100, as on the forms.

Found by schemathesis: an event starting ``0112-08-21T16:07:24Z`` was created (201) and
then shown as ``0112-08-22T00:13:07+08:05:43`` — Beijing's local mean time before 1901,
not a valid RFC 3339 time, which clients reading the documented ``date-time`` reject.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from talentport.jobs.models import Event, JobFair

pytestmark = pytest.mark.django_db

EVENT = {"kind": "pre_departure", "title": "行前培训", "capacity": 30, "location": "市南区"}
FAIR = {"name": "春季留学人员招聘会", "venue": "青岛国际会展中心"}


@pytest.fixture
def api(staff: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff)
    return client


@pytest.mark.parametrize(
    "times",
    [
        {"starts_at": "0112-08-21T16:07:24Z"},
        {"starts_at": "1999-12-31T09:00:00+08:00"},
        {"starts_at": "2101-01-01T09:00:00+08:00"},
        {"starts_at": "2099-09-01T09:00:00+08:00", "ends_at": "0001-01-01T00:00:00Z"},
    ],
)
def test_an_event_outside_the_plausible_years_is_refused(api: APIClient, times: dict) -> None:
    # when
    response = api.post("/api/v1/events", {**EVENT, **times}, format="json")

    # then
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [next(reversed(times))]
    assert response.json()["errors"][0]["code"] == "out_of_range"
    assert not Event.objects.exists()


def test_an_event_in_the_plausible_years_is_shown_in_beijing_time(api: APIClient) -> None:
    # when
    response = api.post(
        "/api/v1/events", {**EVENT, "starts_at": "2000-01-01T00:00:00Z"}, format="json"
    )

    # then
    assert response.status_code == 201
    assert response.json()["starts_at"] == "2000-01-01T08:00:00+08:00"


@pytest.mark.parametrize(
    "dates",
    [{"starts_on": "0112-08-21"}, {"starts_on": "2099-04-01", "ends_on": "9999-12-31"}],
)
def test_a_fair_outside_the_plausible_years_is_refused(api: APIClient, dates: dict) -> None:
    # when
    response = api.post("/api/v1/jobs/fairs", {**FAIR, **dates}, format="json")

    # then
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [next(reversed(dates))]
    assert not JobFair.objects.exists()
