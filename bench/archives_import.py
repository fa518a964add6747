"""Benchmark: import a 10,000-row school hand-over list (contract §8), valid and invalid rows mixed.

    .venv/bin/python bench/archives_import.py [ROWS]

Runs against a fresh SQLite database in a temporary directory (migrated first), so the
project database is untouched.  Prints the time to parse and validate, the time of the
whole import (parse + blind-index lookups + encryption + bulk insert + journal), the
peak Python memory (tracemalloc) and the process's maximum resident set size.
About 10% of rows are invalid (bad check digit, bad birth date, empty name, bad phone,
duplicate in file) and 2% duplicate a file already on record.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def _id(rng: random.Random, serial: int) -> str:
    from talentport.common.idcard import id_card_check_digit

    year = rng.randint(2005, 2009)
    first17 = f"3702{rng.randint(1, 99):02d}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{serial % 1000:03d}"
    return first17 + id_card_check_digit(first17)


def build(path: Path, rows: int, on_record: list[str]) -> dict[str, int]:
    from openpyxl import Workbook

    rng = random.Random(20261122)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("档案交接名单")
    sheet.append(["姓名", "身份证号", "班级", "监护人姓名", "监护人电话", "备注"])
    seen: set[str] = set(on_record)
    kinds = {"valid": 0, "invalid": 0, "on_record": 0}
    last_valid = ""
    for n in range(rows):
        number = _id(rng, n)
        while number in seen:
            number = _id(rng, n)
        seen.add(number)
        name, phone = f"学生{n:05d}", f"139{rng.randint(0, 99_999_999):08d}"
        roll = rng.random()
        if roll < 0.02:
            number = on_record[n % len(on_record)]
            kinds["on_record"] += 1
        elif roll < 0.04:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")  # check digit
            kinds["invalid"] += 1
        elif roll < 0.06:
            number = number[:10] + "1399" + number[14:]  # birth date
            kinds["invalid"] += 1
        elif roll < 0.08:
            name = ""
            kinds["invalid"] += 1
        elif roll < 0.10:
            phone = "12345"
            kinds["invalid"] += 1
        elif roll < 0.12 and last_valid:
            number = last_valid  # duplicate in file
            kinds["invalid"] += 1
        else:
            last_valid = number
            kinds["valid"] += 1
        sheet.append([name, number, f"高三（{n % 12 + 1}）班", f"家长{n:05d}", phone, ""])
    workbook.save(path)
    return kinds


def main(argv: list[str]) -> int:
    rows = int(argv[0]) if argv else 10_000
    tmp = Path(tempfile.mkdtemp(prefix="tp-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from talentport.archives import importer
    from talentport.archives.models import ArchiveFile
    from talentport.archives.services import archive_batch_import

    # files already on record (the duplicates against the database come from these)
    rng = random.Random(7)
    first = tmp / "first.xlsx"
    from openpyxl import Workbook

    on_record = [_id(rng, 900 + i) for i in range(50)]
    on_record = list(dict.fromkeys(on_record))
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "身份证号"])
    for i, number in enumerate(on_record):
        ws.append([f"已存{i}", number])
    wb.save(first)
    archive_batch_import(source=first, school="预存学校", filename=first.name)

    path = tmp / "list.xlsx"
    kinds = build(path, rows, on_record)
    size = path.stat().st_size

    from django.utils import timezone

    t0 = time.perf_counter()
    parsed = importer.parse_workbook(path, today=timezone.localdate())
    parse_seconds = time.perf_counter() - t0
    del parsed

    # 1) peak Python memory: the import under tracemalloc, rolled back (tracing slows it)
    from django.db import transaction

    class _Rollback(Exception):
        pass

    tracemalloc.start()
    try:
        with transaction.atomic():
            archive_batch_import(source=path, school="青岛二中", filename=path.name)
            raise _Rollback
    except _Rollback:
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # 2) time: the same import for real, untraced
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    report = archive_batch_import(source=path, school="青岛二中", filename=path.name)
    seconds = time.perf_counter() - t0
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    stored = ArchiveFile.objects.filter(batch=report.batch).count()
    print(
        f"rows: {rows} ({size / 1024:.0f} KiB xlsx); generated valid {kinds['valid']}, "
        f"invalid {kinds['invalid']}, already on record {kinds['on_record']}"
    )
    print(f"accepted: {report.accepted} (stored {stored}); refused rows: {len(report.refused)}")
    print(f"parse + validate only: {parse_seconds:.2f} s ({rows / parse_seconds:,.0f} rows/s)")
    print(f"full import: {seconds:.2f} s ({rows / seconds:,.0f} rows/s)")
    print(f"peak Python memory during import (tracemalloc): {peak / 1024 / 1024:.1f} MiB")
    print(
        f"max RSS of the process: {maxrss_kib / 1024:.1f} MiB (before the timed import {rss_before / 1024:.1f} MiB)"
    )
    assert stored == report.accepted
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
