"""The legal working-day clock (contract §7).

Pure Python: no Django import, so the ``talentport due-date`` command and the bulk
deadline computations run without a database.

Which calendar a year follows, in this order:

1. China's official calendar with its make-up working days (调休), as published by
   the State Council and shipped in the ``chinese_calendar`` package, for every year
   the package knows (found by asking the package, see :func:`package_knows_year`).
2. Otherwise an administrator-maintained :class:`YearCalendar` for that year, when the
   caller passes one in ``extra_calendar`` (from the ``CalendarDay`` table through
   ``talentport.cases.selectors``, or from YAML files, see :func:`load_calendar_files`).
3. Otherwise Monday to Friday, and every answer that crosses such a year is marked
   ``provisional`` (the calendar of that year is not published yet).

Counting: the N-th working day *after* START; the start day itself never counts,
whether or not it is a working day.  ``N == 0`` returns START itself (not provisional:
no day was counted).  A negative N is refused with :class:`ValueError`.

Every year is turned once into the sorted ordinals of its working days, and the
years in use are joined into one sorted array, so a due date is one ``bisect`` and
one index: :func:`add_working_days_many` computes 100,000 of them in a fraction of a
second (``bench/due_dates.py``).
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import chinese_calendar

__all__ = [
    "DueDate",
    "YearCalendar",
    "add_working_days",
    "add_working_days_many",
    "default_calendar_dirs",
    "is_provisional_year",
    "is_working_day",
    "load_calendar_files",
    "package_knows_year",
    "package_year_range",
    "working_days_between",
    "year_calendar_from_dict",
    "year_calendar_to_dict",
]

PACKAGE_DIR = Path(__file__).resolve().parent
#: Calendars shipped inside the package, and the repository's data folder.
PACKAGE_CALENDAR_DIR = PACKAGE_DIR / "calendars"
REPO_CALENDAR_DIR = PACKAGE_DIR.parent.parent / "data" / "calendar"

_MAX_YEAR = dt.MAXYEAR
# The shared span of years kept in memory per calendar choice stays below this.
_MAX_KEPT_YEARS = 200


@dataclass(frozen=True, slots=True)
class DueDate:
    due: dt.date
    provisional: bool

    def as_json(self) -> dict[str, Any]:
        return {"due": self.due.isoformat(), "provisional": self.provisional}


@dataclass(frozen=True)
class YearCalendar:
    """An administrator-maintained calendar of one year.

    ``holidays`` are days off (also a weekday: 法定节假日 and the days moved into the
    holiday); ``makeup_workdays`` are Saturdays or Sundays worked instead (调休上班).
    Every other day follows Monday–Friday.
    """

    year: int
    holidays: frozenset[dt.date] = frozenset()
    makeup_workdays: frozenset[dt.date] = frozenset()
    names: Mapping[dt.date, str] = field(default_factory=dict, compare=False, hash=False)
    source: str = field(default="", compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays))
        for day in self.holidays | self.makeup_workdays:
            if day.year != self.year:
                raise ValueError(f"{day.isoformat()} 不属于 {self.year} 年的日历")
        both = self.holidays & self.makeup_workdays
        if both:
            first = min(both).isoformat()
            raise ValueError(f"{first} 不能既是节假日又是调休上班日")
        for day in self.makeup_workdays:
            if day.weekday() < 5:
                raise ValueError(f"调休上班日 {day.isoformat()} 应为周六或周日")

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


# --------------------------------------------------------------------------- #
# Which years the official calendar covers
# --------------------------------------------------------------------------- #


@cache
def package_knows_year(year: int) -> bool:
    """Whether ``chinese_calendar`` has the official arrangement of ``year``.

    Asked of the package itself: it raises ``NotImplementedError`` for a year it has
    no data for.
    """
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return False
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=1)
def package_year_range() -> tuple[int, int]:
    """First and last year ``chinese_calendar`` knows (both inclusive)."""
    probe = dt.datetime.now(tz=dt.UTC).year  # only where the search starts
    if not package_knows_year(probe):
        # Search back and forth from the current year for any known year.
        for delta in range(1, 200):
            if package_knows_year(probe - delta):
                probe -= delta
                break
            if package_knows_year(probe + delta):
                probe += delta
                break
        else:  # pragma: no cover - a package without any data
            raise RuntimeError("chinese_calendar 没有任何年份的数据")
    first = probe
    while package_knows_year(first - 1):
        first -= 1
    last = probe
    while package_knows_year(last + 1):
        last += 1
    return first, last


# --------------------------------------------------------------------------- #
# One year as sorted working-day ordinals
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class _YearTable:
    year: int
    ordinals: tuple[int, ...]
    working: frozenset[int]
    provisional: bool
    source: str


def _year_bounds(year: int) -> tuple[int, int]:
    return dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()


@lru_cache(maxsize=512)
def _package_table(year: int) -> _YearTable:
    first, last = _year_bounds(year)
    ordinals = tuple(
        o for o in range(first, last + 1) if chinese_calendar.is_workday(dt.date.fromordinal(o))
    )
    return _YearTable(year, ordinals, frozenset(ordinals), False, "chinese_calendar")


@lru_cache(maxsize=512)
def _calendar_table(calendar: YearCalendar) -> _YearTable:
    first, last = _year_bounds(calendar.year)
    ordinals = tuple(
        o for o in range(first, last + 1) if calendar.is_working_day(dt.date.fromordinal(o))
    )
    return _YearTable(
        calendar.year, ordinals, frozenset(ordinals), False, calendar.source or "administrator"
    )


@lru_cache(maxsize=4096)
def _weekday_table(year: int) -> _YearTable:
    first, last = _year_bounds(year)
    ordinals = tuple(o for o in range(first, last + 1) if (o - 1) % 7 < 5)  # 1 = Monday
    return _YearTable(year, ordinals, frozenset(ordinals), True, "monday-friday")


def _year_table(year: int, extra_calendar: Mapping[int, YearCalendar] | None) -> _YearTable:
    if package_knows_year(year):
        return _package_table(year)
    if extra_calendar is not None:
        calendar = extra_calendar.get(year)
        if calendar is not None:
            if calendar.year != year:
                raise ValueError(f"{year} 年的日历数据标注的年份是 {calendar.year}")
            return _calendar_table(calendar)
    return _weekday_table(year)


# --------------------------------------------------------------------------- #
# Several consecutive years joined: one bisect per question
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class _Span:
    first_year: int
    last_year: int
    ordinals: tuple[int, ...]  # every working day of first_year..last_year, sorted
    provisional_years: tuple[int, ...]  # sorted


class _Timeline:
    """Working days over a growing span of years for one choice of calendars.

    The span only grows and is swapped in whole (never mutated), so readers need no
    lock; growing it takes one.
    """

    def __init__(self, extra_calendar: Mapping[int, YearCalendar] | None) -> None:
        self._extra = extra_calendar
        self._lock = threading.Lock()
        self._span: _Span | None = None

    def table(self, year: int) -> _YearTable:
        return _year_table(year, self._extra)

    def span(self, first_year: int, last_year: int) -> _Span:
        span = self._span
        if span is not None and span.first_year <= first_year and last_year <= span.last_year:
            return span
        if first_year < dt.MINYEAR or last_year > _MAX_YEAR:
            raise ValueError("超出可计算的日期范围（公元1年至9999年）")
        with self._lock:
            span = self._span
            lo, hi = first_year, last_year
            if span is not None:
                lo, hi = min(lo, span.first_year), max(hi, span.last_year)
            if hi - lo >= _MAX_KEPT_YEARS:
                # An outlying question (year 3000...) gets a span of its own, not kept,
                # so that it cannot bloat the one every other question shares.
                return self._build(first_year, last_year)
            span = self._build(lo, hi)
            self._span = span
            return span

    def _build(self, lo: int, hi: int) -> _Span:
        ordinals: list[int] = []
        provisional: list[int] = []
        for year in range(lo, hi + 1):
            table = self.table(year)
            ordinals.extend(table.ordinals)
            if table.provisional:
                provisional.append(year)
        return _Span(lo, hi, tuple(ordinals), tuple(provisional))

    def add(self, start: dt.date, n: int) -> DueDate:
        _check_n(n)
        if n == 0:
            return DueDate(start, False)
        start_ord = start.toordinal()
        _check_reachable(start, n)
        last_year = start.year + 1 + n // 240
        while True:
            span = self.span(start.year, min(last_year, _MAX_YEAR))
            index = bisect_right(span.ordinals, start_ord) + n - 1
            if index < len(span.ordinals):
                due = dt.date.fromordinal(span.ordinals[index])
                return DueDate(due, _crosses(span, start, due))
            if last_year >= _MAX_YEAR:
                raise ValueError("超出可计算的日期范围（公元9999年以后）")
            last_year = min(_MAX_YEAR, last_year + 1 + (index - len(span.ordinals)) // 240)

    def between(self, a: dt.date, b: dt.date) -> int:
        if b < a:
            return -self.between(b, a)
        span = self.span(a.year, b.year)
        return bisect_right(span.ordinals, b.toordinal()) - bisect_right(
            span.ordinals, a.toordinal()
        )

    def many(self, pairs: Iterable[tuple[dt.date, int]]) -> list[DueDate]:
        items = pairs if isinstance(pairs, Sequence) else list(pairs)
        if not items:
            return []
        lo = min(start.year for start, _ in items)
        hi = max(
            (start.year + 1 + n // 240 for start, n in items if type(n) is int and n > 0),
            default=lo,
        )
        span = self.span(lo, min(max(hi, lo), _MAX_YEAR))
        ordinals = span.ordinals
        size = len(ordinals)
        fromordinal = dt.date.fromordinal
        out: list[DueDate] = []
        append = out.append
        for start, n in items:
            if type(n) is not int or n <= 0 or start.year < span.first_year:
                append(self.add(start, n))  # validation, N == 0, unusual starts
                continue
            index = bisect_right(ordinals, start.toordinal()) + n - 1
            if index >= size:
                append(self.add(start, n))  # grows the shared span (or answers apart)
                grown = self._span
                if (
                    grown is not None
                    and grown.first_year <= span.first_year <= span.last_year <= grown.last_year
                ):
                    span, ordinals, size = grown, grown.ordinals, len(grown.ordinals)
                continue
            due = fromordinal(ordinals[index])
            append(DueDate(due, _crosses(span, start, due)))
        return out


def _crosses(span: _Span, start: dt.date, due: dt.date) -> bool:
    """Whether a provisional year lies between the day after START and DUE."""
    years = span.provisional_years
    if not years:
        return False
    first_counted_year = start.year if start.month != 12 or start.day != 31 else start.year + 1
    i = bisect_left(years, first_counted_year)
    return i < len(years) and years[i] <= due.year


def _check_n(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"工作日天数必须是整数，收到 {n!r}")
    if n < 0:
        raise ValueError(f"工作日天数不能为负数（收到 {n}）")


def _check_reachable(start: dt.date, n: int) -> None:
    years_left = _MAX_YEAR - start.year + 1
    if n > years_left * 366:
        raise ValueError("超出可计算的日期范围（公元9999年以后）")


_DEFAULT_TIMELINE = _Timeline(None)


@lru_cache(maxsize=32)
def _timeline_for(key: tuple[tuple[int, YearCalendar], ...]) -> _Timeline:
    return _Timeline(dict(key))


def _timeline(extra_calendar: Mapping[int, YearCalendar] | None) -> _Timeline:
    if not extra_calendar:
        return _DEFAULT_TIMELINE
    # Only the years the package does not know make a difference; keying on them
    # lets callers pass a fresh dict each time and still share the tables.
    key = tuple(sorted((y, c) for y, c in extra_calendar.items() if not package_knows_year(y)))
    if not key:
        return _DEFAULT_TIMELINE
    return _timeline_for(key)


# --------------------------------------------------------------------------- #
# Public functions
# --------------------------------------------------------------------------- #


def add_working_days(
    start: dt.date, n: int, *, extra_calendar: Mapping[int, YearCalendar] | None = None
) -> DueDate:
    """The N-th legal working day after START (START itself does not count).

    ``n == 0`` returns START (not provisional).  ``n < 0`` raises ``ValueError``.
    ``provisional`` is true when a day between START (exclusive) and the due date
    (inclusive) lies in a year whose calendar is not published, for which
    Monday–Friday was assumed.
    """
    if isinstance(start, dt.datetime):
        raise TypeError("起始日期必须是日期（date），不能是日期时间（datetime）")
    return _timeline(extra_calendar).add(start, n)


def add_working_days_many(
    pairs: Iterable[tuple[dt.date, int]],
    *,
    extra_calendar: Mapping[int, YearCalendar] | None = None,
) -> list[DueDate]:
    """:func:`add_working_days` for many (start, n) pairs at once, in order."""
    return _timeline(extra_calendar).many(pairs)


def is_working_day(
    day: dt.date, *, extra_calendar: Mapping[int, YearCalendar] | None = None
) -> bool:
    """Whether ``day`` is a legal working day (a make-up Saturday or Sunday is one)."""
    return day.toordinal() in _year_table(day.year, extra_calendar).working


def is_provisional_year(
    year: int, *, extra_calendar: Mapping[int, YearCalendar] | None = None
) -> bool:
    """Whether ``year`` is counted Monday–Friday because no calendar is known for it."""
    return _year_table(year, extra_calendar).provisional


def working_days_between(
    a: dt.date, b: dt.date, *, extra_calendar: Mapping[int, YearCalendar] | None = None
) -> int:
    """Number of working days ``d`` with ``a < d <= b`` (negative when ``b < a``).

    The inverse of :func:`add_working_days`:
    ``working_days_between(s, add_working_days(s, n).due) == n``.  For "80 % of the
    time used" reminders: ``working_days_between(start, today) / n``.
    """
    return _timeline(extra_calendar).between(a, b)


# --------------------------------------------------------------------------- #
# Administrator calendars as YAML files
# --------------------------------------------------------------------------- #


def _entries(raw: Any, key: str, year: int) -> dict[dt.date, str]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise ValueError(f"{year} 年日历的 {key} 必须是列表")
    out: dict[dt.date, str] = {}
    for item in raw:
        name = ""
        value: Any = item
        if isinstance(item, dict):
            value = item.get("date")
            name = str(item.get("name") or "")
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{year} 年日历的 {key} 中日期无效：{value!r}") from None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise ValueError(f"{year} 年日历的 {key} 中日期无效：{value!r}")
        if value in out:
            raise ValueError(f"{year} 年日历的 {key} 中日期重复：{value.isoformat()}")
        out[value] = name
    return out


def year_calendar_from_dict(data: Mapping[str, Any], *, source: str = "") -> YearCalendar:
    """Build a :class:`YearCalendar` from the YAML/JSON shape::

        year: 2027
        source: 国务院办公厅关于2027年部分节假日安排的通知
        holidays:
          - {date: 2027-01-01, name: 元旦}
        makeup_workdays:
          - {date: 2027-02-06, name: 春节}

    Plain dates (``- 2027-01-01``) are accepted in both lists too.
    """
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValueError(f"日历缺少整数年份 year（收到 {year!r}）")
    unknown = set(data) - {"year", "source", "holidays", "makeup_workdays"}
    if unknown:
        raise ValueError(f"{year} 年日历含有未知字段：{', '.join(sorted(unknown))}")
    holidays = _entries(data.get("holidays"), "holidays", year)
    makeup = _entries(data.get("makeup_workdays"), "makeup_workdays", year)
    return YearCalendar(
        year=year,
        holidays=frozenset(holidays),
        makeup_workdays=frozenset(makeup),
        names={**holidays, **makeup},
        source=str(data.get("source") or source),
    )


def year_calendar_to_dict(calendar: YearCalendar) -> dict[str, Any]:
    """The inverse of :func:`year_calendar_from_dict` (dates as ISO strings)."""

    def entries(days: frozenset[dt.date]) -> list[dict[str, str]]:
        return [{"date": d.isoformat(), "name": calendar.names.get(d, "")} for d in sorted(days)]

    return {
        "year": calendar.year,
        "source": calendar.source,
        "holidays": entries(calendar.holidays),
        "makeup_workdays": entries(calendar.makeup_workdays),
    }


def default_calendar_dirs() -> list[Path]:
    """Where administrator calendars are looked for: the package, then the repository.

    A later directory wins for the same year.
    """
    return [PACKAGE_CALENDAR_DIR, REPO_CALENDAR_DIR]


def load_calendar_files(paths: Iterable[Path] | None = None) -> dict[int, YearCalendar]:
    """Read ``*.yaml`` calendars from files or directories (missing ones are skipped).

    A file holds one year, or several as YAML documents separated by ``---`` (what
    the admin's export action writes).

    A malformed file raises ``ValueError`` naming it: a deadline must never be
    computed on a calendar that was silently half-read.
    """
    import yaml  # PyYAML; imported here so that the clock itself needs nothing more

    calendars: dict[int, YearCalendar] = {}
    for path in default_calendar_dirs() if paths is None else paths:
        path = Path(path)
        if path.is_dir():
            files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        elif path.is_file():
            files = [path]
        else:
            continue
        for file in files:
            try:
                loaded = list(yaml.safe_load_all(file.read_text(encoding="utf-8")))
            except (OSError, ValueError, yaml.YAMLError) as exc:  # ValueError: bad dates
                raise ValueError(f"无法读取日历文件 {file}：{exc}") from exc
            documents: list[Any] = []
            for data in loaded:
                if data is not None:
                    documents.extend(data if isinstance(data, list) else [data])
            for document in documents:
                if not isinstance(document, dict):
                    raise ValueError(f"日历文件 {file} 格式不对：应为映射（year/holidays/...）")
                try:
                    calendar = year_calendar_from_dict(document, source=file.name)
                except ValueError as exc:
                    raise ValueError(f"日历文件 {file}：{exc}") from exc
                calendars[calendar.year] = calendar
    return calendars
