"""Sign-up linking: an account that verifies a phone takes over, or is linked to, the
talent database profile imported for that number (issue 9 §2)."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from django.urls import reverse

from talentport.notify.sms import LocmemSmsBackend
from talentport.people.models import TalentProfile, TalentProfileLink
from talentport.people.services import user_register
from talentport.people.talent_import import talent_profiles_import
from talentport.people.talent_link import (
    PhoneVerificationError,
    phone_verification_confirm,
    phone_verification_send,
    talent_profile_link,
)

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


def imported(pid: int, phone: str = PHONE, source: str = "校友会") -> TalentProfile:
    record = {"id": pid, "education": {"degree": "master"}, "contact": {"phone": phone}}
    talent_profiles_import(orjson.dumps(record) + b"\n", source=source)
    return TalentProfile.objects.get(source=source, source_key=str(pid))


def sign_up(username: str = "newbie") -> Any:
    return user_register(username=username, email=f"{username}@example.cn", password="pw-123456-Aa")


def test_an_account_without_a_profile_takes_over_the_imported_one() -> None:
    row = imported(1)
    user = sign_up()
    result = talent_profile_link(user=user, phone="+86 138 0013 8000")
    assert result.taken_over == row
    row.refresh_from_db()
    assert row.user == user
    assert TalentProfile.objects.count() == 1  # no duplicate
    # a later import of that source leaves what the person now says alone
    report = talent_profiles_import(
        orjson.dumps({"id": 1, "education": {"degree": "doctor"}}) + b"\n", source="校友会"
    )
    assert report.counts["unchanged"] == 1 and report.counts["created"] == 0
    row.refresh_from_db()
    assert row.data == {"education": {"degree": "master"}}


def test_an_account_with_a_profile_keeps_it_and_records_the_link() -> None:
    row = imported(1)
    user = sign_up()
    own = TalentProfile.objects.create(user=user, data={"education": {"degree": "doctor"}})
    result = talent_profile_link(user=user, phone=PHONE)
    assert result.taken_over is None and result.linked == [row]
    row.refresh_from_db()
    own.refresh_from_db()
    assert row.user is None and own.user == user
    assert TalentProfileLink.objects.get(user=user).profile == row


def test_several_imported_rows_one_taken_over_the_others_linked() -> None:
    imported(1, source="校友会")
    imported(9, source="招聘会")
    user = sign_up()
    result = talent_profile_link(user=user, phone=PHONE)
    assert result.taken_over is not None and len(result.linked) == 1
    assert TalentProfile.objects.filter(user=user).count() == 1
    assert TalentProfileLink.objects.filter(user=user).count() == 1


def test_another_number_links_nothing() -> None:
    imported(1)
    result = talent_profile_link(user=sign_up(), phone="13900139000")
    assert result.taken_over is None and not result.linked


def test_the_link_needs_the_code_sent_to_the_phone(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_BACKEND = "talentport.notify.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    row = imported(1)
    user = sign_up()
    with django_capture_on_commit_callbacks(execute=True):
        phone_verification_send(user=user, phone=PHONE)
    [(to, text)] = LocmemSmsBackend.outbox
    code = re.search(r"\d{6}", text)
    assert to == PHONE and code is not None
    # it went through the outbox: recorded for staff, sent, its text kept encrypted
    from django.db import connection

    from talentport.notify.models import Delivery, DeliveryStatus

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.quiet_exempt
    assert delivery.phone_masked == PHONE[:3] + "****" + PHONE[-4:]
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_text FROM notify_delivery")
        [(raw,)] = cursor.fetchall()
    assert code[0] not in str(raw)
    with pytest.raises(PhoneVerificationError):
        phone_verification_confirm(
            user=user, phone=PHONE, code="000000" if code[0] != "000000" else "111111"
        )
    other = sign_up("other")
    with pytest.raises(PhoneVerificationError):  # someone else's code is not theirs
        phone_verification_confirm(user=other, phone=PHONE, code=code[0])
    result = phone_verification_confirm(user=user, phone=PHONE, code=code[0])
    assert result.taken_over == row
    with pytest.raises(PhoneVerificationError):  # used once
        phone_verification_confirm(user=user, phone=PHONE, code=code[0])


def test_a_landline_cannot_be_verified() -> None:
    with pytest.raises(PhoneVerificationError) as info:
        phone_verification_send(user=sign_up(), phone="0532-66776881")
    assert info.value.field == "phone"


def test_the_page_verifies_and_links(
    client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_BACKEND = "talentport.notify.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    row = imported(1)
    user = sign_up()
    client.force_login(user)
    url = reverse("people:phone_verify")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"phone": PHONE, "op": "send"})
    assert response.status_code == 200 and "验证码已发送" in response.content.decode()
    code = re.search(r"\d{6}", LocmemSmsBackend.outbox[-1][1])
    assert code is not None
    response = client.post(url, {"phone": PHONE, "code": code[0], "op": "confirm"}, follow=True)
    assert "已关联" in response.content.decode()
    row.refresh_from_db()
    assert row.user == user
