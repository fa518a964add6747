"""Fixtures of the cases tests: seeded catalog + bundles, people and specialists."""

from __future__ import annotations

from typing import Any

import pytest

from talentport.cases import services
from talentport.cases.models import Bundle
from talentport.catalog.models import Department
from talentport.people.models import Role, User

PDF = b"%PDF-1.4\n%test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "talentport.notify.sms.LocmemSmsBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def bundles(seeded_catalog: Any) -> dict[str, Bundle]:
    services.bundle_load()
    return {b.code: b for b in Bundle.objects.all()}


def make_user(username: str, role: str = Role.APPLICANT, **extra: Any) -> User:
    return User.objects.create_user(
        username=username,
        password="pw-" + username + "-123",
        role=role,
        display_name=extra.pop("display_name", username),
        email=extra.pop("email", username + "@example.org"),
        **extra,
    )


@pytest.fixture
def person(db: Any) -> User:
    return make_user("alice", display_name="李爱丽")


@pytest.fixture
def other_person(db: Any) -> User:
    return make_user("bob", display_name="王博")


def specialist(code: str, username: str, *, supervisor: bool = False) -> User:
    department = Department.objects.get(code=code)
    user = make_user(username, Role.DEPARTMENT_SPECIALIST, department=department)
    services.membership_set(
        user=user, department=department, supervisor=supervisor, phone="0631-5200000"
    )
    return user


@pytest.fixture
def staff(bundles: Any) -> dict[str, User]:
    return {
        "hrss": specialist("wh-hrss", "hrss1"),
        "hrss2": specialist("wh-hrss", "hrss2"),
        "hrss_boss": specialist("wh-hrss", "hrssboss", supervisor=True),
        "police": specialist("wh-police", "police1"),
        "window": make_user("window1", Role.WINDOW_SPECIALIST),
    }


AFTER_ITEMS = ["degree-verification", "entry-exit-records"]
FORM = {
    "name": "李爱丽",
    "id_number": "370100199001011234",
    "phone": "13800000000",
    "school": "University of Edinburgh",
    "degree": "master",
    "graduation_date": "2025-06-30",
}


def upload_all(application: Any, actor: User) -> None:
    for m in services.application_materials_needed(application=application):
        f = services.material_upload(
            owner=application.applicant,
            actor=actor,
            code=m["code"],
            filename=m["code"] + ".pdf",
            content=PDF,
        )
        services.application_attach_material(
            application=application, actor=actor, code=m["code"], material=f
        )


def file_after(bundle: Bundle, person: User, key: str | None = None) -> Any:
    application, _ = services.application_create(
        bundle=bundle,
        stage="after",
        applicant=person,
        actor=person,
        selected_items=AFTER_ITEMS,
        form_data=FORM,
        idempotency_key=key,
    )
    upload_all(application, person)
    return services.application_submit(application=application, actor=person)
