"""API: a student claims a file and manages guardian links; staff links; list pagination."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse

from talentport.archives import services
from talentport.archives.models import ArchiveFile, GuardianLink
from talentport.common.models import PiiAccessLog
from tests.archives.conftest import claim_file, make_id

pytestmark = pytest.mark.django_db

MINOR_ID = make_id(birth="20120315", serial=61)
ADULT_ID = make_id(birth="20010101", serial=62)
CLAIM = "/api/v1/archives/claims/"


def _errors(response: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def test_claim_needs_login(client: Any) -> None:
    response = client.post(
        CLAIM, {"name": "x", "id_card": MINOR_ID}, content_type="application/json"
    )
    assert response.status_code == 401


def _claimed(import_rows: Any, make_user: Any, number: str, name: str) -> tuple[Any, Any]:
    import_rows([[name, number]])
    student = make_user("student")
    claim_file(user=student, id_card=number, name=name)
    return ArchiveFile.objects.get(), student


def test_adult_student_adds_consents_and_revokes(
    client: Any, import_rows: Any, make_user: Any, staff: Any
) -> None:
    # given: an adult's file; staff linked one guardian (awaiting consent)
    file, student = _claimed(import_rows, make_user, ADULT_ID, "张三")
    mother = make_user("mother", role="guardian")
    father = make_user("father", role="guardian")
    pending = services.guardian_link_create(file=file, guardian=father, actor=staff)
    base = f"/api/v1/archives/my-files/{file.uuid}/guardians/"
    client.force_login(student)

    # when: the student lists, adds one, consents to the other
    listed = client.get(base).json()
    added = client.post(base, {"username": "mother"}, content_type="application/json")
    consent = client.post(f"{base}{pending.uuid}/consent/")

    # then
    assert [(r["guardian"], r["awaiting_consent"], r["visible"]) for r in listed] == [
        ("father", True, False)
    ]
    assert added.status_code == 201 and added.json()["visible"] is True
    assert consent.status_code == 200 and consent.json()["visible"] is True
    assert (
        client.post(base, {"username": "mother"}, content_type="application/json").status_code
        == 409
    )
    not_guardian = client.post(base, {"username": "student"}, content_type="application/json")
    assert not_guardian.status_code == 400 and _errors(not_guardian)[0][0] == "username"
    nobody = client.post(base, {"username": "nobody"}, content_type="application/json")
    assert nobody.status_code == 400 and _errors(nobody)[0][0] == "username"

    # when: the adult student revokes
    revoke = client.post(f"{base}{added.json()['id']}/revoke/")
    assert revoke.status_code == 200 and revoke.json()["status"] == "revoked"
    client.force_login(mother)
    assert client.get(f"/api/v1/archives/my-files/{file.uuid}/").status_code == 404
    client.force_login(student)
    assert client.post(f"{base}{pending.uuid}/consent/").status_code == 200
    revoked = GuardianLink.objects.get(guardian=mother)
    again = client.post(f"{base}{revoked.uuid}/consent/")
    assert again.status_code == 409
    assert client.post(f"{base}{pending.uuid}/unknown/").status_code == 404
    assert client.post(f"{base}not-a-uuid/consent/").status_code == 404


def test_minor_cannot_revoke_but_staff_can(
    client: Any, import_rows: Any, make_user: Any, staff: Any
) -> None:
    file, student = _claimed(import_rows, make_user, MINOR_ID, "小明")
    parent = make_user("parent", role="guardian")
    link = services.guardian_link_create(file=file, guardian=parent, actor=staff)
    client.force_login(student)
    mine = f"/api/v1/archives/my-files/{file.uuid}/guardians/"
    listed = client.get(mine).json()
    assert listed[0]["visible"] is True and listed[0]["awaiting_consent"] is False
    refused = client.post(f"{mine}{link.uuid}/revoke/")
    assert refused.status_code == 403 and _errors(refused)[0][1] == "forbidden"

    client.force_login(staff)
    staff_url = f"/api/v1/archives/files/{file.uuid}/guardians/"
    before = PiiAccessLog.objects.count()
    assert client.get(staff_url).status_code == 200
    assert PiiAccessLog.objects.count() == before + 1
    revoked = client.post(f"{staff_url}{link.uuid}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    other = make_user("aunt", role="guardian")
    created = client.post(staff_url, {"username": "aunt"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["guardian"] == other.username


def test_with_time_a_minor_becomes_adult_and_consent_is_needed(
    client: Any, import_rows: Any, make_user: Any, staff: Any
) -> None:
    number = make_id(birth="20080601", serial=63)
    with time_machine.travel("2025-01-01 10:00 +0800", tick=False):
        file, student = _claimed(import_rows, make_user, number, "小李")
        link = services.guardian_link_create(
            file=file, guardian=make_user("p", role="guardian"), actor=staff
        )
    with time_machine.travel("2026-07-01 10:00 +0800", tick=False):
        client.force_login(student)
        rows = client.get(f"/api/v1/archives/my-files/{file.uuid}/guardians/").json()
        assert rows[0]["id"] == str(link.uuid) and rows[0]["awaiting_consent"] is True


def test_guardians_and_strangers_get_404_on_link_endpoints(
    client: Any, import_rows: Any, make_user: Any, staff: Any
) -> None:
    file, _ = _claimed(import_rows, make_user, MINOR_ID, "小明")
    parent = make_user("parent", role="guardian")
    link = services.guardian_link_create(file=file, guardian=parent, actor=staff)
    base = f"/api/v1/archives/my-files/{file.uuid}/guardians/"
    for user in (parent, make_user("stranger"), make_user("other", role="guardian")):
        client.force_login(user)
        assert client.get(base).status_code == 404
        assert (
            client.post(base, {"username": "parent"}, content_type="application/json").status_code
            == 404
        )
        assert client.post(f"{base}{link.uuid}/consent/").status_code == 404
        assert client.post(f"{base}{link.uuid}/revoke/").status_code == 404
    # the guardian still sees the file itself (not the link management)
    client.force_login(parent)
    assert client.get(f"/api/v1/archives/my-files/{file.uuid}/").status_code == 200
    # staff endpoints are for staff only
    assert client.get(f"/api/v1/archives/files/{file.uuid}/guardians/").status_code == 403


def test_list_pagination(client: Any, import_rows: Any, staff: Any) -> None:
    # given: 25 files
    import_rows([[f"学生{i:02d}", make_id(birth="20100101", serial=100 + i)] for i in range(25)])
    client.force_login(staff)
    url = "/api/v1/archives/files/"

    # when
    first = client.get(url, {"page_size": 10}).json()
    third = client.get(url, {"page_size": 10, "page": 3}).json()

    # then
    assert first["count"] == 25 and len(first["results"]) == 10
    assert first["previous"] is None and "page=2" in first["next"]
    assert len(third["results"]) == 5 and third["next"] is None and "page=2" in third["previous"]
    assert len(client.get(url).json()["results"]) == 20  # default page size
    names = {
        r["name"]
        for p in (1, 2, 3)
        for r in client.get(url, {"page_size": 10, "page": p}).json()["results"]
    }
    assert len(names) == 25

    # malformed values: 400 naming the field; beyond the last page: 404 naming page
    for params, field in (
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "-1"}, "page_size"),
        ({"page_size": "1e9"}, "page_size"),
        ({"status": "lost"}, "status"),
    ):
        response = client.get(url, params)
        assert response.status_code == 400, params
        assert response.json()["errors"][0]["field"] == field, params
    huge = client.get(url, {"page": "9" * 30})
    assert huge.status_code == 404 and huge.json()["errors"][0]["field"] == "page"
    beyond = client.get(url, {"page": 99})
    assert beyond.status_code == 404 and beyond.json()["errors"][0]["field"] == "page"
    for other in ("/api/v1/archives/batches/", "/api/v1/archives/overdue/"):
        body = client.get(other).json()
        assert set(body) == {"count", "next", "previous", "results"}, other
        assert client.get(other, {"page_size": "x"}).status_code == 400
    assert client.get("/api/v1/archives/batches/").json()["count"] == 1


def test_progress_list_marks_the_current_step(
    client: Any, import_rows: Any, make_user: Any, staff: Any
) -> None:
    file, student = _claimed(import_rows, make_user, MINOR_ID, "小明")
    services.archive_store(file=file, actor=staff)
    client.force_login(student)
    page = client.get(reverse("archives:my_file", args=[file.uuid])).content.decode()
    assert "archives/progress.css" in page
    assert 'class="is-current" data-step="stored" aria-current="step"' in page
    assert 'class="is-done" data-step="received"' in page
    assert 'class="is-todo" data-step="delivered"' in page
