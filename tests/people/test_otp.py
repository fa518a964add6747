"""Staff two-factor sign-in (TOTP) and the shorter idle expiry of back-office sessions."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from talentport.common.models import AuditEvent
from talentport.people.models import Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "Haigui-Qingdao-2026"
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
WORKBENCH = "/cases/workbench/"
STAFF_API = "/api/v1/subcases/"


@pytest.fixture
def required(settings: Any) -> None:
    settings.STAFF_OTP_REQUIRED = True


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def make_user(username: str, role: str = Role.WINDOW_SPECIALIST, **extra: Any) -> User:
    return User.objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD, role=role, **extra
    )


def sign_in(client: Any, username: str, next_url: str = "") -> Any:
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("people:login"), data)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return "000000" if current_code(device) != "000000" else "111111"


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# --- the gate in required mode ------------------------------------------------------------


@pytest.mark.usefixtures("required")
def test_staff_without_a_code_cannot_reach_pages_admin_or_the_staff_api(client):
    # given an administrator who signed in with the right password only
    make_user("boss", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    login = sign_in(client, "boss", next_url=WORKBENCH)
    # then the login leads to the enrolment page (no device yet), keeping where they wanted to go
    assert login.status_code == 302
    assert login["Location"].startswith(reverse("people:otp_enrol"))
    assert "next=%2Fcases%2Fworkbench%2F" in login["Location"]
    # and every page, the admin and the API are closed
    page = client.get(WORKBENCH)
    assert page.status_code == 302 and page["Location"].startswith(reverse("people:otp_enrol"))
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith(reverse("people:otp_enrol"))
    api = client.get(STAFF_API)
    assert api.status_code == 403
    error = api.json()["errors"][0]
    assert error["code"] == "otp_required" and "两步验证" in error["message"]
    # while enrolment, logout and static files stay open
    assert client.get(reverse("people:otp_enrol")).status_code == 200
    assert client.get(reverse("people:logout")).status_code == 200


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize("role", [Role.DEPARTMENT_SPECIALIST, Role.AUDITOR])
def test_every_back_office_role_is_asked(client, role):
    make_user("staff1", role=role)
    sign_in(client, "staff1")
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:otp_enrol"))


@pytest.mark.usefixtures("required")
def test_a_forced_login_is_not_a_verified_one(client):
    # given a session signed in by any means but the code step
    client.force_login(make_user("window1"))
    # then the back office stays closed
    assert client.get(WORKBENCH).status_code == 302
    assert client.post(f"/api/v1/grants/{'0' * 32}/decision", {}).status_code == 403


# --- enrolment ----------------------------------------------------------------------------


@pytest.mark.usefixtures("required")
def test_enrolment_with_a_wrong_code_fails_and_with_the_right_one_succeeds(client, clock):
    # given a window specialist at the enrolment page
    user = make_user("window1")
    sign_in(client, "window1")
    page = client.get(reverse("people:otp_enrol"), {"next": WORKBENCH})
    assert page.status_code == 200
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    # it shows the QR code inline (no script, no style attribute) and the secret in groups of 4
    svg = re.search(r"<svg.*?</svg>", body, re.S)
    assert svg is not None and "<script" not in svg.group(0) and "style=" not in svg.group(0)
    groups = re.findall(r"<span>([A-Z2-7]{4})</span>", body)
    assert len(groups) == 8
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    # when a wrong code is given
    wrong = client.post(
        reverse("people:otp_enrol"), {"token": wrong_code(device), "next": WORKBENCH}
    )
    # then the device stays unconfirmed and the back office closed
    assert wrong.status_code == 400
    assert "动态码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(WORKBENCH).status_code == 302
    assert events("auth.otp_failed") == 1
    # when the right code is given (after django-otp's throttle delay)
    clock.shift(dt.timedelta(seconds=5))
    right = client.post(
        reverse("people:otp_enrol"), {"token": current_code(device), "next": WORKBENCH}
    )
    # then the device is confirmed, the session verified and the wanted page open
    assert right.status_code == 302 and right["Location"] == WORKBENCH
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(WORKBENCH).status_code == 200
    assert client.get(STAFF_API).status_code == 200
    assert events("auth.otp_enrolled") == 1


@pytest.mark.usefixtures("required")
def test_an_unconfirmed_device_never_counts(client, clock):
    # given staff who began enrolment and never confirmed it
    user = make_user("window1")
    sign_in(client, "window1")
    client.get(reverse("people:otp_enrol"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # when they try the code page with a code of that device
    response = client.post(reverse("people:otp_verify"), {"token": current_code(device)})
    # then it sends them back to enrolment; nothing is verified
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:otp_enrol"))
    assert client.get(WORKBENCH).status_code == 302


def test_an_unconfirmed_device_does_not_make_the_code_step_compulsory(client):
    TOTPDevice.objects.create(user=make_user("window1"), name="x", confirmed=False)
    sign_in(client, "window1")
    assert client.get(WORKBENCH).status_code == 200


# --- verification -------------------------------------------------------------------------


@pytest.mark.usefixtures("required")
def test_verification_opens_the_back_office_and_each_failure_is_audited(client, clock):
    # given an administrator with a confirmed device, signed in with the password
    user = make_user("boss", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    device = confirmed_device(user)
    login = sign_in(client, "boss", next_url="/admin/")
    assert login["Location"].startswith(reverse("people:otp_verify"))
    page = client.get(login["Location"])
    assert page.status_code == 200 and "6 位动态码" in page.content.decode()
    # when a wrong code is given
    wrong = client.post(reverse("people:otp_verify"), {"token": wrong_code(device)})
    # then the error is in Chinese next to the field, and journaled with the address
    assert wrong.status_code == 400
    assert re.search(r'class="errorlist".*动态码不正确', wrong.content.decode(), re.S)
    event = AuditEvent.objects.get(action="auth.otp_failed")
    assert event.actor == user and event.data["ip"] == "127.0.0.1"
    # and an immediate retry is throttled (django-otp), even with the right code
    throttled = client.post(reverse("people:otp_verify"), {"token": current_code(device)})
    assert throttled.status_code == 429 and "尝试次数过多" in throttled.content.decode()
    assert events("auth.otp_failed") == 2
    assert client.get("/admin/").status_code == 302
    # when the right code is given once the delay has passed
    clock.shift(dt.timedelta(seconds=10))
    right = client.post(
        reverse("people:otp_verify"), {"token": current_code(device), "next": "/admin/"}
    )
    # then the admin, the pages and the API are open
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(WORKBENCH).status_code == 200
    assert client.get(STAFF_API).status_code == 200
    assert events("auth.otp_verified") == 1


@pytest.mark.usefixtures("required")
def test_a_code_cannot_be_used_twice(client, clock):
    user = make_user("window1")
    device = confirmed_device(user)
    code = current_code(device)
    sign_in(client, "window1")
    assert client.post(reverse("people:otp_verify"), {"token": code}).status_code == 302
    other = type(client)()
    sign_in(other, "window1")
    assert other.post(reverse("people:otp_verify"), {"token": code}).status_code == 400


def test_malformed_codes_are_a_field_error_not_a_crash(client):
    confirmed_device(make_user("window1"))
    sign_in(client, "window1")
    for token in ["", "12345", "abcdef", "1" * 40]:
        response = client.post(reverse("people:otp_verify"), {"token": token})
        assert response.status_code == 400, token
        assert "6 位数字动态码" in response.content.decode()


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.GUARDIAN, Role.EMPLOYER])
def test_people_are_never_asked_for_a_code(client, role):
    # given a person, even one who somehow has a device
    user = make_user("person1", role=role)
    confirmed_device(user)
    # when they sign in
    login = sign_in(client, "person1")
    # then they are in, straight away
    assert login.status_code == 302 and login["Location"] == reverse("portal:home")
    assert client.get(reverse("people:account")).status_code == 200
    assert client.get("/api/v1/me/profile").status_code in {200, 404}
    assert client.get(reverse("people:otp_enrol")).status_code == 403


# --- optional mode (a demo machine) ----------------------------------------------------------


def test_without_the_requirement_staff_sign_in_with_the_password(client):
    make_user("window1")
    login = sign_in(client, "window1", next_url=WORKBENCH)
    assert login["Location"] == WORKBENCH
    assert client.get(WORKBENCH).status_code == 200


def test_voluntary_enrolment_then_the_code_is_asked_at_every_sign_in(client, clock):
    # given staff on a machine where the code is not required
    user = make_user("window1")
    sign_in(client, "window1")
    account = client.get(reverse("people:account")).content.decode()
    assert "两步验证" in account and reverse("people:otp_enrol") in account
    # when they enrol
    client.get(reverse("people:otp_enrol"))
    device = TOTPDevice.objects.get(user=user)
    assert (
        client.post(reverse("people:otp_enrol"), {"token": current_code(device)}).status_code == 302
    )
    client.post(reverse("people:logout"))
    # then the next sign-in asks for the code
    clock.shift(dt.timedelta(minutes=1))
    login = sign_in(client, "window1")
    assert login["Location"].startswith(reverse("people:otp_verify"))
    assert client.get(WORKBENCH).status_code == 302
    assert (
        client.post(reverse("people:otp_verify"), {"token": current_code(device)}).status_code
        == 302
    )
    assert client.get(WORKBENCH).status_code == 200


# --- the admin -----------------------------------------------------------------------------


def test_an_administrator_resets_a_device_from_the_admin_and_it_is_journaled(client):
    # given an administrator and a colleague with a device
    boss = make_user("boss", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    colleague = make_user("window1")
    confirmed_device(colleague)
    client.force_login(boss)
    listing = client.get("/admin/people/user/")
    assert listing.status_code == 200 and "reset_two_factor" in listing.content.decode()
    # when the reset action runs on the colleague
    response = client.post(
        "/admin/people/user/",
        {"action": "reset_two_factor", "_selected_action": [colleague.pk]},
    )
    # then the device is gone and the reset is in the journal
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    event = AuditEvent.objects.get(action="auth.otp_reset")
    assert event.actor == boss and event.subject_id == str(colleague.uuid)
    # and no page of the admin shows device secrets
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_the_admin_login_goes_through_the_platform_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


# --- idle expiry ---------------------------------------------------------------------------


def test_staff_sessions_expire_after_15_idle_minutes_and_people_after_30(client, clock):
    # given staff and a person, both signed in
    make_user("window1")
    make_user("person1", role=Role.APPLICANT)
    person = type(client)()
    sign_in(client, "window1")
    sign_in(person, "person1")
    assert client.session.get_expiry_age() == 15 * 60
    assert person.session.get_expiry_age() == 30 * 60
    # when staff keep working, every request starts the idle period again
    clock.shift(dt.timedelta(minutes=14))
    assert client.get(WORKBENCH).status_code == 200
    clock.shift(dt.timedelta(minutes=14))
    assert client.get(WORKBENCH).status_code == 200
    # when they leave it for 16 minutes
    clock.shift(dt.timedelta(minutes=16))
    # then staff must sign in again; the person (idle 44 minutes) too, but not after 16
    expired = client.get(WORKBENCH)
    assert expired.status_code == 302 and expired["Location"].startswith(reverse("people:login"))
    assert person.get(reverse("people:account")).status_code == 302
    fresh = type(client)()
    sign_in(fresh, "person1")
    clock.shift(dt.timedelta(minutes=16))
    assert fresh.get(reverse("people:account")).status_code == 200


@pytest.mark.usefixtures("required")
def test_the_code_step_is_chinese_first_with_english_available(client):
    confirmed_device(make_user("window1"))
    sign_in(client, "window1")
    chinese = client.get(reverse("people:otp_verify")).content.decode()
    assert "两步验证" in chinese and 'inputmode="numeric"' in chinese
    assert 'autocomplete="one-time-code"' in chinese
    client.cookies["django_language"] = "en"
    english = client.get(reverse("people:otp_verify")).content.decode()
    assert "Verify and continue" in english and "6-digit code" in english


def test_the_deploy_check_warns_when_production_drops_the_requirement(settings):
    from talentport.people.checks import staff_sign_in_settings

    settings.PRODUCTION = True
    settings.STAFF_OTP_REQUIRED = False
    assert [w.id for w in staff_sign_in_settings()] == ["talentport.people.W001"]
    settings.STAFF_OTP_REQUIRED = True
    assert staff_sign_in_settings() == []
