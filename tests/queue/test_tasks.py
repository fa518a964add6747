"""Queue tasks on the eager path, a down broker, and the one schedule."""

from __future__ import annotations

import logging
import subprocess
import time
from typing import Any

import pytest
from kombu.exceptions import OperationalError

from talentport.celery import app
from talentport.common.models import QueueHeartbeat
from talentport.common.queue import HEARTBEAT
from talentport.common.tasks import enqueue, heartbeat
from tests.queue.conftest import PYTHON, REPO


def registered_tasks() -> set[str]:
    app.loader.import_default_modules()  # what a worker imports: every app's tasks.py
    return set(app.tasks)


@pytest.mark.django_db
def test_enqueue_runs_a_task_at_once_when_eager() -> None:
    assert not QueueHeartbeat.objects.exists()
    assert enqueue(heartbeat) is True
    assert QueueHeartbeat.objects.get(name=HEARTBEAT).seen_at is not None


@pytest.mark.django_db
def test_the_sla_tick_task_runs_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    from talentport.cases import services
    from talentport.cases.tasks import sla_tick

    calls: list[Any] = []
    real = services.sla_tick
    monkeypatch.setattr(services, "sla_tick", lambda **kw: calls.append(kw) or real(**kw))
    assert enqueue(sla_tick) is True
    assert enqueue(sla_tick) is True  # idempotent: a second tick is harmless
    assert calls == [{}, {}]


def test_enqueue_returns_false_and_logs_when_the_broker_refuses(
    settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings.TASKS_EAGER = False

    def refused(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(heartbeat, "apply_async", refused)
    with caplog.at_level(logging.WARNING, logger="talentport.tasks"):
        assert enqueue(heartbeat) is False
    assert "common.heartbeat not queued: broker unreachable" in caplog.text


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:1/0", "amqp://guest:guest@127.0.0.1:1//"], ids=["redis", "amqp"]
)
def test_enqueue_to_an_unreachable_broker_fails_fast(url: str, tmp_path: Any) -> None:
    """The real settings (TASK_BROKER_URL): False in well under the 3 s connect timeout,
    no Kombu retry loop (that took 6 s before max_retries 0)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "talentport.settings",
        "TALENTPORT_DATA_DIR": str(tmp_path),
        "TASK_BROKER_URL": url,
    }
    script = (
        "import time, django\n"
        "django.setup()\n"
        "from talentport.common.tasks import enqueue, heartbeat\n"
        "start = time.monotonic()\n"
        "queued = enqueue(heartbeat)\n"
        "print('elapsed', time.monotonic() - start)\n"
        "raise SystemExit(0 if queued else 3)\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [PYTHON, "-c", script], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3, done.stderr
    assert "broker unreachable" in done.stderr
    elapsed = float(done.stdout.split("elapsed")[-1])
    assert elapsed < 3, f"enqueue took {elapsed:.1f} s (process {time.monotonic() - started:.1f})"


def test_the_schedule_names_only_registered_tasks(settings: Any) -> None:
    names = registered_tasks()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {"common.heartbeat", "cases.sla_tick"} <= {e["task"] for e in schedule.values()}
    for entry, spec in schedule.items():
        assert spec["task"] in names, f"schedule entry {entry!r} names no registered task"
    assert app.conf.beat_schedule == schedule


def test_every_task_acks_late_and_retries() -> None:
    registered_tasks()
    ours = {name: t for name, t in app.tasks.items() if not name.startswith("celery.")}
    assert ours
    for name, task_obj in ours.items():
        assert task_obj.acks_late, name
        assert task_obj.reject_on_worker_lost, name
