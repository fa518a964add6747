"""ID numbers and phones never travel in a URL: GETs carrying one are refused, the
staff searches are POSTs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from talentport.common.idcard import id_card_check_digit
from talentport.people.models import Role, StaffScope, User
from tests.pii_scan import capture_log_output

pytestmark = pytest.mark.django_db

FIRST17 = "37020220060315001"
ID = FIRST17 + id_card_check_digit(FIRST17)
MOBILE = "13912345678"


def _staff(username: str = "window1") -> Client:
    user = User.objects.create_user(
        username=username, password="x-Pass-12345", role=Role.WINDOW_SPECIALIST
    )
    StaffScope.objects.create(user=user, jurisdiction="qingdao")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/archives/staff/files/", {"q": ID}),
        ("/archives/staff/files/", {"q": ID.lower()}),
        ("/cases/assist/", {"q": MOBILE}),
        ("/jobs/staff/pool/", {"q": "138 0013 8000"}),
        ("/services/", {"q": "+86 13912345678"}),
        ("/", {"id_card": ID}),
    ],
)
def test_a_get_with_an_id_or_phone_in_the_query_is_refused_and_not_logged(
    url: str, params: dict[str, str], caplog: Any
) -> None:
    # given staff (the pages exist for them)
    client = _staff()
    caplog.set_level(logging.DEBUG)
    # when the number is put in the URL
    with capture_log_output() as console:
        response = client.get(url, params)
    # then 400 with a Chinese explanation, and nothing of it in any log
    assert response.status_code == 400
    assert "网址中不能包含身份证号、手机号或护照号" in response.content.decode()
    value = next(iter(params.values()))
    assert value not in caplog.text and value not in console.getvalue()
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_the_api_answers_the_error_envelope() -> None:
    client = _staff()
    response = client.get("/api/v1/archives/files/", {"q": ID})
    assert response.status_code == 400
    (problem,) = response.json()["errors"]
    assert problem["field"] == "q" and problem["code"] == "personal_data_in_url"
    assert "身份证号" in problem["message"]


def test_ordinary_queries_pass() -> None:
    client = _staff()
    assert (
        client.get("/archives/staff/files/", {"q": "张三", "school": "青岛二中"}).status_code == 200
    )
    assert client.get("/services/", {"q": "住房补贴"}).status_code == 200
    # a UUID or a page number is not an ID number
    assert (
        client.get(
            "/archives/staff/files/", {"page": "2", "x": "9f0c1a2b-3c4d-4e5f-8a9b-013800138000"}
        )
    ).status_code == 200


def test_archive_search_by_id_is_a_post_and_the_results_url_carries_a_token(
    tmp_path: Any,
) -> None:
    from openpyxl import Workbook

    from talentport.archives.services import archive_batch_import

    # given a file on record
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号"])
    sheet.append(["小明", ID])
    sheet.append(["小红", "37020220060315002" + id_card_check_digit("37020220060315002")])
    workbook.save(tmp_path / "list.xlsx")
    archive_batch_import(source=tmp_path / "list.xlsx", school="青岛二中")
    client = _staff()
    # when staff search by the ID number (POST)
    response = client.post(reverse("archives:file_list"), {"q": ID})
    # then a redirect to a results page whose URL holds no number, showing the one file
    assert response.status_code == 302
    location = response["Location"]
    assert ID not in location and "?s=" in location
    page = client.get(location).content.decode()
    assert "小明" in page and "小红" not in page
    assert ID[:4] + "**********" + ID[-4:] in page  # the list shows the masked number
    # the token means nothing in another session: its search is not applied there
    other = _staff("window2").get(location).content.decode()
    assert "小明" in other and "小红" in other


def test_archive_api_search_by_id_is_a_post(tmp_path: Any) -> None:
    from openpyxl import Workbook

    from talentport.archives.services import archive_batch_import

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号"])
    sheet.append(["小明", ID])
    workbook.save(tmp_path / "list.xlsx")
    archive_batch_import(source=tmp_path / "list.xlsx", school="青岛二中")
    client = _staff()
    response = client.post(
        "/api/v1/archives/files/search/", {"q": ID}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["results"][0]["name"] == "小明"
    assert ID not in response.content.decode()


def test_pool_search_is_a_post_and_export_follows_the_token() -> None:
    import io

    from openpyxl import load_workbook

    from talentport.jobs import services

    # given an entry in the talent pool
    person = User.objects.create_user(username="wang", password="x-Pass-12345", display_name="王")
    services.pool_entry_register(
        user=person,
        full_name="王博士",
        school="曼彻斯特大学",
        country="英国",
        major="材料",
        degree="doctor",
        phone=MOBILE,
    )
    client = _staff()
    # when staff search by name (POST) and export the result
    response = client.post(reverse("jobs:staff-pool"), {"q": "王博士"})
    assert response.status_code == 302 and "王博士" not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "王博士" in page and "s=" in page
    token = response["Location"].split("s=", 1)[1]
    export = client.get(reverse("jobs:staff-pool-export"), {"s": token})
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values)
    assert [r[0] for r in rows[1:]] == ["王博士"]
