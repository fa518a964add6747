"""Talent-pool and employer contacts: encrypted at rest, masked in the journal, and
every list or export that shows them is in the PII access log (in bulk)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from talentport.common.crypto import blind_index_filter
from talentport.common.models import AuditEvent, PiiAccessLog
from talentport.jobs import services
from talentport.jobs.models import EmployerOrg, TalentPoolEntry
from tests.jobs.conftest import make_user, post_position, register

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _stored(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        return repr(cursor.fetchall())


def test_pool_contacts_are_encrypted_masked_and_searchable(applicant: Any) -> None:
    # when a person registers with a phone and an e-mail
    register(applicant, phone="+86 139-1234-5678", email="wang.boshi@example.cn")
    # then the table holds neither, the masked copies are there, the index finds the phone
    stored = _stored("jobs_talentpoolentry")
    assert PHONE not in stored and "wang.boshi" not in stored
    entry = TalentPoolEntry.objects.get()
    assert (entry.phone_masked, entry.email_masked) == ("139****5678", "w***@example.cn")
    assert entry.phone == "+86 139-1234-5678"
    found = TalentPoolEntry.objects.filter(
        blind_index_filter(TalentPoolEntry, "phone_index", PHONE)
    )
    assert list(found) == [entry]


def test_employer_contact_phone_is_encrypted_and_journaled_masked(
    employer: Any, verified_org: EmployerOrg
) -> None:
    services.employer_org_save(
        user=employer,
        name=verified_org.name,
        org_type="private",
        district="laoshan",
        contact_phone=PHONE,
    )
    assert PHONE not in _stored("jobs_employerorg")
    event = AuditEvent.objects.get(action="employer_org.change_requested")
    assert event.data["changes"]["contact_phone"] == ["", "139****5678"]
    assert PHONE not in _stored("common_auditevent")


def _export(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("jobs:staff-pool-export"))
        b"".join(response.streaming_content)
    return len(queries)


def test_export_logs_every_exported_person_without_a_query_per_row(staff: Any) -> None:
    # given one person in the pool, then four more
    people = [make_user(f"p{i}") for i in range(5)]
    register(people[0], phone=PHONE)
    client = _client(staff)
    one = _export(client)
    for person in people[1:]:
        register(person, phone=PHONE)
    # when the pool is exported again
    five = _export(client)
    # then every exported person is logged, and the query count did not grow with them
    assert PiiAccessLog.objects.filter(field="contact", purpose="导出人才信息库").count() == 6
    assert five == one


def test_employer_sees_candidates_and_each_is_logged(
    applicant: Any, other_applicant: Any, employer: Any, verified_org: EmployerOrg
) -> None:
    register(applicant, phone=PHONE)
    register(other_applicant, full_name="李同学", phone="13811112222")
    position = post_position(verified_org, employer)
    page = _client(employer).get(reverse("jobs:employer-candidates", kwargs={"id": position.uuid}))
    assert PHONE in page.content.decode()
    logged = PiiAccessLog.objects.filter(actor=employer, field="contact")
    assert {log.subject_id for log in logged} == {
        str(e.uuid) for e in TalentPoolEntry.objects.all()
    }


def test_staff_employer_review_page_logs_the_phones_it_shows(employer: Any, staff: Any) -> None:
    org = services.employer_org_save(
        user=employer, name="某公司", org_type="private", contact_phone=PHONE
    )
    page = _client(staff).get(reverse("jobs:staff-employers"))
    assert PHONE in page.content.decode()
    log = PiiAccessLog.objects.get(field="contact_phone")
    assert (log.actor, log.subject_id) == (staff, str(org.uuid))
