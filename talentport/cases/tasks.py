"""Queue tasks of the cases app."""

from __future__ import annotations

import logging

from talentport.common.tasks import task

logger = logging.getLogger("talentport.cases")


@task("cases.sla_tick", expires=10 * 60)
def sla_tick() -> None:
    """Every 15 minutes: remind at 80 % of the time used, escalate overdue sub-cases.

    Idempotent (each sub-case is reminded and escalated once, by conditional UPDATEs and
    message dedupe keys), so a retry or a second scheduler tick sends nothing twice.
    """
    from talentport.cases.services import sla_tick as run

    report = run()
    if report.reminded or report.escalated:
        logger.info("SLA tick: %s reminded, %s escalated", report.reminded, report.escalated)
