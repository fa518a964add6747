"""Reads of the jobs app: searches, matches with their reasons, summaries and rates."""

from __future__ import annotations

import uuid as uuid_module
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet

from talentport.common.models import AuditEvent
from talentport.jobs import matching
from talentport.jobs.models import (
    DEGREE_RANK,
    Ambassador,
    Degree,
    District,
    EmployerOrg,
    Event,
    EventRegistration,
    EventStatus,
    FairCandidate,
    FairCandidateStatus,
    FairEmployer,
    Industry,
    JobFair,
    MajorField,
    OrgType,
    Position,
    PositionStatus,
    Referral,
    ReferralStatus,
    RegistrationStatus,
    ReportedFigures,
    TalentPoolEntry,
    VerificationStatus,
)

FIELD_INDEX = {value: index for index, value in enumerate(MajorField.values)}
DISTRICT_INDEX = {value: index for index, value in enumerate(District.values)}
INDUSTRY_INDEX = {value: index for index, value in enumerate(Industry.values)}
FACTOR_LABELS = {
    "major": "专业",
    "degree": "学历",
    "salary": "薪资",
    "location": "地点",
    "industry": "行业",
}
FACTOR_MAX = {
    "major": matching.W_MAJOR,
    "degree": matching.W_DEGREE,
    "salary": matching.W_SALARY,
    "location": matching.W_LOCATION,
    "industry": matching.W_INDUSTRY,
}


def _uuid(raw: object) -> uuid_module.UUID | None:
    if isinstance(raw, uuid_module.UUID):
        return raw
    try:
        return uuid_module.UUID(str(raw))
    except ValueError:
        return None


def wan(amount: Decimal | float | None) -> str:
    """Yuan a year as 万元, e.g. 250000 → "25万"."""
    if amount is None:
        return "—"
    value = float(amount) / 10000
    return f"{value:.1f}".rstrip("0").rstrip(".") + "万"


# --- talent pool ---------------------------------------------------------------------


def pool_entry_for_user(*, user: Any) -> TalentPoolEntry | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        TalentPoolEntry.objects.select_related("profile", "referred_by")
        .filter(profile__user=user)
        .first()
    )


def pool_entry_search(
    *,
    q: str = "",
    country: str = "",
    degree: str = "",
    major_field: str = "",
    industry: str = "",
    district: str = "",
    abroad_status: str = "",
    consent: bool | None = None,
) -> QuerySet[TalentPoolEntry]:
    """Staff search over the pool; every filter is optional."""
    entries = TalentPoolEntry.objects.select_related("profile__user", "referred_by")
    if q:
        entries = entries.filter(
            Q(full_name__icontains=q)
            | Q(school__icontains=q)
            | Q(major__icontains=q)
            | Q(country__icontains=q)
        )
    if country:
        entries = entries.filter(country__icontains=country)
    if degree:
        entries = entries.filter(degree=degree)
    if major_field:
        entries = entries.filter(major_field=major_field)
    if abroad_status:
        entries = entries.filter(abroad_status=abroad_status)
    if consent is not None:
        entries = entries.filter(contact_consent=consent)
    if industry or district:
        # JSON lists: filtered in Python to stay portable between SQLite and PostgreSQL.
        keep = [
            e.pk
            for e in entries
            if (not industry or industry in e.industries)
            and (not district or not e.intended_districts or district in e.intended_districts)
        ]
        entries = entries.filter(pk__in=keep)
    return entries.order_by("-created_at", "-id")


# --- employers and positions ---------------------------------------------------------


def employer_org_for_user(*, user: Any) -> EmployerOrg | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return EmployerOrg.objects.filter(members=user).order_by("id").first()


def employer_org_list(*, status: str = "") -> QuerySet[EmployerOrg]:
    orgs = EmployerOrg.objects.annotate(position_count=Count("positions"))
    if status:
        orgs = orgs.filter(verification_status=status)
    return orgs.order_by("verification_status", "name")


ORG_FIELD_LABELS = {
    "name": "单位名称",
    "org_type": "单位类型",
    "credit_code": "统一社会信用代码",
    "district": "所在区（市）",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
}


def employer_org_pending_changes(*, orgs: Sequence[EmployerOrg]) -> dict[int, list[dict[str, str]]]:
    """For pending organisations whose verified data a change request altered: which
    fields changed, from what to what (from the journal), keyed by org id."""
    pending = {str(o.uuid): o.pk for o in orgs if o.verification_status == "pending"}
    if not pending:
        return {}
    out: dict[int, list[dict[str, str]]] = {}
    events = AuditEvent.objects.filter(
        subject_id__in=list(pending), action="employer_org.change_requested"
    ).order_by("-at", "-id")
    for event in events:
        org_id = pending[event.subject_id]
        if org_id in out:
            continue
        changes = (event.data or {}).get("changes") or {}
        out[org_id] = [
            {"field": ORG_FIELD_LABELS.get(k, k), "old": str(v[0]), "new": str(v[1])}
            for k, v in changes.items()
        ]
    return out


def employer_org_get(*, uuid: object) -> EmployerOrg | None:
    public_id = _uuid(uuid)
    return None if public_id is None else EmployerOrg.objects.filter(uuid=public_id).first()


def _public_positions() -> QuerySet[Position]:
    return Position.objects.select_related("org").filter(
        status=PositionStatus.OPEN, org__verification_status=VerificationStatus.VERIFIED
    )


def position_list(
    *, q: str = "", industry: str = "", district: str = "", degree: str = ""
) -> QuerySet[Position]:
    """Open positions of verified employers."""
    positions = _public_positions()
    if q:
        positions = positions.filter(
            Q(title__icontains=q) | Q(org__name__icontains=q) | Q(majors_note__icontains=q)
        )
    if industry:
        positions = positions.filter(industry=industry)
    if district:
        positions = positions.filter(district=district)
    if degree:
        positions = positions.filter(degree=degree)
    return positions.order_by("-published_at", "-id")


def position_get(*, uuid: object) -> Position | None:
    """A public position (open, verified employer), or None."""
    public_id = _uuid(uuid)
    return None if public_id is None else _public_positions().filter(uuid=public_id).first()


def org_position_get(*, org: EmployerOrg, uuid: object) -> Position | None:
    public_id = _uuid(uuid)
    if public_id is None:
        return None
    return Position.objects.select_related("org").filter(org=org, uuid=public_id).first()


def org_position_list(*, org: EmployerOrg) -> QuerySet[Position]:
    return org.positions.annotate(application_count=Count("applications")).order_by(
        "-published_at", "-id"
    )


# --- matching ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    factor: str
    label: str
    points: int
    max_points: int
    met: bool
    text: str


@dataclass(frozen=True)
class PositionMatch:
    position: Position
    score: int
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class CandidateMatch:
    entry: TalentPoolEntry
    score: int
    reasons: list[Reason] = field(default_factory=list)


def _mask(values: Iterable[str], index: dict[str, int]) -> int:
    return matching.mask([index[v] for v in values if v in index])


def talent_vectors_for(entries: Sequence[TalentPoolEntry]) -> matching.TalentVectors:
    return matching.talent_vectors(
        degree=[DEGREE_RANK.get(Degree(e.degree), 0) if e.degree else 0 for e in entries],
        field=[FIELD_INDEX.get(e.major_field, FIELD_INDEX[MajorField.OTHER]) for e in entries],
        salary=[
            float(e.salary_expectation) if e.salary_expectation is not None else None
            for e in entries
        ],
        districts=[_mask(e.intended_districts or [], DISTRICT_INDEX) for e in entries],
        industries=[_mask(e.industries or [], INDUSTRY_INDEX) for e in entries],
    )


def position_vectors_for(positions: Sequence[Position]) -> matching.PositionVectors:
    return matching.position_vectors(
        degree=[DEGREE_RANK.get(Degree(p.degree), 0) for p in positions],
        fields=[_mask(p.major_fields or [], FIELD_INDEX) for p in positions],
        salary_min=[float(p.salary_min) for p in positions],
        salary_max=[float(p.salary_max) for p in positions],
        district=[DISTRICT_INDEX.get(p.district, 0) for p in positions],
        industry=[INDUSTRY_INDEX.get(p.industry, 0) for p in positions],
    )


def _label(choices: type[Any], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def match_reasons(
    *, entry: TalentPoolEntry, position: Position, parts: dict[str, float]
) -> list[Reason]:
    """The five factors of one pair, in Chinese, from the matcher's own factor scores."""
    reasons: list[Reason] = []

    def add(factor: str, text: str) -> None:
        points = round(parts[factor])
        top = int(FACTOR_MAX[factor])
        reasons.append(Reason(factor, FACTOR_LABELS[factor], points, top, points >= top, text))

    if not position.major_fields:
        add("major", "专业不限，" + entry.major + "可报")
    elif parts["major"] > 0:
        add("major", "专业对口：" + _label(MajorField, entry.major_field) + "符合岗位要求")
    else:
        wanted = "、".join(_label(MajorField, f) for f in position.major_fields)
        add("major", "专业不对口：岗位要求" + wanted)

    wanted_degree = _label(Degree, position.degree)
    if parts["degree"] > 0:
        add(
            "degree",
            "学历符合：" + _label(Degree, entry.degree) + "，岗位要求" + wanted_degree + "及以上",
        )
    else:
        add("degree", "学历未达要求：岗位要求" + wanted_degree + "及以上")

    offer = wan(position.salary_min) + "—" + wan(position.salary_max) + "元/年"
    if entry.salary_expectation is None:
        add("salary", "未填写期望薪资；岗位年薪" + offer)
    elif parts["salary"] >= matching.W_SALARY:
        add("salary", "薪资符合：期望" + wan(entry.salary_expectation) + "元/年，岗位" + offer)
    elif parts["salary"] > 0:
        add("salary", "薪资略低于期望" + wan(entry.salary_expectation) + "元/年，岗位" + offer)
    else:
        add("salary", "薪资低于期望" + wan(entry.salary_expectation) + "元/年，岗位" + offer)

    place = _label(District, position.district)
    if not entry.intended_districts:
        add("location", "工作地点" + place + "（您未限定意向区市）")
    elif parts["location"] > 0:
        add("location", "工作地点符合意向：" + place)
    else:
        add("location", "工作地点" + place + "不在意向区市")

    sector = _label(Industry, position.industry)
    if not entry.industries:
        add("industry", "行业：" + sector + "（您未限定意向行业）")
    elif parts["industry"] > 0:
        add("industry", "行业符合意向：" + sector)
    else:
        add("industry", "行业" + sector + "不在意向行业")
    return reasons


def _pairs_parts(
    entries: Sequence[TalentPoolEntry], positions: Sequence[Position]
) -> dict[str, np.ndarray]:
    return matching.components(talent_vectors_for(entries), position_vectors_for(positions))


def position_matches_for_entry(
    *,
    entry: TalentPoolEntry,
    limit: int = 20,
    positions: Sequence[Position] | None = None,
    min_score: int = 0,
) -> list[PositionMatch]:
    """The best open positions for one person, best first, each with its reasons."""
    candidates = list(positions if positions is not None else position_list())
    if not candidates:
        return []
    parts = _pairs_parts([entry], candidates)
    total = np.sum(np.stack(list(parts.values())), axis=0)[0]
    order = matching.top_k(total[None, :], limit)[0]
    out: list[PositionMatch] = []
    for index in order:
        score = round(float(total[index]))
        if score < min_score:
            continue
        pair = {name: float(values[0, index]) for name, values in parts.items()}
        position = candidates[int(index)]
        reasons = match_reasons(entry=entry, position=position, parts=pair)
        out.append(PositionMatch(position, score, reasons))
    return out


def position_match_for_entry(*, entry: TalentPoolEntry, position: Position) -> PositionMatch:
    return position_matches_for_entry(entry=entry, limit=1, positions=[position])[0]


def candidates_for_position(*, position: Position, limit: int = 50) -> list[CandidateMatch]:
    """The best consenting candidates for a position: never anyone who did not consent."""
    entries = list(TalentPoolEntry.objects.filter(contact_consent=True).order_by("id"))
    if not entries:
        return []
    parts = _pairs_parts(entries, [position])
    total = np.sum(np.stack(list(parts.values())), axis=0)[:, 0]
    order = matching.top_k(total[None, :], limit)[0]
    out: list[CandidateMatch] = []
    for index in order:
        entry = entries[int(index)]
        pair = {name: float(values[index, 0]) for name, values in parts.items()}
        reasons = match_reasons(entry=entry, position=position, parts=pair)
        out.append(CandidateMatch(entry, round(float(total[index])), reasons))
    return out


def consenting_entry_get(*, uuid: object) -> TalentPoolEntry | None:
    public_id = _uuid(uuid)
    if public_id is None:
        return None
    return TalentPoolEntry.objects.filter(uuid=public_id, contact_consent=True).first()


# --- job fairs -----------------------------------------------------------------------


def fair_list(*, include_drafts: bool = False) -> QuerySet[JobFair]:
    fairs = JobFair.objects.all() if include_drafts else JobFair.objects.exclude(status="draft")
    return fairs.order_by("is_historical", "-starts_on", "-id")


def fair_get(*, uuid: object, include_drafts: bool = False) -> JobFair | None:
    public_id = _uuid(uuid)
    if public_id is None:
        return None
    return fair_list(include_drafts=include_drafts).filter(uuid=public_id).first()


def fair_candidate_for(*, fair: JobFair, user: Any) -> FairCandidate | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return FairCandidate.objects.filter(fair=fair, user=user).first()


def fair_candidate_list(*, fair: JobFair) -> QuerySet[FairCandidate]:
    return fair.candidates.select_related("user").order_by("created_at", "id")


def fair_summary(*, fair: JobFair) -> dict[str, Any]:
    """Registered employers by type (with shares), salary ranges offered by degree,
    candidates signed up and checked in — plus the figures reported for the fair."""
    registered = FairEmployer.objects.filter(fair=fair)
    total = registered.count()
    counts = dict(
        registered.values_list("org_type").annotate(n=Count("id")).values_list("org_type", "n")
    )
    by_type = [
        {
            "org_type": value,
            "label": str(label),
            "count": counts.get(value, 0),
            "share": round(counts.get(value, 0) / total, 4) if total else 0.0,
        }
        for value, label in OrgType.choices
    ]
    positions = Position.objects.filter(
        org__fairs__fair=fair, status=PositionStatus.OPEN
    ).distinct()
    grouped: dict[str, list[Position]] = defaultdict(list)
    for position in positions:
        grouped[position.degree].append(position)
    salary = []
    for value, label in Degree.choices:
        offers = grouped.get(value, [])
        if not offers:
            continue
        salary.append(
            {
                "degree": value,
                "label": str(label),
                "positions": len(offers),
                "salary_min": min(p.salary_min for p in offers),
                "salary_max": max(p.salary_max for p in offers),
                "average_min": sum((p.salary_min for p in offers), Decimal(0)) / len(offers),
                "average_max": sum((p.salary_max for p in offers), Decimal(0)) / len(offers),
            }
        )
    candidates = FairCandidate.objects.filter(fair=fair)
    return {
        "fair": fair,
        "employers_total": total,
        "employers_by_type": by_type,
        "salary_by_degree": salary,
        "candidates_signed_up": candidates.count(),
        "candidates_checked_in": candidates.filter(status=FairCandidateStatus.CHECKED_IN).count(),
        "reported": fair.reported or {},
    }


# --- campus ambassadors --------------------------------------------------------------


def ambassador_list(*, country: str = "", university: str = "") -> QuerySet[Ambassador]:
    ambassadors = Ambassador.objects.all()
    if country:
        ambassadors = ambassadors.filter(country=country)
    if university:
        ambassadors = ambassadors.filter(university=university)
    return ambassadors.order_by("country", "university", "name")


def ambassador_by_code(*, code: str) -> Ambassador | None:
    return Ambassador.objects.filter(code__iexact=code.strip()).first() if code.strip() else None


def _rate_row(key: str, label: str, statuses: list[str]) -> dict[str, Any]:
    referred = len(statuses)
    applied = sum(1 for s in statuses if s in (ReferralStatus.APPLIED, ReferralStatus.RETURNED))
    returned = sum(1 for s in statuses if s == ReferralStatus.RETURNED)
    return {
        "key": key,
        "label": label,
        "referred": referred,
        "applied": applied,
        "returned": returned,
        "conversion_rate": round(returned / referred, 4) if referred else 0.0,
    }


def ambassador_stats() -> dict[str, Any]:
    """Referral conversion (returned and working in the city ÷ referred) per ambassador,
    country and university and overall, beside the network's reported figures."""
    ambassadors = list(Ambassador.objects.order_by("country", "university", "name"))
    statuses: dict[int, list[str]] = defaultdict(list)
    for ambassador_id, status in Referral.objects.values_list("ambassador_id", "status"):
        statuses[ambassador_id].append(status)
    per_ambassador = []
    by_country: dict[str, list[str]] = defaultdict(list)
    by_university: dict[str, list[str]] = defaultdict(list)
    for a in ambassadors:
        row = _rate_row(str(a.uuid), a.name, statuses[a.pk])
        row.update(country=a.country, university=a.university, code=a.code)
        per_ambassador.append(row)
        by_country[a.country].extend(statuses[a.pk])
        by_university[a.university].extend(statuses[a.pk])
    everything = [s for values in statuses.values() for s in values]
    reported = ReportedFigures.objects.filter(key="ambassadors").first()
    count = len(ambassadors)
    return {
        "measured": {
            "ambassadors": count,
            "countries": len({a.country for a in ambassadors}),
            "universities": len({a.university for a in ambassadors}),
            "returned_share": round(sum(a.returned_to_city for a in ambassadors) / count, 4)
            if count
            else 0.0,
        },
        "overall": _rate_row("overall", "全部", everything),
        "per_ambassador": per_ambassador,
        "per_country": [_rate_row(k, k, v) for k, v in sorted(by_country.items())],
        "per_university": [_rate_row(k, k, v) for k, v in sorted(by_university.items())],
        "reported": reported.figures if reported else {},
        "reported_source": reported.source if reported else "",
    }


# --- events --------------------------------------------------------------------------


def event_list(*, kind: str = "") -> QuerySet[Event]:
    events = Event.objects.filter(status=EventStatus.PUBLISHED)
    if kind:
        events = events.filter(kind=kind)
    return events.order_by("starts_at", "id")


def event_get(*, uuid: object, include_unpublished: bool = False) -> Event | None:
    public_id = _uuid(uuid)
    if public_id is None:
        return None
    events = (
        Event.objects.all()
        if include_unpublished
        else Event.objects.exclude(status=EventStatus.DRAFT)
    )
    return events.filter(uuid=public_id).first()


def event_registration_for(*, event: Event, user: Any) -> EventRegistration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return EventRegistration.objects.filter(event=event, user=user).first()


def event_registration_list(*, event: Event) -> QuerySet[EventRegistration]:
    return event.registrations.select_related("user").order_by("status", "created_at", "id")


def event_waitlist_position(*, registration: EventRegistration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = EventRegistration.objects.filter(
        event_id=registration.event_id,
        status=RegistrationStatus.WAITLISTED,
    ).filter(
        Q(waitlisted_at__lt=registration.waitlisted_at)
        | Q(waitlisted_at=registration.waitlisted_at, id__lt=registration.pk)
    )
    return ahead.count() + 1


def event_list_for_staff(*, kind: str = "", status: str = "") -> QuerySet[Event]:
    """Every event, drafts and cancelled ones included, the next to start first."""
    events = Event.objects.all()
    if kind:
        events = events.filter(kind=kind)
    if status:
        events = events.filter(status=status)
    return events.order_by("-starts_at", "-id")


def event_feedback_summary(*, event: Event) -> dict[str, Any]:
    """Attendance and ratings of one event: counts, rate, average, distribution, comments."""
    registrations = list(event.registrations.select_related("user").order_by("-updated_at", "-id"))
    confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
    ratings = [r.rating for r in registrations if r.rating is not None]
    attended = sum(1 for r in registrations if r.attended)
    distribution = [
        {
            "rating": value,
            "count": ratings.count(value),
            "share": round(ratings.count(value) / len(ratings), 4) if ratings else 0.0,
        }
        for value in range(5, 0, -1)
    ]
    return {
        "count": len(ratings),
        "average": round(sum(ratings) / len(ratings), 2) if ratings else None,
        "attended": attended,
        "confirmed": len(confirmed),
        "waitlisted": sum(1 for r in registrations if r.status == RegistrationStatus.WAITLISTED),
        "attendance_rate": round(attended / len(confirmed), 4) if confirmed else None,
        "response_rate": round(len(ratings) / attended, 4) if attended else None,
        "distribution": distribution,
        "comments": [
            {"rating": r.rating, "comment": r.comment, "user": str(r.user)}
            for r in registrations
            if r.comment
        ][:50],
    }
