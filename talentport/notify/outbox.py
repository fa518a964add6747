"""The outbox: what the platform has to tell people, written in bulk, sent later.

Callers (the push, 一件事, archives) describe each notice as an ``OutboxItem`` and hand a
batch to ``outbox_queue`` inside their own transaction; nothing is sent there. An
account holder gets it in the inbox; the sending of e-mail and SMS happens in the
queue's delivery task, after commit, never while a lock is held.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from talentport.common.bulk import bulk_insert
from talentport.common.logmask import mask_personal_data
from talentport.notify.models import Delivery, DeliveryChannel, DeliveryTarget, Message, Notice
from talentport.people.models import TalentProfile, User


@dataclass(frozen=True)
class OutboxItem:
    """One notice to one person: an account (``user_id``) or an imported talent-database
    profile (``profile_id``) reached over its consented contact details."""

    dedupe_key: str
    kind: str
    title: str
    body: str = ""
    link: str = ""
    user_id: int | None = None
    profile_id: int | None = None


def outbox_queue(items: Iterable[OutboxItem]) -> int:
    """Store the notices (one per dedupe key, ever); return how many are new.

    In bulk, a fixed number of queries whatever the number of items:

    - an account holder (``user_id``) gets an inbox :class:`Message`, plus an e-mail
      delivery when the account has an e-mail address;
    - an imported profile (``profile_id``) gets a :class:`Notice` and, when it consents,
      an SMS delivery if it has a phone, else an e-mail delivery if it has an e-mail;
      without consent (or without any contact) nothing is queued, but the notice is
      stored, so its key counts as new once and never again (the staff figures count
      the people found, whether or not they may be contacted).

    The return value counts the new dedupe keys stored (inbox messages and notices). The
    delivery task is queued to run once the caller's transaction commits.
    """
    batch = list(items)
    fresh: dict[str, OutboxItem] = {}
    for item in batch:
        if item.user_id or item.profile_id:
            fresh.setdefault(item.dedupe_key, item)
    if not fresh:
        return 0
    for_users = [i for i in fresh.values() if i.user_id is not None]
    for_profiles = [i for i in fresh.values() if i.user_id is None]
    # a key is told once whichever side holds it: an account's key already stored as a
    # profile's notice (told before the person signed up) is not told again, and back
    if for_users:
        told = set(
            Notice.objects.filter(dedupe_key__any_of=[i.dedupe_key for i in for_users]).values_list(
                "dedupe_key", flat=True
            )
        )
        for_users = [i for i in for_users if i.dedupe_key not in told]
    if for_profiles:
        told = set(
            Message.objects.filter(
                dedupe_key__any_of=[i.dedupe_key for i in for_profiles]
            ).values_list("dedupe_key", flat=True)
        )
        for_profiles = [i for i in for_profiles if i.dedupe_key not in told]
    # a push tells thousands of people the same few texts: mask each text once
    mask = functools.lru_cache(maxsize=4096)(mask_personal_data)
    now = timezone.now()
    deliveries: list[tuple[int | None, int | None, str, str, Any]] = []
    stored = 0
    if for_users:
        new_messages = bulk_insert(
            Message,
            ["recipient_id", "kind", "title", "body", "link", "dedupe_key"],
            [
                (
                    item.user_id,
                    item.kind,
                    mask(item.title)[:200],
                    mask(item.body),
                    item.link,
                    item.dedupe_key,
                )
                for item in for_users
            ],
            conflict=["dedupe_key"],
            returning=["id", "recipient_id"],
        )
        stored += len(new_messages)
        with_email = set(
            User.objects.filter(pk__in={user for _pk, user in new_messages})
            .exclude(email="")
            .values_list("pk", flat=True)
        )
        deliveries += [
            (pk, None, DeliveryChannel.INBOX_EMAIL, DeliveryTarget.ACCOUNT, now)
            for pk, user in new_messages
            if user in with_email
        ]
    if for_profiles:
        new_notices = bulk_insert(
            Notice,
            ["kind", "title", "body", "link", "dedupe_key", "profile_id"],
            [
                (
                    item.kind,
                    mask(item.title)[:200],
                    mask(item.body),
                    item.link,
                    item.dedupe_key,
                    item.profile_id,
                )
                for item in for_profiles
            ],
            conflict=["dedupe_key"],
            returning=["id", "profile_id"],
        )
        stored += len(new_notices)
        # consent and which contact exist, without decrypting anything
        channel_of: dict[int, str] = {}
        contacts = TalentProfile.objects.filter(
            pk__any_of={profile for _pk, profile in new_notices}, consent=True
        ).filter(Q(contact_phone__isnull=False) | Q(contact_email__isnull=False))
        contacts = contacts.annotate(
            has_phone=ExpressionWrapper(Q(contact_phone__isnull=False), output_field=BooleanField())
        )
        for pk, has_phone in contacts.values_list("pk", "has_phone"):
            channel_of[pk] = DeliveryChannel.SMS if has_phone else DeliveryChannel.EMAIL
        deliveries += [
            (None, pk, channel_of[profile], DeliveryTarget.PROFILE, now)
            for pk, profile in new_notices
            if profile in channel_of
        ]
    if deliveries:
        bulk_insert(
            Delivery,
            ["message_id", "notice_id", "channel", "target", "next_attempt_at"],
            deliveries,
        )
        from talentport.notify.delivery import send_soon

        send_soon()
    return stored
