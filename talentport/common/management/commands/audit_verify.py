"""``audit_verify``: walk the audit journal's hash chain and say whether it holds.

What ``talentport audit verify`` runs (schedule it, e.g. nightly).  Prints one JSON
line ``{"events": N, "ok": true|false, "first_bad": null|{"seq": S, "reason": "..."}}``
and exits 1 when the chain is broken.  The outcome is kept for the auditor page.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from talentport.common.audit_chain import FirstBad, VerifyResult
from talentport.common.services import audit_chain_verification_run


class Command(BaseCommand):
    help = "校验审计日志哈希链是否完整（逐条重算哈希）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tail",
            type=int,
            default=None,
            help="只校验最近 N 条（默认校验全部）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tail = options.get("tail")
        if tail is not None and tail < 1:
            raise CommandError("--tail 必须是正整数", returncode=2)
        run = audit_chain_verification_run(tail=tail)
        result = VerifyResult(
            events=run.events,
            ok=run.ok,
            first_bad=None if run.ok else FirstBad(run.first_bad_seq, run.reason),
        )
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        if not run.ok:
            raise CommandError(
                f"审计日志哈希链在第 {run.first_bad_seq} 条处断开（{run.reason}）", returncode=1
            )
