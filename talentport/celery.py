"""The task queue: one Celery app for every worker and the one scheduler.

The embedded default (``TASK_BROKER_URL`` unset) is Kombu's filesystem transport under
``DATA_DIR/queue``: ``make run`` needs no extra server and runs the very same task code
as a deployment on Redis (``redis://127.0.0.1:6379/1``) or RabbitMQ
(``amqp://guest:guest@127.0.0.1:5672//``).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")

app = Celery("talentport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_queue_dirs() -> None:
    """Create the filesystem transport's folders (the embedded default) if needed."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if key in options:
            os.makedirs(str(options[key]), exist_ok=True)
