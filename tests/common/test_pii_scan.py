"""The PII scan: after a scripted journey through the services and the pages (archive
import with ID numbers and guardian phones, a 一件事 form with an ID number and a
phone, a talent-pool registration with a phone, staff searches by ID number and
phone, exports), no table of the database and no line of the log output holds a
clear ID number or mobile phone number; and the scan does find one planted."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from talentport.cases import services as cases
from talentport.cases.models import Bundle
from talentport.catalog.models import Department
from talentport.common.idcard import id_card_check_digit
from talentport.jobs import services as jobs
from talentport.people.models import Role, StaffScope, User
from tests.pii_scan import capture_log_output, scan_database, scan_text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%scan\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _id(birth: str, serial: int) -> str:
    first17 = f"370202{birth}{serial:03d}"
    return first17 + id_card_check_digit(first17)


MINOR = _id("20100315", 11)
ADULT = _id("20010704", 12)
APPLICANT_ID = _id("19900101", 13)
GUARDIAN_PHONE = "13912345678"
APPLICANT_PHONE = "13800138000"
POOL_PHONE = "13711112222"
EMPLOYER_PHONE = "13622223333"
NUMBERS = (MINOR, ADULT, APPLICANT_ID, GUARDIAN_PHONE, APPLICANT_PHONE, POOL_PHONE, EMPLOYER_PHONE)


def _user(username: str, role: str = Role.APPLICANT, **extra: Any) -> User:
    user = User.objects.create_user(
        username=username, password="x-Pass-" + username, role=role, **extra
    )
    if role == Role.WINDOW_SPECIALIST:
        StaffScope.objects.create(user=user, jurisdiction="qingdao")
    return user


def _client(user: User) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.50")
    client.force_login(user)
    return client


def _all_loggers_at_debug(caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("django", "django.request", "django.server", "talentport", "talentport.pii"):
        caplog.set_level(logging.DEBUG, logger=name)
    for name in list(logging.Logger.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


def _handover_list() -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号", "班级", "监护人姓名", "监护人电话"])
    sheet.append(["小明", MINOR, "高一（2）班", "王母", GUARDIAN_PHONE])
    sheet.append(["小刚", ADULT, "高三（1）班", "李父", "+86 139-1234-5679"])
    sheet.append(["小错", MINOR[:-1] + ("0" if MINOR[-1] != "0" else "1"), "", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("二中交接名单.xlsx", buffer.getvalue())


def _journey(tmp_path: Path) -> None:
    window = _user("window1", Role.WINDOW_SPECIALIST, display_name="王专员")
    parent = _user("parent1", Role.GUARDIAN)
    staff = _client(window)

    # archives: staff import the school's list (IDs, guardian phones), search by ID
    # on the page (POST) and through the API, open the file and reveal the number
    staff.post(reverse("archives:staff_import"), {"school": "青岛二中", "file": _handover_list()})
    found = staff.post(reverse("archives:file_list"), {"q": MINOR}, follow=True)
    assert "小明" in found.content.decode()
    assert staff.get(reverse("archives:file_list"), {"q": MINOR}).status_code == 400
    staff.post("/api/v1/archives/files/search/", {"q": ADULT}, content_type="application/json")
    file_url = found.content.decode().split('href="/archives/staff/files/', 1)[1].split('"')[0]
    detail = staff.get("/archives/staff/files/" + file_url, {"reveal": "1"})
    assert MINOR in detail.content.decode()
    staff.post("/archives/staff/files/" + file_url + "guardians/", {"username": parent.username})
    staff.post(
        "/archives/staff/files/" + file_url + "transition/",
        {"to_state": "stored", "note": "已电话联系家长 " + GUARDIAN_PHONE},
    )

    # 一件事: a person files the form with an ID number and a phone, submits; the
    # window finds them by phone (POST), the department opens the sub-case
    cases.bundle_load()
    bundle = Bundle.objects.get(code="weihai-study-abroad")
    police = _user(
        "police1", Role.DEPARTMENT_SPECIALIST, department=Department.objects.get(code="wh-police")
    )
    cases.membership_set(user=police, department=police.department, phone="0631-5000110")
    person = _user("alice", display_name="李爱丽", email="alice@example.org")
    me = _client(person)
    me.post(
        reverse("cases:start", kwargs={"id": bundle.uuid}),
        {
            "stage": "after",
            "items": ["degree-verification", "entry-exit-records"],
            "form_name": "李爱丽",
            "form_id_number": APPLICANT_ID,
            "form_phone": APPLICANT_PHONE,
            "form_school": "University of Edinburgh",
            "form_degree": "master",
            "form_graduation_date": "2025-06-30",
            "op": "save",
        },
    )
    application = person.case_applications.get()
    for material in cases.application_materials_needed(application=application):
        upload = cases.material_upload(
            owner=person, actor=person, code=material["code"], filename="m.pdf", content=PDF
        )
        cases.application_attach_material(
            application=application, actor=person, code=material["code"], material=upload
        )
    me.post(reverse("cases:application", kwargs={"id": application.uuid}), {"op": "submit"})
    me.post(
        reverse("people:access"),
        {"op": "grant", "kind": "assistant", "username": window.username},
    )
    assert "李爱丽" in staff.post(reverse("cases:assist"), {"q": APPLICANT_PHONE}).content.decode()
    staff.get("/api/v1/applications/")
    subcase = application.subcases.get(department__code="wh-police")
    page = _client(police).get(reverse("cases:subcase", kwargs={"id": subcase.uuid}))
    assert APPLICANT_ID in page.content.decode()
    me.post(
        reverse("cases:degree"),
        {"school": "爱丁堡大学", "degree": "master", "cscse_number": "JSJ2025123456"},
    )

    # jobs: a person joins the talent pool with a phone; an employer with a mobile
    # contact phone is reviewed; staff search the pool (POST) and export it
    returnee = _user("wang", display_name="王博士")
    _client(returnee).post(
        reverse("jobs:pool-register"),
        {
            "full_name": "王博士",
            "abroad_status": "returned",
            "school": "曼彻斯特大学",
            "country": "英国",
            "major": "材料科学",
            "major_field": "materials",
            "degree": "doctor",
            "phone": POOL_PHONE,
            "email": "wang@example.cn",
            "contact_consent": "on",
        },
    )
    employer = _user("hr", Role.EMPLOYER)
    org = jobs.employer_org_save(
        user=employer,
        name="青岛海洋新材料有限公司",
        org_type="private",
        contact_phone=EMPLOYER_PHONE,
    )
    jobs.employer_org_verify(org=org, actor=window, decision="verified")
    assert EMPLOYER_PHONE in staff.get(reverse("jobs:staff-employers")).content.decode()
    searched = staff.post(reverse("jobs:staff-pool"), {"q": "王博士"})
    token = searched["Location"].split("s=", 1)[1]
    export = staff.get(reverse("jobs:staff-pool-export"), {"s": token})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert POOL_PHONE in [str(cell) for row in sheet.values for cell in row]


def test_journey_leaves_no_clear_id_or_phone_in_the_database_or_the_logs(
    seeded_catalog: Any, settings: Any, tmp_path: Path, caplog: Any
) -> None:
    # given every logger at DEBUG and the console SMS backend (it logs each text)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "talentport.notify.sms.ConsoleSmsBackend"
    _all_loggers_at_debug(caplog)
    # when the journey runs
    with capture_log_output() as console:
        _journey(tmp_path)
        # the SMS left the journey's transactions through the outbox: send it (at a
        # daytime moment, whatever the clock says: SMS wait for 08:00 Beijing time)
        from django.utils import timezone

        from talentport.notify.delivery import deliveries_send, quiet_end, sms_quiet

        now = timezone.now()
        deliveries_send(now=quiet_end(now) if sms_quiet(now) else now)
    log_output = console.getvalue() + caplog.text
    # then the database dump and the log output hold none of the numbers
    database = scan_database()
    logs = scan_text(log_output)
    print(database.summary())
    print(logs.summary())
    assert database.rows > 200 and database.tables > 40
    assert not database.hits, [str(hit) for hit in database.hits]
    assert not logs.hits, [str(hit) for hit in logs.hits]
    for number in NUMBERS:
        assert number not in log_output
    # and the log did see them, masked (the SMS to the applicant's phone)
    assert "SMS to 138****8000" in log_output
    # every decrypted read of the journey is in the PII access log with IP and path
    from talentport.common.models import PiiAccessLog

    reads = PiiAccessLog.objects.all()
    assert {r.field for r in reads} >= {"id_card", "form_data", "contact", "contact_phone"}
    assert all(r.ip == "203.0.113.50" and r.path.startswith("/") for r in reads)


def test_the_scan_finds_a_clear_number_planted_in_a_table_and_a_log(db: Any) -> None:
    # given a clear ID number written behind the services' back, and a phone logged raw
    user = _user("planted")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE people_user SET display_name = %s WHERE id = %s",
            ["张三 " + APPLICANT_ID, user.pk],
        )
    # when scanned
    database = scan_database()
    logs = scan_text("2026-12-03 INFO talentport SMS to " + APPLICANT_PHONE)
    # then both are found, with where they are
    (hit,) = database.hits
    assert (hit.kind, hit.value, hit.table, hit.column) == (
        "id_card",
        APPLICANT_ID,
        "people_user",
        "display_name",
    )
    assert [(h.kind, h.value) for h in logs.hits] == [("mobile", APPLICANT_PHONE)]
    # a number with a wrong check digit, a token or a hash is not a hit
    bad = APPLICANT_ID[:-1] + ("0" if APPLICANT_ID[-1] != "0" else "1")
    assert not scan_text(f"{bad} a{APPLICANT_PHONE}b 9f{APPLICANT_PHONE}0").hits
