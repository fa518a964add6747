"""Events (capacity, waitlist, promotion, feedback), fairs and the seed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from talentport.jobs import selectors, services
from talentport.jobs.errors import JobsError
from talentport.jobs.models import (
    Event,
    EventRegistration,
    JobFair,
    ReportedFigures,
)
from talentport.notify.models import Message
from talentport.people.models import Role, StaffScope, User

pytestmark = pytest.mark.django_db


def people(n: int, prefix: str = "p") -> list[User]:
    return [
        User.objects.create_user(
            username=prefix + str(i), password="x-pw-123456", role=Role.APPLICANT
        )
        for i in range(n)
    ]


def event(staff: User, capacity: int = 2, days: int = 10) -> Event:
    return services.event_create(
        actor=staff,
        kind="study_tour",
        title="感知青岛创新生态创业研学",
        starts_at=timezone.now() + dt.timedelta(days=days),
        capacity=capacity,
        publish=True,
    )


def test_capacity_waitlist_and_promotion(staff, django_capture_on_commit_callbacks):
    # given
    tour = event(staff, capacity=2)
    a, b, c, d = people(4)
    # when
    regs = [services.event_register(event=tour, user=u) for u in (a, b, c, d)]
    # then
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert selectors.event_waitlist_position(registration=regs[3]) == 2
    with pytest.raises(JobsError):
        services.event_register(event=tour, user=a)
    # when: a confirmed person cancels
    with django_capture_on_commit_callbacks(execute=True):
        services.event_registration_cancel(registration=regs[0], actor=a)
    # then: the first on the waitlist is promoted and told so
    regs[2].refresh_from_db()
    assert regs[2].status == "confirmed"
    assert (
        selectors.event_waitlist_position(registration=EventRegistration.objects.get(user=d)) == 1
    )
    tour.refresh_from_db()
    assert tour.confirmed_count == 2
    assert Message.objects.filter(recipient=c, title__startswith="候补成功").count() == 1
    # when: a waitlisted person cancels, nobody moves; a confirmed one with an empty list frees a seat
    services.event_registration_cancel(registration=EventRegistration.objects.get(user=d), actor=d)
    services.event_registration_cancel(registration=regs[1], actor=b)
    tour.refresh_from_db()
    assert tour.confirmed_count == 1 and tour.seats_left == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_capacity():
    # given
    staff = User.objects.create_user(username="st", password="x", role=Role.ADMINISTRATOR)
    StaffScope.objects.create(user=staff, jurisdiction="qingdao")
    tour = event(staff, capacity=3)
    users = people(12, "c")
    errors: list[BaseException] = []

    def go(user: User) -> None:
        try:
            services.event_register(event=tour, user=user)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=go, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert not errors, errors
    confirmed = EventRegistration.objects.filter(event=tour, status="confirmed").count()
    assert confirmed == 3
    assert EventRegistration.objects.filter(event=tour, status="waitlisted").count() == 9
    tour.refresh_from_db()
    assert tour.confirmed_count == 3


def test_feedback_only_after_start_and_1_to_5(staff, applicant):
    tour = event(staff, capacity=5)
    registration = services.event_register(event=tour, user=applicant)
    with pytest.raises(JobsError):
        services.event_feedback_submit(registration=registration, actor=applicant, rating=5)
    Event.objects.filter(pk=tour.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    registration.refresh_from_db()
    with pytest.raises(JobsError) as bad:
        services.event_feedback_submit(registration=registration, actor=applicant, rating=6)
    assert bad.value.field == "rating"
    services.event_attendance_mark(registration=registration, actor=staff)
    services.event_feedback_submit(
        registration=registration, actor=applicant, rating=4, comment="收获很大"
    )
    summary = selectors.event_feedback_summary(event=tour)
    assert (summary["count"], summary["average"], summary["attended"]) == (1, 4.0, 1)


def test_event_pages(client, staff, applicant):
    tour = event(staff, capacity=1)
    assert tour.title in client.get("/jobs/events/").content.decode()
    client.force_login(applicant)
    client.post("/jobs/events/" + str(tour.uuid) + "/register")
    page = client.get("/jobs/events/" + str(tour.uuid) + "/").content.decode()
    assert "已确认" in page
    client.force_login(staff)
    assert client.get("/jobs/staff/events/" + str(tour.uuid) + "/").status_code == 200


def test_seed_is_idempotent_and_keeps_reported_figures_apart():
    # when
    services.jobs_seed_load()
    services.jobs_seed_load()
    # then
    fair = JobFair.objects.get(slug="lanqiahui-25")
    assert JobFair.objects.count() == 1 and fair.is_historical
    reported = {row["org_type"]: row for row in fair.reported["employers_by_type"]}
    assert reported["private"]["count"] == 129 and reported["private"]["share"] == 0.63
    assert reported["university_institute"]["count"] == 34
    assert reported["state_owned"]["count"] == 27
    salary = {row["degree"]: row for row in fair.reported["salary_by_degree"]}
    assert (salary["master"]["salary_min"], salary["master"]["salary_max"]) == (110000, 250000)
    assert (salary["doctor"]["salary_min"], salary["doctor"]["salary_max"]) == (150000, 500000)
    summary = selectors.fair_summary(fair=fair)
    assert summary["employers_total"] == 0  # no fake employers
    figures = ReportedFigures.objects.get(key="ambassadors").figures
    assert figures == {
        "ambassadors": 150,
        "countries": 21,
        "universities": 90,
        "returned_share": 0.2,
        "returned_share_note": "约20%的特派员已学成归国并选择来青发展",
    }
    assert selectors.ambassador_stats()["reported"]["ambassadors"] == 150


def test_fair_registration_summary_and_check_in(
    staff, employer, verified_org, applicant, new_position, client
):
    # given
    fair = JobFair.objects.create(slug="lqh-26", name="第二十六届蓝洽会")
    new_position(verified_org, employer, degree="master", salary_min="110000", salary_max="250000")
    new_position(verified_org, employer, degree="doctor", salary_min="150000", salary_max="500000")
    # when
    services.fair_employer_register(fair=fair, org=verified_org, actor=employer)
    with pytest.raises(JobsError):
        services.fair_employer_register(fair=fair, org=verified_org, actor=employer)
    candidate = services.fair_candidate_signup(fair=fair, user=applicant)
    services.fair_candidate_check_in(candidate=candidate, actor=staff)
    # then
    summary = selectors.fair_summary(fair=fair)
    shares = {row["org_type"]: row["share"] for row in summary["employers_by_type"]}
    assert shares == {"private": 1.0, "university_institute": 0.0, "state_owned": 0.0, "other": 0.0}
    salary = {
        row["degree"]: (row["salary_min"], row["salary_max"]) for row in summary["salary_by_degree"]
    }
    assert salary == {"master": (110000, 250000), "doctor": (150000, 500000)}
    assert (summary["candidates_signed_up"], summary["candidates_checked_in"]) == (1, 1)
    client.force_login(staff)
    page = client.get("/jobs/staff/fairs/" + str(fair.uuid) + "/").content.decode()
    assert "已签到" in page


def test_historical_fair_takes_no_signups(applicant):
    services.jobs_seed_load()
    fair = JobFair.objects.get(slug="lanqiahui-25")
    with pytest.raises(JobsError):
        services.fair_candidate_signup(fair=fair, user=applicant)


def test_pages_render_for_every_role(client, staff, employer, applicant):
    services.jobs_seed_load()
    fair = JobFair.objects.get(slug="lanqiahui-25")
    public = ["/jobs/", "/jobs/events/", "/jobs/fairs/", "/jobs/fairs/" + str(fair.uuid) + "/"]
    for url in public:
        assert client.get(url).status_code == 200, url
    assert "129" in client.get(public[-1]).content.decode()
    client.force_login(employer)
    assert client.get("/jobs/employer/").status_code == 200
    assert client.get("/jobs/employer/positions/new").status_code == 302
    assert client.get("/jobs/staff/").status_code == 403
    client.force_login(staff)
    page = client.get("/jobs/staff/fairs/" + str(fair.uuid) + "/")
    assert page.status_code == 200 and "63%" in page.content.decode()
    amb = client.get("/jobs/staff/ambassadors/").content.decode()
    assert "150" in amb and "约 20%" in amb
    assert client.get("/jobs/staff/pool/", {"degree": "phd"}).status_code == 200
