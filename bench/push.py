"""Benchmark of the talent database and the push (contract §9), end to end.

    .venv/bin/python bench/push.py                          # 100k on SQLite and PostgreSQL
    .venv/bin/python bench/push.py --sizes 100000,1000000 --db postgres
    .venv/bin/python bench/push.py --sizes 20000 --db sqlite --keep /tmp/tp-push

For each size and database it sets up a fresh platform (``talentport setup``), then
times the real commands as a bureau would run them:

- ``talentport profiles import`` of N contract profiles (the match benchmark's seeded
  population, bench/match.py) with contact details and consent for a third of them;
- the first ``talentport push`` (no earlier state), then a push with nothing changed;
- publishing a new version of one policy with a changed amount (the publish call itself:
  it records the run and returns; the run is then executed by ``talentport push`` for that
  policy, as the worker would);
- ``talentport match`` on the same file, for the "push ≤ 5× match" target.

Each figure is wall time of the process, with its peak RSS. Targets (2 cores, 1M, on
PostgreSQL): first push ≤ 60 s, unchanged push ≤ 20 s, import ≥ 20,000 profiles/s,
publish ≤ 300 ms, peak RSS ≤ 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT / "bench"))
from match import person  # noqa: E402

AS_OF = "2026-11-22"
POLICY = "qingdao.graduate_housing_subsidy"

PUBLISH = """
import time
from talentport.policies.models import PolicyVersion
from talentport.policies.services import policy_publish
from talentport.people.models import User
latest = PolicyVersion.objects.filter(policy_id=%(policy)r).order_by("-version").first()
text = latest.text.replace("master: 800,", "master: 850,", 1)
assert text != latest.text
actor = User.objects.filter(role="administrator", scopes__jurisdiction="qingdao").first()
if actor is None:
    actor = User.objects.create(username="bench-admin", role="administrator", is_staff=True)
    actor.scopes.create(jurisdiction="qingdao")
t = time.perf_counter()
policy_publish(text=text, actor=actor, note="bench")
print(round((time.perf_counter() - t) * 1000, 1))
"""


def generate(n: int, path: Path) -> None:
    rng = random.Random(20261204)
    with path.open("wb") as out:
        for i in range(n):
            p = person(rng, i)
            if i % 3 == 0:
                p["contact"] = {"name": f"人才{i}", "phone": f"139{i % 100_000_000:08d}"}
                p["consent"] = True
            out.write(orjson.dumps(p) + b"\n")


def profiles_only(src: Path, dst: Path) -> None:
    """The same people without contact details: the input of ``talentport match``."""
    with src.open("rb") as inp, dst.open("wb") as out:
        for line in inp:
            p = orjson.loads(line)
            p.pop("contact", None)
            p.pop("consent", None)
            out.write(orjson.dumps(p) + b"\n")


def timed(cmd: list[str], env: dict[str, str], stdin: str | None = None) -> dict[str, Any]:
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own commands
        cmd,
        env=env,
        stdin=subprocess.PIPE if stdin is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if stdin is not None:
        assert proc.stdin is not None
        proc.stdin.write(stdin)
        proc.stdin.close()
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {code}:\n{err[-2000:]}")
    return {"seconds": round(wall, 2), "rss_mb": round(usage.ru_maxrss / 1024), "out": out.strip()}


def run(n: int, db: str, workdir: Path) -> dict[str, Any]:
    data_dir = workdir / f"data-{db}-{n}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {**os.environ, "TALENTPORT_DATA_DIR": str(data_dir), "TALENTPORT_SERVE_TASKS": "0"}
    env.pop("TASKS_EAGER", None)
    if db == "postgres":
        name = f"tp_bench_{os.getpid()}_{n}"
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True
        )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{data_dir / 'db.sqlite3'}"
    src = workdir / f"people-{n}.jsonl"
    plain = workdir / f"people-{n}.profiles.jsonl"
    if not src.exists():
        generate(n, src)
        profiles_only(src, plain)
    talentport = str(BIN / "talentport")
    timed([talentport, "setup", "--no-input"], env)
    figures: dict[str, Any] = {"n": n, "db": db}
    imp = timed([talentport, "profiles", "import", str(src), "--source", "bench"], env)
    figures["import"] = {**imp, "per_second": round(n / imp["seconds"])}
    figures["import"]["out"] = json.loads(imp["out"]) | {
        "refused": len(json.loads(imp["out"])["refused"])
    }
    first = timed([talentport, "push", "--as-of", AS_OF], env)
    figures["first_push"] = {**first, "out": json.loads(first["out"])}
    again = timed([talentport, "push", "--as-of", AS_OF], env)
    figures["unchanged_push"] = {**again, "out": json.loads(again["out"])}
    publish = timed([talentport, "manage", "shell"], env, stdin=PUBLISH % {"policy": POLICY})
    figures["publish_ms"] = float(publish["out"].splitlines()[-1])
    after = timed([talentport, "push", "--as-of", AS_OF, "--policies", POLICY], env)
    figures["push_after_change"] = {**after, "out": json.loads(after["out"])}
    match = timed(
        [talentport, "match", str(plain), "--out", str(workdir / "out.jsonl"), "--as-of", AS_OF],
        env,
    )
    figures["match"] = {k: v for k, v in match.items() if k != "out"}
    figures["push_over_match"] = round(first["seconds"] / match["seconds"], 1)
    if db == "postgres":
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=False
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--keep", help="work directory to keep (default: a temporary one)")
    args = parser.parse_args()
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tp-push-"))
    workdir.mkdir(parents=True, exist_ok=True)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        for db in dbs:
            figures = run(n, db, workdir)
            results.append(figures)
            print(json.dumps(figures, ensure_ascii=False), flush=True)
    print(
        "\n  N        db        import/s  first push  unchanged  after change  publish  match  RSS"
    )
    for f in results:
        rss = max(f["first_push"]["rss_mb"], f["unchanged_push"]["rss_mb"], f["import"]["rss_mb"])
        print(
            f"  {f['n']:<8} {f['db']:<9} {f['import']['per_second']:>8}  "
            f"{f['first_push']['seconds']:>8.1f} s  {f['unchanged_push']['seconds']:>7.1f} s  "
            f"{f['push_after_change']['seconds']:>10.1f} s  {f['publish_ms']:>5.0f} ms  "
            f"{f['match']['seconds']:>4.1f} s  {rss} MB"
        )
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
