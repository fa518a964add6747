"""Fixtures of the outbox tests: in-memory e-mail and SMS, accounts and imported profiles."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import time_machine

from talentport.common.idcard import mask_email, mask_phone
from talentport.notify.sms import LocmemSmsBackend
from talentport.people.models import TalentProfile, User

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _backends(settings: Any) -> Any:
    settings.SMS_BACKEND = "talentport.notify.sms.LocmemSmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()


#: 10:00 Beijing time on a Monday: outside the SMS quiet hours.
DAYTIME = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _daytime() -> Any:
    """Tests run at 10:00 Beijing time unless they travel elsewhere (quiet hours)."""
    with time_machine.travel(DAYTIME, tick=True):
        yield


@pytest.fixture
def sms() -> list[tuple[str, str]]:
    return LocmemSmsBackend.outbox


def make_user(username: str, email: str = "") -> User:
    return User.objects.create_user(
        username=username, password="pw-" + username + "-123", email=email
    )


def make_profile(
    *, phone: str | None = None, email: str | None = None, consent: bool = True
) -> TalentProfile:
    n = next(_seq)
    return TalentProfile.objects.create(
        source="fair",
        source_key=f"p{n}",
        contact_phone=phone,
        contact_phone_masked=mask_phone(phone) if phone else "",
        contact_email=email,
        contact_email_masked=mask_email(email) if email else "",
        consent=consent,
    )
