"""How the apps hand work to the queue.

``@task("app.name")`` declares a task the way every task here must behave: acknowledged
only when done (a worker killed mid-task leaves it on the queue for the next one),
retried with exponential backoff, its result not kept (tasks record what they did in
the database). Tasks take ids, never model instances or personal data, and are
idempotent: running one twice does what running it once did.

``enqueue`` is the only way to send one. With ``TASKS_EAGER`` (tests) the task runs at
once in this process; otherwise it goes to the broker. It never raises when the broker
is down: it returns False, and the caller's record of the work (a push run "waiting")
is picked up by the scheduler's resume task when the broker is back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction

logger = logging.getLogger("talentport.tasks")

_BROKER_DOWN: tuple[type[BaseException], ...]
try:
    from kombu.exceptions import OperationalError as _KombuOperationalError

    _BROKER_DOWN = (_KombuOperationalError, OSError)
except ImportError:  # pragma: no cover - kombu comes with celery
    _BROKER_DOWN = (OSError,)


def task(name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a queue task under a stable name (``app.verb``)."""
    defaults: dict[str, Any] = {
        "name": name,
        "acks_late": True,
        "reject_on_worker_lost": True,
        "autoretry_for": (Exception,),
        "retry_backoff": True,
        "retry_backoff_max": 600,
        "retry_jitter": True,
        "max_retries": 5,
        "ignore_result": True,
    }
    defaults.update(options)
    decorator: Callable[[Callable[..., Any]], Any] = shared_task(**defaults)
    return decorator


def enqueue(task_obj: Any, *args: Any, **kwargs: Any) -> bool:
    """Send a task; True when it was accepted (or, eager, ran). Never raises on a down broker."""
    if settings.TASKS_EAGER:
        task_obj.apply(args=args, kwargs=kwargs, throw=True)
        return True
    try:
        from talentport.celery import ensure_queue_dirs

        ensure_queue_dirs()
        task_obj.apply_async(args=args, kwargs=kwargs, retry=False)
    except _BROKER_DOWN as exc:
        logger.warning("task %s not queued: broker unreachable (%s)", task_obj.name, exc)
        return False
    return True


def enqueue_on_commit(task_obj: Any, *args: Any, **kwargs: Any) -> None:
    """Send a task once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task_obj, *args, **kwargs))


@task("common.heartbeat", expires=50, max_retries=0)
def heartbeat() -> None:
    """Sent every minute by the scheduler: the health page's "scheduler last seen at"."""
    from talentport.common.queue import heartbeat_record

    heartbeat_record()
