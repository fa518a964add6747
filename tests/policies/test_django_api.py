"""API v1 for policies: list, publish (staff), my profile, districts, grants."""

from __future__ import annotations

import pytest
from django.test import Client

from talentport.funds.models import Grant, GrantStatus
from talentport.people.models import Role, TalentProfile, User
from talentport.policies.services import policies_sync
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

DOCTOR = {
    "as_of": "2026-11-22",
    "education": {
        "degree": "doctor",
        "overseas": True,
        "graduation_date": "2025-01-20",
        "cscse_certified": True,
    },
    "employment": {
        "kind": "employee",
        "city": "qingdao",
        "district": "shibei",
        "start_date": "2025-04-01",
    },
}


@pytest.fixture(autouse=True)
def _synced() -> None:
    policies_sync()


def _user(role: str, name: str) -> User:
    return User.objects.create_user(username=name, password="x-Secret-2026!", role=role)


def test_policy_list_has_contract_ids(client: Client) -> None:
    rows = client.get("/api/v1/policies").json()
    ids = {r["id"] for r in rows}
    assert {"qingdao.graduate_housing_subsidy", "liaocheng.rent_allowance"} <= ids
    housing = next(r for r in rows if r["id"] == "qingdao.graduate_housing_subsidy")
    assert housing["version"] == 1 and housing["benefit"] == "cash"


def test_policy_detail_and_404(client: Client) -> None:
    body = client.get("/api/v1/policies/qingdao.settle_allowance").json()
    assert body["conditions"] and "安家费" in body["title"]
    missing = client.get("/api/v1/policies/nope.nothing")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["field"] == "policy_id"


def test_publish_needs_staff_and_reports_reasons(client: Client) -> None:
    assert client.post("/api/v1/policies", {"text": "x"}, "application/json").status_code == 401
    client.force_login(_user(Role.APPLICANT, "a"))
    assert client.post("/api/v1/policies", {"text": "x"}, "application/json").status_code == 403
    client.force_login(staff_user("root"))
    bad = client.post("/api/v1/policies", {"text": "id: [broken"}, "application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "text"


def test_my_profile_validates_and_saves(client: Client) -> None:
    assert client.get("/api/v1/me/profile").status_code == 401
    user = _user(Role.APPLICANT, "p")
    client.force_login(user)
    bad = client.put(
        "/api/v1/me/profile", {"education": {"degree": "phd"}}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "education.degree"
    ok = client.put("/api/v1/me/profile", DOCTOR, content_type="application/json")
    assert ok.status_code == 200
    assert TalentProfile.objects.get(user=user).data["education"]["degree"] == "doctor"
    assert client.get("/api/v1/me/profile").json()["employment"]["district"] == "shibei"


def test_district_comparison_api(client: Client) -> None:
    rows = client.post("/api/v1/eligibility/districts", DOCTOR, "application/json").json()
    assert len(rows) == 12
    assert [r["district"] for r in rows if r["current"]] == ["shibei"]
    bad = client.post("/api/v1/eligibility/districts", [1, 2], "application/json")
    assert bad.status_code == 400


def test_grant_decision_once(client: Client) -> None:
    person = _user(Role.APPLICANT, "g")
    profile = TalentProfile.objects.create(user=person, data=DOCTOR)
    grant = Grant.objects.create(
        profile=profile,
        policy_id="qingdao.graduate_housing_subsidy",
        policy_version=1,
        title="t",
        jurisdiction="qingdao",
    )
    client.force_login(person)
    assert client.get("/api/v1/grants").status_code == 403
    # a window specialist does not decide grants; a Weihai administrator sees none of Qingdao's
    client.force_login(staff_user("w", Role.WINDOW_SPECIALIST))
    assert client.get("/api/v1/grants?status=pending").status_code == 403
    client.force_login(staff_user("weihai-admin", jurisdiction="weihai"))
    assert client.get("/api/v1/grants?status=pending").json() == []
    url = f"/api/v1/grants/{grant.uuid}/decision"
    assert client.post(url, {"confirm": True}, "application/json").status_code == 404
    client.force_login(staff_user("qd-admin"))
    assert len(client.get("/api/v1/grants?status=pending").json()) == 1
    assert client.get("/api/v1/grants?status=zzz").status_code == 400
    assert client.post(url, {"confirm": "yes"}, "application/json").status_code == 400
    assert client.post(url, {"confirm": True}, "application/json").status_code == 200
    again = client.post(url, {"confirm": False, "reason": "重复"}, "application/json")
    assert again.status_code == 409
    grant.refresh_from_db()
    assert grant.status == GrantStatus.CONFIRMED
