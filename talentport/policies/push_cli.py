"""``talentport push`` (contract §9): push the policies in force to every stored profile.

Prints one JSON report on stdout; on a terminal, a progress bar on stderr. Bad
arguments exit 2 naming the option. The run is recorded like any other (staff see it
on the runs page) and executed in this process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"talentport push: {message}", file=sys.stderr)
        raise SystemExit(2)


def _bar(out: object) -> object:
    def show(done: int, total: int) -> None:
        width = 30
        share = done / total if total else 1.0
        filled = int(width * min(share, 1.0))
        line = (
            f"\r政策找人 [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} ({share:.0%})"
        )
        print(line, end="", file=out, flush=True)  # type: ignore[call-overload]

    return show


def push_main(argv: list[str]) -> int:
    parser = _Parser(prog="talentport push", description="政策找人：评估全部已存画像并推送变化")
    parser.add_argument("--policies", help="只推送这些政策，逗号分隔")
    parser.add_argument("--as-of", dest="as_of", help="评估日期 YYYY-MM-DD，默认今天")
    parser.add_argument("--dry-run", action="store_true", help="只计算，不写入、不通知")
    args = parser.parse_args(argv)
    as_of = None
    if args.as_of is not None:
        try:
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError:
            print(f"--as-of: 日期格式应为 YYYY-MM-DD（收到 {args.as_of!r}）", file=sys.stderr)
            return 2
    ids = None
    if args.policies is not None:
        ids = [p.strip() for p in args.policies.split(",") if p.strip()]
        if not ids:
            print("--policies: 至少给出一个政策编号", file=sys.stderr)
            return 2

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
    import django

    django.setup()
    from talentport.policies.engine.batch import MatchError, _select
    from talentport.policies.models import PushRunStatus, PushTrigger
    from talentport.policies.push import PushReport, push_run_create, push_run_execute
    from talentport.policies.selectors import policies_in_force

    try:
        _select(ids, policies_in_force())
    except MatchError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 2
    run = push_run_create(
        trigger=PushTrigger.CLI, policy_ids=ids, as_of=as_of, dry_run=args.dry_run, queue=False
    )
    progress = _bar(sys.stderr) if sys.stderr.isatty() else None
    done = push_run_execute(run.pk, progress=progress)  # type: ignore[arg-type]
    if progress is not None:
        print(file=sys.stderr)
    if done is None or done.status != PushRunStatus.DONE:
        reason = done.error if done is not None else "run taken by another worker"
        print(f"talentport push: {reason}", file=sys.stderr)
        return 1
    report = PushReport.from_counts(done.counts)
    print(json.dumps(report.contract(), ensure_ascii=False))
    return 0
