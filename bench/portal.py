"""Benchmark: the public portal under load, over HTTP, as ``talentport serve`` runs it.

    .venv/bin/python bench/portal.py [--seconds 10] [--connections 16]
                                     [--database sqlite|postgres|URL] [--settle 15] [--json-only]

Seeds a scratch database (``talentport setup --demo --no-input``: a temporary SQLite
file, or with ``--database postgres`` a scratch PostgreSQL database on
127.0.0.1:5432 that is dropped afterwards), starts ``talentport serve`` on a free
loopback port (so the gunicorn worker model and count are those of
``talentport/gunicorn_conf.py``; ``WEB_CONCURRENCY`` and friends are passed through),
then loads each URL in turn — home ``/``, the catalog list ``/services/``, one guide page
``/services/<uuid>/`` and the search API ``/api/v1/search?q=zfbt`` — with N concurrent
keep-alive connections for the given seconds.

The load comes from wrk when it is installed (``command -v wrk``; a Lua ``done`` hook
reports p50/p95/p99), else from a Python generator (one thread per connection, each
with its own ``http.client`` keep-alive connection; it costs more CPU than wrk, so on a
small machine its figures are a lower bound). The figures are printed as one JSON
document and a table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TALENTPORT = str(BIN / "talentport")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"

WRK_LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.6f, "errors": %d, "non2xx": %d, '
    .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\\n',
    summary.requests, summary.duration / 1e6, errors, summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


# ------------------------------------------------------------------ load generators


def load_wrk(url: str, *, seconds: int, connections: int, workdir: Path) -> dict[str, float]:
    script = workdir / "report.lua"
    script.write_text(WRK_LUA)
    threads = min(connections, os.cpu_count() or 1)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("WRKJSON "))
    raw = json.loads(line.removeprefix("WRKJSON "))
    return {
        "requests": raw["requests"],
        "errors": raw["errors"],
        "rps": raw["requests"] / raw["seconds"],
        "p50_ms": raw["p50_ms"],
        "p95_ms": raw["p95_ms"],
        "p99_ms": raw["p99_ms"],
    }


def load_python(url: str, *, seconds: int, connections: int) -> dict[str, float]:
    parsed = urllib.request.urlparse(url)
    target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections

    def run(slot: int) -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", target)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[slot] += 1
                if response.getheader("connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors[slot] += 1
                conn.close()
            latencies[slot].append((time.perf_counter() - started) * 1000)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    every = [v for slot in latencies for v in slot]
    return {
        "requests": len(every),
        "errors": sum(errors),
        "rps": len(every) / elapsed,
        "p50_ms": statistics.median(every) if every else 0.0,
        "p95_ms": percentile(every, 95) if every else 0.0,
        "p99_ms": percentile(every, 99) if every else 0.0,
    }


# ------------------------------------------------------------------ database and server


def prepare_database(choice: str, workdir: Path) -> tuple[str, str | None]:
    """(DATABASE_URL, name of a scratch PostgreSQL database to drop or None)."""
    if choice == "sqlite":
        return f"sqlite:///{workdir / 'portal.sqlite3'}", None
    if choice == "postgres":
        import psycopg

        name = f"tp_bench_portal_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://postgres@127.0.0.1:5432/{name}", name
    return choice, None


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"talentport serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("talentport serve did not answer in time")


def guide_url(base: str) -> str:
    with urllib.request.urlopen(f"{base}/api/v1/services?city=qingdao", timeout=10) as response:
        first = json.load(response)["results"][0]
    return f"{base}/services/{first['id']}/"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database", default="sqlite", help="sqlite, postgres or a URL")
    parser.add_argument(
        "--load", choices=["auto", "wrk", "python"], default="auto", help="load generator"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=15,
        help="seconds to wait after the first answer: the worker and scheduler serve "
        "starts beside gunicorn take a few seconds of CPU to start",
    )
    parser.add_argument("--json-only", action="store_true")
    args = parser.parse_args(argv)
    use_wrk = args.load == "wrk" or (args.load == "auto" and shutil.which("wrk") is not None)

    workdir = Path(tempfile.mkdtemp(prefix="tp-bench-portal-"))
    database_url, scratch = prepare_database(args.database, workdir)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TALENTPORT_DATA_DIR": str(workdir / "data"),
        "DJANGO_SETTINGS_MODULE": "talentport.settings",
    }
    port = free_port()
    env["PORT"] = str(port)
    base = f"http://127.0.0.1:{port}"
    server: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [TALENTPORT, "setup", "--demo", "--no-input"],
            env=env,
            cwd=workdir,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with open(workdir / "serve.log", "wb") as log:
            server = subprocess.Popen(
                [TALENTPORT, "serve"],
                env=env,
                cwd=workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_ready(base, server)
        time.sleep(args.settle)
        urls = {
            "home": f"{base}/",
            "catalog": f"{base}/services/",
            "guide": guide_url(base),
            "search_api": f"{base}/api/v1/search?q=zfbt",
        }
        results: dict[str, dict[str, float | str]] = {}
        for name, url in urls.items():
            with urllib.request.urlopen(url, timeout=10) as response:  # warm up
                response.read()
            if use_wrk:
                figures = load_wrk(
                    url, seconds=args.seconds, connections=args.connections, workdir=workdir
                )
            else:
                figures = load_python(url, seconds=args.seconds, connections=args.connections)
            results[name] = {"url": url.removeprefix(base), **figures}
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if scratch:
            drop_database(scratch)
        shutil.rmtree(workdir, ignore_errors=True)

    engine = "postgresql" if database_url.startswith("postgres") else "sqlite"
    report = {
        "engine": engine,
        "load_generator": "wrk" if use_wrk else "python-threads",
        "connections": args.connections,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "web_concurrency": os.environ.get("WEB_CONCURRENCY"),
        "results": results,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if not args.json_only:
        print(
            f"\nportal on {engine}, {args.connections} connections, {args.seconds} s per URL, "
            f"load from {report['load_generator']}"
        )
        print(f"{'page':<11} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, r in results.items():
            print(
                f"{name:<11} {r['rps']:>8.0f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
                f"{r['p99_ms']:>8.1f} {r['errors']:>7}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
