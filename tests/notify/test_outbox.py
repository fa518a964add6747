"""The outbox: bulk queueing, one notice per dedupe key, the channel each person gets."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from talentport.notify.delivery import deliveries_send
from talentport.notify.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    DeliveryTarget,
    Message,
    Notice,
)
from talentport.notify.outbox import OutboxItem, outbox_queue
from talentport.people.models import TalentProfile, User
from tests.notify.conftest import make_profile, make_user

pytestmark = pytest.mark.django_db


def test_a_thousand_items_take_a_bounded_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    # given 500 accounts (half with an e-mail) and 500 imported profiles (mixed contacts)
    User.objects.bulk_create(
        [User(username=f"u{i}", email=f"u{i}@example.org" if i % 2 else "") for i in range(500)]
    )
    users = list(User.objects.values_list("pk", flat=True))
    TalentProfile.objects.bulk_create(
        [
            TalentProfile(
                source="fair",
                source_key=f"k{i}",
                contact_phone="13800138000" if i % 3 == 0 else None,
                contact_email=f"p{i}@example.org" if i % 3 == 1 else None,
                consent=i % 5 != 0,
            )
            for i in range(500)
        ]
    )
    profiles = list(TalentProfile.objects.values_list("pk", flat=True))
    items = [OutboxItem(f"u:{pk}", "general", f"通知 {pk}", user_id=pk) for pk in users] + [
        OutboxItem(f"p:{pk}", "general", f"通知 {pk}", profile_id=pk) for pk in profiles
    ]

    # when: a fixed number of reads, and inserts in bulk (on PostgreSQL COPY into a
    # staging table, then one INSERT; on SQLite multi-row statements of at most 999
    # parameters, so its batches are smaller)
    with django_assert_max_num_queries(40) as queries:
        new = outbox_queue(items)
    reads = [q for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) <= 4

    # then
    assert new == 1000
    assert Message.objects.count() == 500 and Notice.objects.count() == 500
    assert Delivery.objects.filter(channel=DeliveryChannel.INBOX_EMAIL).count() == 250
    consenting = [i for i in range(500) if i % 5 != 0]
    assert Delivery.objects.filter(channel=DeliveryChannel.SMS).count() == len(
        [i for i in consenting if i % 3 == 0]
    )
    assert Delivery.objects.filter(channel=DeliveryChannel.EMAIL).count() == len(
        [i for i in consenting if i % 3 == 1]
    )


def test_one_notice_per_dedupe_key_ever() -> None:
    user = make_user("li", "li@example.org")
    profile = make_profile(phone="13800138000")
    silent = make_profile(phone="13900139000", consent=False)
    items = [
        OutboxItem("k-user", "general", "新政策", user_id=user.pk),
        OutboxItem("k-user", "general", "新政策（重复）", user_id=user.pk),
        OutboxItem("k-profile", "general", "新政策", profile_id=profile.pk),
        OutboxItem("k-silent", "general", "新政策", profile_id=silent.pk),
    ]

    assert outbox_queue(items) == 3
    assert outbox_queue(items) == 0  # run again: nothing new
    assert Message.objects.get().title == "新政策"
    assert Notice.objects.count() == 2
    # the one without consent is stored (counted once) but nothing is queued for it
    assert not Delivery.objects.filter(notice__profile=silent).exists()
    assert Delivery.objects.filter(notice__profile=profile).get().channel == DeliveryChannel.SMS


def test_channels_sms_first_then_email_and_no_address_copied() -> None:
    both = make_profile(phone="13800138000", email="a@example.org")
    email_only = make_profile(email="b@example.org")
    nothing = make_profile()
    no_mail_user = make_user("wang")
    outbox_queue(
        [
            OutboxItem("a", "general", "t", profile_id=both.pk),
            OutboxItem("b", "general", "t", profile_id=email_only.pk),
            OutboxItem("c", "general", "t", profile_id=nothing.pk),
            OutboxItem("d", "general", "t", user_id=no_mail_user.pk),
        ]
    )
    channels = dict(Delivery.objects.values_list("notice__dedupe_key", "channel"))
    assert channels == {"a": DeliveryChannel.SMS, "b": DeliveryChannel.EMAIL}
    assert all(d.phone is None for d in Delivery.objects.all())
    assert Delivery.objects.filter(target=DeliveryTarget.PROFILE).count() == 2


def test_titles_and_bodies_are_masked() -> None:
    profile = make_profile(phone="13800138000")
    outbox_queue(
        [
            OutboxItem(
                "m",
                "general",
                "请回电 13912345678",
                body="身份证 370202199001011234",
                profile_id=profile.pk,
            )
        ]
    )
    notice = Notice.objects.get()
    assert "13912345678" not in notice.title and "370202199001011234" not in notice.body


def test_queued_deliveries_go_out_after_commit(
    django_capture_on_commit_callbacks: Any, sms: list[tuple[str, str]]
) -> None:
    user = make_user("zhao", "zhao@example.org")
    profile = make_profile(phone="13800138000")
    with django_capture_on_commit_callbacks(execute=True):
        outbox_queue(
            [
                OutboxItem("x", "general", "新可享受政策", user_id=user.pk),
                OutboxItem("y", "general", "新可享受政策", profile_id=profile.pk),
            ]
        )
        assert not mail.outbox and not sms  # nothing inside the transaction
    assert [m.to for m in mail.outbox] == [["zhao@example.org"]]
    assert sms == [("13800138000", "新可享受政策")]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert Message.objects.get().emailed is True


def test_consent_is_read_at_send_time(sms: list[tuple[str, str]]) -> None:
    profile = make_profile(phone="13800138000")
    outbox_queue([OutboxItem("c", "general", "t", profile_id=profile.pk)])
    # the person withdraws consent before the delivery goes out
    profile.consent = False
    profile.save()

    deliveries_send()

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "未同意联系"
    assert not sms


def test_a_changed_phone_is_read_at_send_time(sms: list[tuple[str, str]]) -> None:
    profile = make_profile(phone="13800138000")
    outbox_queue([OutboxItem("c", "general", "t", profile_id=profile.pk)])
    profile.contact_phone = "13900139000"
    profile.save()

    deliveries_send()

    assert sms == [("13900139000", "t")]
