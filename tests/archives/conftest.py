"""Workbooks and ID numbers for the archive tests (fixture ``xl``)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import Workbook

from talentport.common.idcard import id_card_check_digit

HEADER = ["姓名", "身份证号", "班级", "监护人姓名", "监护人电话"]


def make_id(birth: str = "20060315", serial: int = 1, region: str = "370202") -> str:
    first17 = f"{region}{birth}{serial:03d}"
    return first17 + id_card_check_digit(first17)


def bad_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def write_xlsx(path: Path, rows: list[list[Any]], header: list[str] | None = None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header if header is not None else HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def xl() -> SimpleNamespace:
    return SimpleNamespace(
        make_id=make_id, bad_check_digit=bad_check_digit, write_xlsx=write_xlsx, HEADER=HEADER
    )


@pytest.fixture
def make_user(django_user_model: Any) -> Any:
    def make(username: str, role: str = "applicant", **extra: Any) -> Any:
        return django_user_model.objects.create_user(
            username=username, password="pw-123456-Aa", role=role, **extra
        )

    return make


@pytest.fixture
def staff(make_user: Any) -> Any:
    """A window specialist of Qingdao, where the schools hand their files over."""
    from talentport.people.models import StaffScope

    user = make_user("window1", role="window_specialist", display_name="王专员")
    StaffScope.objects.create(user=user, jurisdiction="qingdao")
    return user


@pytest.fixture
def import_rows(tmp_path: Path) -> Any:
    """Import ``rows`` of (name, id[, class, guardian, phone]) for a school; the report."""
    from talentport.archives.services import archive_batch_import

    def run(rows: list[list[Any]], school: str = "青岛二中", actor: Any = None) -> Any:
        path = write_xlsx(tmp_path / f"list-{len(rows)}-{school}.xlsx", rows)
        return archive_batch_import(source=path, school=school, actor=actor, filename=path.name)

    return run


def claim_file(*, user: Any, id_card: str, name: str) -> Any:
    """Bind the file of ``id_card`` to ``user`` with the claim code printed at import."""
    from talentport.archives import services
    from talentport.archives.models import ArchiveFile
    from talentport.common.crypto import blind_index_filter

    file = ArchiveFile.objects.get(blind_index_filter(ArchiveFile, "id_card_index", id_card))
    return services.archive_claim(
        user=user, id_card=id_card, name=name, code=file.claim_code_pending or ""
    )
