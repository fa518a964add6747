"""Spreadsheet cells that would be formulas are written as text (CSV/Excel injection)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from talentport.common.exports import cell_value, xlsx_append

EVIL = [
    '=HYPERLINK("http://evil","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
]


@pytest.mark.parametrize("value", EVIL)
def test_text_that_a_spreadsheet_would_evaluate_gets_a_quote(value: str) -> None:
    assert cell_value(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["王博士", "a=b", "", None, 5, -5, -2.5, Decimal("-10.50"), True, dt.date(2026, 1, 1)]
)
def test_everything_else_is_left_as_it_is(value: object) -> None:
    assert cell_value(value) == value


@pytest.mark.parametrize("write_only", [True, False])
def test_workbook_cells_are_text_and_numbers_stay_numbers(write_only: bool) -> None:
    # given
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("s") if write_only else workbook.active
    assert sheet is not None
    # when
    xlsx_append(sheet, [*EVIL, -5, 3.5, "普通文本"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # then: read back, no cell is a formula and the numbers are numbers
    row = list(load_workbook(io.BytesIO(buffer.getvalue())).worksheets[-1].iter_rows())[0]
    for cell, value in zip(row, EVIL, strict=False):
        # (XML reads a carriage return back as a line feed)
        assert cell.data_type == "s" and cell.value == "'" + value.replace("\r", "\n")
    assert row[len(EVIL)].value == -5 and row[len(EVIL)].data_type == "n"
    assert row[len(EVIL) + 1].value == 3.5
    assert row[len(EVIL) + 2].value == "普通文本"
