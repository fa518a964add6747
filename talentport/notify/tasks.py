"""Queue tasks of the notify app."""

from __future__ import annotations

from talentport.common.tasks import task


@task("notify.deliveries_send")
def deliveries_send() -> dict[str, int]:
    """Send the outbox's due e-mail and SMS deliveries (every minute, and after a queueing)."""
    from talentport.notify.delivery import deliveries_send as send

    return send()
