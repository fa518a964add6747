"""Benchmark: 100,000 working-day due dates (contract §7 clock).

    .venv/bin/python bench/due_dates.py [COUNT]

Prints the time for the bulk path (``add_working_days_many``), for one call per pair
(``add_working_days``), and the share of provisional answers.  Starts are spread over
2020–2027 and time limits over 1–60 working days, like real case deadlines.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from talentport.cases.clock import add_working_days, add_working_days_many


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 100_000
    rng = random.Random(20261122)
    first = dt.date(2020, 1, 1)
    span = (dt.date(2027, 12, 31) - first).days
    pairs = [
        (first + dt.timedelta(days=rng.randrange(span)), rng.randint(1, 60)) for _ in range(count)
    ]

    # The first call builds the per-year tables (one pass over each year); report it apart.
    t0 = time.perf_counter()
    add_working_days(dt.date(2020, 1, 1), 1)
    add_working_days_many([(dt.date(2020, 1, 1), 2100)])
    warm = time.perf_counter() - t0

    t0 = time.perf_counter()
    bulk = add_working_days_many(pairs)
    bulk_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    single = [add_working_days(start, n) for start, n in pairs]
    single_s = time.perf_counter() - t0

    assert bulk == single
    provisional = sum(r.provisional for r in bulk)
    print(f"due dates: {count:,} (start, days) pairs")
    print(f"  calendar tables built once:  {warm * 1000:8.1f} ms")
    print(f"  add_working_days_many:       {bulk_s * 1000:8.1f} ms  ({count / bulk_s:,.0f}/s)")
    print(f"  add_working_days one by one: {single_s * 1000:8.1f} ms  ({count / single_s:,.0f}/s)")
    print(f"  provisional answers:         {provisional:,} ({provisional / count:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
