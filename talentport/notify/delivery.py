"""Sending the outbox: e-mail and SMS deliveries, after commit, never inside a transaction.

``deliveries_send`` (the ``notify.deliveries_send`` task, every minute and after each
``outbox_queue``/``message_send``) claims due rows in batches — ``select_for_update(
skip_locked=True)`` where the database has it (PostgreSQL), a conditional UPDATE
elsewhere (SQLite serialises writers, so two senders never claim the same row) — and
sends each claimed row with no transaction open and no lock held. A claim is a lease:
``next_attempt_at`` moves a few minutes ahead, so the row of a sender killed mid-send is
picked up again (at least once, like the queue itself).

- The address is read when sending (decrypted from the profile, or the account's
  e-mail): an imported person who withdrew consent is not contacted (``failed``,
  "未同意联系").
- Per-channel rate: at most ``SMS_RATE_PER_MINUTE`` / ``EMAIL_RATE_PER_MINUTE`` sent in
  any 60 seconds; what is over waits for the next run.
- Retries: a failed send is retried after ``DELIVERY_BACKOFF_SECONDS × 2^(n-1)`` (capped),
  ``failed`` after ``DELIVERY_MAX_ATTEMPTS``; staff may retry a failed row by hand.
- No SMS from 21:00 to 08:00 Beijing time: such rows are ``held`` until 08:00, except
  ``quiet_exempt`` ones (a claim code a person is waiting for).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from talentport.common.idcard import IdentityFormatError, mask_phone, validate_cn_mobile
from talentport.common.logmask import mask_personal_data
from talentport.notify.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    DeliveryTarget,
    Message,
    MessageKind,
    Notice,
)
from talentport.notify.sms import get_sms_backend

logger = logging.getLogger("talentport.notify")

BEIJING = ZoneInfo("Asia/Shanghai")
#: How long a claimed row is left to its sender before another may take it.
LEASE = dt.timedelta(minutes=5)
DUE_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.RETRYING, DeliveryStatus.HELD)
#: Channels that share one rate limit.
RATE_GROUPS: dict[str, tuple[str, ...]] = {
    "sms": (DeliveryChannel.SMS,),
    "email": (DeliveryChannel.INBOX_EMAIL, DeliveryChannel.EMAIL),
}

# stored untranslated in last_error (a reason code staff read), shown translated
NO_CONSENT = gettext_noop("未同意联系")
NO_PHONE = gettext_noop("无联系电话")
NO_EMAIL = gettext_noop("无电子邮箱")


class PermanentFailure(Exception):  # noqa: N818 - a reason, not a bug
    """A delivery that no retry can send (no consent, no address)."""


# --------------------------------------------------------------------------- #
# Time: quiet hours and backoff
# --------------------------------------------------------------------------- #


def sms_quiet(now: dt.datetime) -> bool:
    """Whether ``now`` is inside the SMS quiet hours (21:00-08:00 Beijing time)."""
    start, end = settings.SMS_QUIET_HOURS
    hour = now.astimezone(BEIJING).hour
    return hour >= start or hour < end


def quiet_end(now: dt.datetime) -> dt.datetime:
    """08:00 Beijing time after ``now`` (the same morning before 08:00, else the next)."""
    _start, end = settings.SMS_QUIET_HOURS
    local = now.astimezone(BEIJING)
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if local >= morning:
        morning = morning + dt.timedelta(days=1)
    return morning


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt ``attempts + 1`` after ``attempts`` failed ones: 1, 2, 4... min."""
    base = int(settings.DELIVERY_BACKOFF_SECONDS)
    seconds = base * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, int(settings.DELIVERY_BACKOFF_MAX_SECONDS)))


def _rate(group: str) -> int:
    if group == "sms":
        return int(settings.SMS_RATE_PER_MINUTE)
    return int(settings.EMAIL_RATE_PER_MINUTE)


# --------------------------------------------------------------------------- #
# Queueing (inside the caller's transaction: nothing is sent here)
# --------------------------------------------------------------------------- #


def send_soon() -> None:
    """Run the delivery task once the caller's transaction commits."""
    from talentport.common.tasks import enqueue_on_commit
    from talentport.notify.tasks import deliveries_send as task

    enqueue_on_commit(task)


def delivery_to_phone_queue(
    *,
    phone: str,
    title: str,
    dedupe_key: str,
    kind: str = MessageKind.GENERAL,
    secret_text: str | None = None,
    quiet_exempt: bool = False,
) -> Delivery | None:
    """An SMS to a phone given for this one notice (kept encrypted, masked for staff).

    ``secret_text`` is the text to send when it carries a code (stored encrypted; the
    notice keeps only ``title``). Returns None when the key was queued before or the
    phone is not a mobile number."""
    try:
        number = validate_cn_mobile(phone)
    except IdentityFormatError:
        return None
    notice = Notice(kind=kind, title=mask_personal_data(title)[:200], dedupe_key=dedupe_key)
    # no savepoint, and a key queued meanwhile by someone else is no error in the
    # caller's transaction: insert-or-nothing, then see whether the row is ours
    Notice.objects.bulk_create([notice], ignore_conflicts=True)
    notice_id = (
        Notice.objects.filter(dedupe_key=dedupe_key, uuid=notice.uuid)
        .values_list("pk", flat=True)
        .first()
    )
    if notice_id is None:
        return None
    delivery = Delivery.objects.create(
        notice_id=notice_id,
        channel=DeliveryChannel.SMS,
        target=DeliveryTarget.PHONE,
        phone=number,
        phone_masked=mask_phone(number),
        secret_text=secret_text,
        quiet_exempt=quiet_exempt,
        next_attempt_at=timezone.now(),
    )
    send_soon()
    return delivery


def delivery_retry(*, deliveries: Iterable[Delivery]) -> int:
    """Put failed deliveries back in the queue (staff's 重试); returns how many."""
    ids = [d.pk for d in deliveries]
    count = Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.QUEUED,
        attempts=0,
        next_attempt_at=timezone.now(),
        last_error="",
        claimed_by="",
    )
    if count:
        send_soon()
    return count


# --------------------------------------------------------------------------- #
# Sending (outside any transaction)
# --------------------------------------------------------------------------- #


def _due(channels: tuple[str, ...], now: dt.datetime) -> QuerySet[Delivery]:
    due = Delivery.objects.filter(
        channel__in=channels, status__in=DUE_STATUSES, next_attempt_at__lte=now
    )
    if DeliveryChannel.SMS in channels and sms_quiet(now):
        due = due.exclude(channel=DeliveryChannel.SMS, quiet_exempt=False)
    return due


def _hold_quiet_sms(now: dt.datetime) -> int:
    """During quiet hours, hold every due SMS that may wait until 08:00 Beijing time."""
    if not sms_quiet(now):
        return 0
    return Delivery.objects.filter(
        channel=DeliveryChannel.SMS,
        quiet_exempt=False,
        status__in=DUE_STATUSES,
        next_attempt_at__lte=now,
    ).update(status=DeliveryStatus.HELD, next_attempt_at=quiet_end(now), claimed_by="")


def _claim(channels: tuple[str, ...], limit: int, now: dt.datetime) -> list[Delivery]:
    """Take up to ``limit`` due rows for this sender (a lease until now + LEASE)."""
    token = uuid.uuid4().hex
    due = _due(channels, now).order_by("next_attempt_at", "pk")
    lease = {"claimed_by": token, "next_attempt_at": now + LEASE}
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            Delivery.objects.filter(pk__in=ids).update(**lease)
    else:
        # one UPDATE: the WHERE is evaluated under the write lock, so a row another
        # sender claimed meanwhile (next_attempt_at moved ahead) is not taken again
        _due(channels, now).filter(pk__in=due.values("pk")[:limit]).update(**lease)
    return list(
        Delivery.objects.filter(claimed_by=token).select_related(
            "message__recipient", "notice__profile"
        )
    )


def _recent_sent(channels: tuple[str, ...], now: dt.datetime) -> int:
    window = now - dt.timedelta(seconds=60)
    return Delivery.objects.filter(
        Q(sent_at__gt=window) | Q(sent_at__isnull=True, claimed_by__gt="", next_attempt_at__gt=now),
        channel__in=channels,
    ).count()


def _address(delivery: Delivery) -> str:
    """The address to send to, read now (decrypted); PermanentFailure when there is none."""
    sms = delivery.channel == DeliveryChannel.SMS
    if delivery.target == DeliveryTarget.PHONE:
        if not delivery.phone:
            raise PermanentFailure(NO_PHONE)
        return str(delivery.phone)
    if delivery.target == DeliveryTarget.PROFILE:
        profile = delivery.notice.profile if delivery.notice else None
        if profile is None or not profile.consent:
            raise PermanentFailure(NO_CONSENT)
        address = profile.contact_phone if sms else profile.contact_email
        if not address:
            raise PermanentFailure(NO_PHONE if sms else NO_EMAIL)
        return str(address)
    recipient = delivery.message.recipient if delivery.message else None
    address = getattr(recipient, "email", "") or ""
    if not address or sms:
        raise PermanentFailure(NO_EMAIL)
    return address


def _content(delivery: Delivery) -> tuple[str, str, str]:
    source: Message | Notice | None = delivery.message or delivery.notice
    if source is None:
        return "", "", ""
    return source.title, source.body, source.link


def _send(delivery: Delivery) -> None:
    """Send one delivery; raises on failure (PermanentFailure: do not retry)."""
    address = _address(delivery)
    title, body, link = _content(delivery)
    if delivery.channel == DeliveryChannel.SMS:
        text = delivery.secret_text or (f"{title}\n{body}" if body else title)
        get_sms_backend().send(phone=address, text=text)
    else:
        send_mail(title, f"{body}\n\n{link}".strip(), None, [address], fail_silently=False)


def _error_text(exc: BaseException) -> str:
    """What went wrong, without personal data (no address: masked, and short)."""
    text = str(exc) if isinstance(exc, PermanentFailure) else f"{type(exc).__name__}: {exc}"
    return mask_personal_data(text)[:200]


def _deliver(delivery: Delivery, token: str) -> str:
    """Send a claimed row and record the outcome; returns the new status."""
    try:
        _send(delivery)
    except PermanentFailure as exc:
        status, error, next_at, sent_at = DeliveryStatus.FAILED, _error_text(exc), None, None
    except Exception as exc:  # any failure of the backend: retried with backoff
        attempts = delivery.attempts + 1
        error = _error_text(exc)
        sent_at = None
        if attempts >= int(settings.DELIVERY_MAX_ATTEMPTS):
            status, next_at = DeliveryStatus.FAILED, None
        else:
            status, next_at = DeliveryStatus.RETRYING, timezone.now() + backoff(attempts)
        logger.warning("delivery %s failed (attempt %s): %s", delivery.uuid, attempts, error)
    else:
        status, error, next_at, sent_at = DeliveryStatus.SENT, "", None, timezone.now()
    Delivery.objects.filter(pk=delivery.pk, claimed_by=token).update(
        status=status,
        attempts=delivery.attempts + 1,
        last_error=error,
        next_attempt_at=next_at,
        sent_at=sent_at,
        claimed_by="",
    )
    if status == DeliveryStatus.SENT and delivery.message_id:
        field = "texted" if delivery.channel == DeliveryChannel.SMS else "emailed"
        Message.objects.filter(pk=delivery.message_id).update(**{field: True})
    return str(status)


def deliveries_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send what is due, within each channel's rate; returns counts by outcome."""
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    counts["held"] += _hold_quiet_sms(now)
    batch = max(1, int(settings.DELIVERY_BATCH_SIZE))
    for group, channels in RATE_GROUPS.items():
        while True:
            budget = _rate(group) - _recent_sent(channels, now)
            if budget <= 0:
                break
            claimed = _claim(channels, min(batch, budget), now)
            if not claimed:
                break
            for delivery in claimed:
                counts[_deliver(delivery, delivery.claimed_by)] += 1
    return dict(counts)


def delivery_address_masked(delivery: Delivery) -> str:
    """The address as staff see it (masked; nothing is decrypted)."""
    from talentport.common.idcard import mask_email

    if delivery.target == DeliveryTarget.PHONE:
        return delivery.phone_masked
    if delivery.target == DeliveryTarget.PROFILE:
        profile = delivery.notice.profile if delivery.notice else None
        if profile is None:
            return ""
        if delivery.channel == DeliveryChannel.SMS:
            return profile.contact_phone_masked
        return profile.contact_email_masked
    recipient = delivery.message.recipient if delivery.message else None
    return mask_email(getattr(recipient, "email", "") or "")


def last_error_label(delivery: Delivery) -> str:
    return _(delivery.last_error) if delivery.last_error else ""
