"""Writes of the notify app: one inbox message per dedupe key, copied to e-mail."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from talentport.common.logmask import mask_personal_data
from talentport.notify.models import Message
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

    Returns ``(message, created)``; running the same push twice sends nothing new.
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
    except IntegrityError:
        return Message.objects.get(dedupe_key=dedupe_key), False
    address = getattr(recipient, "email", "")
    if email and address:
        send_mail(title, f"{body}\n\n{link}".strip(), None, [address], fail_silently=True)
        Message.objects.filter(pk=message.pk).update(emailed=True)
    return message, True
