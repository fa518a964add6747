"""Sign-ins, failed sign-ins, sign-outs and lockouts are audit events with IP and agent."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from talentport.common.audit_chain import chain_verify
from talentport.common.auth_audit import mask_username
from talentport.common.models import AuditEvent
from talentport.people.models import Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456-Aa"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) " + "A" * 400


@pytest.fixture
def clerk() -> User:
    return User.objects.create_user(
        username="clerk", password=PASSWORD, role=Role.WINDOW_SPECIALIST
    )


def _login(client: Any, username: str, password: str, **extra: Any) -> Any:
    extra.setdefault("REMOTE_ADDR", "203.0.113.5")
    extra.setdefault("HTTP_USER_AGENT", AGENT)
    return client.post(
        reverse("people:login"), {"username": username, "password": password}, **extra
    )


def test_a_sign_in_is_journaled_with_ip_and_truncated_user_agent(client: Any, clerk: User) -> None:
    # when
    response = _login(client, "clerk", PASSWORD)

    # then
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == clerk and event.subject_id == str(clerk.uuid)
    assert event.ip == "203.0.113.5"
    assert (
        event.data["user_agent"].startswith("Mozilla/5.0") and len(event.data["user_agent"]) == 200
    )
    assert chain_verify().ok


def test_a_failed_sign_in_names_the_account_tried_and_the_ip(client: Any, clerk: User) -> None:
    # when
    response = _login(client, "clerk", "wrong-password")

    # then
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert event.subject_type == "people.user" and event.subject_id == str(clerk.uuid)
    assert event.data["username"] == "clerk"
    assert event.ip == "203.0.113.5"


def test_a_failed_sign_in_with_a_phone_or_id_number_as_username_is_masked(client: Any) -> None:
    # when: people type their phone or ID number into the username box
    _login(client, "13912345678", "x")
    _login(client, "370202200603150013", "x")

    # then
    names = list(
        AuditEvent.objects.filter(action="auth.login_failed")
        .order_by("seq")
        .values_list("data__username", flat=True)
    )
    assert names == ["139****5678", "3702**********0013"]
    assert not AuditEvent.objects.filter(action="auth.login_failed", subject_id__gt="").exists()
    text = repr(list(AuditEvent.objects.values_list("data", "subject_id")))
    assert "13912345678" not in text and "370202200603150013" not in text


def test_mask_username_keeps_ordinary_names() -> None:
    assert mask_username("wang.li") == "wang.li"
    assert mask_username("+86 139 1234 5678") == "139****5678"
    assert mask_username("li13912345678") == "li139******78"


def test_a_sign_out_is_journaled(client: Any, clerk: User) -> None:
    # given
    _login(client, "clerk", PASSWORD)

    # when
    client.post(reverse("people:logout"), REMOTE_ADDR="203.0.113.6")

    # then
    event = AuditEvent.objects.get(action="auth.logout")
    assert event.actor == clerk and event.ip == "203.0.113.6"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(client: Any, clerk: User) -> None:
    # when: the proxy appends the address it saw; the client forged the first one
    _login(
        client,
        "clerk",
        "wrong",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.99, 198.51.100.23",
    )

    # then
    assert AuditEvent.objects.get(action="auth.login_failed").ip == "198.51.100.23"


def test_without_a_proxy_setting_x_forwarded_for_is_ignored(client: Any, clerk: User) -> None:
    # when
    _login(client, "clerk", "wrong", REMOTE_ADDR="203.0.113.8", HTTP_X_FORWARDED_FOR="1.2.3.4")

    # then
    assert AuditEvent.objects.get(action="auth.login_failed").ip == "203.0.113.8"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_lockout_is_journaled(client: Any, clerk: User) -> None:
    # when
    for _ in range(3):
        _login(client, "clerk", "wrong")

    # then
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 3
    locked = AuditEvent.objects.get(action="auth.locked_out")
    assert locked.subject_id == str(clerk.uuid) and locked.ip == "203.0.113.5"
