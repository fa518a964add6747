"""The one authorisation model: who may do what, on which object, in which scope.

Pages, API and CLI ask this module; nothing else decides whether someone is staff.

Three questions, answered in this order:

1. **Role** — may this kind of account do this at all? (:data:`ROLE_PERMS`; a superuser
   may do everything, an inactive account nothing.)
2. **Scope** — for staff, is the object inside one of their scopes? A scope is a
   jurisdiction path (``qingdao`` covers ``qingdao.shinan``; ``weihai``; ``liaocheng``)
   optionally narrowed to one department (:class:`Scope`, stored as
   :class:`~talentport.people.models.StaffScope`; a department specialist's own
   department is always one of their scopes). An object is a :class:`Target`: its
   jurisdiction path and, when one department is responsible for it, that department.
   A scope narrowed to a department covers only objects of that department.
3. **Ties** — for people, did the person grant this account access
   (:class:`~talentport.people.models.AccessGrant`: guardian, employer, window
   specialist)? Revoked grants count for nothing.

Out of scope answers 404 where the object's existence is itself personal (applications,
files), 403 otherwise; the callers decide, through :func:`require` (403) or by filtering
querysets with :func:`scope_q` (what is not in the queryset is a 404).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from talentport.people.models import (  # noqa: F401 - OPERATIONAL_STAFF_ROLES re-exported
    BACK_OFFICE_ROLES,
    OPERATIONAL_STAFF_ROLES,
    AccessGrant,
    AccessKind,
    Role,
    StaffScope,
)

__all__ = [
    "OPERATIONAL_STAFF_ROLES",
    "Perm",
    "Scope",
    "Target",
    "can",
    "has_perm",
    "is_auditor",
    "is_back_office",
    "is_staff",
    "require",
    "scope_q",
    "scopes_of",
]

if TYPE_CHECKING:
    from talentport.catalog.models import Department, Jurisdiction


class Perm(enum.StrEnum):
    """What an account may do; which roles may is in :data:`ROLE_PERMS`."""

    WORKBENCH = "workbench.view"  # open the staff workbench
    POLICY_PUBLISH = "policy.publish"  # publish a policy version of a jurisdiction
    POLICY_PUSH = "policy.push"  # run the push by hand for the policies in scope
    GRANT_DECIDE = "grant.decide"  # see and decide 免申即享 grants (and, later, payments)
    ARCHIVE_MANAGE = "archive.manage"  # import lists, see and move personnel files
    ARCHIVE_REVEAL = "archive.reveal"  # see a full ID number to hand a file over
    SUBCASE_HANDLE = "subcase.handle"  # accept, correct, approve... a department's part
    APPLICATION_OVERSEE = "application.oversee"  # read every application of a jurisdiction
    ASSIST = "assist"  # 帮办代办: act for a person who granted it
    SUPERVISE = "supervise"  # ratings, rectifications and return visits
    JOBS_MANAGE = "jobs.manage"  # talent pool, fairs, events, ambassadors, employers
    SCOPE_MANAGE = "scope.manage"  # assign staff scopes (within one's own)
    AUDIT_READ = "audit.read"  # the audit journal and the personal-data access log
    NOTIFY_VIEW_DELIVERIES = "notify.deliveries.view"  # e-mail/SMS delivery records (masked)
    NOTIFY_RETRY_DELIVERIES = "notify.deliveries.retry"  # send a failed delivery again
    TALENT_DB_IMPORT = "talentdb.import"  # import into the talent database, see its figures


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.WINDOW_SPECIALIST: frozenset(
        {Perm.WORKBENCH, Perm.ARCHIVE_MANAGE, Perm.ARCHIVE_REVEAL, Perm.ASSIST, Perm.JOBS_MANAGE}
    ),
    Role.DEPARTMENT_SPECIALIST: frozenset(
        {Perm.WORKBENCH, Perm.SUBCASE_HANDLE, Perm.GRANT_DECIDE, Perm.SUPERVISE}
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Perm.WORKBENCH,
            Perm.POLICY_PUBLISH,
            Perm.POLICY_PUSH,
            Perm.GRANT_DECIDE,
            Perm.ARCHIVE_MANAGE,
            Perm.ARCHIVE_REVEAL,
            Perm.APPLICATION_OVERSEE,
            Perm.SUPERVISE,
            Perm.JOBS_MANAGE,
            Perm.SCOPE_MANAGE,
            Perm.NOTIFY_VIEW_DELIVERIES,
            Perm.NOTIFY_RETRY_DELIVERIES,
            Perm.TALENT_DB_IMPORT,
        }
    ),
    Role.AUDITOR: frozenset({Perm.AUDIT_READ, Perm.NOTIFY_VIEW_DELIVERIES}),
}

#: Permissions over the whole platform, not over a jurisdiction: the role decides.
UNSCOPED = frozenset({Perm.AUDIT_READ, Perm.NOTIFY_VIEW_DELIVERIES, Perm.NOTIFY_RETRY_DELIVERIES})

#: The jobs service (talent pool, fairs, events, ambassadors) is Qingdao's.
JOBS_JURISDICTION = "qingdao"
#: The talent database (意愿来青留学人才信息库, seed 003 §二(十)) is Qingdao's.
TALENT_DB_JURISDICTION = "qingdao"
#: Personnel archives are handed over to the Qingdao talent service centre (seed 001).
ARCHIVES_JURISDICTION = "qingdao"


def _authenticated(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", True)
    )


def _superuser(user: Any) -> bool:
    return _authenticated(user) and bool(getattr(user, "is_superuser", False))


def is_staff(user: Any) -> bool:
    """Operational staff: window and department specialists, administrators (and superusers)."""
    return _authenticated(user) and (
        getattr(user, "role", "") in OPERATIONAL_STAFF_ROLES or _superuser(user)
    )


def is_back_office(user: Any) -> bool:
    """Any back-office account (operational staff or auditor): two factors, short sessions."""
    return _authenticated(user) and (
        getattr(user, "role", "") in BACK_OFFICE_ROLES or _superuser(user)
    )


def is_auditor(user: Any) -> bool:
    """May read the audit journal and the personal-data access log."""
    return has_perm(user, Perm.AUDIT_READ)


def is_role(user: Any, *roles: str) -> bool:
    return _authenticated(user) and getattr(user, "role", "") in roles


# --------------------------------------------------------------------------- #
# Scopes
# --------------------------------------------------------------------------- #


def path_within(path: str, scope_path: str) -> bool:
    """``qingdao.shinan`` is within ``qingdao``; ``qingdao`` is not within ``qingdao.shinan``."""
    return bool(scope_path) and (path == scope_path or path.startswith(scope_path + "."))


def jurisdiction_path(jurisdiction: Jurisdiction) -> str:
    """The dotted path of a catalog jurisdiction: ``qingdao``, ``qingdao.shinan``, ``weihai``.

    The province is left out (every city of the platform is in Shandong)."""
    from talentport.catalog.models import JurisdictionLevel

    parent = jurisdiction.parent
    if jurisdiction.level in (JurisdictionLevel.DISTRICT, JurisdictionLevel.ZONE) and parent:
        return f"{parent.code}.{jurisdiction.code}"
    return jurisdiction.code


@dataclass(frozen=True)
class Target:
    """What a permission is asked about: where it belongs and which department handles it."""

    jurisdiction: str
    department_id: int | None = None


@dataclass(frozen=True)
class Scope:
    jurisdiction: str
    department_id: int | None = None

    def covers(self, target: Target) -> bool:
        if not path_within(target.jurisdiction, self.jurisdiction):
            return False
        return self.department_id is None or self.department_id == target.department_id


def department_target(department: Department) -> Target:
    return Target(jurisdiction_path(department.jurisdiction), department.pk)


def _department_scopes(department_ids: Iterable[int]) -> list[Scope]:
    from talentport.catalog.models import Department

    ids = sorted(set(department_ids))
    if not ids:
        return []
    return [
        Scope(jurisdiction_path(d.jurisdiction), d.pk)
        for d in Department.objects.filter(pk__in=ids).select_related("jurisdiction__parent")
    ]


def _memberships(user: Any) -> list[tuple[int, bool]]:
    from talentport.cases.models import DepartmentMembership

    return list(
        DepartmentMembership.objects.filter(user=user).values_list("department_id", "supervisor")
    )


def scopes_of(user: Any, perm: Perm | None = None) -> tuple[Scope, ...]:
    """Every scope of a staff account (cached on the user object for the request).

    For :attr:`Perm.SUPERVISE` a department specialist's scopes are the departments they
    supervise only."""
    if not is_staff(user):
        return ()
    cache: dict[str, tuple[Scope, ...]] | None = getattr(user, "_tp_scopes", None)
    if cache is None:
        cache = {}
        user._tp_scopes = cache
    key = "supervise" if perm == Perm.SUPERVISE else "all"
    if key in cache:
        return cache[key]
    scopes: list[Scope] = []
    memberships = _memberships(user)
    if key == "supervise" and getattr(user, "role", "") == Role.DEPARTMENT_SPECIALIST:
        scopes = _department_scopes(d for d, supervisor in memberships if supervisor)
    else:
        scopes = [
            Scope(s.jurisdiction, s.department_id)
            for s in StaffScope.objects.filter(user=user).order_by("id")
        ]
        departments = [d for d, _supervisor in memberships]
        if getattr(user, "role", "") == Role.DEPARTMENT_SPECIALIST and user.department_id:
            departments.append(user.department_id)
        scopes.extend(_department_scopes(departments))
    cache[key] = tuple(dict.fromkeys(scopes))
    return cache[key]


def forget_scopes(user: Any) -> None:
    """Drop the cached scopes (after they changed)."""
    if hasattr(user, "_tp_scopes"):
        del user._tp_scopes


def has_perm(user: Any, perm: Perm) -> bool:
    """May this account do ``perm`` anywhere at all (the role question only)?"""
    if not _authenticated(user):
        return False
    if _superuser(user):
        return True
    if perm == Perm.SUPERVISE and getattr(user, "role", "") == Role.DEPARTMENT_SPECIALIST:
        return any(supervisor for _d, supervisor in _memberships(user))
    return perm in ROLE_PERMS.get(getattr(user, "role", ""), frozenset())


def can(user: Any, perm: Perm, target: Target | None = None) -> bool:
    """May this account do ``perm`` on ``target`` (or, without a target, somewhere)?"""
    if not has_perm(user, perm):
        return False
    if _superuser(user):
        return True
    if perm in UNSCOPED:
        return True
    scopes = scopes_of(user, perm)
    if target is None:
        return bool(scopes)
    return any(scope.covers(target) for scope in scopes)


DENIED = "您没有权限执行此操作（不在您的职责或管辖范围内）"


def require(user: Any, perm: Perm, target: Target | None = None) -> None:
    """Raise :class:`PermissionDenied` (HTTP 403 on pages and in the API) unless :func:`can`."""
    if not can(user, perm, target):
        raise PermissionDenied(DENIED)


def unrestricted(user: Any) -> bool:
    """A superuser's view: every scope."""
    return _superuser(user)


def scope_q(
    user: Any,
    perm: Perm,
    *,
    path: str | None = None,
    jurisdiction_fk: str | None = None,
    department: str | None = None,
) -> Q:
    """A filter selecting the rows ``user`` may ``perm``.

    Give where the row's jurisdiction is — ``path`` (a field holding a dotted path, e.g.
    ``"jurisdiction"`` or ``"bundle__city"``) or ``jurisdiction_fk`` (a lookup to a
    catalog Jurisdiction, e.g. ``"department__jurisdiction"``) — and ``department`` (a
    lookup to its department id, e.g. ``"department_id"``) when one department is
    responsible for it. Nothing matches (``pk__in=[]``) for someone without the permission.
    """
    nothing = Q(pk__in=[])
    if not has_perm(user, perm):
        return nothing
    if _superuser(user):
        return Q()
    q = nothing
    for scope in scopes_of(user, perm):
        if path is not None:
            place = Q(**{path: scope.jurisdiction}) | Q(
                **{path + "__startswith": scope.jurisdiction + "."}
            )
        elif jurisdiction_fk is not None:
            place = _jurisdiction_fk_q(jurisdiction_fk, scope.jurisdiction)
        else:
            raise ValueError("scope_q needs path or jurisdiction_fk")
        if scope.department_id is not None:
            if department is None:
                continue  # a department's scope does not reach objects of no department
            place &= Q(**{department: scope.department_id})
        q |= place
    return q


def _jurisdiction_fk_q(lookup: str, scope_path: str) -> Q:
    parts = scope_path.split(".")
    if len(parts) == 1:
        return Q(**{lookup + "__code": parts[0]}) | Q(**{lookup + "__parent__code": parts[0]})
    return Q(**{lookup + "__code": parts[-1], lookup + "__parent__code": parts[-2]})


def scope_jurisdictions(user: Any, perm: Perm) -> list[str]:
    """The jurisdiction paths of ``user``'s scopes for ``perm`` (for choice lists)."""
    return sorted({s.jurisdiction for s in scopes_of(user, perm)})


# --------------------------------------------------------------------------- #
# Ties: what a person granted
# --------------------------------------------------------------------------- #


def active_grants(*, grantee: Any, kind: AccessKind) -> QuerySet[AccessGrant]:
    return AccessGrant.objects.filter(grantee=grantee, kind=kind, revoked_at__isnull=True)


def has_grant(
    *, grantee: Any, person_id: int, kind: AccessKind, application: UUID | str | None = None
) -> bool:
    """Did the person grant ``grantee`` this kind of access, for all their applications or
    for ``application``?"""
    if not _authenticated(grantee):
        return False
    scope = Q(application__isnull=True)
    if application is not None:
        scope |= Q(application=application)
    return bool(
        active_grants(grantee=grantee, kind=kind).filter(scope, person_id=person_id).exists()
    )


def granted_application_q(*, grantee: Any, kind: AccessKind, applicant: str = "applicant_id") -> Q:
    """A filter on applications: those whose applicant granted ``grantee`` ``kind``."""
    grants = list(active_grants(grantee=grantee, kind=kind).values_list("person_id", "application"))
    everything = [person for person, application in grants if application is None]
    one = [application for _person, application in grants if application is not None]
    return Q(**{applicant + "__in": everything}) | Q(uuid__in=one)


ADULT_AGE = 18


def person_birth_date(person: Any) -> dt.date | None:
    """The birth date the platform knows: the claimed personnel file, else the profile."""
    from talentport.archives.models import ArchiveFile

    found = ArchiveFile.objects.filter(student=person).values_list("birth_date", flat=True).first()
    if found:
        return found
    profile = getattr(person, "talent_profile", None)
    raw = ((getattr(profile, "data", None) or {}).get("person") or {}).get("birth_date")
    try:
        return dt.date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def is_minor(person: Any, *, on: dt.date | None = None) -> bool:
    born = person_birth_date(person)
    if born is None:
        return False
    day = on or timezone.localdate()
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return age < ADULT_AGE


def is_guardian_on_record(*, guardian: Any, person: Any) -> bool:
    """The guardian the school's list or the person named: an active archive guardian link
    on the person's claimed file, or the person's own guardian grant for everything."""
    from talentport.archives.models import GuardianLink, GuardianLinkStatus

    if GuardianLink.objects.filter(
        guardian=guardian, file__student=person, status=GuardianLinkStatus.ACTIVE
    ).exists():
        return True
    return AccessGrant.objects.filter(
        person=person,
        grantee=guardian,
        kind=AccessKind.GUARDIAN,
        application__isnull=True,
        revoked_at__isnull=True,
    ).exists()


def may_grant_for(*, actor: Any, person: Any) -> bool:
    """Only the person, or — while the person is a minor — the guardian on record."""
    if not _authenticated(actor):
        return False
    if actor.pk == person.pk:
        return True
    return is_minor(person) and is_guardian_on_record(guardian=actor, person=person)
