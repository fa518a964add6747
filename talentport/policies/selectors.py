"""Reads of the policies app: the versions in force, and eligibility for one profile."""

from __future__ import annotations

import copy
import datetime as dt
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max

from talentport.catalog.models import PolicyLink, ServiceItem
from talentport.policies.engine import Policy, evaluate, load_policies, parse_policy_text
from talentport.policies.models import PolicyVersion

_cache_lock = threading.Lock()
_cache: dict[str, Any] = {"stamp": None, "policies": None}


def policy_versions_current() -> list[PolicyVersion]:
    """The latest stored version of every policy."""
    latest = PolicyVersion.objects.values("policy_id").annotate(v=Max("version"))
    wanted = {(row["policy_id"], row["v"]) for row in latest}
    rows = PolicyVersion.objects.filter(policy_id__in={pid for pid, _v in wanted})
    return sorted(
        (r for r in rows if (r.policy_id, r.version) in wanted), key=lambda r: r.policy_id
    )


def policies_in_force() -> list[Policy]:
    """Policies as the engine sees them: the latest published version of each.

    Without any stored version (a database that was never set up) the policies shipped
    with the package are used. Parsed policies are cached per process and keyed by a
    stamp of the versions table, so a publication anywhere is seen everywhere.
    """
    agg = PolicyVersion.objects.aggregate(n=Count("id"), last=Max("id"))
    stamp = (agg["n"], agg["last"])
    with _cache_lock:
        if _cache["stamp"] == stamp and _cache["policies"] is not None:
            return list(_cache["policies"])
    if not agg["n"]:
        policies = load_policies()
    else:
        policies = [parse_policy_text(v.text) for v in policy_versions_current()]
    with _cache_lock:
        _cache["stamp"] = stamp
        _cache["policies"] = tuple(policies)
    return list(policies)


def policy_version_history(*, policy_id: str) -> list[PolicyVersion]:
    return list(PolicyVersion.objects.filter(policy_id=policy_id).order_by("-version"))


def service_items_for_policies() -> dict[str, ServiceItem]:
    """The catalog guide of the service that pays each policy."""
    out: dict[str, ServiceItem] = {}
    for link in PolicyLink.objects.select_related("service").order_by("id"):
        out.setdefault(link.policy_id, link.service)
    return out


def eligibility_for_profile(
    *, profile: dict[str, Any], as_of: dt.date | None = None
) -> dict[str, Any]:
    return evaluate(profile, as_of=as_of, policies=policies_in_force())


@dataclass
class DistrictOutcome:
    district: str
    name: str
    total: Decimal
    eligible: list[dict[str, Any]]
    gained: list[dict[str, Any]] = field(default_factory=list)
    lost: list[dict[str, Any]] = field(default_factory=list)
    current: bool = False


def district_comparison(
    *,
    profile: dict[str, Any],
    districts: list[tuple[str, str]],
    as_of: dt.date | None = None,
) -> list[DistrictOutcome]:
    """The same profile evaluated as if employed in each Qingdao district, best first.

    ``gained``/``lost`` say which policies differ from the person's own answers, which is
    what explains the difference in totals.
    """
    policies = policies_in_force()
    own = evaluate(profile, as_of=as_of, policies=policies, validate=False)
    own_ids = {r["policy"] for r in own["results"] if r["status"] == "eligible"}
    own_district = (profile.get("employment") or {}).get("district")
    outcomes: list[DistrictOutcome] = []
    for code, name in districts:
        variant = copy.deepcopy(profile)
        employment = variant.setdefault("employment", {})
        if not isinstance(employment, dict):
            employment = {}
            variant["employment"] = employment
        employment["city"] = "qingdao"
        employment["district"] = code
        employment.setdefault("kind", "employee")
        if employment.get("kind") == "founder" and isinstance(variant.get("venture"), dict):
            variant["venture"]["city"] = "qingdao"
            variant["venture"]["district"] = code
        doc = evaluate(variant, as_of=as_of, policies=policies, validate=False)
        eligible = [r for r in doc["results"] if r["status"] == "eligible"]
        ids = {r["policy"] for r in eligible}
        outcomes.append(
            DistrictOutcome(
                district=code,
                name=name,
                total=Decimal(str(doc["totals"]["max_total"] or 0)),
                eligible=eligible,
                gained=[r for r in eligible if r["policy"] not in own_ids],
                lost=[r for r in own["results"] if r["policy"] in own_ids - ids],
                current=(code == own_district),
            )
        )
    outcomes.sort(key=lambda o: (-o.total, o.name))
    return outcomes
