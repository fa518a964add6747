"""Writes of the policies app: versions (sync from the package, publish from the back
office) and the profile a person saves; the push itself is in policies.push."""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from django.db import transaction
from django.db.models import Max

from talentport.common.services import audit_event_record
from talentport.common.tasks import enqueue_on_commit
from talentport.people import permissions
from talentport.people.models import TalentProfile
from talentport.people.permissions import Perm
from talentport.policies.engine import (
    PolicyError,
    ProfileError,
    parse_policy_text,
    run_policy_cases,
    validate_profile,
)
from talentport.policies.errors import PolicyErrorCode, PolicyPublishError
from talentport.policies.models import PolicyVersion, PushTrigger, VersionOrigin
from talentport.policies.push import push_run_create
from talentport.policies.selectors import policies_in_force
from talentport.policies.tasks import push_profile_task

RULES_DIR = Path(__file__).resolve().parent / "rules"
#: A stored profile's money stays below 10^12 yuan: what the push derives from it (up to
#: three years of a share of it) must fit the 14-digit amount columns of snapshots and grants.
STORED_MONEY_LIMIT = 10**12

logger = logging.getLogger("talentport.policies")


def stored_profile_errors(data: object) -> list[ProfileError]:
    """The contract's validation, with the money bound of what the platform stores."""
    return validate_profile(data, money_limit=STORED_MONEY_LIMIT)


@functools.cache
def _validation_fingerprint() -> bytes:
    """What :func:`stored_profile_errors` checks against: the validator's source, the
    schema and the bound. A new release that changes any of them changes every
    :func:`profile_checked_digest`, so what was stored before is validated again."""
    from talentport.policies.engine import schema

    parts = [Path(schema.__file__).read_bytes(), schema.SCHEMA_PATH.read_bytes()]
    parts.append(str(STORED_MONEY_LIMIT).encode())
    return hashlib.blake2b(b"\0".join(parts), digest_size=16).digest()


def profile_checked_digest(data: object) -> int | None:
    """A stored profile's ``checked`` value: an 8-byte digest of the document (keys
    sorted) under this release's validation, written by the writers that validated it
    (the talent-database import, the person's own save), so the push does not validate
    the very same document again. None for a document that cannot be written as JSON."""
    try:
        text = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return None
    digest = hashlib.blake2b(text, digest_size=8, key=_validation_fingerprint()).digest()
    return int.from_bytes(digest, "big", signed=True)


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
        # The push runs in the queue: the publication returns at once, staff follow the
        # run (N of M profiles) on the runs page.
        push_run_create(
            trigger=PushTrigger.PUBLISH,
            actor=actor,
            policy_ids=[policy.id],
            policy_version=version,
        )
    return version


def policy_departments() -> dict[str, int]:
    """Policy id → the department of the catalog service that pays it."""
    from talentport.catalog.models import PolicyLink

    return dict(
        PolicyLink.objects.order_by("-id").values_list("policy_id", "service__department_id")
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
    profile.checked = profile_checked_digest(data)
    profile.save(update_fields=["data", "checked", "updated_at"])
    audit_event_record(subject=profile, action="profile_update", actor=user)
    enqueue_on_commit(push_profile_task, profile.pk)
    return profile
