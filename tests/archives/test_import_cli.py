"""Contract §8: `talentport archives import FILE.xlsx --school NAME`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from talentport.archives.cli import import_main
from talentport.archives.models import ArchiveBatch, ArchiveEvent, ArchiveFile, ArchiveStatus
from tests.archives.conftest import bad_check_digit, make_id, write_xlsx

pytestmark = pytest.mark.django_db

SCHOOL = "青岛二中"
REPO = Path(__file__).resolve().parents[2]


def run(capsys: Any, *argv: str) -> tuple[int, dict[str, Any] | None, str]:
    code = import_main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_mixed_list_stores_valid_rows_and_reports_each_refused_row(
    tmp_path: Path, capsys: Any
) -> None:
    # given: a list with two valid rows and one row per kind of mistake
    good1, good2, dup = make_id(serial=1), make_id(serial=2), make_id(serial=3)
    bad_birth = "370202" + "20061345" + "001"
    from talentport.common.idcard import id_card_check_digit

    bad_birth += id_card_check_digit(bad_birth)
    rows = [
        ["张三", good1, "高三（1）班", "张父", "13800138000"],  # 2 ok
        ["李四", bad_check_digit(good2), "高三（1）班", "", ""],  # 3 check digit
        ["王五", bad_birth, "", "", ""],  # 4 birth date
        ["赵六", good2[:-1], "", "", ""],  # 5 length
        ["", good2, "", "", ""],  # 6 empty name
        ["钱七", dup, "", "钱母", "12345"],  # 7 bad phone
        ["孙八", good1, "", "", ""],  # 8 duplicate in file
        ["周九", good2, "高三（2）班", "周母", "0532-66776881"],  # 9 ok (row 6 refused)
        [None, None, None, None, None],  # blank trailing rows
        ["", "", "", "", ""],
    ]
    path = write_xlsx(tmp_path / "list.xlsx", rows)

    # when
    code, report, err = run(capsys, str(path), "--school", SCHOOL)

    # then
    assert code == 0, err
    assert report is not None
    assert set(report) == {"accepted", "refused"}
    # row 6 (empty name) carried good2 first, so row 9 is a duplicate in the file
    assert report["accepted"] == 1
    refused = {item["row"]: item["errors"] for item in report["refused"]}
    assert sorted(refused) == [3, 4, 5, 6, 7, 8, 9]
    assert refused[3][0]["field"] == "身份证号" and "校验码" in refused[3][0]["message"]
    assert "出生日期" in refused[4][0]["message"]
    assert "长度" in refused[5][0]["message"]
    assert refused[6] == [{"field": "姓名", "message": "姓名不能为空"}]
    assert refused[7][0]["field"] == "监护人电话"
    assert "重复" in refused[8][0]["message"]
    for errors in refused.values():
        for error in errors:
            assert set(error) == {"field", "message"} and error["message"]
    assert ArchiveFile.objects.count() == 1
    file = ArchiveFile.objects.get()
    assert file.name == "张三" and file.school == SCHOOL and file.status == ArchiveStatus.RECEIVED
    assert file.guardian_phone == "13800138000"
    assert ArchiveEvent.objects.filter(file=file, action="received").count() == 1


def test_id_already_on_record_is_refused(tmp_path: Path, capsys: Any) -> None:
    # given: a first list already imported
    number = make_id(serial=11)
    first = write_xlsx(tmp_path / "a.xlsx", [["张三", number]], header=["姓名", "身份证号"])
    assert run(capsys, str(first), "--school", SCHOOL)[0] == 0

    # when: the same person comes again (lower-case x, spaces are normalised too)
    second = write_xlsx(
        tmp_path / "b.xlsx",
        [["张三", " " + number + " "], ["李四", make_id(serial=12)]],
        header=["姓名", "身份证号"],
    )
    code, report, _ = run(capsys, str(second), "--school", "五十八中")

    # then
    assert code == 0
    assert report == {
        "accepted": 1,
        "refused": [
            {
                "row": 2,
                "errors": [
                    {"field": "身份证号", "message": report["refused"][0]["errors"][0]["message"]}
                ],
            }
        ],  # type: ignore[index]
    }
    assert "已有档案" in report["refused"][0]["errors"][0]["message"]  # type: ignore[index]
    assert ArchiveFile.objects.count() == 2


def test_columns_found_by_header_text_in_any_order_with_extra_columns(
    tmp_path: Path, capsys: Any
) -> None:
    path = write_xlsx(
        tmp_path / "x.xlsx",
        [["备注", "13800138000", "张三", make_id(serial=21)]],
        header=["备注", "监护人电话", "姓名", "身份证号"],
    )
    code, report, _ = run(capsys, str(path), "--school", SCHOOL)
    assert code == 0 and report == {"accepted": 1, "refused": []}
    assert ArchiveFile.objects.get().guardian_phone == "13800138000"


def test_numeric_id_cell_that_lost_digits_is_refused_not_stored_wrong(
    tmp_path: Path, capsys: Any
) -> None:
    # given: an ID typed as a number (spreadsheets keep only 15 significant digits)
    number = make_id(serial=5)
    path = write_xlsx(
        tmp_path / "n.xlsx", [["张三", float(number[:17])]], header=["姓名", "身份证号"]
    )
    code, report, _ = run(capsys, str(path), "--school", SCHOOL)
    assert code == 0 and report is not None
    assert report["accepted"] == 0 and report["refused"][0]["row"] == 2
    assert ArchiveFile.objects.count() == 0


def test_text_file_renamed_xlsx_imports_nothing_exit_2(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("姓名,身份证号\n张三,370202200603150011\n", encoding="utf-8")
    code, report, err = run(capsys, str(path), "--school", SCHOOL)
    assert code == 2 and report is None
    assert "Excel" in err and "无法读取" in err
    assert ArchiveFile.objects.count() == 0 and ArchiveBatch.objects.count() == 0


def test_missing_id_column_imports_nothing_exit_2(tmp_path: Path, capsys: Any) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", [["张三", "高三1班"]], header=["姓名", "班级"])
    code, report, err = run(capsys, str(path), "--school", SCHOOL)
    assert code == 2 and report is None
    assert "身份证号" in err and "缺少必填列" in err
    assert ArchiveFile.objects.count() == 0


def test_missing_school_exit_2(tmp_path: Path, capsys: Any) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", [["张三", make_id()]])
    code, report, err = run(capsys, str(path))
    assert code == 2 and report is None and err
    code, _, err = run(capsys, str(path), "--school", "  ")
    assert code == 2 and "学校" in err
    assert ArchiveFile.objects.count() == 0


def test_missing_file_exit_2(tmp_path: Path, capsys: Any) -> None:
    code, _, err = run(capsys, str(tmp_path / "none.xlsx"), "--school", SCHOOL)
    assert code == 2 and "找不到文件" in err


@pytest.mark.django_db(transaction=True)
def test_console_script_end_to_end(tmp_path: Path) -> None:
    # given: a fresh database migrated in a temporary directory
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "talentport.settings",
    }
    python = sys.executable
    subprocess.run(
        [python, str(REPO / "manage.py"), "migrate", "--noinput", "-v0"],
        env=env,
        check=True,
        cwd=tmp_path,
        timeout=300,
    )
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [["张三", make_id(serial=1)], ["", make_id(serial=2)]],
        header=["姓名", "身份证号"],
    )
    cli = [python, "-c", "import sys; from talentport.cli import main; sys.exit(main())"]

    # when
    done = subprocess.run(
        [*cli, "archives", "import", str(path), "--school", SCHOOL],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )

    # then
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "accepted": 1,
        "refused": [{"row": 3, "errors": [{"field": "姓名", "message": "姓名不能为空"}]}],
    }
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a spreadsheet", encoding="utf-8")
    done = subprocess.run(
        [*cli, "archives", "import", str(fake), "--school", SCHOOL],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == "" and "无法读取" in done.stderr
    done = subprocess.run(
        [*cli, "archives", "import", str(path)],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
