"""Writes of the policies app: versions (sync from the package, publish from the back
office) and the push that finds the people a policy is for (政策找人, 免申即享)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Max
from django.urls import reverse

from talentport.common.services import audit_event_record
from talentport.funds.models import Grant
from talentport.notify.models import MessageKind
from talentport.notify.services import message_send
from talentport.people import permissions
from talentport.people.models import TalentProfile
from talentport.people.permissions import Perm
from talentport.policies.engine import (
    PolicyError,
    ProfileError,
    evaluate,
    parse_policy_text,
    run_policy_cases,
    validate_profile,
)
from talentport.policies.errors import PolicyErrorCode, PolicyPublishError
from talentport.policies.models import EligibilitySnapshot, PolicyVersion, VersionOrigin
from talentport.policies.selectors import policies_in_force

RULES_DIR = Path(__file__).resolve().parent / "rules"
REMINDER_DAYS = 60
#: A stored profile's money stays below 10^12 yuan: what the push derives from it (up to
#: three years of a share of it) must fit the 14-digit amount columns of snapshots and grants.
STORED_MONEY_LIMIT = 10**12

logger = logging.getLogger("talentport.policies")


def stored_profile_errors(data: object) -> list[ProfileError]:
    """The contract's validation, with the money bound of what the platform stores."""
    return validate_profile(data, money_limit=STORED_MONEY_LIMIT)


@dataclass
class SyncReport:
    created: int = 0
    unchanged: int = 0
    kept_staff: int = 0


def policies_sync(*, directory: Path = RULES_DIR) -> SyncReport:
    """Store the shipped rule files as versions. Idempotent.

    A shipped file becomes a new version only when its text differs from the latest
    version that also came from the package; a version published by staff stays in force.
    """
    report = SyncReport()
    for path in sorted(directory.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        policy = parse_policy_text(text)
        latest = PolicyVersion.objects.filter(policy_id=policy.id).order_by("-version").first()
        if latest is not None and latest.origin == VersionOrigin.STAFF:
            report.kept_staff += 1
            continue
        if latest is not None and latest.text == text:
            report.unchanged += 1
            continue
        PolicyVersion.objects.create(
            policy_id=policy.id,
            version=(latest.version + 1) if latest else 1,
            title=policy.title,
            jurisdiction=policy.jurisdiction,
            text=text,
            origin=VersionOrigin.PACKAGE,
            note="随软件发布的政策文件",
        )
        report.created += 1
    return report


def policy_links_sync() -> int:
    """Link every policy in force to the catalog guide of the service that pays it.

    The link is found from the policy's ``catalog_service`` title within its own
    jurisdiction; where a seed cell was split into several items the one whose title
    shares most with the policy title wins. Existing links are kept. Returns how many
    links were added.
    """
    from talentport.catalog.models import PolicyLink, ServiceItem

    added = 0
    linked = set(PolicyLink.objects.values_list("policy_id", flat=True))
    for policy in policies_in_force():
        if policy.id in linked or not policy.catalog_service:
            continue
        code = policy.jurisdiction.rsplit(".", 1)[-1]
        candidates = [
            item
            for item in ServiceItem.objects.filter(jurisdiction__code=code)
            if item.title == policy.catalog_service or item.title.startswith(policy.catalog_service)
        ]
        if not candidates:
            continue
        best = max(candidates, key=lambda item: len(set(item.title) & set(policy.title)))
        PolicyLink.objects.get_or_create(service=best, policy_id=policy.id)
        added += 1
    return added


def policy_publish(*, text: str, actor: Any, note: str = "") -> PolicyVersion:
    """Publish a new version of a policy from the back office.

    Refused (``PolicyPublishError``) when the text does not parse, a condition is broken,
    the policy has no test cases, or one of its cases fails against the other policies in
    force; the version in force then stays in force.
    """
    try:
        policy = parse_policy_text(text)
    except PolicyError as exc:
        raise PolicyPublishError(PolicyErrorCode.BROKEN_POLICY, [str(exc)]) from exc
    # Who may publish: an administrator whose scope covers the policy's jurisdiction —
    # the one it had and the one the new text gives it.
    permissions.require(actor, Perm.POLICY_PUBLISH, permissions.Target(policy.jurisdiction))
    previous = PolicyVersion.objects.filter(policy_id=policy.id).order_by("-version").first()
    if previous is not None and previous.jurisdiction != policy.jurisdiction:
        permissions.require(actor, Perm.POLICY_PUBLISH, permissions.Target(previous.jurisdiction))
    if not policy.cases:
        raise PolicyPublishError(
            PolicyErrorCode.NO_CASES, ["政策文件必须包含至少一个测试用例（cases）"]
        )
    others = [p for p in policies_in_force() if p.id != policy.id]
    failures = run_policy_cases(policy, others)
    if failures:
        raise PolicyPublishError(PolicyErrorCode.CASES_FAILED, failures)
    with transaction.atomic():
        last = PolicyVersion.objects.filter(policy_id=policy.id).aggregate(v=Max("version"))["v"]
        version = PolicyVersion.objects.create(
            policy_id=policy.id,
            version=(last or 0) + 1,
            title=policy.title,
            jurisdiction=policy.jurisdiction,
            text=text,
            origin=VersionOrigin.STAFF,
            published_by=actor if getattr(actor, "is_authenticated", False) else None,
            note=note,
        )
        audit_event_record(
            subject=version,
            action="policy_publish",
            actor=actor,
            to_state=f"v{version.version}",
            reason=note,
        )
    transaction.on_commit(lambda: policy_push_run(policy_ids=[policy.id]))
    return version


@dataclass
class PushReport:
    profiles: int = 0
    messages: int = 0
    reminders: int = 0
    grants: int = 0
    skipped_invalid: int = 0


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _policy_link(policy_id: str) -> str:
    return reverse("policies:check_results") + "#" + policy_id


def policy_departments() -> dict[str, int]:
    """Policy id → the department of the catalog service that pays it."""
    from talentport.catalog.models import PolicyLink

    return dict(
        PolicyLink.objects.order_by("-id").values_list("policy_id", "service__department_id")
    )


def policy_push_run(
    *,
    policy_ids: list[str] | None = None,
    profiles: list[TalentProfile] | None = None,
    as_of: dt.date | None = None,
) -> PushReport:
    """Evaluate stored profiles and tell people what is new to them. Idempotent.

    - newly eligible → one inbox message (and e-mail);
    - eligible with a window closing within 60 days → one reminder per closing date;
    - eligible for a 免申即享 policy → one pending grant for staff to confirm.
    """
    report = PushReport()
    policies = policies_in_force()
    versions = {
        row["policy_id"]: row["v"]
        for row in PolicyVersion.objects.values("policy_id").annotate(v=Max("version"))
    }
    by_id = {p.id: p for p in policies}
    wanted = set(policy_ids) if policy_ids is not None else set(by_id)
    departments = policy_departments()
    queryset = (
        TalentProfile.objects.filter(pk__in=[p.pk for p in profiles])
        if profiles is not None
        else TalentProfile.objects.all()
    )
    for profile in queryset.select_related("user").iterator(chunk_size=500):
        # One bad profile never stops the push for everyone: it is skipped and counted,
        # and logged by its public id only (no personal data).
        problems = stored_profile_errors(profile.data)
        if problems:
            report.skipped_invalid += 1
            logger.warning(
                "policy push skipped profile %s: invalid (%s)",
                profile.uuid,
                ", ".join(sorted({p.field for p in problems}))[:200],
            )
            continue
        before = dataclasses.replace(report)
        try:
            with transaction.atomic():
                _push_profile(
                    profile, policies, by_id, versions, wanted, as_of, report, departments
                )
        except (ArithmeticError, ValueError, TypeError, KeyError, DatabaseError) as exc:
            report.messages, report.reminders, report.grants = (
                before.messages,
                before.reminders,
                before.grants,
            )
            report.skipped_invalid += 1
            logger.warning("policy push skipped profile %s: %s", profile.uuid, type(exc).__name__)
            continue
        report.profiles += 1
    return report


def _push_profile(
    profile: TalentProfile,
    policies: list[Any],
    by_id: dict[str, Any],
    versions: dict[str, int],
    wanted: set[str],
    as_of: dt.date | None,
    report: PushReport,
    departments: dict[str, int],
) -> None:
    doc = evaluate(profile.data, as_of=as_of, policies=policies, validate=False)
    today = dt.date.fromisoformat(doc["as_of"])
    snapshots = {s.policy_id: s for s in profile.eligibility_snapshots.all()}
    for result in doc["results"]:
        pid = result["policy"]
        if pid not in wanted:
            continue
        _push_one(
            profile,
            result,
            by_id[pid],
            versions.get(pid, 1),
            snapshots.get(pid),
            today,
            report,
            departments.get(pid),
        )


def _push_one(
    profile: TalentProfile,
    result: dict[str, Any],
    policy: Any,
    version: int,
    snapshot: EligibilitySnapshot | None,
    today: dt.date,
    report: PushReport,
    department_id: int | None = None,
) -> None:
    pid = result["policy"]
    eligible = result["status"] == "eligible"
    window = dt.date.fromisoformat(result["window_closes"]) if result["window_closes"] else None
    amount = _money((result.get("benefit") or {}).get("max_total"))
    user = profile.user
    newly = eligible and (snapshot is None or snapshot.status != "eligible")
    # A 免申即享 policy is announced by its grant message below, not twice.
    if user is not None and newly and not policy.auto_grant:
        amount_text = f"，最高 {amount:,.0f} 元" if amount else ""
        _msg, created = message_send(
            recipient=user,
            kind=MessageKind.POLICY_ELIGIBLE,
            title=f"您可享受：{result['title']}",
            body=f"根据您的画像，您符合“{result['title']}”的条件{amount_text}。",
            link=_policy_link(pid),
            dedupe_key=f"policy-eligible:{pid}:{profile.uuid}:{version}",
        )
        report.messages += int(created)
    if user is not None and eligible and window and today <= window:
        if (window - today).days <= REMINDER_DAYS:
            _msg, created = message_send(
                recipient=user,
                kind=MessageKind.POLICY_REMINDER,
                title=f"申报即将截止：{result['title']}",
                body=f"“{result['title']}”的享受期限至 {window.isoformat()}，请尽快申报。",
                link=_policy_link(pid),
                dedupe_key=f"policy-reminder:{pid}:{profile.uuid}:{window.isoformat()}",
            )
            report.reminders += int(created)
    if eligible and policy.auto_grant:
        grant, created = Grant.objects.get_or_create(
            profile=profile,
            policy_id=pid,
            defaults={
                "policy_version": version,
                "title": result["title"],
                "amount": amount,
                "jurisdiction": policy.jurisdiction,
                "department_id": department_id,
            },
        )
        if created:
            report.grants += 1
            if user is not None:
                message_send(
                    recipient=user,
                    kind=MessageKind.GRANT,
                    title=f"免申即享：{result['title']}",
                    body="无需申请，工作人员确认后即可发放。",
                    link=_policy_link(pid),
                    dedupe_key=f"grant:{grant.uuid}",
                )
    EligibilitySnapshot.objects.update_or_create(
        profile=profile,
        policy_id=pid,
        defaults={"status": result["status"], "window_closes": window, "max_total": amount},
    )


def talent_profile_save(*, user: Any, data: dict[str, Any]) -> TalentProfile:
    """Store a person's profile (validated against the contract) and push what is new."""
    errors = stored_profile_errors(data)
    if errors:
        raise PolicyPublishError(
            PolicyErrorCode.INVALID_PROFILE, [f"{e.field}: {e.message}" for e in errors]
        )
    profile, _created = TalentProfile.objects.get_or_create(user=user)
    profile.data = data
    profile.save(update_fields=["data", "updated_at"])
    audit_event_record(subject=profile, action="profile_update", actor=user)
    transaction.on_commit(lambda: policy_push_run(profiles=[profile]))
    return profile
