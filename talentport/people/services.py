"""Writes of the people app: registration and demo accounts."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction

from talentport.catalog import selectors as catalog_selectors
from talentport.catalog.models import Department
from talentport.common.services import audit_event_record
from talentport.people.models import Role, User

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


@dataclass(frozen=True)
class DemoAccountResult:
    account: DemoAccount
    created: bool


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo_applicant", DEMO_PASSWORD, Role.APPLICANT, "演示申请人"),
    DemoAccount("demo_guardian", DEMO_PASSWORD, Role.GUARDIAN, "演示家长"),
    DemoAccount("demo_employer", DEMO_PASSWORD, Role.EMPLOYER, "演示用人单位"),
    DemoAccount("demo_window", DEMO_PASSWORD, Role.WINDOW_SPECIALIST, "演示窗口服务专员"),
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
