"""Benchmark of `talentport profiles import` (contract §9): the talent database import.

    .venv/bin/python bench/profiles_import.py                     # 100k on SQLite
    .venv/bin/python bench/profiles_import.py --sizes 100000,1000000 --db both
    .venv/bin/python bench/profiles_import.py --db postgres --pg postgres://postgres@127.0.0.1:5432/postgres

Profiles come from the contract generator of bench/match.py (seeded), each with an "id";
a share of them (--contact, default 0.3) has contact details (name, mobile, e-mail: three
encrypted values) and consent. Each database is fresh: a temporary SQLite file, or a
PostgreSQL database created for the run and dropped after. Each run is the real command
end to end (start-up, read, validate, encrypt, write): a first import, a re-import of the
same file (all unchanged) and a re-import with 10% of the lines changed. Printed: wall
time, CPU time (user + sys of the process) and profiles/s by both; the machine is shared,
so CPU time is the steadier figure. Target (2 cores): ≥ 20,000 profiles/s.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from match import person  # noqa: E402  (the contract generator)

TALENTPORT = ROOT / ".venv" / "bin" / "talentport"


def generate(n: int, path: Path, contact: float, changed: float = 0.0) -> None:
    rng = random.Random(20261204 + n)
    change = random.Random(7)
    with path.open("wb") as fh:
        for i in range(n):
            p = person(rng, i)
            p["id"] = f"s{i}"
            if rng.random() < contact:
                p["contact"] = {
                    "name": "张三",
                    "phone": f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
                    "email": f"p{i}@example.org",
                }
                p["consent"] = rng.random() < 0.8
            if changed and change.random() < changed:
                p.setdefault("person", {})["hukou_district"] = "laoshan"
            fh.write(orjson.dumps(p) + b"\n")


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, bytes]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime, out


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def bench_db(label: str, url: str, files: dict[str, Path], n: int) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([str(TALENTPORT), "setup"], env=env, check=True, capture_output=True)
    for case, path in (
        ("first import", files["base"]),
        ("unchanged", files["base"]),
        ("10% changed", files["changed"]),
    ):
        cmd = [str(TALENTPORT), "profiles", "import", str(path), "--source", "bench"]
        wall, cpu, out = run(cmd, env)
        report = orjson.loads(out)
        counts = f"c{report['created']} u{report['updated']} =" + str(report["unchanged"])
        print(
            f"{label:>9} {n:>9} {case:>13} {wall:>8.2f} {cpu:>8.2f} {n / wall:>10.0f}"
            f" {n / cpu:>10.0f}  {counts:<22} {_load()}",
            flush=True,
        )


def _pg_database(admin_url: str, name: str, create: bool) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000")
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--contact", type=float, default=0.3)
    ap.add_argument("--dir", default=None)
    args = ap.parse_args()
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="tp-import-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} CPUs; contact details on {args.contact:.0%} of the profiles")
    print(
        f"{'db':>9} {'size':>9} {'case':>13} {'wall s':>8} {'cpu s':>8} {'/s wall':>10}"
        f" {'/s cpu':>10}  {'report':<22} load (1/5/15)"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        files = {"base": work / f"talent-{n}.jsonl", "changed": work / f"talent-{n}-changed.jsonl"}
        if not files["base"].exists():
            generate(n, files["base"], args.contact)
            generate(n, files["changed"], args.contact, changed=0.1)
        if args.db in ("sqlite", "both"):
            db = work / f"bench-{n}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            bench_db("sqlite", f"sqlite:///{db}", files, n)
        if args.db in ("postgres", "both"):
            name = f"tp_bench_import_{n}"
            url = _pg_database(args.pg, name, create=True)
            try:
                bench_db("postgres", url, files, n)
            finally:
                _pg_database(args.pg, name, create=False)


if __name__ == "__main__":
    main()
