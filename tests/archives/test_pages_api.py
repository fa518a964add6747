"""Staff pages, template download, family pages and the API."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from talentport.archives.importer import TEMPLATE_COLUMNS
from talentport.archives.models import ArchiveFile
from tests.archives.conftest import bad_check_digit, make_id, write_xlsx

pytestmark = pytest.mark.django_db

GOOD = make_id(birth="20100909", serial=31)  # a minor


def test_template_download_is_an_importable_workbook(client: Any, staff: Any) -> None:
    client.force_login(staff)
    response = client.get(reverse("archives:template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert tuple(c.value for c in sheet[1]) == TEMPLATE_COLUMNS


def test_staff_pages_require_a_staff_role(client: Any, make_user: Any) -> None:
    assert client.get(reverse("archives:staff_home")).status_code == 302
    client.force_login(make_user("s1"))
    for name in ("staff_home", "staff_import", "template", "overdue", "file_list", "batch_list"):
        assert client.get(reverse(f"archives:{name}")).status_code == 403, name
    assert client.get("/api/v1/archives/files/").status_code == 403


def test_staff_upload_shows_per_row_report(client: Any, staff: Any, tmp_path: Path) -> None:
    client.force_login(staff)
    path = write_xlsx(tmp_path / "l.xlsx", [["张三", GOOD], ["李四", bad_check_digit(GOOD)]])
    with path.open("rb") as fh:
        response = client.post(reverse("archives:staff_import"), {"school": "青岛二中", "file": fh})
    page = response.content.decode()
    assert response.status_code == 200
    assert "已接收 1 份档案，退回 1 行" in page and "校验码" in page
    assert ArchiveFile.objects.count() == 1
    home = client.get(reverse("archives:staff_home")).content.decode()
    assert "青岛二中" in home


def test_staff_upload_of_a_non_spreadsheet_is_refused(client: Any, staff: Any) -> None:
    client.force_login(staff)
    fake = io.BytesIO(b"hello")
    fake.name = "fake.xlsx"
    response = client.post(reverse("archives:staff_import"), {"school": "青岛二中", "file": fake})
    assert "无法读取文件" in response.content.decode()
    assert ArchiveFile.objects.count() == 0


def test_staff_web_transition_and_family_timeline(
    client: Any, staff: Any, make_user: Any, import_rows: Any
) -> None:
    import_rows([["张三", GOOD]])
    file = ArchiveFile.objects.get()
    client.force_login(staff)
    url = reverse("archives:file_transition", args=[file.uuid])
    client.post(url, {"to_state": "delivered"})
    file.refresh_from_db()
    assert file.status == "received"  # refused: not allowed from received
    client.post(url, {"to_state": "stored"})
    client.post(
        url,
        {
            "to_state": "transfer_requested",
            "employment_kind": "employed",
            "employer_type": "state_owned",
            "employer_name": "青岛港集团",
        },
    )
    client.post(url, {"to_state": "in_transit", "courier_number": "JY0001"})
    file.refresh_from_db()
    assert file.status == "in_transit" and file.destination_name == "青岛港集团"

    # the minor's guardian, linked by staff, follows it
    parent = make_user("parent", role="guardian")
    client.post(reverse("archives:staff_guardian_add", args=[file.uuid]), {"username": "parent"})
    client.force_login(parent)
    page = client.get(reverse("archives:my_file", args=[file.uuid])).content.decode()
    assert "转递中" in page and "JY0001" in page and "青岛港集团" in page
    assert "党组织关系" in page
    assert GOOD not in page


def test_student_claims_on_my_page(client: Any, make_user: Any, import_rows: Any) -> None:
    import_rows([["张三", GOOD]])
    client.force_login(make_user("s1"))
    code = ArchiveFile.objects.get().claim_code_pending
    response = client.post(
        reverse("archives:my_files"), {"name": "张三", "id_card": GOOD, "code": code}
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_api_import_transition_and_my_files(
    client: Any, staff: Any, make_user: Any, tmp_path: Path
) -> None:
    client.force_login(staff)
    path = write_xlsx(tmp_path / "a.xlsx", [["张三", GOOD], ["", make_id(serial=99)]])
    with path.open("rb") as fh:
        response = client.post("/api/v1/archives/imports/", {"school": "五十八中", "file": fh})
    assert response.status_code == 201
    body = response.json()
    assert body["accepted"] == 1
    assert body["refused"] == [{"row": 3, "errors": [{"field": "姓名", "message": "姓名不能为空"}]}]

    listed = client.get("/api/v1/archives/files/", {"school": "五十八中"}).json()
    assert listed["count"] == 1 and listed["next"] is None and listed["previous"] is None
    files = listed["results"]
    assert len(files) == 1 and files[0]["id_card_masked"] == GOOD[:4] + "*" * 10 + GOOD[-4:]
    file_id = files[0]["id"]
    url = f"/api/v1/archives/files/{file_id}/transitions/"
    response = client.post(url, {"to_state": "delivered"}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "transition_not_allowed"
    response = client.post(url, {"to_state": "stored"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "stored"
    response = client.post(
        url,
        {"to_state": "transfer_requested", "employment_kind": "flexible"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "preference"
    assert client.get("/api/v1/archives/summary/").json()[0]["by_state"]["stored"] == 1

    student = make_user("s1")
    client.force_login(student)
    assert client.get("/api/v1/archives/my-files/").json()["results"] == []
    code = ArchiveFile.objects.get().claim_code_pending
    client.post(reverse("archives:my_files"), {"name": "张三", "id_card": GOOD, "code": code})
    mine = client.get(f"/api/v1/archives/my-files/{file_id}/").json()
    assert mine["relation"] == "student"
    assert [e["to_state"] for e in mine["timeline"]] == ["received", "stored"]
