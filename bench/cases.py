"""Benchmark: file and fully process N 一件事 applications of 4 sub-cases each.

    .venv/bin/python bench/cases.py [--count N]        # fresh SQLite file in a temp dir
    DATABASE_URL=postgres://... .venv/bin/python bench/cases.py [--count N]

Everything goes through the services (create → submit → accept → approve → complete
on 4 departments in parallel → close).  Prints applications/s, the SQL queries of one
application (filing and its 12 department steps) and checks that no
audit event was lost or duplicated: each sub-case has exactly
create/accept/approve/complete, each application exactly create/submit/close.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count_pos", nargs="?", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=1000, help="applications (default 1000)")
    parser.add_argument(
        "--show-queries", action="store_true", help="print the SQL of the first application"
    )
    args = parser.parse_args(argv)
    count = args.count_pos or args.count
    tmp = tempfile.mkdtemp(prefix="tp-bench-cases-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["MEDIA_ROOT"] = tmp + "/media"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["SMS_BACKEND"] = "talentport.notify.sms.LocmemSmsBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
    import django

    django.setup()
    from collections import Counter

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from talentport.cases import services
    from talentport.cases.models import Application, Bundle, SubCase
    from talentport.catalog.models import Department
    from talentport.catalog.services import REPO_DATA_DIR, catalog_load
    from talentport.common.models import AuditEvent
    from talentport.people.models import Role, User

    call_command("migrate", verbosity=0)
    catalog_load(directory=REPO_DATA_DIR)
    services.bundle_load()
    bundle = Bundle.objects.get(code="weihai-study-abroad")
    items = ["degree-verification", "entry-exit-records", "duty-free-car", "instrument-sharing"]
    specialists = {}
    for code in ("wh-hrss", "wh-police", "wh-customs-weihai", "wh-science"):
        dept = Department.objects.get(code=code)
        user, _ = User.objects.get_or_create(
            username="bench-" + code,
            defaults={"role": Role.DEPARTMENT_SPECIALIST, "department": dept},
        )
        specialists[dept.pk] = user
    people = []
    for i in range(50):
        user, _ = User.objects.get_or_create(username=f"bench-person-{i}")
        people.append(user)
    form = {
        "name": "测试",
        "id_number": "370100199001011234",
        "phone": "13800000000",
        "school": "UoE",
        "degree": "master",
        "return_date": "2026-01-01",
        "employer_name": "x",
    }
    pdf = b"%PDF-1.4\n%bench\n"
    for person in people:  # each person's material library, uploaded once
        for code in (
            "passport",
            "degree_certificate",
            "id_card",
            "cscse_certificate",
            "return_certificate",
        ):
            services.material_upload(
                owner=person, actor=person, code=code, filename=code + ".pdf", content=pdf
            )
    run = str(int(time.time()))

    def process(n: int) -> None:
        person = people[n % len(people)]
        application, _ = services.application_file(
            bundle=bundle,
            stage="after",
            applicant=person,
            actor=person,
            selected_items=items,
            form_data=form,
            idempotency_key=f"{run}-{n}",
        )
        for sc in list(application.subcases.select_related("department")):
            who = specialists[sc.department_id]
            sc = services.subcase_accept(subcase=sc, actor=who, expected_version=sc.version)
            sc = services.subcase_approve(subcase=sc, actor=who, expected_version=sc.version)
            services.subcase_complete(
                subcase=sc, actor=who, expected_version=sc.version, result_number=f"R-{n}"
            )

    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        process(0)
    for n in range(1, count):
        process(n)
    elapsed = time.perf_counter() - t0
    per_app = len(queries.captured_queries)
    if args.show_queries:
        for q in queries.captured_queries:
            print(q["sql"][:160])
    apps = Application.objects.filter(idempotency_key__startswith=run + "-")
    closed = apps.filter(status="closed").count()
    subs = SubCase.objects.filter(application__in=apps)
    sub_ids = {str(u) for u in subs.values_list("uuid", flat=True)}
    app_ids = {str(u) for u in apps.values_list("uuid", flat=True)}
    sub_events = Counter(
        (sid, action)
        for sid, action in AuditEvent.objects.filter(
            subject_type="cases.subcase", subject_id__in=sub_ids
        ).values_list("subject_id", "action")
    )
    app_events = Counter(
        (sid, action)
        for sid, action in AuditEvent.objects.filter(
            subject_type="cases.application",
            subject_id__in=app_ids,
            action__in=["create", "submit"],
        ).values_list("subject_id", "action")
    )
    lost = dup = 0
    for sid in sub_ids:
        for action in ("create", "accept", "approve", "complete"):
            c = sub_events[(sid, action)]
            lost += c == 0
            dup += max(0, c - 1)
    for aid in app_ids:
        for action in ("create", "submit"):
            c = app_events[(aid, action)]
            lost += c == 0
            dup += max(0, c - 1)
    print(f"database: {connection.vendor}")
    print(f"applications: {apps.count()} ({closed} closed), sub-cases: {subs.count()}")
    print(f"elapsed: {elapsed:.1f} s, {count / elapsed:.1f} applications/s")
    print(f"SQL statements for one application (file + 12 steps): {per_app}")
    print(f"audit events checked: lost {lost}, duplicated {dup}")
    return 0 if (lost == 0 and dup == 0 and closed == count and subs.count() == 4 * count) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
