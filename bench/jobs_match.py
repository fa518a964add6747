"""Benchmark of the jobs matcher: 10,000 talents × 2,000 positions, both ways.

Run: .venv/bin/python bench/jobs_match.py [talents] [positions]
Prints the time of the full score matrix plus each side's 10 best matches.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from talentport.jobs import matching  # noqa: E402

BUDGET_SECONDS = 5.0


def synthetic(talents: int, positions: int, seed: int = 2025):
    rng = np.random.default_rng(seed)
    salary = rng.uniform(80_000, 600_000, talents).astype(np.float32)
    salary[rng.random(talents) < 0.2] = np.nan  # some give no expectation
    t = matching.TalentVectors(
        degree=rng.integers(0, 4, talents),
        field=rng.integers(0, 16, talents),
        salary=salary,
        districts=rng.integers(0, 1 << 12, talents) * (rng.random(talents) < 0.7),
        industries=rng.integers(0, 1 << 12, talents) * (rng.random(talents) < 0.8),
    )
    low = rng.uniform(80_000, 300_000, positions).astype(np.float32)
    p = matching.PositionVectors(
        degree=rng.integers(0, 4, positions),
        fields=rng.integers(0, 1 << 16, positions) * (rng.random(positions) < 0.8),
        salary_min=low,
        salary_max=(low * rng.uniform(1.2, 2.5, positions)).astype(np.float32),
        district=rng.integers(0, 12, positions),
        industry=rng.integers(0, 12, positions),
    )
    return t, p


def main() -> int:
    talents = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    positions = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    t, p = synthetic(talents, positions)
    start = time.perf_counter()
    scores, best_positions, best_talents = matching.match_all(t, p, k=10)
    elapsed = time.perf_counter() - start
    print(f"talents={talents} positions={positions} pairs={talents * positions:,}")
    print(f"match_all (scores + top-10 both ways): {elapsed:.3f} s (budget {BUDGET_SECONDS} s)")
    print(f"mean score {float(scores.mean()):.1f}, best {float(scores.max()):.0f}")
    print(f"first talent's best positions: {best_positions[0, :5].tolist()}")
    print(f"first position's best talents: {best_talents[:5, 0].tolist()}")
    return 0 if elapsed <= BUDGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
