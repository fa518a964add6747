"""The gunicorn settings of ``talentport serve``: worker model and count from the CPU
count, every choice overridable from the environment."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import pytest

ENV = (
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_WORKER_CLASS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_PRELOAD",
)


def load(monkeypatch: Any, cpus: int, **env: str) -> Any:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("os.cpu_count", lambda: cpus)
    monkeypatch.setenv("DB_CONN_MAX_AGE", "0")  # keep the test process's own value
    sys.modules.pop("talentport.gunicorn_conf", None)
    return importlib.import_module("talentport.gunicorn_conf")


def test_defaults_follow_the_cpu_count(monkeypatch: Any) -> None:
    conf = load(monkeypatch, cpus=2)
    assert (conf.worker_class, conf.workers, conf.threads) == ("gthread", 5, 2)
    assert conf.preload_app is True and conf.max_requests == 0
    assert load(monkeypatch, cpus=1).workers == 3
    assert load(monkeypatch, cpus=64).workers == 12  # capped: ask for more explicitly


def test_environment_overrides(monkeypatch: Any) -> None:
    conf = load(
        monkeypatch,
        cpus=2,
        WEB_CONCURRENCY="3",
        GUNICORN_WORKER_CLASS="sync",
        GUNICORN_THREADS="8",
        GUNICORN_MAX_REQUESTS="1000",
        GUNICORN_PRELOAD="0",
    )
    assert (conf.worker_class, conf.workers, conf.threads) == ("sync", 3, 1)
    assert (conf.max_requests, conf.max_requests_jitter) == (1000, 100)
    assert conf.preload_app is False


def test_a_bad_value_stops_the_server(monkeypatch: Any) -> None:
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY"):
        load(monkeypatch, cpus=2, WEB_CONCURRENCY="many")


def test_serve_points_gunicorn_at_the_config(monkeypatch: Any) -> None:
    from gunicorn.config import Config

    from talentport import cli

    seen: dict[str, list[str]] = {}
    monkeypatch.setattr("gunicorn.app.wsgiapp.run", lambda: seen.setdefault("argv", sys.argv))
    monkeypatch.setattr(sys, "argv", ["talentport"])
    cli._serve([])
    argv = seen["argv"]
    assert argv[argv.index("--config") + 1] == "python:talentport.gunicorn_conf"
    assert "--workers" not in argv  # the config decides, WEB_CONCURRENCY overrides
    # and gunicorn accepts every name the module sets
    conf = load(monkeypatch, cpus=2)
    known = set(Config().settings)
    names = {n for n in vars(conf) if not n.startswith("_") and n.islower()}
    settings_names = names - {"os", "annotations", "resolver_warm"}
    assert settings_names <= known, settings_names - known


def test_serve_keeps_database_connections_even_with_its_task_children(monkeypatch: Any) -> None:
    """Starting the worker and scheduler loads the settings before gunicorn reads its
    config: the connection age must be in the environment by then, or every request
    opens a new database connection (measured: 255 instead of 900 req/s on PostgreSQL)."""
    from talentport import cli

    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)
    seen: dict[str, str | None] = {}

    class Started(Exception):
        pass

    def start() -> None:
        seen["age"] = cli.os.environ.get("DB_CONN_MAX_AGE")
        raise Started

    monkeypatch.setattr(cli, "_task_children_start", start)
    with pytest.raises(Started):
        cli._serve([])
    assert seen["age"] == "60"
