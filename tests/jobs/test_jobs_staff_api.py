"""API v1 of the jobs app: staff, employer and person operations (success and refusals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from talentport.jobs import services
from talentport.jobs.models import (
    EmployerOrg,
    Event,
    EventRegistration,
    JobFair,
    Position,
    Referral,
)
from talentport.people.models import Role

from .conftest import make_user

pytestmark = pytest.mark.django_db
NIL = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def codes(response: Any) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def as_user(api: APIClient, user: Any) -> APIClient:
    api.force_authenticate(user)
    return api


def soon(days: int = 3) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def published_event(staff: Any, capacity: int = 5) -> Event:
    return services.event_create(
        actor=staff,
        kind="alumni",
        title="留学人员联谊会",
        capacity=capacity,
        publish=True,
        starts_at=soon(),
    )


def published_fair(staff: Any, **extra: Any) -> JobFair:
    return services.fair_create(
        actor=staff,
        name="第26届蓝洽会",
        starts_on=timezone.localdate() + dt.timedelta(days=10),
        venue="青岛国际会展中心",
        publish=True,
        **extra,
    )


# --- events --------------------------------------------------------------------------


EVENT_BODY = {
    "kind": "pre_departure",
    "title": "行前培训",
    "starts_at": "2099-09-01T09:00:00+08:00",
    "capacity": 30,
    "location": "市南区",
}


def test_event_create_by_staff_as_draft(api, staff, applicant):
    assert api.post("/api/v1/events", EVENT_BODY, format="json").status_code == 401
    assert (
        as_user(api, applicant).post("/api/v1/events", EVENT_BODY, format="json").status_code == 403
    )
    as_user(api, staff)
    bad = api.post("/api/v1/events", {**EVENT_BODY, "capacity": 0}, format="json")
    assert bad.status_code == 400 and fields(bad) == ["capacity"]
    assert fields(api.post("/api/v1/events", {**EVENT_BODY, "kind": "party"}, format="json")) == [
        "kind"
    ]
    missing = api.post("/api/v1/events", {"title": "x"}, format="json")
    assert {"kind", "starts_at", "capacity"} <= set(fields(missing))
    early = api.post(
        "/api/v1/events", {**EVENT_BODY, "ends_at": "2099-08-01T09:00:00+08:00"}, format="json"
    )
    assert early.status_code == 400 and fields(early) == ["ends_at"]
    created = api.post("/api/v1/events", EVENT_BODY, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["capacity"] == 30 and body["seats_left"] == 30
    assert api.get("/api/v1/events").json() == []  # drafts are not listed
    published = api.post("/api/v1/events", {**EVENT_BODY, "publish": True}, format="json")
    assert published.json()["status"] == "published"
    assert [e["id"] for e in api.get("/api/v1/events").json()] == [published.json()["id"]]


def test_event_publish(api, staff, applicant):
    event = services.event_create(
        actor=staff, kind="study_tour", title="创业研学", capacity=10, starts_at=soon()
    )
    url = "/api/v1/events/" + str(event.uuid) + "/publish"
    assert api.post(url).status_code == 401
    assert as_user(api, applicant).post(url).status_code == 403
    as_user(api, staff)
    done = api.post(url)
    assert done.status_code == 200 and done.json()["status"] == "published"
    assert done.json()["published_at"]
    again = api.post(url)
    assert again.status_code == 409 and codes(again) == ["invalid_transition"]
    assert api.post("/api/v1/events/" + NIL + "/publish").status_code == 404
    assert api.post("/api/v1/events/garbage/publish").status_code == 404


def test_event_attendance(api, staff, applicant, other_applicant):
    event = published_event(staff, capacity=1)
    first = services.event_register(event=event, user=applicant)
    waiting = services.event_register(event=event, user=other_applicant)
    url = "/api/v1/events/" + str(event.uuid) + "/attendance"
    body = {"registrations": [str(first.uuid)], "attended": True}
    assert api.post(url, body, format="json").status_code == 401
    assert as_user(api, applicant).post(url, body, format="json").status_code == 403
    as_user(api, staff)
    done = api.post(url, body, format="json")
    assert done.status_code == 200, done.json()
    assert done.json() == {
        "event": str(event.uuid),
        "registrations": [{"id": str(first.uuid), "status": "confirmed", "attended": True}],
    }
    # A waitlisted registration cannot attend: nothing is changed, not even the first one.
    refused = api.post(
        url,
        {"registrations": [str(first.uuid), str(waiting.uuid)], "attended": False},
        format="json",
    )
    assert refused.status_code == 409 and codes(refused) == ["invalid_transition"]
    first.refresh_from_db()
    assert first.attended is True
    unknown = api.post(url, {"registrations": [NIL], "attended": True}, format="json")
    assert unknown.status_code == 404 and fields(unknown) == ["registrations"]
    malformed = api.post(url, {"registrations": ["x"], "attended": True}, format="json")
    assert malformed.status_code == 400 and fields(malformed) == ["registrations.0"]
    empty = api.post(url, {"registrations": [], "attended": True}, format="json")
    assert empty.status_code == 400 and fields(empty) == ["registrations"]
    no_flag = api.post(url, {"registrations": [str(first.uuid)]}, format="json")
    assert no_flag.status_code == 400 and fields(no_flag) == ["attended"]
    assert api.post("/api/v1/events/" + NIL + "/attendance", body, format="json").status_code == 404


def test_event_feedback_submit_and_summary(api, staff, applicant, other_applicant):
    event = published_event(staff)
    registration = services.event_register(event=event, user=applicant)
    url = "/api/v1/events/" + str(event.uuid) + "/feedback"
    assert api.post(url, {"rating": 5}, format="json").status_code == 401
    as_user(api, applicant)
    early = api.post(url, {"rating": 5}, format="json")
    assert early.status_code == 409  # not started yet
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    bad = api.post(url, {"rating": 6}, format="json")
    assert bad.status_code == 400 and fields(bad) == ["rating"]
    done = api.post(url, {"rating": 4, "comment": " 很有帮助 "}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json() == {
        "id": str(registration.uuid),
        "event": str(event.uuid),
        "rating": 4,
        "comment": "很有帮助",
    }
    # the summary is for staff only
    assert api.get(url).status_code == 403
    missing = as_user(api, other_applicant).post(url, {"rating": 3}, format="json")
    assert missing.status_code == 404 and fields(missing) == ["id"]
    assert (
        api.post("/api/v1/events/" + NIL + "/feedback", {"rating": 3}, format="json").status_code
        == 404
    )
    EventRegistration.objects.filter(pk=registration.pk).update(attended=True)
    summary = as_user(api, staff).get(url)
    assert summary.status_code == 200
    data = summary.json()
    assert data["count"] == 1 and data["average"] == 4.0 and data["attended"] == 1
    assert data["attendance_rate"] == 1.0 and data["response_rate"] == 1.0
    assert [d["count"] for d in data["distribution"]] == [0, 1, 0, 0, 0]
    assert data["comments"][0]["comment"] == "很有帮助"
    assert api.get("/api/v1/events/" + NIL + "/feedback").status_code == 404


# --- job fairs -----------------------------------------------------------------------


FAIR_BODY = {"name": "春季留学人员招聘会", "starts_on": "2099-04-01", "venue": "青岛国际会展中心"}


def test_fair_create_list_and_publish(api, staff, applicant):
    assert api.post("/api/v1/jobs/fairs", FAIR_BODY, format="json").status_code == 401
    assert (
        as_user(api, applicant).post("/api/v1/jobs/fairs", FAIR_BODY, format="json").status_code
        == 403
    )
    as_user(api, staff)
    missing = api.post(
        "/api/v1/jobs/fairs", {"name": "x", "starts_on": "2099-04-01"}, format="json"
    )
    assert missing.status_code == 400 and fields(missing) == ["venue"]
    early = api.post("/api/v1/jobs/fairs", {**FAIR_BODY, "ends_on": "2099-03-01"}, format="json")
    assert early.status_code == 400 and fields(early) == ["ends_on"]
    bad_capacity = api.post("/api/v1/jobs/fairs", {**FAIR_BODY, "capacity": 0}, format="json")
    assert fields(bad_capacity) == ["capacity"]
    created = api.post("/api/v1/jobs/fairs", {**FAIR_BODY, "capacity": 200}, format="json")
    assert created.status_code == 201, created.json()
    fair = created.json()
    assert fair["status"] == "draft" and fair["capacity"] == 200 and fair["published_at"] is None
    assert [f["id"] for f in api.get("/api/v1/jobs/fairs").json()] == [fair["id"]]  # staff
    api.force_authenticate(None)
    assert api.get("/api/v1/jobs/fairs").json() == []  # the public sees published fairs only
    url = "/api/v1/jobs/fairs/" + fair["id"] + "/publish"
    assert api.post(url).status_code == 401
    assert as_user(api, applicant).post(url).status_code == 403
    assert api.get("/api/v1/jobs/fairs").json() == []
    as_user(api, staff)
    done = api.post(url)
    assert done.status_code == 200 and done.json()["status"] == "published"
    again = api.post(url)
    assert again.status_code == 409 and codes(again) == ["invalid_transition"]
    assert api.post("/api/v1/jobs/fairs/" + NIL + "/publish").status_code == 404
    assert api.post("/api/v1/jobs/fairs/garbage/publish").status_code == 404
    api.force_authenticate(None)
    assert [f["id"] for f in api.get("/api/v1/jobs/fairs").json()] == [fair["id"]]


def test_fair_candidate_signup_and_check_in(api, staff, applicant, other_applicant, employer):
    fair = published_fair(staff, capacity=1)
    url = "/api/v1/jobs/fairs/" + str(fair.uuid) + "/candidates"
    assert api.post(url).status_code == 401
    assert as_user(api, employer).post(url).status_code == 403
    signed = as_user(api, applicant).post(url)
    assert signed.status_code == 201, signed.json()
    assert signed.json()["status"] == "signed_up" and signed.json()["fair"] == str(fair.uuid)
    again = api.post(url)
    assert again.status_code == 409 and codes(again) == ["already_registered"]
    full = as_user(api, other_applicant).post(url)
    assert full.status_code == 409 and codes(full) == ["event_not_open"]
    assert api.post("/api/v1/jobs/fairs/" + NIL + "/candidates").status_code == 404
    draft = services.fair_create(
        actor=staff, name="草稿招聘会", starts_on=dt.date(2099, 5, 1), venue="崂山"
    )
    assert api.post("/api/v1/jobs/fairs/" + str(draft.uuid) + "/candidates").status_code == 404

    check_in = "/api/v1/jobs/fairs/" + str(fair.uuid) + "/check-ins"
    body = {"candidate": signed.json()["id"]}
    assert as_user(api, applicant).post(check_in, body, format="json").status_code == 403
    as_user(api, staff)
    done = api.post(check_in, body, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "checked_in" and done.json()["checked_in_at"]
    twice = api.post(check_in, body, format="json")
    assert twice.status_code == 409 and codes(twice) == ["invalid_transition"]
    unknown = api.post(check_in, {"candidate": NIL}, format="json")
    assert unknown.status_code == 404 and fields(unknown) == ["candidate"]
    malformed = api.post(check_in, {"candidate": "x"}, format="json")
    assert malformed.status_code == 400 and fields(malformed) == ["candidate"]
    other_fair = published_fair(staff)
    elsewhere = api.post(
        "/api/v1/jobs/fairs/" + str(other_fair.uuid) + "/check-ins", body, format="json"
    )
    assert elsewhere.status_code == 404
    assert (
        api.post("/api/v1/jobs/fairs/" + NIL + "/check-ins", body, format="json").status_code == 404
    )


def test_fair_employer_registration(api, staff, applicant, employer, verified_org):
    fair = published_fair(staff)
    url = "/api/v1/jobs/fairs/" + str(fair.uuid) + "/employers"
    assert api.post(url).status_code == 401
    assert as_user(api, applicant).post(url).status_code == 403
    assert as_user(api, staff).post(url).status_code == 403
    done = as_user(api, employer).post(url)
    assert done.status_code == 201, done.json()
    assert done.json()["org"]["id"] == str(verified_org.uuid)
    assert done.json()["org_type"] == "private"
    again = api.post(url)
    assert again.status_code == 409 and codes(again) == ["already_registered"]
    assert api.post("/api/v1/jobs/fairs/" + NIL + "/employers").status_code == 404
    JobFair.objects.filter(pk=fair.pk).update(is_historical=True)
    other = published_fair(staff)
    JobFair.objects.filter(pk=other.pk).update(is_historical=True)
    closed = api.post("/api/v1/jobs/fairs/" + str(other.uuid) + "/employers")
    assert closed.status_code == 409 and codes(closed) == ["event_not_open"]
    # an employer account without an organisation, and one whose organisation is pending
    newcomer = make_user("hr2", Role.EMPLOYER)
    fresh = published_fair(staff)
    fresh_url = "/api/v1/jobs/fairs/" + str(fresh.uuid) + "/employers"
    none_yet = as_user(api, newcomer).post(fresh_url)
    assert none_yet.status_code == 409 and codes(none_yet) == ["no_employer_org"]
    services.employer_org_save(user=newcomer, name="新单位", org_type="other")
    pending = api.post(fresh_url)
    assert pending.status_code == 403 and codes(pending) == ["org_not_verified"]


# --- ambassadors and referrals -------------------------------------------------------


AMBASSADOR_BODY = {"name": "张同学", "country": "英国", "university": "帝国理工学院"}


def test_ambassador_create(api, staff, applicant):
    url = "/api/v1/jobs/ambassadors"
    assert api.post(url, AMBASSADOR_BODY, format="json").status_code == 401
    assert as_user(api, applicant).post(url, AMBASSADOR_BODY, format="json").status_code == 403
    as_user(api, staff)
    missing = api.post(url, {"country": "英国", "university": "帝国理工学院"}, format="json")
    assert missing.status_code == 400 and fields(missing) == ["name"]
    bad_code = api.post(url, {**AMBASSADOR_BODY, "code": "a b"}, format="json")
    assert bad_code.status_code == 400 and fields(bad_code) == ["code"]
    generated = api.post(url, AMBASSADOR_BODY, format="json")
    assert generated.status_code == 201 and generated.json()["code"].startswith("amb-")
    named = api.post(
        url, {**AMBASSADOR_BODY, "code": "ic-zhang", "appointed_on": "2025-03-01"}, format="json"
    )
    assert named.status_code == 201, named.json()
    assert named.json()["code"] == "ic-zhang" and named.json()["appointed_on"] == "2025-03-01"
    taken = api.post(url, {**AMBASSADOR_BODY, "code": "IC-ZHANG"}, format="json")
    assert taken.status_code == 409 and fields(taken) == ["code"]
    # the stats path beside it still answers
    assert api.get("/api/v1/jobs/ambassadors/stats").json()["measured"]["ambassadors"] == 2


def test_referral_advance(api, staff, applicant, register_entry):
    ambassador = services.ambassador_create(
        actor=staff, name="张同学", country="英国", university="帝国理工学院", code="ic-zhang"
    )
    register_entry(applicant, ambassador_code="ic-zhang")
    referral = Referral.objects.get(ambassador=ambassador)
    url = "/api/v1/jobs/referrals/" + str(referral.uuid) + "/advance"
    assert api.post(url, {"status": "applied"}, format="json").status_code == 401
    assert (
        as_user(api, applicant).post(url, {"status": "returned"}, format="json").status_code == 403
    )
    as_user(api, staff)
    bad = api.post(url, {"status": "hired"}, format="json")
    assert bad.status_code == 400 and fields(bad) == ["status"]
    assert fields(api.post(url, {}, format="json")) == ["status"]
    done = api.post(url, {"status": "applied", "reason": "已投递"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "applied" and done.json()["ambassador_name"] == "张同学"
    backwards = api.post(url, {"status": "registered"}, format="json")
    assert backwards.status_code == 409 and fields(backwards) == ["status"]
    assert api.post(url, {"status": "returned"}, format="json").json()["status"] == "returned"
    again = api.post(url, {"status": "returned"}, format="json")
    assert again.status_code == 409 and codes(again) == ["invalid_transition"]
    assert (
        api.post(
            "/api/v1/jobs/referrals/" + NIL + "/advance", {"status": "applied"}, format="json"
        ).status_code
        == 404
    )
    assert (
        api.post(
            "/api/v1/jobs/referrals/garbage/advance", {"status": "applied"}, format="json"
        ).status_code
        == 404
    )


# --- employers -----------------------------------------------------------------------


ORG_BODY = {
    "name": "青岛蓝海智能装备有限公司",
    "org_type": "private",
    "credit_code": "91370200mA3abcde1x",
    "district": "laoshan",
    "contact_name": "刘经理",
    "contact_phone": "0532-88888888",
}


def test_employer_org_get_and_put(api, employer, applicant, staff):
    url = "/api/v1/jobs/employer"
    assert api.get(url).status_code == 401
    assert api.put(url, ORG_BODY, format="json").status_code == 401
    assert as_user(api, applicant).get(url).status_code == 403
    assert api.put(url, ORG_BODY, format="json").status_code == 403
    as_user(api, employer)
    none_yet = api.get(url)
    assert none_yet.status_code == 404 and fields(none_yet) == ["employer"]
    bad_type = api.put(url, {**ORG_BODY, "org_type": "ngo"}, format="json")
    assert bad_type.status_code == 400 and fields(bad_type) == ["org_type"]
    bad_district = api.put(url, {**ORG_BODY, "district": "mars"}, format="json")
    assert fields(bad_district) == ["district"]
    assert fields(api.put(url, {"org_type": "private"}, format="json")) == ["name"]
    created = api.put(url, ORG_BODY, format="json")
    assert created.status_code == 201, created.json()
    org = created.json()
    assert org["verification_status"] == "pending" and org["credit_code"] == "91370200MA3ABCDE1X"
    assert api.get(url).json()["id"] == org["id"]
    changed = api.put(url, {**ORG_BODY, "district": "", "contact_name": "王经理"}, format="json")
    assert changed.status_code == 200 and changed.json()["district"] == ""
    assert changed.json()["id"] == org["id"]
    services.employer_org_verify(
        org=EmployerOrg.objects.get(uuid=org["id"]), actor=staff, decision="verified"
    )
    unchanged = api.put(url, {**ORG_BODY, "district": "", "contact_name": "王经理"}, format="json")
    assert unchanged.status_code == 400 and fields(unchanged) == ["name"]
    request_change = api.put(url, ORG_BODY, format="json")
    assert request_change.status_code == 200
    assert request_change.json()["verification_status"] == "pending"


def test_employer_verification(api, staff, employer):
    org = services.employer_org_save(user=employer, name="青岛测试单位", org_type="state_owned")
    url = "/api/v1/jobs/employers/" + str(org.uuid) + "/verification"
    assert api.post(url, {"decision": "verified"}, format="json").status_code == 401
    assert (
        as_user(api, employer).post(url, {"decision": "verified"}, format="json").status_code == 403
    )
    as_user(api, staff)
    no_note = api.post(url, {"decision": "rejected"}, format="json")
    assert no_note.status_code == 400 and fields(no_note) == ["note"]
    pending = api.post(url, {"decision": "pending"}, format="json")
    assert pending.status_code == 400 and fields(pending) == ["decision"]
    rejected = api.post(url, {"decision": "rejected", "note": "信用代码有误"}, format="json")
    assert rejected.status_code == 200, rejected.json()
    assert rejected.json()["verification_status"] == "rejected"
    assert rejected.json()["verification_note"] == "信用代码有误"
    twice = api.post(url, {"decision": "rejected", "note": "再次"}, format="json")
    assert twice.status_code == 409 and fields(twice) == ["decision"]
    verified = api.post(url, {"decision": "verified"}, format="json")
    assert verified.status_code == 200 and verified.json()["verification_status"] == "verified"
    assert api.post(url, {"decision": "verified"}, format="json").status_code == 409
    nil = "/api/v1/jobs/employers/" + NIL + "/verification"
    assert api.post(nil, {"decision": "verified"}, format="json").status_code == 404
    garbage = "/api/v1/jobs/employers/garbage/verification"
    assert api.post(garbage, {"decision": "verified"}, format="json").status_code == 404


# --- positions -----------------------------------------------------------------------


POSITION_BODY = {
    "title": "水下机器人算法工程师",
    "industry": "marine",
    "degree": "master",
    "major_fields": ["computing", "mechanical"],
    "salary_min": "200000",
    "salary_max": "400000",
    "district": "laoshan",
    "headcount": 2,
}


def test_position_create(api, employer, verified_org, applicant, staff):
    url = "/api/v1/jobs/positions"
    assert api.post(url, POSITION_BODY, format="json").status_code == 401
    assert as_user(api, applicant).post(url, POSITION_BODY, format="json").status_code == 403
    assert as_user(api, staff).post(url, POSITION_BODY, format="json").status_code == 403
    as_user(api, employer)
    low = api.post(url, {**POSITION_BODY, "salary_max": "100000"}, format="json")
    assert low.status_code == 400 and fields(low) == ["salary_max"]
    assert fields(api.post(url, {**POSITION_BODY, "industry": "mining"}, format="json")) == [
        "industry"
    ]
    assert fields(api.post(url, {**POSITION_BODY, "degree": "phd"}, format="json")) == ["degree"]
    bad_major = api.post(url, {**POSITION_BODY, "major_fields": ["alchemy"]}, format="json")
    assert fields(bad_major) == ["major_fields.0"]
    assert fields(api.post(url, {**POSITION_BODY, "headcount": 0}, format="json")) == ["headcount"]
    created = api.post(url, POSITION_BODY, format="json")
    assert created.status_code == 201, created.json()
    position = created.json()
    assert position["status"] == "open" and position["org"]["id"] == str(verified_org.uuid)
    assert position["major_fields"] == ["computing", "mechanical"] and position["headcount"] == 2
    listed = api.get(url).json()
    assert [p["id"] for p in listed["results"]] == [position["id"]]
    # an employer account without an organisation, and one whose organisation is pending
    newcomer = make_user("hr2", Role.EMPLOYER)
    none_yet = as_user(api, newcomer).post(url, POSITION_BODY, format="json")
    assert none_yet.status_code == 409 and codes(none_yet) == ["no_employer_org"]
    services.employer_org_save(user=newcomer, name="新单位", org_type="other")
    pending = api.post(url, POSITION_BODY, format="json")
    assert pending.status_code == 403 and codes(pending) == ["org_not_verified"]


def test_position_close(api, employer, verified_org, applicant, staff, new_position):
    position = new_position(verified_org, employer)
    detail = "/api/v1/jobs/positions/" + str(position.uuid)
    url = detail + "/close"
    assert api.get(detail).status_code == 200  # the detail path still answers beside /close
    assert api.post(url).status_code == 401
    assert as_user(api, applicant).post(url).status_code == 403
    rival = make_user("hr2", Role.EMPLOYER)
    rival_org = services.employer_org_save(user=rival, name="别家单位", org_type="private")
    services.employer_org_verify(org=rival_org, actor=staff, decision="verified")
    assert as_user(api, rival).post(url).status_code == 404  # not their position
    as_user(api, employer)
    done = api.post(url)
    assert done.status_code == 200 and done.json()["status"] == "closed"
    again = api.post(url)
    assert again.status_code == 409 and codes(again) == ["invalid_transition"]
    assert Position.objects.get(pk=position.pk).status == "closed"
    assert api.get(detail).status_code == 404  # no longer public
    assert api.post("/api/v1/jobs/positions/" + NIL + "/close").status_code == 404
    assert api.post("/api/v1/jobs/positions/garbage/close").status_code == 404


def test_position_apply(
    api, employer, verified_org, applicant, other_applicant, new_position, register_entry
):
    position = new_position(verified_org, employer)
    register_entry(applicant)
    url = "/api/v1/jobs/positions/" + str(position.uuid) + "/applications"
    assert api.post(url).status_code == 401
    assert as_user(api, employer).post(url).status_code == 403
    no_entry = as_user(api, other_applicant).post(url)
    assert no_entry.status_code == 404 and fields(no_entry) == ["talent_pool"]
    done = as_user(api, applicant).post(url)
    assert done.status_code == 201, done.json()
    assert done.json()["position"] == str(position.uuid) and done.json()["score"] == 100
    again = api.post(url)
    assert again.status_code == 409 and codes(again) == ["already_registered"]
    assert api.post("/api/v1/jobs/positions/" + NIL + "/applications").status_code == 404
    assert api.post("/api/v1/jobs/positions/garbage/applications").status_code == 404
    closed = new_position(verified_org, employer, title="已结束岗位")
    services.position_close(position=closed, actor=employer)
    gone = api.post("/api/v1/jobs/positions/" + str(closed.uuid) + "/applications")
    assert gone.status_code == 404
