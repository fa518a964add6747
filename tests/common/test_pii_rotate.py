"""``pii_rotate``: after a key change every encrypted column is rewritten under the new
key and every blind index recomputed; a second run changes nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from openpyxl import Workbook

from talentport.archives.models import ArchiveFile
from talentport.archives.selectors import archive_file_search
from talentport.archives.services import archive_batch_import
from talentport.cases.models import DegreeConfirmation
from talentport.cases.services import degree_confirm
from talentport.common.crypto import is_current
from talentport.common.idcard import id_card_check_digit
from talentport.jobs.services import pool_entry_register
from talentport.people.models import User

pytestmark = pytest.mark.django_db

FIRST17 = "37020220060315001"
ID = FIRST17 + id_card_check_digit(FIRST17)


def _rotate(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("pii_rotate", *args, stdout=out)
    return json.loads(out.getvalue())


def _keys(settings: Any, enc: str, index: str, old_enc: list[str], old_index: list[str]) -> None:
    settings.FIELD_ENCRYPTION_KEY = enc
    settings.FIELD_BLIND_INDEX_KEY = index
    settings.FIELD_ENCRYPTION_OLD_KEYS = old_enc
    settings.FIELD_BLIND_INDEX_OLD_KEYS = old_index


def _data(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "身份证号", "监护人电话"])
    sheet.append(["小明", ID, "13912345678"])
    workbook.save(tmp_path / "list.xlsx")
    archive_batch_import(source=tmp_path / "list.xlsx", school="青岛二中")
    person = User.objects.create_user(username="wang", password="x-Pass-12345")
    pool_entry_register(
        user=person,
        full_name="王",
        school="曼大",
        country="英国",
        major="材料",
        degree="doctor",
        phone="13811112222",
        email="w@example.cn",
    )
    degree_confirm(owner=person, actor=person, data={"school": "曼大"})


def _staff() -> User:
    from talentport.people.models import StaffScope

    user, created = User.objects.get_or_create(username="window1", role="window_specialist")
    if created:
        StaffScope.objects.create(user=user, jurisdiction="qingdao")
    return user


def _tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_card, guardian_phone, claim_code_pending FROM archives_archivefile"
        )
        tokens = [t for row in cursor.fetchall() for t in row]
        cursor.execute("SELECT phone, email FROM jobs_talentpoolentry")
        tokens += [t for row in cursor.fetchall() for t in row]
        cursor.execute("SELECT data FROM cases_degreeconfirmation")
        tokens += [row[0] for row in cursor.fetchall()]
    return tokens


def test_rotation_rewrites_everything_under_the_new_keys(settings: Any, tmp_path: Path) -> None:
    # given data written under the old keys
    _keys(settings, "old-encryption-key-" + "o" * 20, "old-index-key-" + "o" * 20, [], [])
    _data(tmp_path)
    # when the keys change, the old ones kept for the rotation
    _keys(
        settings,
        "new-encryption-key-" + "n" * 20,
        "new-index-key-" + "n" * 20,
        ["old-encryption-key-" + "o" * 20],
        ["old-index-key-" + "o" * 20],
    )
    assert not any(is_current(t) for t in _tokens())
    assert list(archive_file_search(user=_staff(), q=ID))  # still found through the old index
    dry = _rotate("--dry-run")
    assert dry["rotated"] == 6 and not any(is_current(t) for t in _tokens())
    report = _rotate("--chunk-size", "1")
    # then every value is under the new key, every index recomputed, counts reported
    assert report["rotated"] == 6 and report["unreadable"] == 0
    assert report["reindexed"] == 3  # archive ID + guardian phone, pool phone
    assert report["models"]["archives.archivefile"]["id_card"]["rotated"] == 1
    assert all(is_current(t) for t in _tokens())
    # and a second run finds nothing to do
    again = _rotate()
    assert (again["rotated"], again["reindexed"], again["current"]) == (0, 0, report["rows"])
    # once the old keys are gone everything still reads and is still found
    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    settings.FIELD_BLIND_INDEX_OLD_KEYS = []
    assert ArchiveFile.objects.get().id_card == ID
    assert [f.name for f in archive_file_search(user=_staff(), q=ID)] == ["小明"]
    assert DegreeConfirmation.objects.get().data == {"school": "曼大"}


def test_a_value_under_an_unknown_key_is_reported_and_fails(settings: Any, tmp_path: Path) -> None:
    _keys(settings, "lost-key-" + "x" * 30, "index-key-" + "i" * 30, [], [])
    _data(tmp_path)
    settings.FIELD_ENCRYPTION_KEY = "new-encryption-key-" + "n" * 20
    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("pii_rotate", stdout=out)
    assert failure.value.returncode == 1
    assert json.loads(out.getvalue())["unreadable"] == 6
