"""`talentport worker`, `talentport scheduler`, and the two children of `talentport serve`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from talentport import cli
from tests.queue.conftest import REPO, talentport, wait_for


def test_worker_args_prefork_per_cpu_then_the_callers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKER_CONCURRENCY", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    args = cli.worker_argv(["--concurrency", "2", "-Q", "celery"])
    assert args[:5] == ["worker", "--pool", "prefork", "--concurrency", "6"]
    assert args[-4:] == ["--concurrency", "2", "-Q", "celery"]  # Celery takes the last one


def test_worker_concurrency_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_CONCURRENCY", "3")
    assert cli.worker_argv([])[3:5] == ["--concurrency", "3"]


def test_scheduler_keeps_its_schedule_and_lock_in_the_queue_dir(settings: Any) -> None:
    args = cli.scheduler_argv(["--max-interval", "5"])
    assert args[0] == "beat"
    assert args[args.index("--schedule") + 1] == settings.CELERY_BEAT_SCHEDULE_FILENAME
    assert Path(args[args.index("--pidfile") + 1]).parent == settings.QUEUE_DIR
    assert args[-2:] == ["--max-interval", "5"]


def test_serve_starts_one_worker_and_the_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALENTPORT_SERVE_TASKS", raising=False)
    commands = cli.task_child_commands()
    assert [c[-1] for c in commands] == ["worker", "scheduler"]
    assert all(c[:3] == [sys.executable, "-m", "talentport.cli"] for c in commands)


@pytest.mark.parametrize("value", ["0", "false", "no", "off"])
def test_serve_tasks_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TALENTPORT_SERVE_TASKS", value)
    assert cli.task_child_commands() == []
    assert cli._task_children_start().processes == []


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True


#: A stand-in child: starts a grandchild (as the worker starts its pool), prints both
#: pids, and ignores nothing: SIGTERM to its group stops both.
FAKE_CHILD = (
    "import subprocess, sys, time\n"
    "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "print(g.pid, flush=True)\n"
    "time.sleep(60)\n"
)


def _written(path: Path) -> str:
    """What a child wrote to ``path`` so far ("" until its shell has created the file)."""
    return path.read_text().strip() if path.exists() else ""


def test_children_and_their_processes_stop_with_serve(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TALENTPORT_SERVE_TASKS", raising=False)
    outs = [tmp_path / "a", tmp_path / "b"]
    monkeypatch.setattr(
        cli,
        "task_child_commands",
        lambda: [["sh", "-c", f'{sys.executable} -c "$0" > {out}', FAKE_CHILD] for out in outs],
    )
    children = cli._task_children_start()
    try:
        grandchildren = [int(wait_for(lambda out=out: _written(out), timeout=20)) for out in outs]
        assert all(pid_alive(pid) for pid in grandchildren)
    finally:
        cli._task_children_stop(children, timeout=10)
    assert all(child.returncode is not None for child in children.processes)
    assert wait_for(lambda: not any(pid_alive(pid) for pid in grandchildren), timeout=5)


def test_serve_stops_its_children_when_gunicorn_exits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """gunicorn ends SIGTERM/SIGINT with sys.exit(0): the children stop on the way out."""
    monkeypatch.delenv("TALENTPORT_SERVE_TASKS", raising=False)
    code = "import time; time.sleep(60)"
    monkeypatch.setattr(cli, "task_child_commands", lambda: [[sys.executable, "-c", code]])
    started: list[Any] = []
    real_start = cli._task_children_start

    def start() -> Any:
        started.append(real_start())
        return started[-1]

    def gunicorn_stopped_by_a_signal() -> None:
        assert started[0].processes[0].poll() is None  # running next to gunicorn
        raise SystemExit(0)

    monkeypatch.setattr(cli, "_task_children_start", start)
    monkeypatch.setattr("gunicorn.app.wsgiapp.run", gunicorn_stopped_by_a_signal)
    monkeypatch.setattr(sys, "argv", ["talentport"])
    with pytest.raises(SystemExit):
        cli._serve([])
    assert started[0].processes[0].returncode is not None


def test_a_child_that_dies_is_started_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TALENTPORT_SERVE_TASKS", raising=False)
    monkeypatch.setattr(cli, "RESTART_DELAY", 0.2)
    starts = tmp_path / "starts"
    code = f"open({str(starts)!r}, 'a').write('x'); import time; time.sleep(60)"
    monkeypatch.setattr(cli, "task_child_commands", lambda: [[sys.executable, "-c", code]])
    children = cli._task_children_start()
    try:
        assert wait_for(lambda: starts.exists() and starts.read_text() == "x", timeout=20)
        first = children.processes[0]
        first.kill()  # kill -9 of the worker
        assert wait_for(lambda: starts.read_text() == "xx", timeout=20)
        assert children.processes[0] is not first
    finally:
        cli._task_children_stop(children, timeout=10)
    assert children.processes[0].returncode is not None
    time.sleep(0.5)
    assert starts.read_text() == "xx"  # stopped children are not started again


@pytest.mark.parametrize("deaf", [False, True], ids=["stops", "ignores-sigterm"])
def test_a_child_stops_when_serve_is_killed(tmp_path: Path, deaf: bool) -> None:
    """kill -9 of serve leaves no chance to stop the children: their watchdog does, and
    a child that does not stop on SIGTERM (a worker still starting) is killed after
    the grace, with its group (seen: a worker left running after a benchmark)."""
    pid_file = tmp_path / "child.pid"
    child_code = (
        "import os, signal, time\n"
        "from talentport import cli\n"
        + ("signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" if deaf else "")
        + "cli._parent_watchdog_start()\n"
        f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "time.sleep(60)\n"
    )
    parent_code = (
        "import os, subprocess, sys, time\n"
        f"env = {{**os.environ, {cli.PARENT_PID_ENV!r}: str(os.getpid()),"
        f" {cli.WATCHDOG_GRACE_ENV!r}: '1'}}\n"
        "subprocess.Popen([sys.executable, '-c', sys.argv[1]], env=env, start_new_session=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code, child_code], cwd=REPO)
    try:
        child_pid = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), 20))
        assert pid_alive(child_pid)
    finally:
        parent.kill()
        parent.wait()
    assert wait_for(lambda: not pid_alive(child_pid), timeout=10), "child outlived serve"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/cmdline").read_bytes()).replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_serve_runs_a_worker_and_the_scheduler_and_stops_them(
    queue_env: dict[str, str], process: Any, tmp_path: Path
) -> None:
    port = free_port()
    env = {**queue_env, "PORT": str(port), "WEB_CONCURRENCY": "1"}
    serve = process(talentport("serve"), env, tmp_path / "serve.log")

    def task_children() -> list[int]:
        kids = [
            p
            for p in children_of(serve.pid)
            if cmdline(p).split()[-2:]
            in (["talentport.cli", "worker"], ["talentport.cli", "scheduler"])
        ]
        return kids if len(kids) == 2 else []

    kids = wait_for(task_children, timeout=30)
    assert kids, (tmp_path / "serve.log").read_text()[-3000:]
    assert sorted(cmdline(p).split()[-1] for p in kids) == ["scheduler", "worker"]

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    assert wait_for(healthy, timeout=30), (tmp_path / "serve.log").read_text()[-3000:]
    ready = wait_for(lambda: " ready." in (tmp_path / "serve.log").read_text(), timeout=30)
    assert ready, (tmp_path / "serve.log").read_text()[-3000:]
    pool = [p for kid in kids for p in children_of(kid)]
    serve.send_signal(signal.SIGTERM)
    serve.wait(timeout=45)
    gone = wait_for(lambda: not any(pid_alive(p) for p in kids + pool), timeout=10)
    assert gone, (tmp_path / "serve.log").read_text()[-3000:]
    assert serve.returncode == 0
