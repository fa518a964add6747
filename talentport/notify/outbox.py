"""The outbox: what the platform has to tell people, written in bulk, sent later.

Callers (the push, 一件事, archives) describe each notice as an ``OutboxItem`` and hand a
batch to ``outbox_queue`` inside their own transaction; nothing is sent there. An
account holder gets it in the inbox; the sending of e-mail and SMS happens in the
queue's delivery task, after commit, never while a lock is held.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from talentport.common.logmask import mask_personal_data
from talentport.notify.models import Delivery, DeliveryChannel, DeliveryTarget, Message, Notice
from talentport.people.models import TalentProfile, User

BATCH = 2000


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
    if not batch:
        return 0
    keys = {item.dedupe_key for item in batch}
    known = set(
        Message.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    ) | set(Notice.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh: dict[str, OutboxItem] = {}
    for item in batch:
        if item.dedupe_key not in known and (item.user_id or item.profile_id):
            fresh.setdefault(item.dedupe_key, item)
    if not fresh:
        return 0
    for_users = [i for i in fresh.values() if i.user_id is not None]
    for_profiles = [i for i in fresh.values() if i.user_id is None]
    now = timezone.now()
    deliveries: list[Delivery] = []
    if for_users:
        Message.objects.bulk_create(
            [
                Message(
                    recipient_id=item.user_id or 0,
                    kind=item.kind,
                    title=mask_personal_data(item.title)[:200],
                    body=mask_personal_data(item.body),
                    link=item.link,
                    dedupe_key=item.dedupe_key,
                )
                for item in for_users
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        with_email = set(
            User.objects.filter(pk__in={i.user_id for i in for_users})
            .exclude(email="")
            .values_list("pk", flat=True)
        )
        keyed = {i.dedupe_key for i in for_users if i.user_id in with_email}
        if keyed:
            deliveries += [
                Delivery(
                    message_id=pk,
                    channel=DeliveryChannel.INBOX_EMAIL,
                    target=DeliveryTarget.ACCOUNT,
                    next_attempt_at=now,
                )
                for pk in Message.objects.filter(dedupe_key__in=keyed).values_list("pk", flat=True)
            ]
    if for_profiles:
        Notice.objects.bulk_create(
            [
                Notice(
                    kind=item.kind,
                    title=mask_personal_data(item.title)[:200],
                    body=mask_personal_data(item.body),
                    link=item.link,
                    dedupe_key=item.dedupe_key,
                    profile_id=item.profile_id,
                )
                for item in for_profiles
            ],
            ignore_conflicts=True,
            batch_size=BATCH,
        )
        # consent and which contact exist, without decrypting anything
        channel_of: dict[int, str] = {}
        contacts = TalentProfile.objects.filter(
            pk__in={i.profile_id for i in for_profiles}, consent=True
        ).filter(Q(contact_phone__isnull=False) | Q(contact_email__isnull=False))
        contacts = contacts.annotate(
            has_phone=ExpressionWrapper(Q(contact_phone__isnull=False), output_field=BooleanField())
        )
        for pk, has_phone in contacts.values_list("pk", "has_phone"):
            channel_of[pk] = DeliveryChannel.SMS if has_phone else DeliveryChannel.EMAIL
        keyed = {i.dedupe_key for i in for_profiles if i.profile_id in channel_of}
        if keyed:
            deliveries += [
                Delivery(
                    notice_id=pk,
                    channel=channel_of[profile_id],
                    target=DeliveryTarget.PROFILE,
                    next_attempt_at=now,
                )
                for pk, profile_id in Notice.objects.filter(dedupe_key__in=keyed).values_list(
                    "pk", "profile_id"
                )
                if profile_id in channel_of
            ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=BATCH)
        from talentport.notify.delivery import send_soon

        send_soon()
    return len(fresh)
