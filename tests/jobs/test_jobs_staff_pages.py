"""Staff create and publish events and job fairs in the back office (not only the admin),
mark attendance and read a feedback summary; fairs keep to their capacity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from talentport.common.models import AuditEvent
from talentport.jobs import selectors, services
from talentport.jobs.errors import JobsError, JobsErrorCode
from talentport.jobs.models import Event, EventStatus, FairStatus, JobFair
from talentport.people.models import Role, User

pytestmark = pytest.mark.django_db


def _local(days: int, hour: int = 9) -> str:
    moment = timezone.localtime() + dt.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT") + f"{hour:02d}:00"


def _people(n: int) -> list[User]:
    return [
        User.objects.create_user(username=f"a{i}", password="x-pw-123456", role=Role.APPLICANT)
        for i in range(n)
    ]


def test_staff_create_a_draft_event_then_publish_it(client, staff):
    # given
    client.force_login(staff)
    # when: a 研学 study tour saved as a draft
    response = client.post(
        "/jobs/staff/events/",
        {
            "kind": "study_tour",
            "title": "感知青岛创新生态创业研学",
            "starts_at": _local(10),
            "ends_at": _local(10, 17),
            "location": "卡奥斯工业互联网平台",
            "capacity": "30",
            "description": "实地考察+专家答疑+需求对接",
        },
    )
    # then
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{event.uuid}/")
    assert event.status == EventStatus.DRAFT and event.capacity == 30
    assert timezone.is_aware(event.starts_at) and timezone.localtime(event.starts_at).hour == 9
    assert client.get("/jobs/events/" + str(event.uuid) + "/").status_code == 404  # not public
    listing = client.get("/jobs/staff/events/").content.decode()
    assert "感知青岛创新生态创业研学" in listing and "草稿" in listing
    # when: published
    client.post(f"/jobs/staff/events/{event.uuid}/publish")
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED and event.published_at is not None
    assert event in selectors.event_list(kind="study_tour")
    assert AuditEvent.objects.filter(subject_id=str(event.uuid), action="event.published").exists()
    # publishing twice is refused, not an error page
    again = client.post(f"/jobs/staff/events/{event.uuid}/publish", follow=True)
    assert again.status_code == 200 and "只有草稿状态的活动可以发布" in again.content.decode()


@pytest.mark.parametrize("kind", ["pre_departure", "alumni"])
def test_every_kind_can_be_published_at_once(client, staff, kind):
    client.force_login(staff)
    client.post(
        "/jobs/staff/events/",
        {
            "kind": kind,
            "title": "活动",
            "starts_at": _local(3),
            "location": "市南区",
            "capacity": "5",
            "publish": "on",
        },
    )
    assert Event.objects.get().status == EventStatus.PUBLISHED


def test_bad_event_input_is_shown_on_the_form(client, staff):
    client.force_login(staff)
    for data in (
        {},
        {"kind": "party", "title": "x", "starts_at": _local(1), "location": "a", "capacity": "1"},
        {"kind": "alumni", "title": "x", "starts_at": "tomorrow", "location": "a", "capacity": "1"},
        {"kind": "alumni", "title": "x", "starts_at": _local(1), "location": "a", "capacity": "0"},
        {
            "kind": "alumni",
            "title": "x",
            "starts_at": "0001-01-01T00:00",
            "location": "a",
            "capacity": "1",
        },
        {
            "kind": "alumni",
            "title": "x",
            "starts_at": _local(2),
            "ends_at": _local(1),
            "location": "a",
            "capacity": "3",
        },
    ):
        response = client.post("/jobs/staff/events/", data)
        assert response.status_code == 200, data
    assert not Event.objects.exists()


def test_staff_pages_are_for_staff(client, applicant):
    assert client.get("/jobs/staff/events/").status_code == 302
    client.force_login(applicant)
    for url in ("/jobs/staff/events/", "/jobs/staff/fairs/"):
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403


def test_attendance_and_feedback_summary(client, staff):
    # given: a published event with three confirmed and one waitlisted
    event = services.event_create(
        actor=staff,
        kind="alumni",
        title="留学人员联谊会",
        starts_at=timezone.now() + dt.timedelta(days=1),
        capacity=3,
        location="市南区",
        publish=True,
    )
    users = _people(4)
    registrations = [services.event_register(event=event, user=u) for u in users]
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    event.refresh_from_db()
    client.force_login(staff)
    # when: staff mark two present; two rate the event
    for registration in registrations[:2]:
        client.post(
            f"/jobs/staff/events/{event.uuid}/attendance/{registration.uuid}", {"attended": "1"}
        )
    for registration, rating, comment in (
        (registrations[0], 5, "很有收获"),
        (registrations[1], 3, ""),
    ):
        registration.refresh_from_db()
        services.event_feedback_submit(
            registration=registration, actor=registration.user, rating=rating, comment=comment
        )
    # then
    summary = selectors.event_feedback_summary(event=event)
    assert (summary["confirmed"], summary["waitlisted"], summary["attended"]) == (3, 1, 2)
    assert summary["attendance_rate"] == round(2 / 3, 4)
    assert summary["count"] == 2 and summary["average"] == 4.0
    assert summary["response_rate"] == 1.0
    assert {row["rating"]: row["count"] for row in summary["distribution"]} == {
        5: 1,
        4: 0,
        3: 1,
        2: 0,
        1: 0,
    }
    assert [c["comment"] for c in summary["comments"]] == ["很有收获"]
    page = client.get(f"/jobs/staff/events/{event.uuid}/").content.decode()
    assert "出席率 67%" in page and "平均 4.0 分" in page and "很有收获" in page
    # the waitlisted person cannot be marked present
    waitlisted = registrations[3]
    response = client.post(
        f"/jobs/staff/events/{event.uuid}/attendance/{waitlisted.uuid}", {"attended": "1"}
    )
    assert response.status_code == 302
    waitlisted.refresh_from_db()
    assert not waitlisted.attended


def test_staff_create_and_publish_a_fair_with_capacity(client, staff):
    client.force_login(staff)
    start = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(
        "/jobs/staff/fairs/",
        {
            "name": "第二十六届蓝洽会留学人才专场",
            "edition": "26",
            "starts_on": start.isoformat(),
            "ends_on": (start + dt.timedelta(days=1)).isoformat(),
            "venue": "青岛国际会展中心",
            "capacity": "2",
        },
    )
    fair = JobFair.objects.get()
    assert response.status_code == 302
    assert (fair.status, fair.capacity, fair.venue) == (FairStatus.DRAFT, 2, "青岛国际会展中心")
    assert fair.slug.startswith("fair-")
    assert client.get(f"/jobs/fairs/{fair.uuid}/").status_code == 404
    assert fair not in selectors.fair_list()
    a, b, c = _people(3)
    with pytest.raises(JobsError) as exc:
        services.fair_candidate_signup(fair=fair, user=a)
    assert exc.value.code == JobsErrorCode.EVENT_NOT_OPEN
    client.post(f"/jobs/staff/fairs/{fair.uuid}/publish")
    fair.refresh_from_db()
    assert fair.status == FairStatus.PUBLISHED
    assert client.get(f"/jobs/fairs/{fair.uuid}/").status_code == 200
    # capacity holds
    services.fair_candidate_signup(fair=fair, user=a)
    services.fair_candidate_signup(fair=fair, user=b)
    with pytest.raises(JobsError) as exc:
        services.fair_candidate_signup(fair=fair, user=c)
    assert "名额已满" in exc.value.message
    with pytest.raises(JobsError) as exc:
        services.fair_candidate_signup(fair=fair, user=a)
    assert exc.value.code == JobsErrorCode.ALREADY_REGISTERED
    page = client.get(f"/jobs/staff/fairs/{fair.uuid}/").content.decode()
    assert "求职者名额 2（已报名 2）" in page


def test_bad_fair_input_never_500(client, staff):
    client.force_login(staff)
    for data in (
        {},
        {"name": "x", "starts_on": "2026-13-40", "venue": "v"},
        {"name": "x", "starts_on": "2026-12-10", "ends_on": "2026-12-01", "venue": "v"},
        {"name": "x", "starts_on": "2026-12-10", "venue": "v", "capacity": "-3"},
        {"name": "x", "starts_on": "2026-12-10", "venue": ""},
        {"name": "x", "starts_on": "0001-01-01", "venue": "v"},
    ):
        assert client.post("/jobs/staff/fairs/", data).status_code == 200, data
    assert not JobFair.objects.exists()
    assert (
        client.post("/jobs/staff/fairs/00000000-0000-0000-0000-000000000000/publish").status_code
        == 404
    )


def test_fair_service_rules(staff, applicant):
    with pytest.raises(JobsError):
        services.fair_create(actor=applicant, name="x", starts_on=dt.date(2026, 12, 1), venue="v")
    with pytest.raises(JobsError) as exc:
        services.fair_create(
            actor=staff, name="x", starts_on=dt.date(2026, 12, 1), venue="v", capacity=0
        )
    assert exc.value.field == "capacity"
    past = services.fair_create(
        actor=staff,
        name="往届",
        starts_on=timezone.localdate() - dt.timedelta(days=3),
        ends_on=timezone.localdate() - dt.timedelta(days=2),
        venue="v",
        publish=True,
    )
    with pytest.raises(JobsError) as exc:
        services.fair_candidate_signup(fair=past, user=applicant)
    assert "已结束" in exc.value.message
