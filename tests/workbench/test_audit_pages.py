"""The auditor's pages: only an auditor opens them; the PII log view is itself audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from talentport.common.models import AuditEvent, AuditVerification, PiiAccessLog
from talentport.common.pii import log_pii_access
from talentport.common.services import audit_event_record
from talentport.people.models import Role, User

pytestmark = pytest.mark.django_db

JOURNAL = reverse("workbench:audit")
PII = reverse("workbench:audit-pii")
VERIFY = reverse("workbench:audit-verify")


def _user(username: str, role: str, **extra: Any) -> User:
    return User.objects.create_user(username=username, password="pw-123456-Aa", role=role, **extra)


@pytest.fixture
def auditor() -> User:
    return _user("auditor1", Role.AUDITOR, display_name="审计员")


@pytest.mark.parametrize(
    "role",
    [Role.APPLICANT, Role.WINDOW_SPECIALIST, Role.DEPARTMENT_SPECIALIST, Role.ADMINISTRATOR],
)
@pytest.mark.parametrize("url", [JOURNAL, PII])
def test_only_an_auditor_may_open_the_audit_pages(client: Any, role: str, url: str) -> None:
    # given
    client.force_login(_user("someone", role))

    # when
    response = client.get(url)

    # then
    assert response.status_code == 403


@pytest.mark.parametrize("url", [JOURNAL, PII])
def test_an_anonymous_visitor_is_sent_to_sign_in(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


def test_others_cannot_run_the_verification(client: Any) -> None:
    client.force_login(_user("admin1", Role.ADMINISTRATOR))
    assert client.post(VERIFY).status_code == 403
    assert not AuditVerification.objects.exists()


@pytest.mark.parametrize("url", [JOURNAL, PII])
def test_an_auditor_and_a_superuser_open_them(client: Any, auditor: User, url: str) -> None:
    client.force_login(auditor)
    assert client.get(url).status_code == 200
    root = User.objects.create_superuser(username="root", password="pw-123456-Aa")
    client.force_login(root)
    assert client.get(url).status_code == 200


def test_the_journal_filters_by_actor_action_subject_and_beijing_date(
    client: Any, auditor: User
) -> None:
    # given: two events by a clerk on two days, one by someone else
    clerk = _user("clerk", Role.WINDOW_SPECIALIST)
    other = _user("other", Role.WINDOW_SPECIALIST)
    # 2026-03-01 23:30 Beijing time is 15:30 UTC
    with time_machine.travel(dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC), tick=False):
        audit_event_record(subject=clerk, action="cases.approve", actor=clerk, reason="甲")
    with time_machine.travel(dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC), tick=False):
        audit_event_record(subject=clerk, action="cases.approve", actor=clerk, reason="乙")
        audit_event_record(subject=other, action="cases.reject", actor=other, reason="丙")
    client.force_login(auditor)

    # when
    by_actor = client.get(JOURNAL, {"actor": "clerk", "action": "cases."}).content.decode()
    by_day = client.get(
        JOURNAL, {"date_from": "2026-03-01", "date_to": "2026-03-01", "subject_type": "people.user"}
    ).content.decode()

    # then
    assert "甲" in by_actor and "乙" in by_actor and "丙" not in by_actor
    assert "甲" in by_day and "乙" not in by_day
    assert "2026-03-01 23:30:00" in by_day  # shown in Beijing time


def test_bad_filters_are_reported_not_a_500(client: Any, auditor: User) -> None:
    client.force_login(auditor)
    response = client.get(JOURNAL, {"date_from": "2026-13-45", "page": "abc"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    response = client.get(JOURNAL, {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_the_journal_is_paginated(client: Any, auditor: User) -> None:
    # given
    for i in range(55):
        audit_event_record(subject=auditor, action="test.many", reason=f"第{i}条")
    client.force_login(auditor)

    # when
    first = client.get(JOURNAL, {"action": "test.many"})
    second = client.get(JOURNAL, {"action": "test.many", "page": 2})

    # then
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5
    assert "action=test.many&amp;page=2" in first.content.decode()


def test_the_pii_log_shows_who_saw_what_and_viewing_it_is_audited(
    client: Any, auditor: User
) -> None:
    # given
    clerk = _user("clerk", Role.WINDOW_SPECIALIST, display_name="王专员")
    applicant = _user("zhang", Role.APPLICANT)
    log_pii_access(actor=clerk, subject=applicant, field="id_card", purpose="受理档案转递申请")
    client.force_login(auditor)

    # when
    response = client.get(PII, {"actor": "clerk"}, REMOTE_ADDR="203.0.113.44")

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "王专员" in page and "id_card" in page and "受理档案转递申请" in page
    viewed = AuditEvent.objects.get(action="audit.pii_log_viewed")
    assert viewed.actor == auditor and viewed.ip == "203.0.113.44"
    assert viewed.data["filters"] == {"actor": "clerk"}
    field_names = {f.name for f in PiiAccessLog._meta.get_fields()}
    if "ip" in field_names:
        assert "IP" in page


def test_the_journal_shows_the_last_full_verification(client: Any, auditor: User) -> None:
    # given: the scheduled command found the chain broken
    from django.core.management import call_command
    from django.core.management.base import CommandError

    event = audit_event_record(subject=auditor, action="test.x")
    audit_event_record(subject=auditor, action="test.y")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET reason = 'x' WHERE seq = %s",  # noqa: S608
            [event.seq],
        )
    with pytest.raises(CommandError):
        call_command("audit_verify")
    client.force_login(auditor)

    # when
    page = client.get(JOURNAL).content.decode()

    # then
    assert "已断开" in page and f"第 {event.seq} 条" in page and "记录被改动" in page


@override_settings(AUDIT_VERIFY_TAIL=2)
def test_the_button_verifies_only_the_newest_rows_and_says_so(client: Any, auditor: User) -> None:
    # given
    for i in range(4):
        audit_event_record(subject=auditor, action="test.row", data={"i": i})
    client.force_login(auditor)

    # when
    response = client.post(VERIFY, follow=True)

    # then
    run = AuditVerification.objects.get()
    assert run.scope == "tail" and run.ok and run.events == 2 and run.actor == auditor
    assert "最近 2 条审计记录校验通过" in response.content.decode()
    assert "立即校验最近 2 条" in response.content.decode()


def test_the_pages_are_in_english_on_request(client: Any, auditor: User) -> None:
    client.force_login(auditor)
    client.cookies["django_language"] = "en"
    page = client.get(JOURNAL).content.decode()
    assert "Audit log" in page
