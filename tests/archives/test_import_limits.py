"""A hand-over list that would expand past the limits imports nothing, on every path:
the staff page, the API and ``talentport archives import`` (contract §8: exit 2)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from talentport.archives.cli import import_main
from talentport.archives.models import ArchiveBatch, ArchiveFile
from tests.archives.conftest import make_id, write_xlsx

pytestmark = pytest.mark.django_db

SCHOOL = "青岛二中"


def zip_bomb_xlsx(path: Path) -> Path:
    """A real, importable list plus a 20 MB entry of zeros (about 20 KB compressed)."""
    write_xlsx(path, [["张三", make_id(serial=1)], ["李四", make_id(serial=2)]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/image1.bin", b"\x00" * (20 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    return path


def test_cli_refuses_a_zip_bomb_with_exit_2_and_the_reason(tmp_path: Path, capsys: Any) -> None:
    # given
    path = zip_bomb_xlsx(tmp_path / "list.xlsx")
    # when
    code = import_main([str(path), "--school", SCHOOL])
    # then
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "压缩比异常" in err and "未导入任何记录" in err
    assert not ArchiveFile.objects.exists() and not ArchiveBatch.objects.exists()


def test_cli_refuses_a_list_past_the_entry_and_size_limits(
    tmp_path: Path, capsys: Any, settings: Any
) -> None:
    # given: limits from the settings, lower than this ordinary list needs
    path = write_xlsx(tmp_path / "list.xlsx", [["张三", make_id(serial=1)]])
    settings.UPLOAD_ZIP_MAX_ENTRIES = 3
    # when / then
    assert import_main([str(path), "--school", SCHOOL]) == 2
    assert "文件过多" in capsys.readouterr().err
    settings.UPLOAD_ZIP_MAX_ENTRIES = 10_000
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 1024
    assert import_main([str(path), "--school", SCHOOL]) == 2
    assert "解压后过大" in capsys.readouterr().err
    # and within the limits it imports
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
    assert import_main([str(path), "--school", SCHOOL]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 1


def test_api_refuses_a_zip_bomb_with_a_400_on_the_file(
    client: Any, staff: Any, tmp_path: Path
) -> None:
    # given
    client.force_login(staff)
    path = zip_bomb_xlsx(tmp_path / "list.xlsx")
    # when
    with path.open("rb") as fh:
        response = client.post("/api/v1/archives/imports/", {"school": SCHOOL, "file": fh})
    # then
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "file" and error["code"] == "unsafe_file"
    assert "压缩比异常" in error["message"]
    assert not ArchiveFile.objects.exists()


def test_page_shows_the_refusal_next_to_the_file_field(
    client: Any, staff: Any, tmp_path: Path
) -> None:
    # given
    client.force_login(staff)
    path = zip_bomb_xlsx(tmp_path / "list.xlsx")
    # when
    with path.open("rb") as fh:
        response = client.post(reverse("archives:staff_import"), {"school": SCHOOL, "file": fh})
    # then
    assert response.status_code == 200
    assert "压缩比异常" in " ".join(response.context["form"].errors["file"])
    assert not ArchiveFile.objects.exists()


def test_oversized_upload_is_refused_on_the_page_and_the_api(
    client: Any, staff: Any, tmp_path: Path, settings: Any
) -> None:
    # given: an upload limit below this list's size
    client.force_login(staff)
    content = write_xlsx(tmp_path / "list.xlsx", [["张三", make_id(serial=1)]]).read_bytes()
    settings.MAX_UPLOAD_BYTES = 1024
    # when
    on_page = client.post(
        reverse("archives:staff_import"),
        {"school": SCHOOL, "file": SimpleUploadedFile("list.xlsx", content)},
    )
    on_api = client.post(
        "/api/v1/archives/imports/",
        {"school": SCHOOL, "file": SimpleUploadedFile("list.xlsx", content)},
    )
    # then
    assert "文件过大" in " ".join(on_page.context["form"].errors["file"])
    assert on_api.status_code == 400 and on_api.json()["errors"][0]["field"] == "file"
    assert not ArchiveFile.objects.exists()
