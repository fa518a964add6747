"""Benchmark: catalog search latency, in-process, on a temporary SQLite database.

    .venv/bin/python bench/search.py [SYNTHETIC_COUNT]

Loads the seed catalog and measures p50/p95 of ``service_item_search`` (full ranked
list, as the portal asks for it) and of ``service_item_search_page`` (one page of 20,
as the API needs), then adds a synthetic catalog of 10,000 items made by recombining
the seed vocabulary and measures again.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

TMP = tempfile.mkdtemp(prefix="tp-bench-search-")
os.environ["DATABASE_URL"] = f"sqlite:///{Path(TMP) / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

QUERIES = [
    "zfbt",
    "住房补贴",
    "zhufang butie",
    "安家费",
    "anjiafei",
    "博士后",
    "创业补贴",
    "护照",
    "生活补贴",
    "hr",
    "怎么申请住房补贴",
    "zhufang补贴",
    "人才",
    "😀",
    "x" * 2000,
]
FILTERS = [{}, {"city": "qingdao"}, {"district": "pingdu"}, {"stage": "after"}, {"city": "weihai"}]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def measure(label: str, rounds: int = 5) -> None:
    from talentport.catalog.selectors import service_item_search, service_item_search_page

    full: list[float] = []
    page: list[float] = []
    sizes: list[int] = []
    for _ in range(rounds):
        for q in QUERIES:
            for f in FILTERS:
                t0 = time.perf_counter()
                result = service_item_search(q=q, **f)
                full.append((time.perf_counter() - t0) * 1000)
                sizes.append(len(result))
                t0 = time.perf_counter()
                service_item_search_page(q=q, offset=0, limit=20, **f)
                page.append((time.perf_counter() - t0) * 1000)
    print(
        f"{label}: {len(full)} searches, results per search median {statistics.median(sizes):.0f}, max {max(sizes)}"
    )
    print(
        f"  full ranked list   p50 {percentile(full, 50):6.2f} ms   p95 {percentile(full, 95):6.2f} ms   max {max(full):6.2f} ms"
    )
    print(
        f"  page of 20         p50 {percentile(page, 50):6.2f} ms   p95 {percentile(page, 95):6.2f} ms   max {max(page):6.2f} ms"
    )


def synthesize(count: int) -> None:
    from talentport.catalog.models import Department, Jurisdiction, ServiceItem
    from talentport.catalog.services import _index_values, catalog_version_bump

    rng = random.Random(20261122)
    seeds = list(ServiceItem.objects.select_related("department"))
    jurisdictions = list(Jurisdiction.objects.exclude(level="province"))
    departments = list(Department.objects.all())
    sentences = [s for item in seeds for s in item.content.replace("；", "。").split("。") if s]
    words = [w for item in seeds for w in item.title.replace("“", "").replace("”", "").split()]
    fragments = [item.title[i : i + 2] for item in seeds for i in range(0, len(item.title) - 1, 2)]
    rows = []
    for n in range(count):
        title = "".join(rng.sample(fragments, rng.randint(3, 6)))[:40] or rng.choice(words)
        content = "。".join(rng.sample(sentences, rng.randint(2, 4))) + "。"
        department = rng.choice(departments)
        template = rng.choice(seeds)
        item = ServiceItem(
            code=f"synthetic-{n:05d}",
            title=title,
            title_en=f"Synthetic item {n}",
            jurisdiction=rng.choice(jurisdictions),
            category=template.category,
            kind=template.kind,
            stage=rng.choice(["", "before", "abroad", "after"]),
            sequence=str(n),
            content=content,
            department=department,
            contact_phone=template.contact_phone,
            source="bench",
        )
        for name, value in _index_values(
            title=title,
            title_en=item.title_en,
            content=content,
            category=item.category,
            department=department.name,
            partner_departments=[],
            applicants=item.applicants,
        ).items():
            setattr(item, name, value)
        rows.append(item)
    ServiceItem.objects.bulk_create(rows, batch_size=500)
    catalog_version_bump()


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 10_000
    call_command("migrate", verbosity=0)
    from talentport.catalog.selectors import search_index_get, service_item_search
    from talentport.catalog.services import REPO_DATA_DIR, catalog_load

    catalog_load(directory=REPO_DATA_DIR)
    t0 = time.perf_counter()
    search_index_get()
    service_item_search(q="住房补贴")
    print(
        f"index build + first query (seed catalog, jieba dictionary load): {(time.perf_counter() - t0) * 1000:.0f} ms"
    )
    measure("seed catalog (82 items)")

    t0 = time.perf_counter()
    synthesize(count)
    print(f"synthetic catalog: {count} items generated in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    search_index_get()
    print(f"index rebuild ({count + 82} items): {(time.perf_counter() - t0) * 1000:.0f} ms")
    measure(f"synthetic catalog ({count + 82} items)", rounds=2)
    print(f"(temporary database under {TMP})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
