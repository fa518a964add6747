"""Step-up re-authentication before publishing a policy, deciding a grant and revealing an
ID number: a fresh password (or code) within STEP_UP_MINUTES."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from talentport.archives.models import ArchiveFile
from talentport.common.models import AuditEvent
from talentport.funds.models import Grant, GrantStatus
from talentport.people.models import Role, StaffScope, TalentProfile, User
from talentport.policies.models import PolicyVersion
from talentport.policies.services import policies_sync
from tests.archives.conftest import make_id
from tests.policies.test_django_policies import _housing_text

pytestmark = pytest.mark.django_db

PASSWORD = "Haigui-Qingdao-2026"
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
HOUSING = "qingdao.graduate_housing_subsidy"
LATER = dt.timedelta(minutes=6)  # past STEP_UP_MINUTES (5)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def synced() -> None:
    policies_sync()


@pytest.fixture
def staff() -> User:
    """A Qingdao administrator: publishes Qingdao's policies, decides its grants, hands
    files over."""
    user = User.objects.create_user(username="admin1", password=PASSWORD, role=Role.ADMINISTRATOR)
    StaffScope.objects.create(user=user, jurisdiction="qingdao")
    return user


def versions() -> int:
    return PolicyVersion.objects.filter(policy_id=HOUSING).count()


def publish_page(client: Any, text: str, **extra: str) -> Any:
    return client.post(reverse("policies:staff_publish"), {"text": text, "note": "n", **extra})


def confirm(client: Any, password: str = PASSWORD) -> Any:
    return client.post(reverse("people:confirm"), {"stepup_password": password, "next": "/"})


def grant() -> Grant:
    person = User.objects.create_user(username="person", password=PASSWORD)
    profile = TalentProfile.objects.create(user=person, data={})
    return Grant.objects.create(
        profile=profile, policy_id=HOUSING, policy_version=1, title="t", jurisdiction="qingdao"
    )


@pytest.mark.usefixtures("synced")
def test_publishing_on_the_page_needs_a_fresh_confirmation(client, clock, staff):
    # given staff who signed in more than five minutes ago
    client.force_login(staff)
    before = versions()
    clock.shift(LATER)
    # when they publish
    stale = publish_page(client, _housing_text(600, 900, 1500))
    # then they are asked to confirm, in place, with what they typed kept
    assert stale.status_code == 403
    body = stale.content.decode()
    assert "确认身份" in body and 'name="stepup_password"' in body
    assert 'name="text"' in body and "1500" in body
    assert versions() == before
    # when they give a wrong password
    wrong = publish_page(client, _housing_text(600, 900, 1500), stepup_password="nope")
    # then nothing is published and the failure is journaled
    assert wrong.status_code == 403 and "密码不正确" in wrong.content.decode()
    assert versions() == before
    assert AuditEvent.objects.filter(action="auth.step_up_failed").count() == 1
    # when they give the right one
    done = publish_page(client, _housing_text(600, 900, 1500), stepup_password=PASSWORD)
    # then it is published
    assert done.status_code == 302 and versions() == before + 1
    # and within five minutes they publish again without being asked
    clock.shift(dt.timedelta(minutes=4))
    assert publish_page(client, _housing_text(600, 900, 1600)).status_code == 302
    assert versions() == before + 2
    # but after STEP_UP_MINUTES they are asked again
    clock.shift(LATER)
    assert publish_page(client, _housing_text(600, 900, 1700)).status_code == 403
    assert versions() == before + 2


@pytest.mark.usefixtures("synced")
def test_publishing_through_the_api_needs_a_fresh_confirmation(client, clock, staff):
    client.force_login(staff)
    clock.shift(LATER)
    text = {"text": _housing_text(600, 900, 1500)}
    # when published without a fresh confirmation
    stale = client.post("/api/v1/policies", text, "application/json")
    # then 403 step_up_required, telling where to confirm
    assert stale.status_code == 403
    error = stale.json()["errors"][0]
    assert error["code"] == "step_up_required"
    assert reverse("people:confirm") in error["message"] and "确认身份" in error["message"]
    # when confirmed on the page
    assert confirm(client).status_code == 302
    # then it works
    assert client.post("/api/v1/policies", text, "application/json").status_code == 201
    # and after STEP_UP_MINUTES it is refused again
    clock.shift(LATER)
    again = client.post("/api/v1/policies", {"text": _housing_text(1, 2, 3)}, "application/json")
    assert again.status_code == 403 and again.json()["errors"][0]["code"] == "step_up_required"


def test_grant_decisions_need_a_fresh_confirmation(client, clock, staff):
    pending = grant()
    client.force_login(staff)
    clock.shift(LATER)
    url = f"/api/v1/grants/{pending.uuid}/decision"
    stale = client.post(url, {"confirm": True}, "application/json")
    assert stale.status_code == 403 and stale.json()["errors"][0]["code"] == "step_up_required"
    pending.refresh_from_db()
    assert pending.status == GrantStatus.PENDING
    assert confirm(client, "wrong").status_code == 400
    assert confirm(client).status_code == 302
    assert client.post(url, {"confirm": True}, "application/json").status_code == 200
    pending.refresh_from_db()
    assert pending.status == GrantStatus.CONFIRMED


def test_grant_decisions_on_the_page_need_a_fresh_confirmation(client, clock, staff):
    pending = grant()
    client.force_login(staff)
    clock.shift(LATER)
    url = reverse("policies:grant_decide", args=[pending.uuid])
    stale = client.post(url, {"decision": "confirm"})
    assert stale.status_code == 403 and 'name="decision"' in stale.content.decode()
    pending.refresh_from_db()
    assert pending.status == GrantStatus.PENDING
    done = client.post(url, {"decision": "confirm", "stepup_password": PASSWORD})
    assert done.status_code == 302
    pending.refresh_from_db()
    assert pending.status == GrantStatus.CONFIRMED


def test_revealing_an_id_number_needs_a_fresh_confirmation(client, clock, staff, tmp_path):
    # given an archive file and staff who may reveal its ID number
    from talentport.archives.services import archive_batch_import
    from tests.archives.conftest import write_xlsx

    number = make_id(birth="20050101", serial=7)
    path = write_xlsx(tmp_path / "list.xlsx", [["张三", number]])
    archive_batch_import(source=path, school="青岛二中", actor=None, filename=path.name)
    file = ArchiveFile.objects.get()
    client.force_login(staff)
    clock.shift(LATER)
    url = reverse("archives:file_detail", args=[file.uuid]) + "?reveal=1"
    # when the full number is asked for without a fresh confirmation
    stale = client.get(url)
    # then the confirmation page comes first, and the number is nowhere
    assert stale.status_code == 302
    assert stale["Location"].startswith(reverse("people:confirm"))
    assert number not in client.get(stale["Location"]).content.decode()
    # when confirmed, back to the file with the number shown
    done = client.post(stale["Location"], {"stepup_password": PASSWORD, "next": url})
    assert done.status_code == 302 and done["Location"] == url
    assert number in client.get(url).content.decode()


def code_of(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_an_account_with_a_device_confirms_with_its_code(client, clock, staff):
    # given staff with a device, verified at sign-in, five minutes ago and more
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client.force_login(staff)
    assert client.post(reverse("people:otp_verify"), {"token": code_of(device)}).status_code == 302
    clock.shift(LATER)
    # then the confirmation asks for the code, and the password is not enough
    page = client.get(reverse("people:confirm"), {"next": "/"})
    assert page.status_code == 200 and 'name="stepup_code"' in page.content.decode()
    assert confirm(client).status_code == 400
    # the current code confirms (once django-otp's delay after the failure has passed)
    clock.shift(dt.timedelta(seconds=10))
    done = client.post(reverse("people:confirm"), {"stepup_code": code_of(device), "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert AuditEvent.objects.filter(action="auth.step_up").count() == 1


def test_the_confirmation_page_only_returns_to_this_site(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("people:confirm"),
        {"stepup_password": PASSWORD, "next": "https://evil.example/steal"},
    )
    assert response.status_code == 302 and "evil.example" not in response["Location"]
