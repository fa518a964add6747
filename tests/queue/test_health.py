"""/healthz's queue section: broker kind, last heartbeat in Beijing time, stale or not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from talentport.common.queue import broker_kind, heartbeat_record

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)


def queue_section(client: Any) -> dict[str, Any]:
    response = client.get("/healthz")
    assert response.status_code == 200
    section: dict[str, Any] = response.json()["queue"]
    return section


def test_no_heartbeat_yet_is_stale(client: Any) -> None:
    assert queue_section(client) == {"broker": "filesystem", "last_heartbeat": None, "stale": True}


def test_a_fresh_heartbeat_in_beijing_time(client: Any) -> None:
    heartbeat_record(now=NOW - dt.timedelta(minutes=1))
    with time_machine.travel(NOW, tick=False):
        section = queue_section(client)
    assert section["last_heartbeat"] == "2026-12-04T19:59:00+08:00"
    assert section["stale"] is False


def test_a_heartbeat_older_than_five_minutes_is_stale(client: Any) -> None:
    heartbeat_record(now=NOW - dt.timedelta(minutes=5, seconds=1))
    with time_machine.travel(NOW, tick=False):
        section = queue_section(client)
    assert section["last_heartbeat"] == "2026-12-04T19:54:59+08:00"
    assert section["stale"] is True


def test_the_broker_url_and_its_password_are_never_shown(client: Any, settings: Any) -> None:
    settings.CELERY_BROKER_URL = "redis://:s3cret-pw@redis.internal:6379/1"
    response = client.get("/healthz")
    assert response.json()["queue"]["broker"] == "redis"
    assert b"s3cret" not in response.content
    assert b"redis.internal" not in response.content


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("filesystem://", "filesystem"),
        ("redis://127.0.0.1:6379/1", "redis"),
        ("rediss://:pw@host:6380/0", "redis"),
        ("amqp://guest:guest@127.0.0.1:5672//", "amqp"),
        ("pyamqp://u:p@mq//", "amqp"),
        ("sqs://key:secret@", "other"),
    ],
)
def test_broker_kind(url: str, kind: str) -> None:
    assert broker_kind(url) == kind


def test_an_unreadable_heartbeat_is_stale_not_an_error(client: Any, monkeypatch: Any) -> None:
    from talentport.common import queue

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("no such table: common_queueheartbeat")

    monkeypatch.setattr(queue, "queue_status", broken)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["queue"] == {
        "broker": "filesystem",
        "last_heartbeat": None,
        "stale": True,
    }
