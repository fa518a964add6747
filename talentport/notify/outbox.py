"""The outbox: what the platform has to tell people, written in bulk, sent later.

Callers (the push, 一件事, archives) describe each notice as an ``OutboxItem`` and hand a
batch to ``outbox_queue`` inside their own transaction; nothing is sent there. An
account holder gets it in the inbox; the sending of e-mail and SMS happens in the
queue's delivery task, after commit, never while a lock is held.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from talentport.common.logmask import mask_personal_data
from talentport.notify.models import Message


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
    """Store the notices (one per dedupe key, ever); return how many are new."""
    batch = list(items)
    if not batch:
        return 0
    keys = [item.dedupe_key for item in batch]
    known = set(Message.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh: dict[str, OutboxItem] = {}
    for item in batch:
        if item.dedupe_key not in known:
            fresh.setdefault(item.dedupe_key, item)
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
            for item in fresh.values()
            if item.user_id is not None
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return len(fresh)
