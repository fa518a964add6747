"""消息发送记录: administrators and the auditor read it (masked); administrators retry."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from talentport.notify.delivery import delivery_to_phone_queue
from talentport.notify.models import Delivery, DeliveryStatus
from talentport.notify.outbox import OutboxItem, outbox_queue
from talentport.people.models import Role, User
from tests.notify.conftest import make_profile

pytestmark = pytest.mark.django_db

PAGE = reverse("workbench:deliveries")
RETRY = reverse("workbench:deliveries-retry")


def _user(username: str, role: str) -> User:
    return User.objects.create_user(username=username, password="pw-123456-Aa", role=role)


@pytest.fixture
def rows() -> None:
    profile = make_profile(phone="13800138000")
    outbox_queue([OutboxItem("a", "general", "新可享受政策", profile_id=profile.pk)])
    delivery_to_phone_queue(
        phone="13912345678", title="档案认领验证码", dedupe_key="b", secret_text="验证码 654321"
    )
    Delivery.objects.filter(notice__dedupe_key="b").update(
        status=DeliveryStatus.FAILED, last_error="SmsSendError: provider answered HTTP 500"
    )


@pytest.mark.parametrize(
    "role", [Role.APPLICANT, Role.DEPARTMENT_SPECIALIST, Role.WINDOW_SPECIALIST]
)
def test_out_of_scope_accounts_are_refused(client: Any, role: str, rows: None) -> None:
    client.force_login(_user("someone", role))
    assert client.get(PAGE).status_code == 403
    assert client.post(RETRY, {"delivery": []}).status_code == 403


def test_anonymous_goes_to_the_login(client: Any) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.AUDITOR])
def test_the_list_shows_masked_addresses_only(client: Any, role: str, rows: None) -> None:
    client.force_login(_user("reader", role))
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "138****8000" in html and "139****5678" in html
    assert "13800138000" not in html and "13912345678" not in html
    assert "654321" not in html  # the code an SMS carries is never shown
    assert "HTTP 500" in html
    assert ('name="delivery"' in html) is (role == Role.ADMINISTRATOR)


def test_filters_by_status_and_channel(client: Any, rows: None) -> None:
    client.force_login(_user("admin", Role.ADMINISTRATOR))
    html = client.get(PAGE, {"status": "failed", "channel": "sms"}).content.decode()
    assert "档案认领验证码" in html and "新可享受政策" not in html


def test_an_administrator_retries_a_failed_delivery(client: Any, rows: None) -> None:
    client.force_login(_user("admin", Role.ADMINISTRATOR))
    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    response = client.post(RETRY, {"delivery": [str(failed.uuid)]})
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.QUEUED and failed.attempts == 0


def test_the_auditor_may_not_retry(client: Any, rows: None) -> None:
    client.force_login(_user("auditor", Role.AUDITOR))
    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    assert client.post(RETRY, {"delivery": [str(failed.uuid)]}).status_code == 403
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED
