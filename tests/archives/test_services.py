"""State machine, journal, account and guardian links, personal data at rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from talentport.archives import selectors, services
from talentport.archives.errors import ArchiveError, ArchiveErrorCode
from talentport.archives.models import ArchiveEvent, ArchiveFile, ArchiveStatus
from talentport.archives.rules import TransferInput
from talentport.common.models import AuditEvent, PiiAccessLog
from tests.archives.conftest import claim_file, make_id

pytestmark = pytest.mark.django_db

ADULT_ID = make_id(birth="20000101", serial=1)
MINOR_ID = make_id(birth="20150601", serial=2)
PHONE = "13912345678"
UNEMPLOYED = TransferInput(employment_kind="unemployed", hukou_city="青岛市市南区")


def _walk_to_delivered(file: ArchiveFile, staff: Any) -> ArchiveFile:
    file = services.archive_store(file=file, actor=staff)
    file = services.archive_materials_add(file=file, actor=staff, materials="高中学籍档案、体检表")
    file = services.archive_transfer_request(file=file, actor=staff, transfer=UNEMPLOYED)
    file = services.archive_dispatch(file=file, actor=staff, courier_number="JY-2025-000123")
    return services.archive_deliver(file=file, actor=staff)


def test_full_path_is_journaled_with_who_and_when(import_rows: Any, staff: Any) -> None:
    # given
    import_rows([["张三", ADULT_ID, "高三1班", "张父", PHONE]])
    file = ArchiveFile.objects.get()

    # when
    file = _walk_to_delivered(file, staff)

    # then
    assert file.status == ArchiveStatus.DELIVERED
    assert file.destination_name == "青岛市市南区公共就业和人才服务机构"
    assert file.courier_number == "JY-2025-000123"
    events = list(ArchiveEvent.objects.filter(file=file))
    assert [e.to_state for e in events] == [
        "received",
        "stored",
        "materials_added",
        "transfer_requested",
        "in_transit",
        "delivered",
    ]
    assert all(e.actor == staff for e in events[1:]) and all(e.at for e in events)
    assert AuditEvent.objects.filter(
        subject_id=str(file.uuid), action="archives.delivered"
    ).exists()


def test_transition_not_allowed_is_refused_with_reason(import_rows: Any, staff: Any) -> None:
    import_rows([["张三", ADULT_ID]])
    file = ArchiveFile.objects.get()
    with pytest.raises(ArchiveError) as exc:
        services.archive_transition(file=file, actor=staff, to_state=ArchiveStatus.DELIVERED)
    assert exc.value.code == ArchiveErrorCode.TRANSITION_NOT_ALLOWED
    assert "已接收" in exc.value.message and "已送达" in exc.value.message
    file = services.archive_store(file=file, actor=staff)
    file = services.archive_transfer_request(file=file, actor=staff, transfer=UNEMPLOYED)
    with pytest.raises(ArchiveError) as exc:
        services.archive_dispatch(file=file, actor=staff, courier_number="")
    assert exc.value.field == "courier_number"
    with pytest.raises(ArchiveError):
        services.archive_transfer_request(
            file=file, actor=staff, transfer=TransferInput(employment_kind="unemployed")
        )


def test_only_staff_move_files(import_rows: Any, make_user: Any) -> None:
    import_rows([["张三", ADULT_ID]])
    student = make_user("s1")
    with pytest.raises(ArchiveError) as exc:
        services.archive_store(file=ArchiveFile.objects.get(), actor=student)
    assert exc.value.code == ArchiveErrorCode.FORBIDDEN


def test_journal_is_append_only(import_rows: Any) -> None:
    import_rows([["张三", ADULT_ID]])
    event = ArchiveEvent.objects.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        ArchiveEvent.objects.all().delete()


def test_student_claims_file_by_id_number_name_and_code(import_rows: Any, make_user: Any) -> None:
    import_rows([["张三", ADULT_ID]])
    student = make_user("s1")
    with pytest.raises(ArchiveError):
        claim_file(user=student, id_card=ADULT_ID, name="李四")
    file = claim_file(user=student, id_card=ADULT_ID.lower(), name="张三")
    assert file.student == student
    other = make_user("s2")
    with pytest.raises(ArchiveError) as exc:
        claim_file(user=other, id_card=ADULT_ID, name="张三")
    # a file bound to someone else is refused like any other failure: nothing told apart
    assert exc.value.code == ArchiveErrorCode.CLAIM_REFUSED


def test_guardian_of_minor_linked_by_staff_sees_the_file(
    import_rows: Any, staff: Any, make_user: Any
) -> None:
    import_rows([["小明", MINOR_ID]])
    file = ArchiveFile.objects.get()
    parent, stranger = make_user("p1", role="guardian"), make_user("p2", role="guardian")
    services.guardian_link_create(file=file, guardian=parent, actor=staff)
    assert selectors.archive_file_for_family(user=parent, uuid=file.uuid) == (file, "guardian")
    assert selectors.archive_file_for_family(user=stranger, uuid=file.uuid) is None
    # a minor student cannot revoke it alone
    student = make_user("kid")
    claim_file(user=student, id_card=MINOR_ID, name="小明")
    link = file.guardian_links.get()
    with pytest.raises(ArchiveError):
        services.guardian_link_revoke(link=link, actor=student)


def test_adult_link_needs_consent_and_can_be_revoked(
    import_rows: Any, staff: Any, make_user: Any
) -> None:
    import_rows([["张三", ADULT_ID]])
    file = ArchiveFile.objects.get()
    student, parent = make_user("s1"), make_user("p1", role="guardian")
    claim_file(user=student, id_card=ADULT_ID, name="张三")

    # staff link: waits for the adult student's consent
    link = services.guardian_link_create(file=file, guardian=parent, actor=staff)
    assert selectors.archive_file_for_family(user=parent, uuid=file.uuid) is None
    services.guardian_link_consent(link=link, actor=student)
    assert selectors.archive_file_for_family(user=parent, uuid=file.uuid) is not None

    # revoked: the guardian sees nothing again
    services.guardian_link_revoke(link=link, actor=student)
    assert selectors.archive_file_for_family(user=parent, uuid=file.uuid) is None
    assert selectors.archive_files_for_guardian(user=parent) == []


def test_link_made_while_minor_needs_consent_after_18th_birthday(
    import_rows: Any, staff: Any, make_user: Any
) -> None:
    born = "20080701"
    number = make_id(birth=born, serial=7)
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)):
        import_rows([["小红", number]])
        file = ArchiveFile.objects.get()
        parent = make_user("p1", role="guardian")
        services.guardian_link_create(file=file, guardian=parent, actor=staff)
        assert selectors.archive_file_for_family(user=parent, uuid=file.uuid) is not None
    with time_machine.travel(dt.datetime(2026, 7, 2, 12, tzinfo=dt.UTC)):
        assert selectors.archive_file_for_family(user=parent, uuid=file.uuid) is None


def test_guardian_without_link_gets_404_on_page_and_api(
    client: Any, import_rows: Any, make_user: Any
) -> None:
    import_rows([["张三", ADULT_ID]])
    file = ArchiveFile.objects.get()
    client.force_login(make_user("p9", role="guardian"))
    assert client.get(reverse("archives:my_file", args=[file.uuid])).status_code == 404
    assert client.get(f"/api/v1/archives/my-files/{file.uuid}/").status_code == 404


def test_id_numbers_and_phones_are_not_in_a_raw_dump(import_rows: Any) -> None:
    # given
    import_rows([["张三", ADULT_ID, "高三1班", "张父", PHONE]])

    # when: every row of every table, as the database stores it
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            dump.extend(repr(row) for row in cursor.fetchall())
    text = "\n".join(dump)

    # then
    assert "张三" in text  # the dump did read the table
    assert ADULT_ID not in text and ADULT_ID[:-1] not in text
    assert PHONE not in text
    assert "2000****" not in text and "3702**********" in text  # only the masked form


def test_search_through_blind_index(import_rows: Any, staff: Any, make_user: Any) -> None:
    import_rows([["张三", ADULT_ID], ["李四", MINOR_ID]])
    found = selectors.archive_file_search(user=staff, q=ADULT_ID.lower())
    assert [f.name for f in found] == ["张三"]
    assert [f.name for f in selectors.archive_file_search(user=staff, q="李")] == ["李四"]
    # a window specialist of Weihai finds nothing of Qingdao's files
    from talentport.people.models import StaffScope

    weihai = make_user("weihai-window", role="window_specialist")
    StaffScope.objects.create(user=weihai, jurisdiction="weihai")
    assert not selectors.archive_file_search(user=weihai, q=ADULT_ID).exists()
    assert not selectors.archive_file_search(user=weihai).exists()


def test_staff_detail_read_is_logged_and_masked(
    client: Any, import_rows: Any, staff: Any, make_user: Any
) -> None:
    import_rows([["张三", ADULT_ID, "", "", PHONE]])
    file = ArchiveFile.objects.get()
    client.force_login(staff)
    page = client.get(reverse("archives:file_detail", args=[file.uuid])).content.decode()
    assert "3702**********" + ADULT_ID[-4:] in page and ADULT_ID not in page
    assert PiiAccessLog.objects.filter(subject_id=str(file.uuid), actor=staff).count() == 1
    page = client.get(
        reverse("archives:file_detail", args=[file.uuid]) + "?reveal=1"
    ).content.decode()
    assert ADULT_ID in page
    assert PiiAccessLog.objects.filter(subject_id=str(file.uuid), field="id_card").count() == 1
    # a department specialist has no archive powers: refused, nothing read
    dept = make_user("dept", role="department_specialist")
    client.force_login(dept)
    answer = client.get(reverse("archives:file_detail", args=[file.uuid]) + "?reveal=1")
    assert answer.status_code == 403 and ADULT_ID not in answer.content.decode()
    assert not PiiAccessLog.objects.filter(subject_id=str(file.uuid), actor=dept).exists()
    # the API read is logged too
    client.force_login(staff)
    body = client.get(f"/api/v1/archives/files/{file.uuid}/").json()
    assert body["id_card_masked"].startswith("3702") and "id_card" not in body
    assert PiiAccessLog.objects.filter(subject_id=str(file.uuid)).count() == 5


def test_overdue_and_school_summary(import_rows: Any, staff: Any) -> None:
    import_rows([["张三", ADULT_ID]], school="青岛二中")
    import_rows([["李四", MINOR_ID]], school="五十八中")
    file = ArchiveFile.objects.get(name="张三")
    with time_machine.travel(timezone.now() - dt.timedelta(days=40)):
        file = services.archive_store(file=file, actor=staff)
        services.archive_transfer_request(file=file, actor=staff, transfer=UNEMPLOYED)
    assert [f.name for f in selectors.archive_overdue_transfers(user=staff)] == ["张三"]
    summary = {row.school: row for row in selectors.archive_school_summary(user=staff)}
    assert summary["五十八中"].total == 1
    assert dict((s, n) for s, _, n in summary["青岛二中"].by_state)["transfer_requested"] == 1
