"""``talentport due-date START N`` (contract §7).

Prints one line of JSON, ``{"due": "YYYY-MM-DD", "provisional": false}``, and nothing
else on stdout.  Needs no database: the official calendar comes from the
``chinese_calendar`` package, and for the years it does not know yet from the
administrator calendars exported as YAML (``talentport/cases/calendars/*.yaml``
inside the package, ``data/calendar/*.yaml`` in the repository, and any
``--calendar PATH`` given).  Bad input: exit status 2, a Chinese message naming the
argument on stderr, nothing on stdout.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

from talentport.cases.clock import add_working_days, default_calendar_dirs, load_calendar_files

USAGE = """用法 / usage: talentport due-date START N [--calendar PATH]...

  START            起始日期 YYYY-MM-DD（当天不计入）
  N                法定工作日天数（非负整数；0 表示 START 当天）
  --calendar PATH  另加管理员维护的日历文件或目录（YAML，可重复）

输出一行 JSON：{"due": "YYYY-MM-DD", "provisional": false}
provisional 为 true 表示途经年份的放假安排尚未公布，按周一至周五计算。
"""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INT = re.compile(r"[+-]?[0-9]+")


class _UsageError(Exception):
    pass


def _parse(argv: list[str]) -> tuple[dt.date, int, list[Path]]:
    positional: list[str] = []
    calendars: list[Path] = []
    args = iter(argv)
    for arg in args:
        if arg == "--calendar":
            value = next(args, None)
            if value is None:
                raise _UsageError("--calendar: 缺少日历文件或目录路径")
            calendars.append(Path(value))
        elif arg.startswith("--calendar="):
            calendars.append(Path(arg.split("=", 1)[1]))
        elif arg.startswith("-") and not _INT.fullmatch(arg):
            raise _UsageError(f"未知选项：{arg}")
        else:
            positional.append(arg)
    if not positional:
        raise _UsageError("缺少参数 START（起始日期，格式 YYYY-MM-DD）和 N（工作日天数）")
    if len(positional) == 1:
        raise _UsageError("缺少参数 N（工作日天数，非负整数）")
    if len(positional) > 2:
        raise _UsageError(f"多余的参数：{' '.join(positional[2:])}")
    raw_start, raw_n = positional
    start: dt.date | None = None
    if _DATE.fullmatch(raw_start):
        try:
            start = dt.date.fromisoformat(raw_start)
        except ValueError:
            start = None
    if start is None:
        raise _UsageError(f"START: 日期无效（应为 YYYY-MM-DD 格式的真实日期）：{raw_start!r}")
    if not _INT.fullmatch(raw_n):
        raise _UsageError(f"N: 必须是非负整数：{raw_n!r}")
    n = int(raw_n)
    if n < 0:
        raise _UsageError(f"N: 工作日天数不能为负数：{raw_n}")
    return start, n, calendars


def due_date_main(argv: list[str]) -> int:
    if any(arg in {"-h", "--help"} for arg in argv):
        print(USAGE)
        return 0
    try:
        start, n, calendar_paths = _parse(list(argv))
    except _UsageError as exc:
        print(f"talentport due-date: {exc}", file=sys.stderr)
        print(USAGE, file=sys.stderr)
        return 2
    try:
        extra = load_calendar_files([*default_calendar_dirs(), *calendar_paths])
    except ValueError as exc:
        print(f"talentport due-date: {exc}", file=sys.stderr)
        return 2 if calendar_paths else 1
    try:
        result = add_working_days(start, n, extra_calendar=extra)
    except ValueError as exc:
        print(f"talentport due-date: N: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result.as_json(), ensure_ascii=False))
    return 0
