"""Writes of the jobs app. Each one checks, writes and journals (common.AuditEvent).

Refusals are :class:`~talentport.jobs.errors.JobsError` with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import yaml
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from talentport.common.idcard import mask_email, mask_phone
from talentport.common.services import audit_event_record
from talentport.jobs import matching, selectors
from talentport.jobs.errors import JobsError, JobsErrorCode
from talentport.jobs.models import (
    REFERRAL_RANK,
    AbroadStatus,
    Ambassador,
    Degree,
    District,
    EmployerOrg,
    Event,
    EventKind,
    EventRegistration,
    EventStatus,
    FairCandidate,
    FairCandidateStatus,
    FairEmployer,
    FairStatus,
    Industry,
    JobApplication,
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
from talentport.notify.services import message_send
from talentport.people import permissions
from talentport.people.models import Role, TalentProfile
from talentport.people.permissions import JOBS_JURISDICTION, Perm

REPO_DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "jobs"
T = TypeVar("T")
PUSH_MIN_SCORE = 70
PUSH_PER_PERSON = 3


def _invalid(field: str, message: str) -> JobsError:
    return JobsError(JobsErrorCode.INVALID, message, field=field)


def _require_staff(actor: Any) -> None:
    """The jobs service is Qingdao's: staff whose scope covers it (window specialists and
    administrators) run it."""
    if not permissions.can(actor, Perm.JOBS_MANAGE, permissions.Target(JOBS_JURISDICTION)):
        raise JobsError(JobsErrorCode.FORBIDDEN, "只有负责人才服务的工作人员可以执行此操作")


def _choice_list(values: Sequence[str] | None, choices: type[Any], field: str) -> list[str]:
    out: list[str] = []
    for value in values or []:
        if value not in choices.values:
            raise _invalid(field, "不支持的选项：" + str(value))
        if value not in out:
            out.append(value)
    return out


def _choice(value: str, choices: type[Any], field: str) -> str:
    if value not in choices.values:
        raise _invalid(field, "不支持的选项：" + str(value))
    return value


def _money(value: object, field: str, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise _invalid(field, "请填写金额")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise _invalid(field, "金额格式不正确") from None
    if not amount.is_finite() or amount < 0 or amount > Decimal("99999999"):
        raise _invalid(field, "金额应在 0 到 1 亿元之间")
    return amount.quantize(Decimal("0.01"))


# --- talent pool ---------------------------------------------------------------------


def _mirror_education(
    profile: TalentProfile,
    *,
    degree: str,
    abroad_status: str,
    expected_graduation: dt.date | None,
) -> None:
    """Write degree and graduation into the contract profile the policy engine reads."""
    data = dict(profile.data or {})
    education = dict(data.get("education") or {})
    education["degree"] = degree
    education["overseas"] = True
    graduated = abroad_status == AbroadStatus.RETURNED or (
        expected_graduation is not None and expected_graduation <= timezone.localdate()
    )
    if expected_graduation is not None and graduated:
        education["graduation_date"] = expected_graduation.isoformat()
    else:
        # contract: null while still enrolled
        education["graduation_date"] = None
    data["education"] = education
    profile.data = data
    profile.save(update_fields=["data", "updated_at"])


@transaction.atomic
def pool_entry_register(
    *,
    user: Any,
    full_name: str,
    school: str,
    country: str,
    major: str,
    degree: str,
    abroad_status: str = AbroadStatus.STUDYING,
    major_field: str = MajorField.OTHER,
    expected_graduation: dt.date | None = None,
    intended_districts: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
    salary_expectation: object = None,
    phone: str = "",
    email: str = "",
    contact_consent: bool = False,
    ambassador_code: str = "",
) -> TalentPoolEntry:
    """Register (or update) the person's entry in the talent pool.

    Creates their TalentProfile if they have none and mirrors degree and graduation
    into ``profile.data["education"]``: the same profile the policy engine evaluates.
    """
    if not getattr(user, "is_authenticated", False):
        raise JobsError(JobsErrorCode.FORBIDDEN, "请先登录")
    if getattr(user, "role", "") != Role.APPLICANT:
        raise JobsError(JobsErrorCode.FORBIDDEN, "只有留学人员本人可以登记人才信息")
    for name, value in (
        ("full_name", full_name),
        ("school", school),
        ("country", country),
        ("major", major),
    ):
        if not str(value or "").strip():
            raise _invalid(name, "此项为必填项")
    degree = _choice(degree, Degree, "degree")
    abroad_status = _choice(abroad_status, AbroadStatus, "abroad_status")
    major_field = _choice(major_field, MajorField, "major_field")
    districts = _choice_list(intended_districts, District, "intended_districts")
    sectors = _choice_list(industries, Industry, "industries")
    salary = _money(salary_expectation, "salary_expectation", required=False)
    ambassador = None
    if ambassador_code.strip():
        ambassador = selectors.ambassador_by_code(code=ambassador_code)
        if ambassador is None:
            raise _invalid("ambassador_code", "推荐码不存在，请向特派员核实")

    profile, _ = TalentProfile.objects.get_or_create(user=user)
    entry = TalentPoolEntry.objects.filter(profile=profile).first()
    created = entry is None
    if entry is None:
        entry = TalentPoolEntry(profile=profile)
    entry.full_name = full_name.strip()
    entry.school = school.strip()
    entry.country = country.strip()
    entry.major = major.strip()
    entry.major_field = major_field
    entry.degree = degree
    entry.abroad_status = abroad_status
    entry.expected_graduation = expected_graduation
    entry.intended_districts = districts
    entry.industries = sectors
    entry.salary_expectation = salary
    entry.phone = phone.strip()
    entry.phone_masked = mask_phone(entry.phone) if entry.phone else ""
    entry.email = email.strip()
    entry.email_masked = mask_email(entry.email) if entry.email else ""
    entry.contact_consent = bool(contact_consent)
    if ambassador is not None and entry.referred_by_id is None:
        entry.referred_by = ambassador
    entry.save()
    _mirror_education(
        profile, degree=degree, abroad_status=abroad_status, expected_graduation=expected_graduation
    )
    if entry.referred_by_id is not None and not Referral.objects.filter(entry=entry).exists():
        referral = Referral.objects.create(
            ambassador_id=entry.referred_by_id,
            entry=entry,
            status=ReferralStatus.REGISTERED,
            status_changed_at=timezone.now(),
        )
        audit_event_record(
            subject=referral,
            action="referral.registered",
            actor=user,
            to_state=ReferralStatus.REGISTERED,
        )
    audit_event_record(
        subject=entry,
        action="pool_entry.registered" if created else "pool_entry.updated",
        actor=user,
        data={"contact_consent": entry.contact_consent},
    )
    return entry


# --- ambassadors and referrals -------------------------------------------------------


def ambassador_create(
    *,
    actor: Any,
    name: str,
    country: str,
    university: str,
    code: str = "",
    appointed_on: dt.date | None = None,
    user: Any = None,
) -> Ambassador:
    _require_staff(actor)
    for field_name, value in (("name", name), ("country", country), ("university", university)):
        if not value.strip():
            raise _invalid(field_name, "此项为必填项")
    code = code.strip().lower() or "amb-" + secrets.token_hex(4)
    if Ambassador.objects.filter(code__iexact=code).exists():
        raise JobsError(JobsErrorCode.CONFLICT, "推荐码已被使用", field="code")
    ambassador = Ambassador.objects.create(
        code=code,
        name=name.strip(),
        country=country.strip(),
        university=university.strip(),
        appointed_on=appointed_on,
        user=user,
    )
    audit_event_record(subject=ambassador, action="ambassador.appointed", actor=actor)
    return ambassador


def ambassador_mark_returned(*, ambassador: Ambassador, actor: Any, returned: bool = True) -> None:
    _require_staff(actor)
    ambassador.returned_to_city = returned
    ambassador.save(update_fields=["returned_to_city", "updated_at"])
    audit_event_record(
        subject=ambassador,
        action="ambassador.returned_changed",
        actor=actor,
        data={"returned": returned},
    )


@transaction.atomic
def referral_advance(
    *, referral: Referral, to_status: str, actor: Any, reason: str = ""
) -> Referral:
    """Move a referral forward (registered → applied → returned); never backwards."""
    to_status = _choice(to_status, ReferralStatus, "status")
    current = ReferralStatus(referral.status)
    target = ReferralStatus(to_status)
    if REFERRAL_RANK[target] <= REFERRAL_RANK[current]:
        raise JobsError(
            JobsErrorCode.INVALID_TRANSITION,
            "推荐进展只能向前推进：当前为“" + str(current.label) + "”",
            field="status",
        )
    if target == ReferralStatus.RETURNED:
        _require_staff(actor)
    referral.status = target
    referral.status_changed_at = timezone.now()
    referral.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit_event_record(
        subject=referral,
        action="referral.advanced",
        actor=actor,
        from_state=current,
        to_state=target,
        reason=reason,
    )
    return referral


# --- employers and positions ---------------------------------------------------------


ORG_FIELDS = ("name", "org_type", "credit_code", "district", "contact_name", "contact_phone")


def _journal_value(field: str, value: str) -> str:
    return mask_phone(value) if field == "contact_phone" and value else value


@transaction.atomic
def employer_org_save(
    *,
    user: Any,
    name: str,
    org_type: str,
    credit_code: str = "",
    district: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> EmployerOrg:
    """Create the employer account's organisation, or change it.

    Any change goes (back) to pending review: a rejected organisation that is
    resubmitted, and a verified one whose account requests a change (its positions
    are hidden and no new ones can be published until staff verify it again).  The
    journal records which fields changed, from what to what.
    """
    if getattr(user, "role", "") != Role.EMPLOYER:
        raise JobsError(JobsErrorCode.FORBIDDEN, "只有用人单位账户可以登记单位信息")
    if not name.strip():
        raise _invalid("name", "请填写单位名称")
    org_type = _choice(org_type, OrgType, "org_type")
    if district:
        district = _choice(district, District, "district")
    org = selectors.employer_org_for_user(user=user)
    created = org is None
    if org is None:
        org = EmployerOrg()
    else:
        org = EmployerOrg.objects.select_for_update().get(pk=org.pk)
    previous = org.verification_status
    before = {field: getattr(org, field) for field in ORG_FIELDS}
    org.name = name.strip()
    org.org_type = org_type
    org.credit_code = credit_code.strip().upper()
    org.district = district
    org.contact_name = contact_name.strip()
    org.contact_phone = contact_phone.strip()
    org.contact_phone_masked = mask_phone(org.contact_phone) if org.contact_phone else ""
    changes = {
        # the journal is no place for a clear phone number: masked old and new
        field: [_journal_value(field, before[field]), _journal_value(field, getattr(org, field))]
        for field in ORG_FIELDS
        if before[field] != getattr(org, field)
    }
    change_request = not created and previous == VerificationStatus.VERIFIED
    if change_request and not changes:
        raise _invalid("name", "单位信息没有变化，无需提交变更")
    org.verification_status = VerificationStatus.PENDING
    if change_request:
        org.verification_note = ""
    org.save()
    if created:
        org.members.add(user)
    audit_event_record(
        subject=org,
        action="employer_org.change_requested" if change_request else "employer_org.submitted",
        actor=user,
        from_state="" if created else previous,
        to_state=VerificationStatus.PENDING,
        reason="认证后申请变更单位信息，重新审核" if change_request else "",
        data={"changes": changes} if not created else None,
    )
    return org


ORG_TRANSITIONS = {
    VerificationStatus.PENDING: {VerificationStatus.VERIFIED, VerificationStatus.REJECTED},
    VerificationStatus.REJECTED: {VerificationStatus.VERIFIED},
    VerificationStatus.VERIFIED: {VerificationStatus.REJECTED},
}


@transaction.atomic
def employer_org_verify(
    *, org: EmployerOrg, actor: Any, decision: str, note: str = ""
) -> EmployerOrg:
    """Staff decide on an employer: verify, reject, or withdraw a verification."""
    _require_staff(actor)
    target = VerificationStatus(_choice(decision, VerificationStatus, "decision"))
    current = VerificationStatus(org.verification_status)
    if target not in ORG_TRANSITIONS[current]:
        raise JobsError(
            JobsErrorCode.INVALID_TRANSITION,
            "不能从“" + str(current.label) + "”变为“" + str(target.label) + "”",
            field="decision",
        )
    if target == VerificationStatus.REJECTED and not note.strip():
        raise _invalid("note", "不通过时请填写审核意见")
    org.verification_status = target
    org.verification_note = note.strip()
    org.save(update_fields=["verification_status", "verification_note", "updated_at"])
    audit_event_record(
        subject=org,
        action="employer_org.reviewed",
        actor=actor,
        from_state=current,
        to_state=target,
        reason=note,
    )
    return org


@transaction.atomic
def position_create(
    *,
    org: EmployerOrg,
    actor: Any,
    title: str,
    industry: str,
    degree: str,
    salary_min: object,
    salary_max: object,
    district: str,
    major_fields: Sequence[str] | None = None,
    majors_note: str = "",
    description: str = "",
    headcount: int = 1,
    push: bool = True,
) -> Position:
    """Publish a position of a verified employer and push it to the best-matched people."""
    if not org.members.filter(pk=getattr(actor, "pk", None) or 0).exists():
        raise JobsError(JobsErrorCode.FORBIDDEN, "您不是该单位的账户")
    if not org.is_verified:
        raise JobsError(JobsErrorCode.ORG_NOT_VERIFIED, "单位通过认证后才能发布岗位")
    if not title.strip():
        raise _invalid("title", "请填写岗位名称")
    low = _money(salary_min, "salary_min")
    high = _money(salary_max, "salary_max")
    assert low is not None and high is not None
    if high < low:
        raise _invalid("salary_max", "年薪上限不能低于下限")
    if headcount < 1:
        raise _invalid("headcount", "招聘人数至少为 1")
    position = Position.objects.create(
        org=org,
        title=title.strip(),
        industry=_choice(industry, Industry, "industry"),
        degree=_choice(degree, Degree, "degree"),
        major_fields=_choice_list(major_fields, MajorField, "major_fields"),
        majors_note=majors_note.strip(),
        salary_min=low,
        salary_max=high,
        district=_choice(district, District, "district"),
        description=description.strip(),
        headcount=headcount,
        status=PositionStatus.OPEN,
        published_at=timezone.now(),
    )
    audit_event_record(
        subject=position, action="position.published", actor=actor, to_state=PositionStatus.OPEN
    )
    if push:
        transaction.on_commit(lambda: matches_push(positions=[position]))
    return position


def position_close(*, position: Position, actor: Any) -> Position:
    if not position.org.members.filter(pk=getattr(actor, "pk", None) or 0).exists():
        _require_staff(actor)
    if position.status == PositionStatus.CLOSED:
        raise JobsError(JobsErrorCode.INVALID_TRANSITION, "岗位已结束招聘")
    position.status = PositionStatus.CLOSED
    position.save(update_fields=["status", "updated_at"])
    audit_event_record(
        subject=position,
        action="position.closed",
        actor=actor,
        from_state=PositionStatus.OPEN,
        to_state=PositionStatus.CLOSED,
    )
    return position


def matches_push(
    *,
    positions: Sequence[Position] | None = None,
    since: dt.datetime | None = None,
    per_person: int = PUSH_PER_PERSON,
    min_score: int = PUSH_MIN_SCORE,
    chunk: int = 5000,
) -> int:
    """Send each person in the pool their best new positions (inbox, idempotent).

    New = the given positions, or open positions published since ``since``. A person
    gets at most ``per_person`` of them, each scoring at least ``min_score``; running
    it again sends nothing twice (dedupe key per person and position).
    """
    if positions is None:
        public = selectors.position_list()
        if since is not None:
            public = public.filter(published_at__gte=since)
        positions = list(public)
    else:
        positions = [p for p in positions if p.status == PositionStatus.OPEN and p.org.is_verified]
    if not positions:
        return 0
    position_vectors = selectors.position_vectors_for(positions)
    entries_qs = TalentPoolEntry.objects.filter(profile__user__isnull=False).select_related(
        "profile__user"
    )
    sent = 0
    last_id = 0
    while True:
        entries = list(entries_qs.filter(id__gt=last_id).order_by("id")[:chunk])
        if not entries:
            break
        last_id = entries[-1].pk
        scores = matching.score_matrix(selectors.talent_vectors_for(entries), position_vectors)
        best = matching.top_k(scores, per_person, axis=1)
        for row, entry in enumerate(entries):
            recipient = entry.profile.user
            if recipient is None:
                continue
            for column in best[row]:
                score = round(float(scores[row, column]))
                if score < min_score:
                    continue
                position = positions[int(column)]
                _, created = message_send(
                    recipient=recipient,
                    kind="general",
                    title="为您推荐岗位：" + position.title,
                    body=position.org.name
                    + " · 匹配度 "
                    + str(score)
                    + " 分 · 年薪 "
                    + selectors.wan(position.salary_min)
                    + "—"
                    + selectors.wan(position.salary_max),
                    link=reverse("jobs:position-detail", args=[position.uuid]),
                    dedupe_key="jobs-match:" + str(entry.uuid) + ":" + str(position.uuid),
                )
                sent += int(created)
    return sent


@transaction.atomic
def job_apply(*, entry: TalentPoolEntry, position: Position, actor: Any) -> JobApplication:
    """A person applies for a public position; their referral (if any) moves to applied."""
    if entry.profile.user_id != getattr(actor, "pk", None):
        raise JobsError(JobsErrorCode.FORBIDDEN, "只能为本人投递岗位")
    if position.status != PositionStatus.OPEN or not position.org.is_verified:
        raise JobsError(JobsErrorCode.CONFLICT, "该岗位已停止招聘")
    score = selectors.position_match_for_entry(entry=entry, position=position).score
    try:
        with transaction.atomic():
            application = JobApplication.objects.create(entry=entry, position=position, score=score)
    except IntegrityError:
        raise JobsError(JobsErrorCode.ALREADY_REGISTERED, "您已投递过该岗位") from None
    audit_event_record(subject=application, action="application.submitted", actor=actor)
    referral = Referral.objects.filter(entry=entry).first()
    if referral is not None and referral.status == ReferralStatus.REGISTERED:
        referral_advance(referral=referral, to_status=ReferralStatus.APPLIED, actor=actor)
    return application


# --- job fairs -----------------------------------------------------------------------


def _open_fair(fair: JobFair) -> None:
    if fair.is_historical:
        raise JobsError(JobsErrorCode.EVENT_NOT_OPEN, "该届招聘会已举办，不能报名")
    if fair.status != FairStatus.PUBLISHED:
        raise JobsError(JobsErrorCode.EVENT_NOT_OPEN, "该招聘会尚未发布，不能报名")
    if fair.ends_on is not None and fair.ends_on < timezone.localdate():
        raise JobsError(JobsErrorCode.EVENT_NOT_OPEN, "该招聘会已结束，不能报名")


def fair_create(
    *,
    actor: Any,
    name: str,
    starts_on: dt.date,
    venue: str,
    capacity: int | None = None,
    ends_on: dt.date | None = None,
    edition: int | None = None,
    description: str = "",
    publish: bool = False,
) -> JobFair:
    """Staff create a job fair (a draft unless ``publish``): date, place and capacity."""
    _require_staff(actor)
    name = (name or "").strip()
    venue = (venue or "").strip()
    if not name:
        raise _invalid("name", "请填写招聘会名称")
    if len(name) > 200:
        raise _invalid("name", "名称最多200个字")
    if not venue:
        raise _invalid("venue", "请填写举办地点")
    if len(venue) > 200:
        raise _invalid("venue", "地点最多200个字")
    if not isinstance(starts_on, dt.date):
        raise _invalid("starts_on", "请填写开始日期")
    if ends_on is not None and ends_on < starts_on:
        raise _invalid("ends_on", "结束日期不能早于开始日期")
    if capacity is not None and not 1 <= capacity <= 1_000_000:
        raise _invalid("capacity", "求职者名额应为 1 到 1,000,000 之间的整数，不限名额请留空")
    if edition is not None and not 1 <= edition <= 10_000:
        raise _invalid("edition", "届次应为正整数")
    fair = JobFair.objects.create(
        slug="fair-" + starts_on.strftime("%Y%m%d") + "-" + secrets.token_hex(4),
        name=name,
        edition=edition,
        starts_on=starts_on,
        ends_on=ends_on,
        venue=venue,
        capacity=capacity,
        description=(description or "").strip(),
        status=FairStatus.DRAFT,
    )
    audit_event_record(subject=fair, action="fair.created", actor=actor, to_state=fair.status)
    if publish:
        fair = fair_publish(fair=fair, actor=actor)
    return fair


def fair_publish(*, fair: JobFair, actor: Any) -> JobFair:
    _require_staff(actor)
    if fair.status != FairStatus.DRAFT:
        raise JobsError(JobsErrorCode.INVALID_TRANSITION, "只有草稿状态的招聘会可以发布")
    fair.status = FairStatus.PUBLISHED
    fair.published_at = timezone.now()
    fair.save(update_fields=["status", "published_at", "updated_at"])
    audit_event_record(
        subject=fair,
        action="fair.published",
        actor=actor,
        from_state=FairStatus.DRAFT,
        to_state=FairStatus.PUBLISHED,
    )
    return fair


def fair_employer_register(*, fair: JobFair, org: EmployerOrg, actor: Any) -> FairEmployer:
    _open_fair(fair)
    if not org.members.filter(pk=getattr(actor, "pk", None) or 0).exists():
        _require_staff(actor)
    if not org.is_verified:
        raise JobsError(JobsErrorCode.ORG_NOT_VERIFIED, "单位通过认证后才能报名参会")
    try:
        with transaction.atomic():
            booth = FairEmployer.objects.create(fair=fair, org=org, org_type=org.org_type)
    except IntegrityError:
        raise JobsError(JobsErrorCode.ALREADY_REGISTERED, "单位已报名该招聘会") from None
    audit_event_record(subject=booth, action="fair.employer_registered", actor=actor)
    return booth


def fair_candidate_signup(*, fair: JobFair, user: Any) -> FairCandidate:
    return _retry_locked(lambda: _fair_candidate_signup(fair=fair, user=user))


def _fair_candidate_signup(*, fair: JobFair, user: Any) -> FairCandidate:
    """Sign a job seeker up while seats are left (the fair's row lock serialises them)."""
    _open_fair(fair)
    if getattr(user, "role", "") != Role.APPLICANT:
        raise JobsError(JobsErrorCode.FORBIDDEN, "只有求职者本人可以报名")
    try:
        with transaction.atomic():
            JobFair.objects.filter(pk=fair.pk).update(updated_at=timezone.now())
            locked = JobFair.objects.select_for_update().get(pk=fair.pk)
            if FairCandidate.objects.filter(fair=locked, user=user).exists():
                raise JobsError(JobsErrorCode.ALREADY_REGISTERED, "您已报名该招聘会")
            if (
                locked.capacity is not None
                and FairCandidate.objects.filter(fair=locked).count() >= locked.capacity
            ):
                raise JobsError(JobsErrorCode.EVENT_NOT_OPEN, "招聘会求职者名额已满")
            candidate = FairCandidate.objects.create(fair=locked, user=user)
    except IntegrityError:
        raise JobsError(JobsErrorCode.ALREADY_REGISTERED, "您已报名该招聘会") from None
    audit_event_record(
        subject=candidate, action="fair.candidate_signed_up", actor=user, to_state=candidate.status
    )
    return candidate


def fair_candidate_check_in(*, candidate: FairCandidate, actor: Any) -> FairCandidate:
    _require_staff(actor)
    if candidate.status == FairCandidateStatus.CHECKED_IN:
        raise JobsError(JobsErrorCode.INVALID_TRANSITION, "该求职者已签到")
    candidate.status = FairCandidateStatus.CHECKED_IN
    candidate.checked_in_at = timezone.now()
    candidate.save(update_fields=["status", "checked_in_at", "updated_at"])
    audit_event_record(
        subject=candidate,
        action="fair.candidate_checked_in",
        actor=actor,
        from_state=FairCandidateStatus.SIGNED_UP,
        to_state=FairCandidateStatus.CHECKED_IN,
    )
    return candidate


# --- events --------------------------------------------------------------------------


def event_create(
    *,
    actor: Any,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    capacity: int,
    description: str = "",
    location: str = "",
    ends_at: dt.datetime | None = None,
    publish: bool = False,
) -> Event:
    _require_staff(actor)
    if not title.strip():
        raise _invalid("title", "请填写活动名称")
    if capacity < 1:
        raise _invalid("capacity", "名额至少为 1")
    if timezone.is_naive(starts_at):
        raise _invalid("starts_at", "开始时间须带时区")
    if ends_at is not None and ends_at < starts_at:
        raise _invalid("ends_at", "结束时间不能早于开始时间")
    event = Event.objects.create(
        kind=_choice(kind, EventKind, "kind"),
        title=title.strip(),
        description=description,
        location=location,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
    )
    audit_event_record(subject=event, action="event.created", actor=actor, to_state=event.status)
    if publish:
        event_publish(event=event, actor=actor)
    return event


def event_publish(*, event: Event, actor: Any) -> Event:
    _require_staff(actor)
    if event.status != EventStatus.DRAFT:
        raise JobsError(JobsErrorCode.INVALID_TRANSITION, "只有草稿状态的活动可以发布")
    event.status = EventStatus.PUBLISHED
    event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    audit_event_record(
        subject=event,
        action="event.published",
        actor=actor,
        from_state=EventStatus.DRAFT,
        to_state=EventStatus.PUBLISHED,
    )
    return event


def _lock_event(event: Event) -> Event:
    """Take the event's row lock before reading anything.

    The UPDATE is the first statement of the transaction, so SQLite takes its write
    lock now (a concurrent registration waits instead of failing), and PostgreSQL
    locks the row just as ``select_for_update`` does.
    """
    Event.objects.filter(pk=event.pk).update(updated_at=timezone.now())
    return Event.objects.select_for_update().get(pk=event.pk)


def _retry_locked(call: Callable[[], T], attempts: int = 40) -> T:
    """Run a short write transaction again when SQLite answers "database is locked".

    PostgreSQL waits on the row lock instead; SQLite (the embedded default, and its
    shared-cache test database) may refuse at once, so a few quick retries keep
    concurrent registrations from surfacing as errors."""
    for attempt in range(attempts):
        try:
            return call()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.005 * (attempt + 1) + random.random() * 0.01)  # noqa: S311
    raise AssertionError("unreachable")


def event_register(*, event: Event, user: Any) -> EventRegistration:
    return _retry_locked(lambda: _event_register(event=event, user=user))


def _event_register(*, event: Event, user: Any) -> EventRegistration:
    """Register for an event: a seat if one is left, otherwise the waitlist.

    Seats are taken with a conditional UPDATE (``confirmed_count < capacity``) inside a
    transaction that holds the event's lock, so concurrent registrations can never
    exceed the capacity (a database CHECK constraint says the same).
    """
    if not getattr(user, "is_authenticated", False):
        raise JobsError(JobsErrorCode.FORBIDDEN, "请先登录")
    with transaction.atomic():
        locked = _lock_event(event)
        if locked.status != EventStatus.PUBLISHED:
            raise JobsError(JobsErrorCode.EVENT_NOT_OPEN, "该活动未开放报名")
        if locked.starts_at <= timezone.now():
            raise JobsError(JobsErrorCode.EVENT_NOT_OPEN, "活动已开始，报名已截止")
        existing = EventRegistration.objects.filter(event=locked, user=user).first()
        if existing is not None and existing.status != RegistrationStatus.CANCELLED:
            raise JobsError(JobsErrorCode.ALREADY_REGISTERED, "您已报名该活动")
        seat = (
            Event.objects.filter(pk=locked.pk, confirmed_count__lt=F("capacity")).update(
                confirmed_count=F("confirmed_count") + 1
            )
            == 1
        )
        status = RegistrationStatus.CONFIRMED if seat else RegistrationStatus.WAITLISTED
        waitlisted_at = None if seat else timezone.now()
        previous = ""
        if existing is None:
            registration = EventRegistration.objects.create(
                event=locked, user=user, status=status, waitlisted_at=waitlisted_at
            )
        else:
            previous = existing.status
            registration = existing
            registration.status = status
            registration.waitlisted_at = waitlisted_at
            registration.save(update_fields=["status", "waitlisted_at", "updated_at"])
        audit_event_record(
            subject=registration,
            action="event.registered",
            actor=user,
            from_state=previous,
            to_state=status,
        )
    return registration


def event_registration_cancel(*, registration: EventRegistration, actor: Any) -> EventRegistration:
    return _retry_locked(lambda: _event_registration_cancel(registration=registration, actor=actor))


def _event_registration_cancel(*, registration: EventRegistration, actor: Any) -> EventRegistration:
    """Cancel a registration; a freed seat goes to the first person on the waitlist."""
    if registration.user_id != getattr(actor, "pk", None):
        _require_staff(actor)
    promoted: EventRegistration | None = None
    with transaction.atomic():
        locked = _lock_event(registration.event)
        current = EventRegistration.objects.select_for_update().get(pk=registration.pk)
        if current.status == RegistrationStatus.CANCELLED:
            raise JobsError(JobsErrorCode.INVALID_TRANSITION, "该报名已取消")
        was = current.status
        current.status = RegistrationStatus.CANCELLED
        current.save(update_fields=["status", "updated_at"])
        audit_event_record(
            subject=current,
            action="event.registration_cancelled",
            actor=actor,
            from_state=was,
            to_state=RegistrationStatus.CANCELLED,
        )
        if was == RegistrationStatus.CONFIRMED:
            promoted = (
                EventRegistration.objects.select_for_update()
                .filter(event=locked, status=RegistrationStatus.WAITLISTED)
                .order_by("waitlisted_at", "id")
                .first()
            )
            if promoted is None:
                Event.objects.filter(pk=locked.pk).update(confirmed_count=F("confirmed_count") - 1)
            else:
                promoted.status = RegistrationStatus.CONFIRMED
                promoted.save(update_fields=["status", "updated_at"])
                audit_event_record(
                    subject=promoted,
                    action="event.promoted_from_waitlist",
                    actor=actor,
                    from_state=RegistrationStatus.WAITLISTED,
                    to_state=RegistrationStatus.CONFIRMED,
                )
        if promoted is not None:
            seat = promoted

            def notify() -> None:
                message_send(
                    recipient=seat.user,
                    kind="general",
                    title="候补成功：" + locked.title,
                    body="有人取消报名，您已从候补转为正式报名。",
                    link=reverse("jobs:event-detail", args=[locked.uuid]),
                    dedupe_key="jobs-event-promoted:" + str(seat.uuid) + ":" + str(current.uuid),
                )

            transaction.on_commit(notify)
    return current


def event_attendance_mark(
    *, registration: EventRegistration, actor: Any, attended: bool = True
) -> EventRegistration:
    _require_staff(actor)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise JobsError(JobsErrorCode.INVALID_TRANSITION, "只有已确认的报名可以登记出席")
    registration.attended = attended
    registration.save(update_fields=["attended", "updated_at"])
    audit_event_record(
        subject=registration, action="event.attendance", actor=actor, data={"attended": attended}
    )
    return registration


def event_feedback_submit(
    *, registration: EventRegistration, actor: Any, rating: int, comment: str = ""
) -> EventRegistration:
    """The participant rates the event (1-5) once it has started."""
    if registration.user_id != getattr(actor, "pk", None):
        raise JobsError(JobsErrorCode.FORBIDDEN, "只能评价本人参加的活动")
    if registration.status != RegistrationStatus.CONFIRMED:
        raise JobsError(JobsErrorCode.INVALID_TRANSITION, "只有已确认参加的活动可以评价")
    if registration.event.starts_at > timezone.now():
        raise JobsError(JobsErrorCode.INVALID_TRANSITION, "活动开始后才能评价")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise _invalid("rating", "评分应为 1 到 5 的整数")
    registration.rating = rating
    registration.comment = comment.strip()[:2000]
    registration.save(update_fields=["rating", "comment", "updated_at"])
    audit_event_record(
        subject=registration, action="event.feedback", actor=actor, data={"rating": rating}
    )
    return registration


# --- seed data -----------------------------------------------------------------------


def _date(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _plain(value: Any) -> Any:
    """YAML values as JSON-safe values (dates → ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


@transaction.atomic
def jobs_seed_load(*, directory: Path | None = None) -> dict[str, int]:
    """Load data/jobs/*.yaml (fairs with their reported figures, the ambassador network's
    reported figures and named ambassadors). Idempotent: keyed by slug/key/code."""
    directory = directory or REPO_DATA_DIR
    counts = {"fairs": 0, "reported": 0, "ambassadors": 0}
    fairs_file = directory / "fairs.yaml"
    if fairs_file.exists():
        for item in (yaml.safe_load(fairs_file.read_text(encoding="utf-8")) or {}).get("fairs", []):
            JobFair.objects.update_or_create(
                slug=item["slug"],
                defaults={
                    "name": item["name"],
                    "edition": item.get("edition"),
                    "starts_on": _date(item.get("starts_on")),
                    "ends_on": _date(item.get("ends_on")),
                    "venue": item.get("venue", ""),
                    "description": item.get("description", ""),
                    "is_historical": bool(item.get("is_historical", False)),
                    "reported": _plain(item.get("reported") or {}),
                    "source": item.get("source", ""),
                },
            )
            counts["fairs"] += 1
    ambassadors_file = directory / "ambassadors.yaml"
    if ambassadors_file.exists():
        data = yaml.safe_load(ambassadors_file.read_text(encoding="utf-8")) or {}
        for item in data.get("reported", []):
            ReportedFigures.objects.update_or_create(
                key=item["key"],
                defaults={
                    "title": item["title"],
                    "figures": _plain(item.get("figures") or {}),
                    "source": item.get("source", ""),
                    "reported_on": _date(item.get("reported_on")),
                },
            )
            counts["reported"] += 1
        for item in data.get("ambassadors", []) or []:
            Ambassador.objects.update_or_create(
                code=item["code"],
                defaults={
                    "name": item["name"],
                    "country": item["country"],
                    "university": item["university"],
                    "appointed_on": _date(item.get("appointed_on")),
                    "returned_to_city": bool(item.get("returned_to_city", False)),
                },
            )
            counts["ambassadors"] += 1
    return counts
