"""Writes of the people app: registration and demo accounts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from talentport.catalog import selectors as catalog_selectors
from talentport.catalog.models import Department
from talentport.common.services import audit_event_record
from talentport.people.models import AccessGrant, AccessKind, Role, StaffScope, User

# Roles a visitor may choose when signing up; staff roles are created by administrators.
SELF_SERVICE_ROLES: tuple[str, ...] = (Role.APPLICANT, Role.GUARDIAN, Role.EMPLOYER)

DEMO_PASSWORD = "TalentPort-2026!"  # noqa: S105 - documented demo password, not a secret
DEMO_DEPARTMENT_NAME = "青岛市公共就业和人才服务中心人才服务部"


class RegistrationError(ValueError):
    """A registration the platform refuses (message in Chinese)."""


class AdminCreationError(ValueError):
    """The first administrator cannot be created (message in Chinese)."""


class DemoAccountsRefused(RuntimeError):
    """Demo accounts are never created in production."""


@transaction.atomic
def user_register(
    *,
    username: str,
    email: str,
    password: str,
    role: str = Role.APPLICANT,
    display_name: str = "",
) -> User:
    """Create a self-service account (applicant, guardian or employer)."""
    if role not in SELF_SERVICE_ROLES:
        raise RegistrationError("工作人员账户只能由管理员在后台创建")
    if User.objects.filter(username__iexact=username).exists():
        raise RegistrationError("该用户名已被使用")
    user = User.objects.create_user(
        username=username,
        email=email,
        password=password,
        role=role,
        display_name=display_name,
    )
    audit_event_record(subject=user, action="user.registered", actor=user, data={"role": role})
    return user


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    display_name: str
    is_staff: bool = False
    is_superuser: bool = False
    department: Department | None = None
    note: str = ""
    jurisdiction: str = ""  # the staff scope the demo account is given


@dataclass(frozen=True)
class DemoAccountResult:
    account: DemoAccount
    created: bool


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo_applicant", DEMO_PASSWORD, Role.APPLICANT, "演示申请人"),
    DemoAccount("demo_guardian", DEMO_PASSWORD, Role.GUARDIAN, "演示家长"),
    DemoAccount("demo_employer", DEMO_PASSWORD, Role.EMPLOYER, "演示用人单位"),
    DemoAccount(
        "demo_window",
        DEMO_PASSWORD,
        Role.WINDOW_SPECIALIST,
        "演示窗口服务专员",
        jurisdiction="qingdao",
    ),
    DemoAccount("demo_department", DEMO_PASSWORD, Role.DEPARTMENT_SPECIALIST, "演示部门服务专员"),
    DemoAccount("demo_auditor", DEMO_PASSWORD, Role.AUDITOR, "演示安全审计员"),
    DemoAccount(
        "demo_admin",
        DEMO_PASSWORD,
        Role.ADMINISTRATOR,
        "演示管理员",
        is_staff=True,
        is_superuser=True,
    ),
)


def _demo_department() -> tuple[Department | None, str]:
    departments = list(catalog_selectors.department_list())
    for department in departments:
        if department.name == DEMO_DEPARTMENT_NAME:
            return department, ""
    if departments:
        return departments[0], "未找到“" + DEMO_DEPARTMENT_NAME + "”，已绑定到第一个部门"
    return None, "目录尚未加载（没有任何部门），跳过部门服务专员；请先运行 load_catalog"


@transaction.atomic
def demo_accounts_ensure() -> list[DemoAccountResult]:
    """Create the demo account of every role that does not exist yet.

    An existing account is left exactly as it is (its password above all); demo accounts
    are refused in production.
    """
    if settings.PRODUCTION:
        raise DemoAccountsRefused("生产环境（TALENTPORT_ENV=production）不能创建演示账户")
    results: list[DemoAccountResult] = []
    department, department_note = _demo_department()
    for spec in DEMO_ACCOUNTS:
        account = spec
        if spec.role == Role.DEPARTMENT_SPECIALIST:
            if department is None:
                results.append(
                    DemoAccountResult(replace(spec, note=department_note), created=False)
                )
                continue
            account = replace(spec, department=department, note=department_note)
        if User.objects.filter(username=account.username).exists():
            results.append(DemoAccountResult(account, created=False))
            continue
        user = User.objects.create_user(
            username=account.username,
            password=account.password,
            role=account.role,
            display_name=account.display_name,
            email=account.username + "@demo.talentport.local",
            is_staff=account.is_staff,
            is_superuser=account.is_superuser,
            department=account.department,
        )
        if account.jurisdiction:
            StaffScope.objects.create(user=user, jurisdiction=account.jurisdiction)
        audit_event_record(subject=user, action="user.demo_created", data={"role": account.role})
        results.append(DemoAccountResult(account, created=True))
    return results


def administrator_exists() -> bool:
    return (
        User.objects.filter(is_active=True)
        .filter(models.Q(role=Role.ADMINISTRATOR) | models.Q(is_superuser=True))
        .exists()
    )


@transaction.atomic
def first_administrator_create(*, username: str, password: str) -> User:
    """The installation's first administrator (a superuser who then assigns scopes).

    Refused when an administrator exists already, when the username is taken (an
    existing account is never changed) or when the password is too weak.
    """
    if administrator_exists():
        raise AdminCreationError("已有管理员账户，未创建新的管理员")
    if not username:
        raise AdminCreationError("管理员用户名不能为空")
    if User.objects.filter(username__iexact=username).exists():
        raise AdminCreationError(f"用户名 {username} 已被使用，未修改该账户")
    candidate = User(username=username, role=Role.ADMINISTRATOR)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise AdminCreationError("管理员密码不符合要求：" + "；".join(exc.messages)) from exc
    user = User.objects.create_user(
        username=username,
        password=password,
        role=Role.ADMINISTRATOR,
        display_name="管理员",
        is_staff=True,
        is_superuser=True,
    )
    audit_event_record(subject=user, action="user.first_admin_created", actor=None)
    return user


# --------------------------------------------------------------------------- #
# Staff scopes: assigned by administrators, within their own scope, audited
# --------------------------------------------------------------------------- #


class ScopeError(ValueError):
    """A scope change the platform refuses (message in Chinese)."""

    def __init__(self, message: str, *, field: str = "jurisdiction") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def known_jurisdictions() -> dict[str, str]:
    """Every jurisdiction path of the catalog → its name (cities and their districts)."""
    return _known_jurisdiction_paths()


def _known_jurisdiction_paths() -> dict[str, str]:
    from talentport.catalog.models import Jurisdiction, JurisdictionLevel
    from talentport.people.permissions import jurisdiction_path

    return {
        jurisdiction_path(j): j.name
        for j in Jurisdiction.objects.select_related("parent").exclude(
            level=JurisdictionLevel.PROVINCE
        )
    }


@transaction.atomic
def staff_scope_grant(
    *, actor: User, user: User, jurisdiction: str, department: Department | None = None
) -> StaffScope:
    """Give a staff account a scope. The administrator must hold the permission to
    manage scopes over that jurisdiction (and department) themself; nobody widens their
    own powers."""
    from talentport.people import permissions

    if not permissions.is_staff(user):
        raise ScopeError("只能为工作人员账户设置权限范围", field="user")
    if user.pk == actor.pk and not actor.is_superuser:
        raise ScopeError("不能为自己设置权限范围", field="user")
    jurisdiction = jurisdiction.strip()
    if jurisdiction not in _known_jurisdiction_paths():
        raise ScopeError("未知的管辖区域：" + jurisdiction)
    if department is not None:
        from talentport.people.permissions import jurisdiction_path

        if not permissions.path_within(jurisdiction_path(department.jurisdiction), jurisdiction):
            raise ScopeError("该部门不在所选区域内", field="department")
    target = permissions.Target(jurisdiction, department.pk if department else None)
    if not permissions.can(actor, permissions.Perm.SCOPE_MANAGE, target):
        raise ScopeError("您只能在自己的管辖范围内为他人授权")
    scope, created = StaffScope.objects.get_or_create(
        user=user, jurisdiction=jurisdiction, department=department, defaults={"granted_by": actor}
    )
    if created:
        audit_event_record(
            subject=user,
            action="scope.granted",
            actor=actor,
            data={
                "jurisdiction": jurisdiction,
                "department": department.code if department else "",
            },
        )
    permissions.forget_scopes(user)
    return scope


@transaction.atomic
def staff_scope_revoke(*, actor: User, scope: StaffScope) -> None:
    from talentport.people import permissions

    target = permissions.Target(scope.jurisdiction, scope.department_id)
    if not permissions.can(actor, permissions.Perm.SCOPE_MANAGE, target):
        raise ScopeError("您只能在自己的管辖范围内调整授权")
    user = scope.user
    department_code = scope.department.code if scope.department is not None else ""
    scope.delete()
    audit_event_record(
        subject=user,
        action="scope.revoked",
        actor=actor,
        data={"jurisdiction": scope.jurisdiction, "department": department_code},
    )
    permissions.forget_scopes(user)


@transaction.atomic
def staff_role_set(*, actor: User, user: User, role: str) -> User:
    """Change a staff account's role (audited); only within the actor's scopes."""
    from talentport.people import permissions

    if role not in Role.values:
        raise ScopeError("未知的角色", field="role")
    if user.pk == actor.pk and not actor.is_superuser:
        raise ScopeError("不能修改自己的角色", field="role")
    scopes = permissions.scopes_of(user)
    if not actor.is_superuser and (
        not scopes
        or not all(
            permissions.can(
                actor, permissions.Perm.SCOPE_MANAGE, permissions.Target(s.jurisdiction)
            )
            for s in scopes
        )
    ):
        raise ScopeError("您只能调整自己管辖范围内的工作人员", field="role")
    before = user.role
    if before != role:
        user.role = role
        user.save(update_fields=["role", "updated_at"])
        audit_event_record(
            subject=user, action="role.changed", actor=actor, from_state=before, to_state=role
        )
        permissions.forget_scopes(user)
    return user


# --------------------------------------------------------------------------- #
# Access grants: only the person (or a minor's guardian on record) grants; revoking
# ends the access at once
# --------------------------------------------------------------------------- #


class AccessGrantError(ValueError):
    def __init__(self, message: str, *, field: str = "grantee", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


GRANTEE_ROLES: dict[str, tuple[str, ...]] = {
    AccessKind.GUARDIAN: (Role.GUARDIAN, Role.APPLICANT),
    AccessKind.EMPLOYER: (Role.EMPLOYER,),
    AccessKind.ASSISTANT: (Role.WINDOW_SPECIALIST,),
}
GRANTEE_REFUSALS: dict[str, str] = {
    AccessKind.GUARDIAN: "没有这个家长（监护人）账户",
    AccessKind.EMPLOYER: "没有这个用人单位账户",
    AccessKind.ASSISTANT: "没有这个窗口服务专员（请核对专员告诉您的工号）",
}


@transaction.atomic
def access_grant_create(
    *,
    actor: User,
    person: User,
    kind: str,
    grantee_username: str,
    application: Any = None,
) -> AccessGrant:
    """``actor`` lets ``grantee`` see (guardian) or act on (employer, window specialist)
    ``person``'s applications — all of them, or ``application`` only."""
    from talentport.people import permissions

    if kind not in AccessKind.values:
        raise AccessGrantError("未知的授权类型", field="kind")
    if not permissions.may_grant_for(actor=actor, person=person):
        raise AccessGrantError(
            "只有本人（未成年人由登记的监护人）可以授权他人查看或代办", field="person", status=403
        )
    application_uuid = None
    if application is not None:
        if getattr(application, "applicant_id", None) != person.pk:
            raise AccessGrantError("只能就本人的申请授权", field="application", status=404)
        application_uuid = application.uuid
    grantee = (
        User.objects.filter(
            username__iexact=(grantee_username or "").strip(),
            role__in=GRANTEE_ROLES[kind],
            is_active=True,
        )
        .exclude(pk=person.pk)
        .first()
    )
    if grantee is None:
        raise AccessGrantError(GRANTEE_REFUSALS[kind])
    existing = AccessGrant.objects.filter(
        person=person,
        grantee=grantee,
        kind=kind,
        application=application_uuid,
        revoked_at__isnull=True,
    ).first()
    if existing is not None:
        return existing
    grant = AccessGrant.objects.create(
        person=person,
        grantee=grantee,
        kind=kind,
        application=application_uuid,
        granted_by=actor,
    )
    audit_event_record(
        subject=grant,
        action="access.granted",
        actor=actor,
        on_behalf_of=person if actor.pk != person.pk else None,
        data={"kind": kind, "grantee": grantee.username},
    )
    return grant


@transaction.atomic
def access_grant_revoke(*, actor: User, grant: AccessGrant) -> AccessGrant:
    """End a grant at once. The person, a minor's guardian on record, or the grantee
    (giving it up) may revoke it; revoking twice changes nothing."""
    from talentport.people import permissions

    person = grant.person
    if not (permissions.may_grant_for(actor=actor, person=person) or actor.pk == grant.grantee_id):
        raise AccessGrantError("未找到该授权", field="grant", status=404)
    if grant.revoked_at is not None:
        return grant
    now = timezone.now()
    changed = AccessGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor, updated_at=now
    )
    if changed:
        audit_event_record(
            subject=grant,
            action="access.revoked",
            actor=actor,
            on_behalf_of=person if actor.pk != person.pk else None,
            data={"kind": grant.kind, "grantee": grant.grantee.username},
        )
    grant.refresh_from_db()
    return grant
