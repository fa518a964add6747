"""The talent database's spreadsheet template, and reading it back (contract §9).

The columns are generated from profile.schema.json: ``编号 id``, one per profile leaf
(``最高学历 education.degree``...), then ``联系人姓名 contact.name``, ``联系电话
contact.phone``, ``电子邮箱 contact.email`` and ``同意联系 consent (是/否)``. A header is
read by its field path (the word of it that is one), so the Chinese label may be changed
freely. Cells become typed values: dates (a date cell or YYYY-MM-DD), numbers,
booleans (是/否/true/false/1/0), lists (separated by commas or 、). A cell that cannot be
read refuses its row, naming the row number and field.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from talentport.archives.errors import ImportFileError as ArchiveFileError
from talentport.archives.importer import _open_rows
from talentport.common.exports import xlsx_append
from talentport.people.talent_import import CellErrors, ImportFileError
from talentport.policies.engine.schema import fields as profile_fields

LABELS: dict[str, str] = {
    "id": "编号",
    "person.birth_date": "出生日期",
    "person.hukou_district": "户籍所在区",
    "education.degree": "最高学历",
    "education.overseas": "国（境）外取得",
    "education.full_time": "全日制",
    "education.graduation_date": "毕业日期",
    "education.cscse_certified": "已获留服认证",
    "education.world_top200": "世界前200名院校",
    "employment.kind": "就业类型",
    "employment.city": "就业城市",
    "employment.district": "就业所在区",
    "employment.employer_type": "单位性质",
    "employment.start_date": "就业创业日期",
    "employment.first_in_city": "首次来青就业创业",
    "employment.contract_years": "劳动合同年限",
    "employment.social_insurance_months": "社保缴纳月数",
    "housing.bought_home.date": "购房日期",
    "housing.bought_home.city": "购房城市",
    "housing.bought_home.district": "购房所在区",
    "housing.bought_home.only_home_in_city": "本市唯一住房",
    "housing.owns_commercial_home_in": "已有商品房的区",
    "venture.entity_type": "创业主体类型",
    "venture.founded_date": "创办日期",
    "venture.city": "创业城市",
    "venture.district": "创业所在区",
    "venture.equity_share": "持股比例",
    "venture.local_contribution_last_year": "上年地方贡献（元）",
    "venture.selected_for_startup_support_plan": "入选创业扶持计划",
    "internship.at_qingdao_base": "在青岛见习基地",
    "internship.days_this_month": "本月见习天数",
    "postdoc.status": "博士后状态",
    "postdoc.city": "博士后所在城市",
    "postdoc.district": "博士后所在区",
    "postdoc.start_date": "进站日期",
    "liaocheng.recognized_talent": "聊城认定人才",
    "liaocheng.talent_tier": "聊城人才层次",
    "liaocheng.professional_title": "职称",
    "liaocheng.chief_technician": "首席技师",
    "liaocheng.uses_talent_apartment": "入住人才公寓",
    "contact.name": "联系人姓名",
    "contact.phone": "联系电话",
    "contact.email": "电子邮箱",
    "consent": "同意联系",
}

_TRUE = {"是", "true", "yes", "y", "1", "对", "√"}
_FALSE = {"否", "false", "no", "n", "0", "不是"}
_NULL = {"null", "无", "none"}


def columns() -> list[tuple[str, str]]:
    """(field path, type) of every template column, in order."""
    cols = [("id", "id")]
    cols += [(path, spec.type) for path, spec in profile_fields().items()]
    cols += [("contact.name", "str"), ("contact.phone", "str"), ("contact.email", "str")]
    cols.append(("consent", "bool"))
    return cols


def header(path: str, kind: str) -> str:
    text = f"{LABELS.get(path, path)} {path}"
    if kind == "bool":
        text += " (是/否)"
    elif kind == "date":
        text += " (YYYY-MM-DD)"
    elif kind == "list":
        text += " (逗号分隔)"
    return text


def _header_path(value: object, known: dict[str, str]) -> str:
    """The field path a header names: the first of its words that is one (``最高学历
    education.degree``, ``education.degree``, ``同意联系 consent (是/否)``)."""
    text = str(value or "").replace("（", " ").replace("(", " ").replace("）", " ")
    for word in text.replace(")", " ").split():
        if word in known:
            return word
    return ""


def _nullable(path: str) -> bool:
    spec = profile_fields().get(path)
    return spec is not None and spec.nullable


def _cell(value: object, path: str, kind: str) -> tuple[bool, Any, str]:
    """(present, typed value, error message)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return False, None, ""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.lower() in _NULL and _nullable(path):
        return True, None, ""
    if kind == "id":
        if isinstance(text, float) and text.is_integer():
            return True, int(text), ""
        return True, text if isinstance(text, int | str) else str(text), ""
    if kind == "bool":
        if isinstance(text, bool):
            return True, text, ""
        word = str(text).strip().lower()
        if isinstance(text, int | float) and not isinstance(text, bool):
            word = str(int(text)) if float(text).is_integer() else word
        if word in _TRUE:
            return True, True, ""
        if word in _FALSE:
            return True, False, ""
        return False, None, "应为 是 或 否"
    if kind == "date":
        if isinstance(text, dt.datetime):
            return True, text.date().isoformat(), ""
        if isinstance(text, dt.date):
            return True, text.isoformat(), ""
        return True, str(text), ""  # the contract validation says whether it is a date
    if kind in ("num", "int"):
        if isinstance(text, bool):
            return False, None, "应为数字"
        if isinstance(text, int | float):
            number: Any = text
        else:
            try:
                number = float(str(text).replace(",", ""))
            except ValueError:
                return False, None, "应为数字"
        if kind == "int":
            if float(number).is_integer():
                return True, int(number), ""
            return False, None, "应为整数"
        if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
            number = int(number)
        return True, number, ""
    if kind == "list":
        parts = str(text).replace("，", ",").replace("、", ",").split(",")
        return True, [p.strip() for p in parts if p.strip()], ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return True, str(text), ""


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    cur = target
    for part in parts[:-1]:
        nxt = cur.get(part)
        if not isinstance(nxt, dict):
            nxt = cur[part] = {}
        cur = nxt
    cur[parts[-1]] = value


#: Data rows one workbook may hold: a workbook is read whole before anything is
#: written, and a city's whole database comes as JSONL (read line by line).
MAX_ROWS = 100_000


def workbook_records(raw: bytes) -> list[tuple[int, bytes | None, Any]]:
    """``(row number, None, record or CellErrors)`` for each non-blank data row."""
    try:
        rows = _open_rows(io.BytesIO(raw))
        head = next(rows, None)
        kinds = dict(columns())
        wanted: list[tuple[int, str, str]] = []
        for index, cell in enumerate(head or ()):
            path = _header_path(cell, kinds)
            if path in kinds and all(path != p for _, p, _ in wanted):
                wanted.append((index, path, kinds[path]))
        if not any(path == "id" for _, path, _ in wanted):
            raise ImportFileError("缺少“编号 id”列（第1行须为模板的表头），未导入任何记录")
        out: list[tuple[int, bytes | None, Any]] = []
        for number, row in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            if len(out) == MAX_ROWS:
                raise ImportFileError(
                    f"表格超过 {MAX_ROWS} 行数据：请分成几个文件，或改用 JSONL 导入，未导入任何记录"
                )
            record: dict[str, Any] = {}
            errors = CellErrors()
            for index, path, kind in wanted:
                value = row[index] if index < len(row) else None
                present, typed, message = _cell(value, path, kind)
                if message:
                    errors.append({"field": path, "message": f"第 {number} 行 {path}：{message}"})
                elif present:
                    _put(record, path, typed)
            out.append((number, None, errors if errors else record))
        return out
    except ArchiveFileError as exc:
        raise ImportFileError(exc.message) from exc


def template_workbook() -> bytes:
    """The downloadable template (generated from the schema, never stored)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "人才信息库"
    cols = columns()
    xlsx_append(sheet, [header(path, kind) for path, kind in cols])
    bold = Font(bold=True)
    for index, (path, _kind) in enumerate(cols, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        sheet.column_dimensions[cell.column_letter].width = max(14, len(path) + 6)
        if path in ("id", "contact.phone"):
            for row in range(2, 502):  # text, so Excel keeps the digits as typed
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
