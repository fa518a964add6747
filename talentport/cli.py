"""``talentport`` command-line entry point (contract §1, §2, §3, §7, §8, §9).

``eligibility``, ``match`` and ``due-date`` work without a database or a running
server; the others set up Django first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

USAGE = """用法 / usage: talentport COMMAND [ARGS]

  setup [--demo]              创建或迁移数据库并加载种子数据（可重复执行）；--demo 另建演示账户
  serve                       以生产级服务器在 127.0.0.1:$PORT 提供门户（默认 8000），
                              并启动一个任务队列工作进程与调度器（TALENTPORT_SERVE_TASKS=0 关闭）
                              serve the portal, plus one queue worker and the scheduler
  worker [CELERY ARGS]        仅启动任务队列工作进程（可在多台机器上运行）/ a queue worker alone
  scheduler [CELERY ARGS]     启动定时任务调度器（全系统只运行一个）/ the one scheduler (beat)
  manage COMMAND ...          任意 Django 管理命令
  eligibility PROFILE.json    一人可享受的政策（- 表示从标准输入读取）[--as-of YYYY-MM-DD]
  match IN.jsonl --out OUT.jsonl [--as-of DATE] [--policies ID,ID]   批量政策匹配
  push [--policies ID,ID] [--as-of DATE] [--dry-run]   政策找人：评估全部已存画像并推送变化
  due-date START N            START 之后第 N 个法定工作日
  archives import FILE.xlsx --school NAME   导入学校人事档案交接名单
  profiles import FILE --source NAME       导入人才信息库（JSONL 或 .xlsx 模板）
  audit verify [--tail N]     校验审计日志哈希链（完整时退出码 0，断开时 1）
  backup [--out FILE] [--no-media]          备份数据库与上传文件（加密字段保持加密）
  restore FILE [--yes] [--into DATABASE_URL] 校验并从备份恢复
"""


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
    import django

    django.setup()


def _manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["talentport manage", *argv])
    return 0


def _setup(argv: list[str]) -> int:
    _django_setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("tp_setup", *argv)
    except CommandError as exc:
        print(f"talentport setup: {exc}", file=sys.stderr)
        return 2
    return 0


def _serve(argv: list[str]) -> int:
    port = os.environ.get("PORT", "8000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
    # A web worker is long-lived: it keeps its database connection (a new PostgreSQL
    # connection per request costs more than the request).  Set before anything loads
    # the settings: starting the task children below does, before gunicorn reads its
    # config, and the settings are then read once for the master and every worker.
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    from gunicorn.app.wsgiapp import run

    children = _task_children_start()

    sys.argv = [
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        # worker model and count from the CPU count (overridable by environment)
        "--config",
        "python:talentport.gunicorn_conf",
        "--access-logfile",
        "-",
        # ID numbers and phones in query strings and tracebacks are masked
        "--logger-class",
        "talentport.common.gunicorn_logging.MaskingLogger",
        *argv,
        "talentport.wsgi:application",
    ]
    try:
        run()
    finally:
        _task_children_stop(children)
    return 0


# --- the task queue: worker, scheduler, and the two children of `serve` ---------------

#: Set in the environment of the worker and scheduler `serve` starts: the pid of serve.
PARENT_PID_ENV = "TALENTPORT_PARENT_PID"


def _queue_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
    from django.conf import settings

    from talentport.celery import ensure_queue_dirs

    ensure_queue_dirs()
    # the scheduler's schedule file and pid lock live there whatever the broker
    settings.QUEUE_DIR.mkdir(parents=True, exist_ok=True)
    _parent_watchdog_start()


def worker_argv(argv: list[str]) -> list[str]:
    """Celery's worker arguments: prefork, one process per CPU (``WORKER_CONCURRENCY``
    overrides it), then ``argv`` (which wins: Celery takes the last of a repeated option)."""
    concurrency = os.environ.get("WORKER_CONCURRENCY") or str(max(1, os.cpu_count() or 1))
    return [
        "worker",
        "--pool",
        "prefork",
        "--concurrency",
        concurrency,
        "--loglevel",
        "INFO",
        *argv,
    ]


def scheduler_argv(argv: list[str]) -> list[str]:
    """Celery beat's arguments: the schedule file and a pid lock in ``QUEUE_DIR`` (a
    second scheduler on the same machine refuses to start), then ``argv``."""
    from django.conf import settings

    return [
        "beat",
        "--schedule",
        settings.CELERY_BEAT_SCHEDULE_FILENAME,
        "--pidfile",
        str(settings.QUEUE_DIR / "scheduler.pid"),
        "--loglevel",
        "INFO",
        *argv,
    ]


def _worker(argv: list[str]) -> int:
    _queue_setup()
    from talentport.celery import app

    return app.start(worker_argv(argv)) or 0


def _scheduler(argv: list[str]) -> int:
    _queue_setup()
    from talentport.celery import app

    return app.start(scheduler_argv(argv)) or 0


def serve_tasks_enabled() -> bool:
    """`serve` runs a worker and the scheduler unless ``TALENTPORT_SERVE_TASKS=0`` (a
    deployment whose workers and one scheduler run as their own services)."""
    value = os.environ.get("TALENTPORT_SERVE_TASKS", "1").strip().lower()
    return value not in {"0", "false", "no", "off"}


def task_child_commands() -> list[list[str]]:
    """The commands `serve` starts next to gunicorn: one worker, the one scheduler."""
    if not serve_tasks_enabled():
        return []
    me = [sys.executable, "-m", "talentport.cli"]
    return [[*me, "worker"], [*me, "scheduler"]]


#: Seconds between looks at the children; one that died is started again after it.
RESTART_DELAY = 5.0


class TaskChildren:
    """The worker and the scheduler next to gunicorn.  Each leads its own process group:
    a Ctrl-C reaches serve alone, which stops each child (and the worker's pool) with one
    SIGTERM to its group.  A child that dies is started again (every RESTART_DELAY s at
    most, so one that cannot start does not spin)."""

    def __init__(self, commands: list[list[str]]) -> None:
        self.commands = commands
        self.env = {**os.environ, PARENT_PID_ENV: str(os.getpid())}
        self.processes = [self._spawn(command) for command in commands]
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._monitor = threading.Thread(target=self._watch, name="task-children", daemon=True)
        if commands:
            self._monitor.start()

    def _spawn(self, command: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, env=self.env, start_new_session=True)

    def _watch(self) -> None:
        while not self._stopping.wait(RESTART_DELAY):
            with self._lock:
                if self._stopping.is_set():
                    return
                for i, child in enumerate(self.processes):
                    if child.poll() is not None:
                        name = self.commands[i][-1]
                        print(f"talentport serve: {name} exited, restarting", file=sys.stderr)
                        self.processes[i] = self._spawn(self.commands[i])

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM each child's group (the worker finishes its running tasks: warm
        shutdown), then SIGKILL whatever is left after ``timeout`` seconds (late ack:
        unfinished tasks go back to the queue)."""
        self._stopping.set()
        if not self.processes:
            return
        with self._lock:  # no restart under way
            children = list(self.processes)
        # gunicorn's SIGCHLD handler would reap our children behind Popen's back
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for child in children:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(child, signal.SIGKILL)
            child.wait()


def _task_children_start() -> TaskChildren:
    commands = task_child_commands()
    if commands:
        from talentport.celery import ensure_queue_dirs

        ensure_queue_dirs()  # the web processes queue tasks into it too
    return TaskChildren(commands)


def _task_children_stop(children: TaskChildren, timeout: float = 30) -> None:
    children.stop(timeout)


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


#: Seconds a child of `serve` whose parent is gone has to stop after SIGTERM (a worker
#: finishes its running task) before it and its pool are killed.
WATCHDOG_GRACE_ENV = "TALENTPORT_WATCHDOG_GRACE_SECONDS"


def _parent_watchdog_start() -> None:
    """A child of `serve` stops (SIGTERM to itself) when serve is gone, even after a
    ``kill -9`` of serve that left no chance to stop it; one that has not stopped after
    the grace (still starting, or stuck) is killed with its process group, so that no
    worker outlives serve."""
    parent = os.environ.get(PARENT_PID_ENV)
    if not parent:
        return
    parent_pid = int(parent)
    grace = float(os.environ.get(WATCHDOG_GRACE_ENV) or 30)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(grace)
        me = os.getpid()
        if os.getpgid(0) == me:  # serve made it the leader of its own group
            os.killpg(me, signal.SIGKILL)
        os.kill(me, signal.SIGKILL)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _eligibility(argv: list[str]) -> int:
    from talentport.policies.cli import eligibility_main

    return eligibility_main(argv)


def _match(argv: list[str]) -> int:
    from talentport.policies.cli import match_main

    return match_main(argv)


def _push(argv: list[str]) -> int:
    from talentport.policies.push_cli import push_main

    return push_main(argv)


def _due_date(argv: list[str]) -> int:
    from talentport.cases.clock_cli import due_date_main

    return due_date_main(argv)


def _archives(argv: list[str]) -> int:
    if not argv or argv[0] != "import":
        print("用法: talentport archives import FILE.xlsx --school NAME", file=sys.stderr)
        return 2
    _django_setup()
    from talentport.archives.cli import import_main

    return import_main(argv[1:])


def _profiles(argv: list[str]) -> int:
    if not argv or argv[0] != "import":
        print("用法: talentport profiles import FILE --source NAME", file=sys.stderr)
        return 2
    _django_setup()
    from talentport.people.cli import import_main

    return import_main(argv[1:])


def _command(name: str, argv: list[str]) -> int:
    """Run management command ``name``; a CommandError is its message and exit status."""
    _django_setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command(name, *argv)
    except CommandError as exc:
        print(str(exc), file=sys.stderr)
        return int(getattr(exc, "returncode", 1) or 1)
    return 0


def _audit(argv: list[str]) -> int:
    if not argv or argv[0] != "verify":
        print("用法: talentport audit verify [--tail N]", file=sys.stderr)
        return 2
    return _command("audit_verify", argv[1:])


def _backup(argv: list[str]) -> int:
    return _command("backup", argv)


def _restore(argv: list[str]) -> int:
    return _command("restore", argv)


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "setup": _setup,
    "serve": _serve,
    "worker": _worker,
    "scheduler": _scheduler,
    "manage": _manage,
    "eligibility": _eligibility,
    "match": _match,
    "push": _push,
    "due-date": _due_date,
    "archives": _archives,
    "profiles": _profiles,
    "audit": _audit,
    "backup": _backup,
    "restore": _restore,
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command = COMMANDS.get(args[0])
    if command is None:
        print(f"未知命令 / unknown command: {args[0]}\n\n{USAGE}", file=sys.stderr)
        return 2
    return command(args[1:])


if __name__ == "__main__":
    sys.exit(main())
