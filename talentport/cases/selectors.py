"""Reads of the cases app."""

from __future__ import annotations

import datetime as dt

from talentport.cases.clock import YearCalendar, load_calendar_files
from talentport.cases.models import CalendarDay, CalendarDayKind


def _year_calendar(year: int, days: list[CalendarDay]) -> YearCalendar:
    return YearCalendar(
        year=year,
        holidays=frozenset(d.date for d in days if d.kind == CalendarDayKind.HOLIDAY),
        makeup_workdays=frozenset(d.date for d in days if d.kind == CalendarDayKind.MAKEUP_WORKDAY),
        names={d.date: d.name for d in days},
        source="管理员维护",
    )


def calendar_overrides(year: int) -> YearCalendar | None:
    """The administrator-maintained calendar of ``year``; None when no day is entered."""
    days = list(
        CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    )
    if not days:
        return None
    return _year_calendar(year, days)


def calendar_overrides_all(*, include_files: bool = True) -> dict[int, YearCalendar]:
    """Every administrator calendar, to pass as ``extra_calendar`` to the clock.

    With ``include_files`` the YAML calendars (``talentport/cases/calendars/``,
    ``data/calendar/``) are read first; a year entered in the database wins over a
    file for the same year.
    """
    calendars = load_calendar_files() if include_files else {}
    by_year: dict[int, list[CalendarDay]] = {}
    for day in CalendarDay.objects.order_by("date"):
        by_year.setdefault(day.date.year, []).append(day)
    for year, days in by_year.items():
        calendars[year] = _year_calendar(year, days)
    return calendars


# --------------------------------------------------------------------------- #
# Bundles, applications, sub-cases
# --------------------------------------------------------------------------- #

from typing import Any  # noqa: E402
from uuid import UUID  # noqa: E402

from django.db.models import Q, QuerySet  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from talentport.cases.models import (  # noqa: E402
    Application,
    ApplicationStatus,
    Bundle,
    BundleStage,
    DegreeConfirmation,
    DepartmentMembership,
    MaterialFile,
    Rating,
    RectificationStatus,
    RectificationTask,
    ReturnVisit,
    ReturnVisitStatus,
    SubCase,
    SubCaseStatus,
)
from talentport.catalog.models import Department  # noqa: E402
from talentport.common.crypto import blind_index_filter  # noqa: E402
from talentport.people import permissions  # noqa: E402
from talentport.people.models import AccessGrant, AccessKind, Role, TalentProfile, User  # noqa: E402
from talentport.people.permissions import Perm  # noqa: E402

ELIGIBLE = ("eligible", "needs_info")


def bundle_list(*, active_only: bool = True) -> QuerySet[Bundle]:
    qs = Bundle.objects.all()
    return qs.filter(active=True) if active_only else qs


def bundle_get(*, uuid: UUID | str) -> Bundle | None:
    return Bundle.objects.filter(uuid=uuid).first()


def bundle_stages(*, bundle: Bundle) -> list[dict[str, str]]:
    present = set(bundle.items.values_list("stage", flat=True))
    return [{"value": s.value, "label": str(s.label)} for s in BundleStage if s.value in present]


def _profile_data(person: User) -> dict[str, Any]:
    profile = TalentProfile.objects.filter(user=person).first()
    return dict(profile.data) if profile and isinstance(profile.data, dict) else {}


def _path(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def eligibility_statuses(*, person: User) -> dict[str, str]:
    """Policy id → status from the policy engine (prefill only; empty if not available)."""
    data = _profile_data(person)
    if not data:
        return {}
    try:
        from talentport.policies.engine import evaluate

        result = evaluate(data, as_of=timezone.localdate())
    except Exception:  # noqa: BLE001 - the engine is optional for prefill
        return {}
    return {r["policy"]: r["status"] for r in result.get("results", [])}


def _prefill_value(
    spec: dict[str, Any],
    person: User | None,
    profile: dict[str, Any],
    degree: DegreeConfirmation | None,
) -> Any:
    source = str(spec.get("prefill") or "")
    if source.startswith("user.") and person is not None:
        return getattr(person, source[5:], None)
    if source.startswith("degree.") and degree is not None:
        return degree.data.get(source[7:])
    if source:
        return _path(profile, source)
    return None


def bundle_prefill(*, bundle: Bundle, person: User) -> dict[str, Any]:
    """Each form field of the bundle → its prefilled value (account, 学历汇, profile).

    The light part of :func:`bundle_checklist`, without the policy engine.
    """
    specs = [f for f in bundle.fields or [] if f.get("key")]
    needs_profile = any(
        str(f.get("prefill") or "") and not str(f.get("prefill")).startswith(("user.", "degree."))
        for f in specs
    )
    needs_degree = any(str(f.get("prefill") or "").startswith("degree.") for f in specs)
    profile = _profile_data(person) if needs_profile else {}
    degree = DegreeConfirmation.objects.filter(owner=person).first() if needs_degree else None
    return {f["key"]: _prefill_value(f, person, profile, degree) for f in specs}


def bundle_checklist(
    *,
    bundle: Bundle,
    stage: str,
    person: User | None,
    selected: list[str] | None = None,
) -> dict[str, Any]:
    """一次告知: which items apply, the union of fields (prefilled) and of materials."""
    profile = _profile_data(person) if person else {}
    statuses = eligibility_statuses(person=person) if person else {}
    degree = DegreeConfirmation.objects.filter(owner=person).first() if person is not None else None
    library: dict[str, MaterialFile] = {}
    if person is not None:
        for f in MaterialFile.objects.filter(owner=person).order_by("created_at", "id"):
            library[f.code] = f
    items = []
    for item in bundle.items.filter(stage__in=[stage, BundleStage.ANY]).select_related(
        "department", "service_item"
    ):
        status = statuses.get(item.policy) if item.policy else None
        if selected is not None:
            applies = item.key in selected
            why = "已选择" if applies else "未选择"
        elif status in ELIGIBLE:
            applies, why = True, "根据您的画像，符合或可能符合政策条件"
        elif status == "ineligible":
            applies, why = False, "根据您的画像，暂不符合政策条件"
        else:
            applies = item.preselected
            why = "常用事项，默认选中" if applies else "按需选择"
        items.append(
            {
                "key": item.key,
                "title": item.title,
                "department": item.department.name,
                "department_code": item.department.code,
                "service_item": str(item.service_item.uuid) if item.service_item else None,
                "legal_limit_days": item.legal_limit_days,
                "promised_limit_days": item.promised_limit_days,
                "limit_note": item.limit_note,
                "in_person": item.in_person,
                "depends_on": item.depends_on,
                "materials": item.materials,
                "fields": item.fields,
                "result": item.result,
                "policy": item.policy,
                "policy_status": status,
                "applies": applies,
                "why": why,
            }
        )
    chosen = [i for i in items if i["applies"]]
    specs = {f["key"]: f for f in bundle.fields or []}
    field_keys: list[str] = []
    for i in chosen:
        for key in i["fields"]:
            if key not in field_keys:
                field_keys.append(key)
    fields = []
    for key in field_keys:
        spec = dict(specs.get(key, {"key": key, "label": key}))
        spec.setdefault("key", key)
        spec["value"] = _prefill_value(spec, person, profile, degree)
        fields.append(spec)
    materials: dict[str, dict[str, Any]] = {}
    for i in chosen:
        for m in i["materials"]:
            entry = materials.setdefault(m["code"], {**m, "items": [], "required": False})
            entry["items"].append(i["title"])
            entry["required"] = entry["required"] or bool(m.get("required", True))
    for code, entry in materials.items():
        found: MaterialFile | None = library.get(code)
        entry["in_library"] = str(found.uuid) if found else None
        entry["degree_confirmed"] = bool(degree) and code in (
            "degree_certificate",
            "cscse_certificate",
        )
    return {
        "bundle": bundle.code,
        "version": bundle.version,
        "stage": stage,
        "items": items,
        "fields": fields,
        "materials": list(materials.values()),
        "degree_confirmed": degree is not None,
    }


def _handled_subcases_q(user: User) -> Q:
    """Sub-cases of the departments in the user's scopes (department specialists)."""
    return permissions.scope_q(
        user,
        Perm.SUBCASE_HANDLE,
        jurisdiction_fk="department__jurisdiction",
        department="department_id",
    )


def user_departments(*, user: User) -> list[int]:
    """Departments whose sub-cases the user handles."""
    if not permissions.has_perm(user, Perm.SUBCASE_HANDLE):
        return []
    return sorted(
        Department.objects.filter(
            permissions.scope_q(
                user, Perm.SUBCASE_HANDLE, jurisdiction_fk="jurisdiction", department="id"
            )
        ).values_list("id", flat=True)
    )


def is_supervisor(*, user: User) -> bool:
    return permissions.can(user, Perm.SUPERVISE)


def supervised_departments(*, user: User) -> list[int]:
    """Departments whose ratings, rectifications and return visits the user supervises:
    a department supervisor's own, an administrator's within their jurisdiction."""
    if not permissions.has_perm(user, Perm.SUPERVISE):
        return []
    return list(
        Department.objects.filter(
            permissions.scope_q(
                user, Perm.SUPERVISE, jurisdiction_fk="jurisdiction", department="id"
            )
        ).values_list("id", flat=True)
    )


def department_supervisors(*, department: Department) -> list[User]:
    return [
        m.user
        for m in DepartmentMembership.objects.filter(department=department, supervisor=True)
        .select_related("user")
        .order_by("id")
    ]


def subcase_specialists(*, subcase: SubCase) -> list[User]:
    """Accounts of the responsible department (department specialists and members)."""
    users = {
        u.pk: u
        for u in User.objects.filter(
            role=Role.DEPARTMENT_SPECIALIST, department_id=subcase.department_id, is_active=True
        )
    }
    for m in DepartmentMembership.objects.filter(
        department_id=subcase.department_id
    ).select_related("user"):
        users.setdefault(m.user.pk, m.user)
    return list(users.values())


def application_guardians(*, application: Application) -> list[User]:
    """Guardians the applicant authorised to follow this application (or all of theirs)."""
    grants = AccessGrant.objects.filter(
        Q(application__isnull=True) | Q(application=application.uuid),
        person_id=application.applicant_id,
        kind=AccessKind.GUARDIAN,
        revoked_at__isnull=True,
    ).select_related("grantee")
    return list({g.grantee_id: g.grantee for g in grants}.values())


def _granted_q(user: User) -> Q:
    """Applications whose applicant's grant reaches ``user`` (and only while it lasts):
    a guardian follows them, an employer sees those it filed, a window specialist those
    they help with."""
    q = permissions.granted_application_q(grantee=user, kind=AccessKind.GUARDIAN)
    if user.role == Role.EMPLOYER:
        q |= Q(filed_by=user) & permissions.granted_application_q(
            grantee=user, kind=AccessKind.EMPLOYER
        )
    if permissions.has_perm(user, Perm.ASSIST):
        q |= permissions.granted_application_q(grantee=user, kind=AccessKind.ASSISTANT)
    return q


def application_visible_to(*, user: User | None) -> QuerySet[Application]:
    """Applications the user may see: their own; those the applicant's grants reach
    (guardian, employer, window specialist — never after revocation); for department
    specialists those with a part in their departments; for administrators those of
    their jurisdiction."""
    qs = Application.objects.select_related("bundle", "applicant")
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if permissions.unrestricted(user):
        return qs
    q = Q(applicant=user) | _granted_q(user)
    if permissions.has_perm(user, Perm.SUBCASE_HANDLE):
        handled = SubCase.objects.filter(_handled_subcases_q(user)).values("application_id")
        q |= Q(pk__in=handled, status__in=["processing", "correction", "closed"])
    if permissions.has_perm(user, Perm.APPLICATION_OVERSEE):
        q |= permissions.scope_q(user, Perm.APPLICATION_OVERSEE, path="bundle__city")
    return qs.filter(q)


def application_get_for(*, user: User | None, uuid: UUID | str) -> Application | None:
    return application_visible_to(user=user).filter(uuid=uuid).first()


def can_act_for_person(*, user: User, application: Application) -> bool:
    """Who may change an application: the applicant (or a minor applicant's guardian on
    record), the employer that filed it while the employee's consent lasts, a window
    specialist the applicant authorised to help."""
    if user.pk == application.applicant_id or permissions.unrestricted(user):
        return True
    applicant = application.applicant
    if user.role == Role.EMPLOYER:
        return application.filed_by_id == user.pk and permissions.has_grant(
            grantee=user, person_id=applicant.pk, kind=AccessKind.EMPLOYER
        )
    if permissions.has_perm(user, Perm.ASSIST):
        return permissions.has_grant(
            grantee=user,
            person_id=applicant.pk,
            kind=AccessKind.ASSISTANT,
            application=application.uuid,
        )
    return permissions.may_grant_for(actor=user, person=applicant)


def subcase_queue(*, user: User, status: str | None = None) -> QuerySet[SubCase]:
    """The department queue: sub-cases of the departments in the user's scopes; for an
    administrator those of their jurisdiction; for a window specialist those of the
    applications people asked them to help with."""
    qs = SubCase.objects.select_related(
        "application", "department", "assignee", "application__applicant"
    )
    if not permissions.unrestricted(user):
        q = _handled_subcases_q(user)
        if permissions.has_perm(user, Perm.APPLICATION_OVERSEE):
            q |= permissions.scope_q(
                user, Perm.APPLICATION_OVERSEE, path="application__bundle__city"
            )
        if permissions.has_perm(user, Perm.ASSIST):
            q |= Q(
                application__in=Application.objects.filter(
                    permissions.granted_application_q(grantee=user, kind=AccessKind.ASSISTANT)
                )
            )
        qs = qs.filter(q)
    if status:
        qs = qs.filter(status=status)
    return qs.exclude(application__status="draft").order_by("due_date", "id")


def may_handle_subcase(*, user: User, subcase: SubCase) -> bool:
    """Is ``user`` one of the responsible department's specialists for ``subcase``?"""
    if permissions.unrestricted(user):
        return True
    return SubCase.objects.filter(_handled_subcases_q(user), pk=subcase.pk).exists()


def subcase_get_for(*, user: User | None, uuid: UUID | str) -> SubCase | None:
    """A sub-case the user may see: staff of its department, or whoever sees its application."""
    if user is None or not user.is_authenticated:
        return None
    sc = (
        SubCase.objects.select_related("application", "department", "assignee")
        .filter(uuid=uuid)
        .first()
    )
    if sc is None:
        return None
    if subcase_queue(user=user).filter(pk=sc.pk).exists():
        return sc
    if user.role == Role.DEPARTMENT_SPECIALIST:
        return None  # another department's part of the application
    if application_visible_to(user=user).filter(pk=sc.application_id).exists():
        return sc
    return None


def material_visible_to(*, user: User | None, uuid: UUID | str) -> MaterialFile | None:
    """A stored file, only for its owner and whoever may see an application it is part of
    (guardians, departments, authorised helpers — while their grant lasts)."""
    if user is None or not user.is_authenticated:
        return None
    f = MaterialFile.objects.filter(uuid=uuid).select_related("owner").first()
    if f is None:
        return None
    if f.owner_id == user.pk or permissions.unrestricted(user):
        return f
    applications = Application.objects.filter(materials__file=f)
    depts = user_departments(user=user)
    if (
        depts
        and SubCase.objects.filter(application__in=applications, department_id__in=depts).exists()
    ):
        return f
    if user.role == Role.DEPARTMENT_SPECIALIST:
        return None
    if application_visible_to(user=user).filter(pk__in=applications.values("pk")).exists():
        return f
    return None


def material_library(*, owner: User) -> QuerySet[MaterialFile]:
    return MaterialFile.objects.filter(owner=owner).order_by("code", "-created_at")


def specialist_contact(*, subcase: SubCase) -> dict[str, str]:
    """Name and phone of the responsible specialist (the assignee, else the department)."""
    person = subcase.assignee
    phone = ""
    if person is not None:
        m = DepartmentMembership.objects.filter(user=person, department=subcase.department).first()
        phone = m.phone if m and m.phone else ""
    return {
        "name": str(person) if person else "",
        "phone": phone or subcase.department.phone or "",
    }


def application_timeline(*, application: Application) -> list[dict[str, Any]]:
    """Each department's step with due date, status and responsible specialist."""
    from talentport.common.selectors import audit_events_for

    out = []
    for sc in application.subcases.select_related("department", "assignee").order_by("id"):
        events = [
            {
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "reason": e.reason,
                "at": e.at.isoformat(),
                "actor": str(e.actor) if e.actor else "系统",
                "on_behalf_of": str(e.on_behalf_of) if e.on_behalf_of else "",
            }
            for e in audit_events_for(subject=sc).select_related("actor", "on_behalf_of")
        ]
        open_notice = sc.corrections.filter(answered_at__isnull=True).order_by("-id").first()
        out.append(
            {
                "subcase": sc,
                "uuid": str(sc.uuid),
                "department": sc.department.name,
                "items": [application.snapshot["items"][k]["title"] for k in sc.items],
                "status": sc.status,
                "status_label": sc.get_status_display(),
                "version": sc.version,
                "due_date": sc.due_date,
                "due_provisional": sc.due_provisional,
                "specialist": specialist_contact(subcase=sc),
                "result_number": sc.result_number,
                "result_note": sc.result_note,
                "reason": sc.reason,
                "correction": open_notice,
                "events": events,
            }
        )
    return out


def supervisor_dashboard(*, user: User, today: Any = None, soon_days: int = 2) -> dict[str, Any]:
    """Overdue and due-soon sub-cases of the supervised departments, with rating figures."""
    from talentport.cases.clock import add_working_days

    today = today or timezone.localdate()
    depts = supervised_departments(user=user)
    open_qs = SubCase.objects.filter(
        department_id__in=depts,
        status__in=[SubCaseStatus.SUBMITTED, SubCaseStatus.ACCEPTED, SubCaseStatus.APPROVED],
        due_date__isnull=False,
    ).select_related("application", "department", "assignee")
    horizon = add_working_days(today, soon_days, extra_calendar=calendar_overrides_all()).due
    overdue = list(open_qs.filter(due_date__lt=today).order_by("due_date"))
    soon = list(open_qs.filter(due_date__gte=today, due_date__lte=horizon).order_by("due_date"))
    ratings = Rating.objects.filter(
        Q(subcase__department_id__in=depts)
        | Q(subcase__isnull=True, application__subcases__department_id__in=depts)
    ).distinct()
    visits = ReturnVisit.objects.filter(rating__in=ratings)
    tasks = RectificationTask.objects.filter(rating__in=ratings)
    visits_total = visits.count()
    tasks_total = tasks.count()
    visits_done = visits.filter(status=ReturnVisitStatus.DONE).count()
    tasks_replied = tasks.filter(status=RectificationStatus.REPLIED).count()
    levels: dict[str, int] = {}
    for level in ratings.values_list("level", flat=True):
        levels[level] = levels.get(level, 0) + 1
    return {
        "overdue": overdue,
        "due_soon": soon,
        "ratings": levels,
        "return_visits_total": visits_total,
        "return_visits_done": visits_done,
        "return_visit_rate": (visits_done / visits_total) if visits_total else None,
        "rectifications_total": tasks_total,
        "rectifications_replied": tasks_replied,
        "reply_rate": (tasks_replied / tasks_total) if tasks_total else None,
        "open_visits": list(
            visits.filter(status=ReturnVisitStatus.PENDING).select_related("rating")
        ),
        "open_tasks": list(
            tasks.filter(status=RectificationStatus.OPEN).select_related("rating", "department")
        ),
    }


# --------------------------------------------------------------------------- #
# 帮办代办, employer consent, journal of an application
# --------------------------------------------------------------------------- #

#: Roles that can be the person of an application (never staff accounts).
PERSON_ROLES = (Role.APPLICANT, Role.GUARDIAN)


def assisted_people(*, user: User, query: str = "", limit: int = 50) -> list[User]:
    """The people who authorised this window specialist to help them (帮办代办), found by
    username, name, e-mail or the phone of an earlier application; nobody else can be
    looked up."""
    if not permissions.has_perm(user, Perm.ASSIST):
        return []
    people = User.objects.filter(
        pk__in=permissions.active_grants(grantee=user, kind=AccessKind.ASSISTANT).values(
            "person_id"
        ),
        role__in=PERSON_ROLES,
        is_active=True,
    )
    q = query.strip()
    if q:
        match = Q(username__iexact=q) | Q(email__iexact=q) | Q(display_name__icontains=q)
        try:
            # the form is encrypted: the phone is found through its blind index
            by_phone = Application.objects.filter(
                blind_index_filter(Application, "phone_index", q)
            ).values("applicant_id")
        except ValueError:
            by_phone = None
        if by_phone is not None:
            match |= Q(pk__in=by_phone)
        people = people.filter(match)
    return list(people.order_by("username")[:limit])


def assisted_person_get(*, user: User, uuid: UUID | str) -> User | None:
    """A person who authorised ``user`` to help them, else None."""
    person = User.objects.filter(uuid=uuid, role__in=PERSON_ROLES, is_active=True).first()
    if person is None or not permissions.has_perm(user, Perm.ASSIST):
        return None
    if (
        not permissions.active_grants(grantee=user, kind=AccessKind.ASSISTANT)
        .filter(person=person)
        .exists()
    ):
        return None
    return person


def person_get(*, uuid: UUID | str) -> User | None:
    return User.objects.filter(uuid=uuid, role__in=PERSON_ROLES, is_active=True).first()


def employee_consents(*, employee: User) -> QuerySet[AccessGrant]:
    """The employee's consents to employers, current ones first."""
    return (
        AccessGrant.objects.filter(person=employee, kind=AccessKind.EMPLOYER)
        .select_related("grantee")
        .order_by("revoked_at", "-created_at")
    )


def employer_employees(*, employer: User) -> list[User]:
    """Employees who currently consent that ``employer`` files for them."""
    rows = (
        permissions.active_grants(grantee=employer, kind=AccessKind.EMPLOYER)
        .select_related("person")
        .order_by("person__username")
    )
    seen: dict[int, User] = {}
    for row in rows:
        seen.setdefault(row.person_id, row.person)
    return list(seen.values())


def employer_applications(*, employer: User) -> QuerySet[Application]:
    """Applications the employer filed for employees who still consent."""
    return (
        application_visible_to(user=employer)
        .filter(filed_by=employer)
        .select_related("bundle", "applicant")
        .order_by("-created_at")
    )


ACTION_LABELS: dict[str, Any] = {
    "accept": _("受理"),
    "activate": _("开始办理"),
    "answer_correction": _("提交补正"),
    "approve": _("审核通过"),
    "complete": _("办结"),
    "create": _("创建申请"),
    "draft_save": _("保存草稿"),
    "escalate": _("超期督办"),
    "guardian_authorise": _("授权监护人"),
    "guardian_revoke": _("撤销监护人授权"),
    "access.granted": _("授权"),
    "access.revoked": _("撤销授权"),
    "material_attach": _("提交材料"),
    "material_upload": _("上传材料"),
    "open": _("开启"),
    "rate": _("评价"),
    "reject": _("不予办理"),
    "remind": _("时限提醒"),
    "reply": _("答复"),
    "request_correction": _("要求补正"),
    "rollup": _("状态更新"),
    "submit": _("提交申请"),
    "visit": _("回访"),
}
STATE_LABELS: dict[str, Any] = {**dict(SubCaseStatus.choices), **dict(ApplicationStatus.choices)}


def application_events(*, application: Application) -> list[dict[str, Any]]:
    """The application's own journal (create, draft saves, materials, submit, roll-up)
    with who acted and for whom (帮办代办 / 用人单位代办)."""
    from talentport.common.selectors import audit_events_for

    return [
        {
            "action": e.action,
            "action_label": ACTION_LABELS.get(e.action, e.action),
            "from": e.from_state,
            "to": e.to_state,
            "to_label": STATE_LABELS.get(e.to_state, e.to_state),
            "at": e.at,
            "actor": str(e.actor) if e.actor else "系统",
            "on_behalf_of": str(e.on_behalf_of) if e.on_behalf_of else "",
        }
        for e in audit_events_for(subject=application).select_related("actor", "on_behalf_of")
    ]


def return_visit_visible(*, user: User, uuid: UUID | str) -> ReturnVisit | None:
    """A return visit of a rating of the user's supervised departments."""
    depts = supervised_departments(user=user)
    if not depts:
        return None
    visit = ReturnVisit.objects.select_related("rating").filter(uuid=uuid).first()
    if visit is None:
        return None
    ratings = Rating.objects.filter(
        Q(subcase__department_id__in=depts)
        | Q(subcase__isnull=True, application__subcases__department_id__in=depts)
    )
    return visit if ratings.filter(pk=visit.rating_id).exists() else None


def rectification_visible(*, user: User, uuid: UUID | str) -> RectificationTask | None:
    """A rectification task of the user's supervised departments (whole-application
    ratings: any department that handled a part of it)."""
    depts = supervised_departments(user=user)
    if not depts:
        return None
    task = RectificationTask.objects.select_related("rating").filter(uuid=uuid).first()
    if task is None:
        return None
    if task.department_id:
        return task if task.department_id in depts else None
    handled = SubCase.objects.filter(
        application_id=task.rating.application_id, department_id__in=depts
    ).exists()
    return task if handled else None


def degree_confirmation(*, owner: User) -> DegreeConfirmation | None:
    return DegreeConfirmation.objects.filter(owner=owner).first()


def person_by_username(*, username: str) -> User | None:
    return User.objects.filter(username=username, role__in=PERSON_ROLES, is_active=True).first()
