"""kill -9 of a real worker in the middle of a push, then a restart: the run completes,
its final state equals an uninterrupted run's, and nobody is told twice (issue 9 §7).

Real processes on the embedded queue (the filesystem transport `talentport serve` uses)
and a file SQLite database they all share; no server needed.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent
AS_OF = "2026-11-22"

SETUP = """
import random, sys
sys.path.insert(0, %(bench)r)
from match import person
from talentport.people.models import Role, TalentProfile, User
from talentport.policies.services import policies_sync
policies_sync()
rng = random.Random(3)
people = [person(rng, i) for i in range(%(n)d)]
users = User.objects.bulk_create([User(username=f"u{i}", role=Role.APPLICANT) for i in range(%(n)d)])
TalentProfile.objects.bulk_create(
    [TalentProfile(user=u, data={k: v for k, v in p.items() if k != "id"}) for u, p in zip(users, people)]
)
"""

CREATE_RUN = """
import datetime as dt
from talentport.policies.models import PushTrigger
from talentport.policies.push import push_run_create
push_run_create(trigger=PushTrigger.MANUAL, as_of=dt.date.fromisoformat(%(as_of)r))
"""

RESUME = """
from talentport.policies.push import push_runs_resume
print(push_runs_resume())
"""


def _env(data: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST", "TASK_BROKER", "TASKS_EAGER"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{data / 'db.sqlite3'}",
        TALENTPORT_DATA_DIR=str(data),
        PUSH_CHUNK_SIZE="40",
        PUSH_STALE_SECONDS="1",
    )
    return env


def _manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - our own entry point
        [str(BIN / "talentport"), "manage", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own entry point
        [str(BIN / "celery"), "-A", "talentport", "worker", "--pool", "solo", "-l", "WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _run(db: Path) -> tuple[str, int, int]:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "select status, processed, total from policies_pushrun order by id desc limit 1"
        ).fetchone()
    return row if row else ("", 0, 0)


def _wait(db: Path, until: Any, timeout: float = 120) -> tuple[str, int, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = _run(db)
        except sqlite3.OperationalError:  # locked by a writer for a moment
            state = ("", 0, 0)
        if until(state):
            return state
        time.sleep(0.05)
    raise AssertionError(f"timed out; last state {_run(db)}")


def _outcome(db: Path) -> tuple[dict[int, str], list[int], dict[str, int]]:
    with sqlite3.connect(db) as conn:
        state = dict(conn.execute("select profile_id, eligible from policies_pushstate"))
        told = [r[0] for r in conn.execute("select recipient_id from notify_message")]
        (counts,) = conn.execute(
            "select counts from policies_pushrun order by id desc limit 1"
        ).fetchone()
    import json

    return state, told, json.loads(counts)


@pytest.mark.slow
def test_kill_9_mid_push_then_restart_completes_as_if_uninterrupted(tmp_path: Path) -> None:
    # given 3,000 account holders' profiles and a recorded push run, read 40 at a time
    data = tmp_path / "a"
    data.mkdir()
    env = _env(data)
    _manage(env, "migrate", "-v", "0")
    bench = str(Path(__file__).resolve().parents[2] / "bench")
    _manage(env, "shell", stdin=SETUP % {"bench": bench, "n": 3000})
    # the same world, copied before anything ran, for the uninterrupted comparison
    clean = tmp_path / "b"
    shutil.copytree(data, clean)
    _manage(env, "shell", stdin=CREATE_RUN % {"as_of": AS_OF})
    db = data / "db.sqlite3"

    # when a worker takes the run and is killed with SIGKILL in the middle of it
    worker = _worker(env)
    try:
        status, processed, total = _wait(db, lambda s: s[0] == "running" and s[1] >= 400)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    status, processed, total = _run(db)
    assert status == "running" and 0 < processed < total == 3000

    # and a new worker starts; the scheduler's resume task finds the stalled run
    worker = _worker(env)
    try:
        time.sleep(1.5)
        assert _manage(env, "shell", stdin=RESUME).strip().splitlines()[-1] == "1"
        status, processed, total = _wait(db, lambda s: s[0] == "done")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    # then the run completed over every profile, and nobody was told twice
    assert processed == total == 3000
    state, told, counts = _outcome(db)
    assert len(told) == len(set(told)) == counts["people_notified"] > 0
    # and its final state equals an uninterrupted run over the same profiles
    subprocess.run(  # noqa: S603 - our own entry point
        [str(BIN / "talentport"), "push", "--as-of", AS_OF],
        env=_env(clean),
        capture_output=True,
        check=True,
        timeout=300,
    )
    clean_state, clean_told, clean_counts = _outcome(clean / "db.sqlite3")
    assert state == clean_state
    assert sorted(told) == sorted(clean_told)
    assert {k: counts[k] for k in clean_counts} == clean_counts
