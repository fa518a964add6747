"""What the health page says about the task queue: the broker's kind and the heartbeat.

The one scheduler sends ``common.heartbeat`` every minute and a worker runs it, writing
the time into :class:`~talentport.common.models.QueueHeartbeat`: a row older than
:data:`STALE_AFTER` means the scheduler or every worker is down (or the broker is).
"""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

HEARTBEAT = "scheduler"
STALE_AFTER = dt.timedelta(minutes=5)
BEIJING = ZoneInfo("Asia/Shanghai")

_KINDS = {
    "filesystem": "filesystem",
    "redis": "redis",
    "rediss": "redis",
    "sentinel": "redis",
    "amqp": "amqp",
    "amqps": "amqp",
    "pyamqp": "amqp",
    "librabbitmq": "amqp",
}


def broker_kind(url: str | None = None) -> str:
    """``filesystem``, ``redis`` or ``amqp`` (never the URL: it may carry a password)."""
    url = settings.CELERY_BROKER_URL if url is None else url
    scheme = urlsplit(url).scheme.lower() if "://" in url else url.lower()
    return _KINDS.get(scheme, "other")


def heartbeat_record(*, now: dt.datetime | None = None) -> None:
    """Note that a worker has just run the scheduler's heartbeat."""
    from talentport.common.models import QueueHeartbeat

    QueueHeartbeat.objects.update_or_create(
        name=HEARTBEAT,
        defaults={"seen_at": now or timezone.now(), "hostname": socket.gethostname()[:200]},
    )


def queue_status(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The ``queue`` section of ``/healthz``."""
    from talentport.common.models import QueueHeartbeat

    now = now or timezone.now()
    beat = QueueHeartbeat.objects.filter(name=HEARTBEAT).first()
    seen = beat.seen_at if beat is not None else None
    return {
        "broker": broker_kind(),
        "last_heartbeat": (
            seen.astimezone(BEIJING).isoformat(timespec="seconds") if seen is not None else None
        ),
        "stale": seen is None or now - seen > STALE_AFTER,
    }
