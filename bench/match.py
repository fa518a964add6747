"""Benchmark of `talentport match` (contract §3) and single-person eligibility.

    .venv/bin/python bench/match.py                 # 10k, 100k, 1M
    .venv/bin/python bench/match.py --sizes 10000,100000 --dir /tmp/tp-bench

Populations are deterministic (seeded), written as contract JSONL with an "id".
Each run is the real command, end to end (start-up, read, evaluate, write). For every
run it prints wall time, CPU time (user + sys of that process and its threads) and peak
RSS, plus the load average: on a shared machine wall time depends on what else runs,
CPU time much less. Targets (2 cores): 1M all policies ≤ 10 s, 1M on the 4 policies
≤ 3.3 s, peak RSS ≤ 2 GB.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
TALENTPORT = ROOT / ".venv" / "bin" / "talentport"
FOUR = "qingdao.graduate_housing_subsidy,qingdao.settle_allowance,qingdao.pingdu.life_allowance,qingdao.laixi.housing_voucher"
DISTRICTS = [
    "shinan",
    "shibei",
    "licang",
    "laoshan",
    "xihaian",
    "chengyang",
    "jimo",
    "jiaozhou",
    "pingdu",
    "laixi",
    "hightech",
    "ftz",
]


def _date(rng: random.Random, y0: int, y1: int) -> str:
    return f"{rng.randint(y0, y1)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def person(rng: random.Random, i: int) -> dict:
    p: dict = {"id": i}
    if rng.random() < 0.9:
        p["person"] = {"birth_date": _date(rng, 1980, 2003)}
        if rng.random() < 0.3:
            p["person"]["hukou_district"] = rng.choice(DISTRICTS)
    enrolled = rng.random() < 0.1
    p["education"] = {
        "degree": rng.choice(["associate", "bachelor", "bachelor", "master", "master", "doctor"]),
        "overseas": rng.random() < 0.9,
        "full_time": rng.random() < 0.8,
        "graduation_date": None if enrolled else _date(rng, 2016, 2026),
        "cscse_certified": rng.random() < 0.7,
        "world_top200": rng.random() < 0.2,
    }
    if rng.random() < 0.85:
        city = rng.choice(["qingdao"] * 8 + ["liaocheng", "weihai", "other"])
        emp = {
            "kind": rng.choice(["employee"] * 6 + ["founder", "flexible"]),
            "city": city,
            "employer_type": rng.choice(
                [
                    "enterprise",
                    "small_micro_enterprise",
                    "state_owned_enterprise",
                    "public_institution",
                    "government",
                ]
            ),
            "start_date": _date(rng, 2018, 2026),
            "first_in_city": rng.random() < 0.7,
            "contract_years": rng.choice([1, 2, 3, 5]),
            "social_insurance_months": rng.randint(0, 36),
        }
        if city == "qingdao":
            emp["district"] = rng.choice(DISTRICTS)
        p["employment"] = emp
    if rng.random() < 0.7:
        home = None
        if rng.random() < 0.4:
            home = {
                "date": _date(rng, 2018, 2026),
                "city": "qingdao",
                "district": rng.choice(DISTRICTS),
                "only_home_in_city": rng.random() < 0.8,
            }
        p["housing"] = {
            "bought_home": home,
            "owns_commercial_home_in": [home["district"]] if home else [],
        }
    if rng.random() < 0.1:
        p["venture"] = {
            "entity_type": rng.choice(
                ["individual_business", "small_micro_enterprise", "enterprise", "firm"]
            ),
            "founded_date": _date(rng, 2019, 2026),
            "city": "qingdao",
            "district": rng.choice(DISTRICTS),
            "equity_share": round(rng.random(), 3),
            "local_contribution_last_year": round(rng.random() * 2e6, 2),
            "selected_for_startup_support_plan": rng.random() < 0.2,
        }
    if enrolled and rng.random() < 0.5:
        p["internship"] = {
            "at_qingdao_base": rng.random() < 0.5,
            "days_this_month": rng.randint(5, 25),
        }
    if rng.random() < 0.03:
        p["postdoc"] = {
            "status": rng.choice(["in_station", "out_station"]),
            "city": "qingdao",
            "district": rng.choice(DISTRICTS),
        }
    if p.get("employment", {}).get("city") == "liaocheng":
        p["liaocheng"] = {
            "recognized_talent": rng.random() < 0.7,
            "talent_tier": rng.choice(["top", "high_end", "urgent", "none"]),
            "professional_title": rng.choice(["senior_full", "intermediate", "none"]),
            "chief_technician": rng.choice(["municipal", "provincial", "none"]),
            "uses_talent_apartment": rng.random() < 0.3,
        }
    return p


def generate(n: int, path: Path) -> None:
    rng = random.Random(20261122 + n)
    with path.open("wb") as fh:
        for i in range(n):
            fh.write(orjson.dumps(person(rng, i)) + b"\n")


def run_match(src: Path, out: Path, policies: str | None) -> tuple[float, float, float]:
    """(wall s, user+sys CPU s, peak RSS MB) of one `talentport match` process."""
    cmd = [str(TALENTPORT), "match", str(src), "--out", str(out), "--as-of", "2026-11-22"]
    if policies:
        cmd += ["--policies", policies]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"match failed ({proc.returncode}): {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def single_latency(samples: int = 500) -> tuple[float, float]:
    sys.path.insert(0, str(ROOT))
    from talentport.policies.engine import evaluate, load_policies

    load_policies()
    rng = random.Random(7)
    people = [person(rng, i) for i in range(samples)]
    for p in people[:20]:
        evaluate(p)
    times = []
    for p in people:
        t0 = time.perf_counter()
        evaluate(p)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--dir", default=None, help="where to keep the generated files")
    ap.add_argument("--repeat", type=int, default=1, help="runs per case (best wall reported)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="tp-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {_load()}")
    print(
        f"{'size':>9} {'policies':>9} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12}"
        f"  {'load (1/5/15 min)':<24}"
    )
    for n in sizes:
        src = work / f"profiles-{n}.jsonl"
        if not src.exists():
            generate(n, src)
        for label, pols in (("all", None), ("4", FOUR)):
            runs = [
                run_match(src, work / f"out-{n}-{label}.jsonl", pols)
                for _ in range(max(1, args.repeat))
            ]
            wall, cpu, rss = min(runs)
            print(
                f"{n:>9} {label:>9} {wall:>8.2f} {cpu:>8.2f} {rss:>12.0f}  {_load():<24}",
                flush=True,
            )
    p50, p95 = single_latency()
    print(f"single eligibility (in-process, all policies): p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    print(f"load average at end: {_load()}")
    print("cpu s = user + sys of the match process (all its threads); wall s includes start-up")


if __name__ == "__main__":
    main()
