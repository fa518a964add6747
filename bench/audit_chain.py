"""Benchmark: appending to the audit hash chain, and verifying it.

    .venv/bin/python bench/audit_chain.py [EVENTS] [WRITERS]

Runs against a fresh SQLite database in a temporary directory (migrated first), so the
project database is untouched.  Prints:

- events/s of the same journal row inserted one by one without the chain (the baseline:
  what the chain adds is the difference);
- events/s appended one by one, each in its own transaction (``audit_event_record``:
  lock the chain head, insert, update the head), in one process;
- events/s with WRITERS processes appending at the same time (default 2), and whether
  the chain is still one unbroken chain afterwards (it must be: no fork, no gap);
- rows/s of ``chain_verify`` over the whole journal (the ``talentport audit verify`` walk)
  and the peak Python memory of that walk (tracemalloc: bounded by the chunk size).

``BENCH_DATABASE_URL=postgres://…/scratch`` runs it on that (empty, scratch) PostgreSQL
database instead.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
    import django

    django.setup()


def _append(url: str, count: int, worker: int, start: float, times: Any = None) -> None:
    _setup(url)
    from django.db import connections

    from talentport.common.services import audit_event_record
    from talentport.people.models import User

    user = User.objects.get(username="bench")
    while time.time() < start:  # start together
        time.sleep(0.001)
    began = time.time()
    for i in range(count):
        audit_event_record(
            subject=user,
            action="bench.append",
            actor=user,
            from_state="submitted",
            to_state="approved",
            reason="基准测试",
            data={"worker": worker, "i": i, "amount": "800.00"},
            ip="203.0.113.10",
        )
    if times is not None:
        times.put((began, time.time()))
    connections.close_all()


def _baseline(count: int) -> float:
    """Rows/s of the same journal row inserted one by one without the chain (numbered
    far past the chain, and deleted afterwards): what the chain adds is the difference."""
    from django.db import connection, models, transaction

    from talentport.common.models import AuditEvent
    from talentport.people.models import User

    user = User.objects.get(username="bench")
    offset = 10**12
    began = time.perf_counter()
    for i in range(count):
        with transaction.atomic():
            models.QuerySet.bulk_create(
                AuditEvent.objects.all(),
                [
                    AuditEvent(
                        seq=offset + i,
                        subject_type="people.user",
                        subject_id=str(user.uuid),
                        actor=user,
                        action="bench.append",
                        from_state="submitted",
                        to_state="approved",
                        reason="基准测试",
                        data={"worker": 0, "i": i, "amount": "800.00"},
                        ip="203.0.113.10",
                    )
                ],
            )
    rate = count / (time.perf_counter() - began)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq >= %s", [offset])
    return rate


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    writers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        _setup(url)
        from django.core.management import call_command
        from django.db import connections

        from talentport.common.audit_chain import chain_verify
        from talentport.people.models import User

        call_command("migrate", verbosity=0, interactive=False)
        User.objects.get_or_create(username="bench")
        connections.close_all()

        baseline = _baseline(events)
        began = time.perf_counter()
        _append(url, events, 0, 0.0)
        single = events / (time.perf_counter() - began)

        context = multiprocessing.get_context("spawn")
        times = context.Queue()
        per_writer = events // writers
        start = time.time() + 8.0  # after every process has imported Django
        processes = [
            context.Process(target=_append, args=(url, per_writer, w + 1, start, times))
            for w in range(writers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        spans = [times.get() for _ in processes]
        first, last = min(b for b, _e in spans), max(e for _b, e in spans)
        concurrent = per_writer * writers / (last - first)

        began = time.perf_counter()
        result = chain_verify()
        walked = time.perf_counter() - began
        tracemalloc.start()  # a second walk, for its memory only (tracemalloc slows it)
        chain_verify()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            json.dumps(
                {
                    "database": connections["default"].vendor,
                    "same_row_without_chain_events_per_s": round(baseline),
                    "append_one_by_one_events_per_s": round(single),
                    "append_concurrent_writers": writers,
                    "append_concurrent_events_per_s": round(concurrent),
                    "chain": result.as_dict(),
                    "verify_rows_per_s": round(result.events / walked),
                    "verify_peak_python_memory_mb": round(peak / 2**20, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
