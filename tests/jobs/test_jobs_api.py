"""API v1 of the jobs app: shapes, 400 naming the field, 404, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from talentport.jobs import services
from talentport.jobs.models import JobFair

pytestmark = pytest.mark.django_db
NIL = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def fields(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def test_positions_list_filters_and_rejects_bad_params(api, verified_org, employer, new_position):
    position = new_position(verified_org, employer)
    ok = api.get("/api/v1/jobs/positions", {"industry": "new_materials"})
    assert ok.status_code == 200 and ok.json()["count"] == 1
    assert ok.json()["results"][0]["id"] == str(position.uuid)
    assert api.get("/api/v1/jobs/positions", {"district": "mars"}).status_code == 400
    assert fields(api.get("/api/v1/jobs/positions", {"district": "mars"})) == ["district"]
    assert fields(api.get("/api/v1/jobs/positions", {"page": "x"})) == ["page"]
    assert fields(api.get("/api/v1/jobs/positions", {"page": "9"})) == ["page"]
    assert api.get("/api/v1/jobs/positions/" + str(position.uuid)).status_code == 200
    assert api.get("/api/v1/jobs/positions/" + NIL).status_code == 404
    assert api.get("/api/v1/jobs/positions/garbage").status_code == 404


def test_register_then_match_through_the_api(api, applicant, verified_org, employer, new_position):
    position = new_position(verified_org, employer)
    assert api.get("/api/v1/jobs/matches").status_code == 401
    api.force_authenticate(applicant)
    assert api.get("/api/v1/jobs/matches").status_code == 404  # not registered yet
    bad = api.post("/api/v1/talent-pool/registration", {"full_name": "王"}, format="json")
    assert bad.status_code == 400 and "degree" in fields(bad)
    body = {
        "full_name": "王博士",
        "school": "曼彻斯特大学",
        "country": "英国",
        "major": "材料科学",
        "major_field": "materials",
        "degree": "doctor",
        "abroad_status": "returned",
        "expected_graduation": "2024-06-30",
        "intended_districts": ["laoshan"],
        "industries": ["new_materials"],
        "salary_expectation": "300000",
        "contact_consent": True,
    }
    created = api.post("/api/v1/talent-pool/registration", body, format="json")
    assert created.status_code == 200, created.json()
    assert created.json()["profile_education"]["degree"] == "doctor"
    matches = api.get("/api/v1/jobs/matches").json()
    assert matches[0]["position"]["id"] == str(position.uuid) and matches[0]["score"] == 100
    assert len(matches[0]["reasons"]) == 5
    assert fields(api.get("/api/v1/jobs/matches", {"limit": "0"})) == ["limit"]
    wrong = api.post(
        "/api/v1/talent-pool/registration", {**body, "ambassador_code": "zzz"}, format="json"
    )
    assert wrong.status_code == 400 and fields(wrong) == ["ambassador_code"]


def test_candidates_api_only_for_the_owner_employer(
    api, applicant, employer, verified_org, new_position, register_entry
):
    register_entry(applicant)
    position = new_position(verified_org, employer)
    url = "/api/v1/jobs/positions/" + str(position.uuid) + "/candidates"
    api.force_authenticate(applicant)
    assert api.get(url).status_code == 403
    api.force_authenticate(employer)
    data = api.get(url).json()
    assert [c["candidate"]["full_name"] for c in data] == ["王博士"]
    assert api.get("/api/v1/jobs/positions/" + NIL + "/candidates").status_code == 404


def test_events_registration_api(api, staff, applicant, other_applicant):
    tour = services.event_create(
        actor=staff,
        kind="alumni",
        title="留学人员联谊会",
        capacity=1,
        publish=True,
        starts_at=timezone.now() + dt.timedelta(days=3),
    )
    assert api.get("/api/v1/events").json()[0]["title"] == "留学人员联谊会"
    assert fields(api.get("/api/v1/events", {"kind": "party"})) == ["kind"]
    url = "/api/v1/events/" + str(tour.uuid) + "/registration"
    api.force_authenticate(applicant)
    first = api.post(url)
    assert first.status_code == 201 and first.json()["status"] == "confirmed"
    assert api.post(url).status_code == 409
    api.force_authenticate(other_applicant)
    second = api.post(url).json()
    assert second["status"] == "waitlisted" and second["waitlist_position"] == 1
    api.force_authenticate(applicant)
    assert api.delete(url).json()["status"] == "cancelled"
    api.force_authenticate(other_applicant)
    assert api.delete(url).json()["status"] == "cancelled"
    assert api.post("/api/v1/events/" + NIL + "/registration").status_code == 404


def test_fair_summary_and_ambassador_stats(api, staff, applicant):
    services.jobs_seed_load()
    fair = JobFair.objects.get(slug="lanqiahui-25")
    summary = api.get("/api/v1/jobs/fairs/" + str(fair.uuid) + "/summary").json()
    assert summary["is_historical"] and summary["reported"]["employers_by_type"][0]["count"] == 129
    assert api.get("/api/v1/jobs/fairs/" + NIL + "/summary").status_code == 404
    api.force_authenticate(applicant)
    assert api.get("/api/v1/jobs/ambassadors/stats").status_code == 403
    api.force_authenticate(staff)
    stats = api.get("/api/v1/jobs/ambassadors/stats").json()
    assert stats["reported"]["countries"] == 21 and stats["measured"]["ambassadors"] == 0
