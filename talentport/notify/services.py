"""Writes of the notify app: one inbox message per dedupe key, copied to e-mail.

Nothing is sent here: the e-mail copy is a :class:`~talentport.notify.models.Delivery`
that the delivery task sends after the caller's transaction commits
(:mod:`talentport.notify.delivery`).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from talentport.common.logmask import mask_personal_data
from talentport.notify.delivery import send_soon
from talentport.notify.models import Delivery, DeliveryChannel, DeliveryTarget, Message
from talentport.people.models import User


def message_send(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str,
    email: bool = True,
) -> tuple[Message, bool]:
    """Put a message in the recipient's inbox unless one with this key exists.

    Returns ``(message, created)``; running the same push twice sends nothing new. The
    e-mail copy (``email``, when the recipient has an address) is queued as a delivery
    and goes out after the caller's transaction commits.
    An ID, phone or passport number in the title or body (a staff note quoted in a
    notice, say) is masked: an inbox and an e-mail are no place for it.
    """
    title = mask_personal_data(title)
    body = mask_personal_data(body)
    existing = Message.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            message = Message.objects.create(
                recipient=recipient,
                kind=kind,
                title=title,
                body=body,
                link=link,
                dedupe_key=dedupe_key,
            )
            if email and recipient.email:
                Delivery.objects.create(
                    message=message,
                    channel=DeliveryChannel.INBOX_EMAIL,
                    target=DeliveryTarget.ACCOUNT,
                    next_attempt_at=timezone.now(),
                )
                send_soon()
    except IntegrityError:
        return Message.objects.get(dedupe_key=dedupe_key), False
    return message, True
