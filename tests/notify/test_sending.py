"""Sending the outbox: quiet hours, rate limits, retries, never inside a transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection

from talentport.notify import delivery as sender
from talentport.notify.delivery import backoff, deliveries_send, delivery_to_phone_queue
from talentport.notify.models import Delivery, DeliveryStatus
from talentport.notify.outbox import OutboxItem, outbox_queue
from talentport.notify.sms import LocmemSmsBackend
from tests.notify.conftest import make_profile, make_user

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _sms_items(n: int) -> list[OutboxItem]:
    return [
        OutboxItem(f"k{i}", "general", f"通知{i}", profile_id=make_profile(phone="13800138000").pk)
        for i in range(n)
    ]


@pytest.mark.django_db
def test_no_sms_at_night_held_until_eight_beijing_time(sms: list[tuple[str, str]]) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 22, 30, tzinfo=BEIJING), tick=False):
        outbox_queue(_sms_items(1))
        counts = deliveries_send()
    delivery = Delivery.objects.get()
    assert counts == {"held": 1}
    assert delivery.status == DeliveryStatus.HELD and not sms
    assert delivery.next_attempt_at == dt.datetime(2026, 3, 3, 8, 0, tzinfo=BEIJING)

    # still night after midnight: nothing
    with time_machine.travel(dt.datetime(2026, 3, 3, 7, 59, tzinfo=BEIJING), tick=False):
        deliveries_send()
    assert not sms
    # 08:00: it goes
    with time_machine.travel(dt.datetime(2026, 3, 3, 8, 0, tzinfo=BEIJING), tick=False):
        deliveries_send()
    assert len(sms) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_before_eight_in_the_morning_is_held_until_the_same_morning() -> None:
    with time_machine.travel(dt.datetime(2026, 3, 3, 6, 0, tzinfo=BEIJING), tick=False):
        outbox_queue(_sms_items(1))
        deliveries_send()
    assert Delivery.objects.get().next_attempt_at == dt.datetime(2026, 3, 3, 8, tzinfo=BEIJING)


@pytest.mark.django_db
def test_a_claim_code_is_sent_at_night(sms: list[tuple[str, str]]) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 23, 0, tzinfo=BEIJING), tick=False):
        delivery_to_phone_queue(
            phone="13800138000",
            title="档案认领验证码",
            dedupe_key="code-1",
            secret_text="验证码 123456",
            quiet_exempt=True,
        )
        deliveries_send()
    assert sms == [("13800138000", "验证码 123456")]


@pytest.mark.django_db
def test_rate_limit_per_channel(settings: Any, sms: list[tuple[str, str]]) -> None:
    settings.SMS_RATE_PER_MINUTE = 3
    settings.DELIVERY_BATCH_SIZE = 2
    outbox_queue(_sms_items(7))

    counts = deliveries_send()
    assert counts == {"held": 0, "sent": 3} and len(sms) == 3
    # within the same minute: nothing more
    deliveries_send()
    assert len(sms) == 3
    # a minute later the next three
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61)):
        deliveries_send()
    assert len(sms) == 6
    assert Delivery.objects.filter(status=DeliveryStatus.QUEUED).count() == 1


def test_backoff_doubles_and_is_capped(settings: Any) -> None:
    settings.DELIVERY_BACKOFF_SECONDS = 60
    settings.DELIVERY_BACKOFF_MAX_SECONDS = 600
    assert [backoff(n).total_seconds() for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


class _Flaky:
    def send(self, *, phone: str, text: str) -> None:
        raise ConnectionError("gateway down for " + phone)


@pytest.mark.django_db
def test_failures_retry_with_backoff_then_fail(settings: Any) -> None:
    settings.SMS_BACKEND = "tests.notify.test_sending._Flaky"
    settings.DELIVERY_MAX_ATTEMPTS = 3
    settings.DELIVERY_BACKOFF_SECONDS = 60
    start = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BEIJING)
    with time_machine.travel(start, tick=False):
        outbox_queue(_sms_items(1))
        deliveries_send()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempts == 1
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=60)
    assert "13800138000" not in delivery.last_error  # no personal data in the error

    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        deliveries_send()  # not due yet
    assert Delivery.objects.get().attempts == 1
    with time_machine.travel(start + dt.timedelta(seconds=60), tick=False):
        deliveries_send()
    delivery = Delivery.objects.get()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=60 + 120)
    with time_machine.travel(start + dt.timedelta(seconds=180), tick=False):
        deliveries_send()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.FAILED,
        3,
        None,
    )

    # staff retry a failed one
    assert sender.delivery_retry(deliveries=[delivery]) == 1
    assert Delivery.objects.get().status == DeliveryStatus.QUEUED


class _NotInATransaction(LocmemSmsBackend):
    """Records like the in-memory backend (one list, whatever module path loads this)."""

    def send(self, *, phone: str, text: str) -> None:
        assert not connection.in_atomic_block, "sent inside a database transaction"
        super().send(phone=phone, text=text)


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_inside_a_transaction(
    settings: Any, mailoutbox: Any, sms: list[tuple[str, str]]
) -> None:
    from django.db import transaction

    settings.SMS_BACKEND = "tests.notify.test_sending._NotInATransaction"
    user = make_user("li", "li@example.org")
    profile = make_profile(phone="13800138000")
    with transaction.atomic():  # the caller's transaction, e.g. the push's chunk
        outbox_queue(
            [
                OutboxItem("a", "general", "t", profile_id=profile.pk),
                OutboxItem("b", "general", "t", user_id=user.pk),
            ]
        )
        delivery_to_phone_queue(phone="13900139000", title="t", dedupe_key="c")
        assert not sms and not mailoutbox
    # after commit the task ran (eager in tests), outside any transaction
    assert sorted(phone for phone, _text in sms) == ["13800138000", "13900139000"]
    assert len(mailoutbox) == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@pytest.mark.django_db
def test_the_task_is_scheduled_every_minute(settings: Any) -> None:
    from celery.schedules import crontab

    from talentport.notify.tasks import deliveries_send as task

    entry = settings.CELERY_BEAT_SCHEDULE["notify-deliveries-send"]
    assert entry == {"task": "notify.deliveries_send", "schedule": crontab()}
    assert task.name == "notify.deliveries_send"
