"""Archive files: the staff search by ID number is a POST whose hits are in the PII
access log, and the journal never keeps a clear ID or phone number."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from talentport.archives import services
from talentport.archives.models import ArchiveFile
from talentport.common.models import AuditEvent, PiiAccessLog

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def _client(user: Any, **extra: Any) -> Client:
    client = Client(**extra)
    client.force_login(user)
    return client


def test_guardian_phones_and_ids_are_not_stored_in_clear(import_rows: Any, xl: Any) -> None:
    number = xl.make_id("20100315", 7)
    import_rows([["小明", number, "高一", "王母", PHONE], ["坏", xl.bad_check_digit(number)]])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM archives_archivefile")
        stored = repr(cursor.fetchall())
        cursor.execute("SELECT refused FROM archives_archivebatch")
        refused = repr(cursor.fetchall())
    assert number not in stored and PHONE not in stored
    assert number[:-1] not in refused  # the refused row is reported without its number


def test_search_by_id_logs_every_file_found(import_rows: Any, xl: Any, staff: Any) -> None:
    # given two files
    number = xl.make_id("20100315", 7)
    import_rows([["小明", number], ["小红", xl.make_id("20100316", 8)]])
    client = _client(staff, REMOTE_ADDR="198.51.100.4")
    # when staff search by the ID number on the page and through the API
    response = client.post(reverse("archives:file_list"), {"q": number}, follow=True)
    assert "小明" in response.content.decode()
    api = client.post(
        "/api/v1/archives/files/search/", {"q": number}, content_type="application/json"
    )
    assert api.json()["count"] == 1
    # then each search that found the file is in the log, with IP and path
    file = ArchiveFile.objects.get(name="小明")
    logs = list(PiiAccessLog.objects.filter(field="id_card").order_by("id"))
    assert [(log.subject_id, log.ip) for log in logs] == [(str(file.uuid), "198.51.100.4")] * 2
    assert [log.path for log in logs] == [
        reverse("archives:file_list"),
        "/api/v1/archives/files/search/",
    ]
    # a search by name shows masked numbers only: nothing to log
    client.post(reverse("archives:file_list"), {"q": "小"}, follow=True)
    assert PiiAccessLog.objects.filter(field="id_card").count() == 2


def test_a_note_with_a_phone_is_journaled_masked(import_rows: Any, xl: Any, staff: Any) -> None:
    import_rows([["小明", xl.make_id("20100315", 7), "高一", "王母", PHONE]])
    file = ArchiveFile.objects.get()
    services.archive_store(file=file, actor=staff, note="已电话联系家长 " + PHONE)
    event = file.events.get(action="stored")
    assert PHONE not in event.note and "139****5678" in event.note
    audit = AuditEvent.objects.get(action="archives.stored")
    assert PHONE not in audit.reason
