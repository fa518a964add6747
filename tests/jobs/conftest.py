"""Fixtures of the jobs tests: people of each role, a verified employer, positions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from talentport.jobs import services
from talentport.jobs.models import EmployerOrg, Position
from talentport.people.models import Role, StaffScope, User


def make_user(username: str, role: str = Role.APPLICANT, **extra: Any) -> User:
    return User.objects.create_user(
        username=username,
        password="pw-123456-x",
        role=role,
        email=username + "@example.cn",
        **extra,
    )


@pytest.fixture
def staff(db: Any) -> User:
    """A window specialist of Qingdao, whose talent service the jobs pages are."""
    user = make_user("staff1", Role.WINDOW_SPECIALIST, display_name="窗口专员")
    StaffScope.objects.create(user=user, jurisdiction="qingdao")
    return user


@pytest.fixture
def applicant(db: Any) -> User:
    return make_user("wang", display_name="王博士")


@pytest.fixture
def other_applicant(db: Any) -> User:
    return make_user("li", display_name="李同学")


@pytest.fixture
def employer(db: Any) -> User:
    return make_user("hr", Role.EMPLOYER, display_name="人事")


@pytest.fixture
def verified_org(employer: User, staff: User) -> EmployerOrg:
    org = services.employer_org_save(
        user=employer, name="青岛海洋新材料有限公司", org_type="private", district="laoshan"
    )
    return services.employer_org_verify(org=org, actor=staff, decision="verified")


def register(user: User, **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "full_name": "王博士",
        "school": "曼彻斯特大学",
        "country": "英国",
        "major": "材料科学",
        "major_field": "materials",
        "degree": "doctor",
        "abroad_status": "returned",
        "expected_graduation": dt.date(2024, 6, 30),
        "intended_districts": ["laoshan", "xihaian"],
        "industries": ["new_materials", "marine"],
        "salary_expectation": Decimal("300000"),
        "contact_consent": True,
    }
    data.update(overrides)
    return services.pool_entry_register(user=user, **data)


def post_position(org: EmployerOrg, actor: User, **overrides: Any) -> Position:
    data: dict[str, Any] = {
        "title": "深海防腐涂层研发工程师",
        "industry": "new_materials",
        "degree": "doctor",
        "major_fields": ["materials", "chemistry"],
        "salary_min": Decimal("250000"),
        "salary_max": Decimal("500000"),
        "district": "laoshan",
        "push": False,
    }
    data.update(overrides)
    return services.position_create(org=org, actor=actor, **data)


@pytest.fixture
def register_entry(db: Any) -> Any:
    return register


@pytest.fixture
def new_position(db: Any) -> Any:
    return post_position
