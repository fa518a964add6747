"""Helpers for the queue tests: subprocesses with their own data directory and database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def heartbeat_db(path: Path) -> Path:
    """A file SQLite database holding the heartbeat table, made from the model (faster
    than migrating everything; the worker's task touches nothing else)."""
    from django.db import connections
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from talentport.common.models import QueueHeartbeat

    settings_dict = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {},
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
    }
    wrapper = DatabaseWrapper(settings_dict, alias="queue-test")
    try:
        with wrapper.schema_editor(atomic=False) as editor:
            editor.create_model(QueueHeartbeat)
    finally:
        wrapper.close()
    return path


def heartbeat_seen(path: Path) -> str | None:
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT seen_at FROM common_queueheartbeat").fetchone()
    return row[0] if row else None


def wait_for(check: Callable[[], Any], timeout: float, step: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    return check()


@pytest.fixture
def queue_env(tmp_path: Path, django_db_blocker: Any) -> dict[str, str]:
    """An environment for `talentport …` subprocesses: its own data dir and database."""
    data = tmp_path / "data"
    data.mkdir()
    with django_db_blocker.unblock():  # a database of its own, not the test database
        db = heartbeat_db(tmp_path / "queue.sqlite3")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TASK", "TALENTPORT_", "DATABASE_URL", "PYTEST", "CELERY"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "talentport.settings",
            "TALENTPORT_DATA_DIR": str(data),
            "DATABASE_URL": f"sqlite:///{db}",
            "WORKER_CONCURRENCY": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def talentport(*args: str) -> list[str]:
    return [PYTHON, "-m", "talentport.cli", *args]


ENQUEUE_HEARTBEAT = (
    "import django; django.setup()\n"
    "from talentport.common.tasks import enqueue, heartbeat\n"
    "raise SystemExit(0 if enqueue(heartbeat) else 3)\n"
)


@pytest.fixture
def process() -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start subprocesses (each its own process group) that are stopped after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        handle = log.open("wb")
        child = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        started.append(child)
        return child

    yield start
    for child in started:
        stop_group(child)


def stop_group(child: subprocess.Popen[bytes], timeout: float = 20) -> None:
    import signal

    if child.poll() is None:
        try:
            os.killpg(child.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    child.wait()
