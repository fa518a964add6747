"""Reading a school's hand-over list (xlsx) and checking each row (contract §8).

No database here: :func:`parse_workbook` gives the rows that pass every check made
on the file itself, and the refusals with their reasons; the service adds the check
against the files already on record, and stores.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from talentport.archives.errors import ArchiveErrorCode, ImportFileError
from talentport.common.exports import xlsx_append
from talentport.common.files import UnsafeFileError, zip_limits_check
from talentport.common.idcard import (
    IdentityFormatError,
    id_card_birth_date,
    validate_cn_mobile,
    validate_id_card,
)

NAME = "姓名"
ID_CARD = "身份证号"
CLASS = "班级"
GUARDIAN_NAME = "监护人姓名"
GUARDIAN_PHONE = "监护人电话"
REMARK = "备注"

REQUIRED_COLUMNS = (NAME, ID_CARD)
OPTIONAL_COLUMNS = (CLASS, GUARDIAN_NAME, GUARDIAN_PHONE)
#: The downloadable template: the contract's columns plus an optional remark.
TEMPLATE_COLUMNS = (NAME, ID_CARD, CLASS, GUARDIAN_NAME, GUARDIAN_PHONE, REMARK)
MAX_LENGTHS = {NAME: 80, CLASS: 60, GUARDIAN_NAME: 80}

Source = str | Path | IO[bytes]


@dataclass(frozen=True)
class ValidRow:
    row: int
    name: str
    id_card: str
    birth_date: dt.date
    class_name: str = ""
    guardian_name: str = ""
    guardian_phone: str = ""


@dataclass
class ParsedList:
    valid: list[ValidRow] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _header_key(value: object) -> str:
    """Header text without decoration: ``*姓名``, ``姓名（必填）`` and ``姓名`` are one column."""
    text = _text(value).replace(" ", "").replace("\u3000", "").lstrip("*＊")
    for opening in ("（", "("):
        if opening in text:
            text = text.split(opening, 1)[0]
    return text


def _open_rows(source: Source) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook

    workbook_source: str | Path | IO[bytes] = (
        source if isinstance(source, str | Path) else io.BytesIO(source.read())
    )
    try:
        # the archive's directory first: nothing is unpacked past the limits
        zip_limits_check(workbook_source)
    except UnsafeFileError as exc:
        raise ImportFileError(exc.message, code=ArchiveErrorCode.UNSAFE_FILE, field="file") from exc
    except Exception:  # noqa: S110 - not a ZIP at all: openpyxl says so below
        pass
    if not isinstance(workbook_source, str | Path):
        workbook_source.seek(0)
    try:
        workbook = load_workbook(filename=workbook_source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises anything from BadZipFile to KeyError
        raise ImportFileError(
            "无法读取文件：不是有效的 Excel 工作簿（.xlsx），请使用平台提供的模板",
            code=ArchiveErrorCode.UNREADABLE_FILE,
            field="file",
        ) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileError(
                "工作簿中没有工作表", code=ArchiveErrorCode.UNREADABLE_FILE, field="file"
            )
        yield from sheet.iter_rows(values_only=True)
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(
            "无法读取文件：工作表内容已损坏", code=ArchiveErrorCode.UNREADABLE_FILE, field="file"
        ) from exc
    finally:
        workbook.close()


def _columns(header: Iterable[object]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _header_key(cell)
        if key and key not in columns:
            columns[key] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            "缺少必填列：" + "、".join(missing) + "（第1行须为表头，含“姓名”和“身份证号”）",
            code=ArchiveErrorCode.MISSING_COLUMNS,
            field="file",
        )
    return columns


def _check_row(
    number: int,
    cells: dict[str, str],
    seen: dict[str, int],
    today: dt.date,
) -> tuple[ValidRow | None, list[dict[str, str]]]:
    errors: list[dict[str, str]] = []
    name = cells.get(NAME, "")
    if not name:
        errors.append({"field": NAME, "message": "姓名不能为空"})
    id_card = ""
    try:
        id_card = validate_id_card(cells.get(ID_CARD, ""), today=today)
    except IdentityFormatError as exc:
        errors.append({"field": ID_CARD, "message": exc.message})
    else:
        first = seen.get(id_card)
        if first is not None:
            errors.append({"field": ID_CARD, "message": f"身份证号与第{first}行重复（一人一档）"})
        else:
            seen[id_card] = number
    phone = cells.get(GUARDIAN_PHONE, "")
    if phone:
        try:
            phone = validate_cn_mobile(phone)
        except IdentityFormatError as exc:
            errors.append(
                {"field": GUARDIAN_PHONE, "message": "监护人电话格式不对：" + exc.message}
            )
    for column, limit in MAX_LENGTHS.items():
        if len(cells.get(column, "")) > limit:
            errors.append({"field": column, "message": f"{column}过长，最多{limit}个字"})
    if errors:
        return None, errors
    return (
        ValidRow(
            row=number,
            name=name,
            id_card=id_card,
            birth_date=id_card_birth_date(id_card),
            class_name=cells.get(CLASS, ""),
            guardian_name=cells.get(GUARDIAN_NAME, ""),
            guardian_phone=phone,
        ),
        [],
    )


def parse_workbook(source: Source, *, today: dt.date) -> ParsedList:
    """Every data row of the first sheet, checked; raises ImportFileError for the file."""
    rows = _open_rows(source)
    header = next(rows, None)
    columns = _columns(header or ())
    wanted = [
        (name, index)
        for name, index in columns.items()
        if name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    ]
    parsed = ParsedList()
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if all(_text(value) == "" for value in row):
            continue  # blank (trailing) rows
        cells = {name: _text(row[index]) if index < len(row) else "" for name, index in wanted}
        valid, errors = _check_row(number, cells, seen, today)
        if valid is not None:
            parsed.valid.append(valid)
        else:
            parsed.refused.append({"row": number, "errors": errors})
    return parsed


def template_workbook() -> bytes:
    """The downloadable hand-over template (generated, never stored)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "档案交接名单"
    xlsx_append(sheet, TEMPLATE_COLUMNS)
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FDE68A")
    notes = {
        NAME: "必填",
        ID_CARD: "必填：18位居民身份证号，请将单元格设为文本格式，以免末位X或数字被改写",
        CLASS: "选填，例如 高三（2）班",
        GUARDIAN_NAME: "选填",
        GUARDIAN_PHONE: "选填：手机号或带区号的固定电话",
        REMARK: "选填，不导入",
    }
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        if column in REQUIRED_COLUMNS:
            cell.fill = required_fill
        cell.comment = Comment(notes[column], "TalentPort")
        sheet.column_dimensions[cell.column_letter].width = 22 if column == ID_CARD else 14
        # text format for the whole column, so Excel keeps ID and phone digits as typed
        for row in range(2, 502):
            sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


#: Cells that a spreadsheet would read as a formula get a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def handover_workbook(*, school: str, rows: Iterable[tuple[str, str, str, str | None]]) -> bytes:
    """The hand-over list staff print for the school: one row per student (class, name,
    masked ID number, claim code); ``None`` for a code already handed out."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "档案认领码"
    xlsx_append(sheet, [f"{school} 人事档案认领清单（认领码仅显示这一次，请妥善交给学生本人）"])
    xlsx_append(sheet, [CLASS, NAME, ID_CARD, "认领码"])
    for index in range(1, 5):
        sheet.cell(row=2, column=index).font = Font(bold=True)
    for class_name, name, id_masked, code in rows:
        xlsx_append(
            sheet,
            [
                class_name,
                name,
                id_masked,
                code if code is not None else "（已发放；遗失请在档案页重新生成）",
            ],
        )
    for letter, width in zip("ABCD", (16, 14, 22, 34), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
