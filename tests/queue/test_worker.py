"""A real `talentport worker` process runs a task sent through `enqueue`.

The filesystem transport (the embedded default) needs no server and always runs; the
one marked ``broker`` runs against the broker named by ``TALENTPORT_TEST_BROKER_URL``
(`.ci/run`: ``redis://127.0.0.1:6379/15``, flushed first) and is skipped without it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.queue.conftest import (
    ENQUEUE_HEARTBEAT,
    PYTHON,
    REPO,
    heartbeat_seen,
    talentport,
    wait_for,
)


def run_heartbeat_through_a_worker(env: dict[str, str], process: Any, tmp_path: Path) -> None:
    db = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    log = tmp_path / "worker.log"
    # given a worker (the message may wait on the broker until it is up: late start is fine)
    process(talentport("worker", "--without-gossip", "--without-mingle"), env, log)
    # when the heartbeat is sent from another process
    sent = subprocess.run(
        [PYTHON, "-c", ENQUEUE_HEARTBEAT], env=env, cwd=REPO, capture_output=True, timeout=60
    )
    assert sent.returncode == 0, sent.stderr.decode()
    # then the worker runs it and the database shows it
    seen = wait_for(lambda: heartbeat_seen(db), timeout=45)
    assert seen, log.read_text()[-3000:]
    assert "common.heartbeat" in log.read_text()


def test_a_filesystem_worker_runs_the_heartbeat(
    queue_env: dict[str, str], process: Any, tmp_path: Path
) -> None:
    run_heartbeat_through_a_worker(queue_env, process, tmp_path)


@pytest.fixture
def broker_url() -> str:
    url = os.environ.get("TALENTPORT_TEST_BROKER_URL", "")
    if not url:
        pytest.skip("TALENTPORT_TEST_BROKER_URL not set (e.g. redis://127.0.0.1:6379/15)")
    if url.startswith(("redis://", "rediss://")):
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()
    return url


@pytest.mark.broker
def test_a_worker_on_the_real_broker_runs_the_heartbeat(
    broker_url: str, queue_env: dict[str, str], process: Any, tmp_path: Path
) -> None:
    env = {**queue_env, "TASK_BROKER_URL": broker_url}
    run_heartbeat_through_a_worker(env, process, tmp_path)
