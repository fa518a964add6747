"""Spreadsheet exports that a spreadsheet cannot turn against the reader.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
a formula to Excel, WPS and LibreOffice (``=HYPERLINK("http://evil","x")`` in a name
becomes a live link). Every export writes its cells through :func:`xlsx_row` (openpyxl)
or, for a CSV writer, :func:`cell_value`: such text gets a leading ``'`` and, in a workbook, the
string data type, so it is shown as typed and never evaluated (OWASP, CSV injection).
Numbers, dates and booleans stay what they are: ``-5`` is a number, not text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value: Any) -> Any:
    """``value`` safe for a spreadsheet: text that would be a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """The cells of one row for ``sheet.append``: neutralised, text typed as text."""
    cells: list[Any] = []
    for value in values:
        safe = cell_value(value)
        if isinstance(safe, str):
            cell: Cell | WriteOnlyCell = (
                WriteOnlyCell(sheet, value=safe)
                if isinstance(sheet, WriteOnlyWorksheet)
                else Cell(sheet, value=safe)
            )
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(safe)
    return cells


def xlsx_append(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """Append one row to ``sheet`` through :func:`xlsx_row`."""
    sheet.append(xlsx_row(sheet, values))
