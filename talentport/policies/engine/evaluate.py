"""Eligibility of one person: conditions with reasons, amounts, windows, non-cumulation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .dsl import Node
from .model import Amount, Policy, load_policies
from .scalar import KNULL, Unknown, evaluate_node, flatten_profile
from .schema import ProfileError, parse_date, validate_profile

CHINA = timezone(timedelta(hours=8))  # Asia/Shanghai has had no DST since 1991
CENT = Decimal("0.01")
NO_AMOUNT = Decimal(-1)


class ProfileInvalid(ValueError):
    def __init__(self, errors: list[ProfileError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def today_in_china() -> date:
    return datetime.now(CHINA).date()


def resolve_as_of(profile: Mapping[str, Any], as_of: date | None) -> date:
    if as_of is not None:
        return as_of
    raw = profile.get("as_of")
    if isinstance(raw, str):
        d = parse_date(raw)
        if d is not None:
            return d
    return today_in_china()


def json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


@dataclass(frozen=True)
class Pay:
    """The amount of one cash benefit for one person."""

    tier: Amount | None
    per_period: Decimal | None
    per_period_min: Decimal | None
    per_period_max: Decimal | None
    max_total: Decimal | None

    @property
    def key(self) -> Decimal:
        return tier_key(self.per_period, self.per_period_min, self.per_period_max)


def tier_key(pp: Decimal | None, lo: Decimal | None, hi: Decimal | None) -> Decimal:
    for v in (pp, hi, lo):
        if v is not None:
            return v
    return NO_AMOUNT


def _money(
    node: Node | None, flat: Mapping[str, Any], as_of: date, formula: bool
) -> Decimal | None:
    if node is None:
        return None
    v = evaluate_node(node, flat, as_of)
    if isinstance(v, Unknown) or v is KNULL:
        return None
    assert isinstance(v, Decimal)
    return v.quantize(CENT, rounding=ROUND_HALF_UP) if formula else v


def compute_pay(policy: Policy, flat: Mapping[str, Any], as_of: date) -> Pay:
    """Highest applicable tier (first in file order on a tie) and its amounts."""
    best: Pay | None = None
    b = policy.benefit
    for tier in b.tiers:
        if tier.when is not None and evaluate_node(tier.when, flat, as_of) is not True:
            continue
        pp = _money(tier.per_period, flat, as_of, tier.formula)
        lo = _money(tier.per_period_min, flat, as_of, False)
        hi = _money(tier.per_period_max, flat, as_of, False)
        total = pp * b.max_periods if pp is not None and b.max_periods is not None else None
        pay = Pay(tier, pp, lo, hi, total)
        if best is None or pay.key > best.key:
            best = pay
    return best or Pay(None, None, None, None, None)


def _benefit_doc(policy: Policy, pay: Pay) -> dict[str, Any] | None:
    b = policy.benefit
    if b.kind != "cash":
        return None
    doc: dict[str, Any] = {
        "kind": "cash",
        "per_period": json_number(pay.per_period),
        "period": b.period,
        "max_periods": b.max_periods,
        "max_total": json_number(pay.max_total),
    }
    if pay.per_period is None and (
        pay.per_period_min is not None or pay.per_period_max is not None
    ):
        doc["per_period_min"] = json_number(pay.per_period_min)
        doc["per_period_max"] = json_number(pay.per_period_max)
    if b.note:
        doc["note"] = b.note
    return doc


def _window(policy: Policy, flat: Mapping[str, Any], as_of: date) -> date | None:
    for w in policy.windows:
        if w.when is not None and evaluate_node(w.when, flat, as_of) is not True:
            continue
        v = evaluate_node(w.date, flat, as_of)
        return v if isinstance(v, date) else None
    return None


def in_force(policy: Policy, as_of: date) -> bool:
    if policy.valid_from is not None and as_of < policy.valid_from:
        return False
    return not (policy.valid_to is not None and as_of > policy.valid_to)


def evaluate_policy(policy: Policy, flat: Mapping[str, Any], as_of: date) -> dict[str, Any]:
    """One policy for one (flattened) profile, before non-cumulation."""
    reasons: list[dict[str, Any]] = []
    missing: list[str] = []
    hints: list[str] = []
    any_false = False
    any_unknown = False
    if policy.valid_from is not None or policy.valid_to is not None:
        ok = in_force(policy, as_of)
        reasons.append({"condition": "政策在有效期内", "met": ok, "source": policy.citation})
        any_false = not ok
    for cond in policy.conditions:
        v = evaluate_node(cond.expr, flat, as_of)
        met: bool | None
        if isinstance(v, Unknown):
            met = None
            any_unknown = True
            for path in cond.needs:  # keep the condition's own order
                if path in v.missing and path not in missing:
                    missing.append(path)
        else:
            met = bool(v)
            if not met:
                any_false = True
                if cond.hint:
                    hints.append(cond.hint)
        reasons.append({"condition": cond.label, "met": met, "source": policy.citation})
    status = "ineligible" if any_false else ("needs_info" if any_unknown else "eligible")
    pay = compute_pay(policy, flat, as_of)
    if pay.tier is not None and policy.benefit.kind == "cash" and len(policy.benefit.tiers) > 1:
        reasons.append(
            {"condition": pay.tier.label, "met": True, "source": policy.citation, "tier": True}
        )
    window = _window(policy, flat, as_of)
    benefit = _benefit_doc(policy, pay)
    return {
        "policy": policy.id,
        "title": policy.title,
        "jurisdiction": policy.jurisdiction,
        "status": status,
        "benefit": benefit,
        "window_closes": window.isoformat() if window else None,
        "reasons": reasons,
        "missing": missing if status == "needs_info" else [],
        "excluded_by": None,
        "max_total": benefit["max_total"] if benefit else None,
        "kind": policy.kind,
        "auto_grant": policy.auto_grant,
        "catalog_service": policy.catalog_service,
        "hint": "；".join(hints) if hints and status == "ineligible" else None,
        "_total": pay.max_total,
    }


def group_winner(members: Sequence[tuple[Policy, Decimal | None]]) -> Policy:
    """Larger max_total wins; on a tie the city-level policy, then the smaller id."""
    best = max(t if t is not None else NO_AMOUNT for _, t in members)
    ordered = sorted(members, key=lambda m: (not m[0].city_level, m[0].id))
    for policy, total in ordered:
        if (total if total is not None else NO_AMOUNT) == best:
            return policy
    raise AssertionError("no winner")


def non_cumulation_groups(policies: Iterable[Policy]) -> dict[str, list[Policy]]:
    groups: dict[str, list[Policy]] = {}
    for p in policies:
        for g in p.non_cumulative:
            groups.setdefault(g, []).append(p)
    return dict(sorted(groups.items()))


def apply_non_cumulation(policies: Sequence[Policy], results: list[dict[str, Any]]) -> None:
    by_id = {r["policy"]: r for r in results}
    for group, members in non_cumulation_groups(policies).items():
        live = [(p, by_id[p.id]["_total"]) for p in members if by_id[p.id]["status"] == "eligible"]
        if len(live) < 2:
            continue
        winner = group_winner(live)
        for p, _ in live:
            if p.id != winner.id:
                r = by_id[p.id]
                r["status"] = "excluded"
                r["excluded_by"] = winner.id
                r["reasons"].append(
                    {
                        "condition": f"与“{winner.title}”不重复享受（择高）",
                        "met": False,
                        "source": p.citation,
                        "group": group,
                    }
                )


def evaluate(
    profile: Mapping[str, Any],
    *,
    as_of: date | None = None,
    policies: Sequence[Policy] | None = None,
    validate: bool = True,
) -> dict[str, Any]:
    """The contract §2 document for one profile (JSON-ready)."""
    if validate:
        errors = validate_profile(profile)
        if errors:
            raise ProfileInvalid(errors)
    pols = list(policies) if policies is not None else load_policies()
    day = resolve_as_of(profile, as_of)
    flat = flatten_profile(profile)
    results = [evaluate_policy(p, flat, day) for p in pols]
    apply_non_cumulation(pols, results)
    total = sum(
        (r["_total"] for r in results if r["status"] == "eligible" and r["_total"] is not None),
        Decimal(0),
    )
    for r in results:
        del r["_total"]
    return {
        "as_of": day.isoformat(),
        "results": results,
        "totals": {"max_total": json_number(total)},
    }


def needed_fields(
    profile: Mapping[str, Any], as_of: date | None = None, policies: Sequence[Policy] | None = None
) -> list[str]:
    """Fields that undecided (needs_info) policies still need, most needed first."""
    doc = evaluate(profile, as_of=as_of, policies=policies)
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for r in doc["results"]:
        if r["status"] == "needs_info":
            for f in r["missing"]:
                counts[f] += 1
                first.setdefault(f, len(first))
    return sorted(counts, key=lambda f: (-counts[f], first[f]))


def run_policy_cases(policy: Policy, others: Sequence[Policy] = ()) -> list[str]:
    """Run a policy's own test cases; returns failure descriptions (empty = all pass)."""
    failures: list[str] = []
    pols = [policy, *[o for o in others if o.id != policy.id]]
    for i, case in enumerate(policy.cases):
        name = str(case.get("name", i + 1))
        where = f"{policy.id} 用例“{name}”"
        profile = case.get("profile") or {}
        expect = case.get("expect") or {}
        raw_as_of = case.get("as_of")
        day: date | None
        if isinstance(raw_as_of, date):
            day = raw_as_of
        elif isinstance(raw_as_of, str):
            day = parse_date(raw_as_of)
        else:
            day = None
        try:
            doc = evaluate(profile, as_of=day, policies=pols)
        except ProfileInvalid as exc:
            failures.append(f"{where}：画像无效：{exc}")
            continue
        r = next(x for x in doc["results"] if x["policy"] == policy.id)
        for key, want in expect.items():
            if key == "missing_includes":
                lacking = [m for m in want if m not in r["missing"]]
                if lacking:
                    failures.append(f"{where}：missing 应包含 {lacking}，实为 {r['missing']}")
                continue
            if key in ("per_period", "per_period_min", "per_period_max"):
                got = (r["benefit"] or {}).get(key)
            elif key == "window_closes" and isinstance(want, date):
                want = want.isoformat()
                got = r[key]
            elif key == "total":
                got = doc["totals"]["max_total"]
            else:
                got = r.get(key)
            if got != want:
                failures.append(f"{where}：{key} 应为 {want!r}，实为 {got!r}")
    return failures
