"""Reads of the cases app."""

from __future__ import annotations

import datetime as dt

from talentport.cases.clock import YearCalendar, load_calendar_files
from talentport.cases.models import CalendarDay, CalendarDayKind


def _year_calendar(year: int, days: list[CalendarDay]) -> YearCalendar:
    return YearCalendar(
        year=year,
        holidays=frozenset(d.date for d in days if d.kind == CalendarDayKind.HOLIDAY),
        makeup_workdays=frozenset(d.date for d in days if d.kind == CalendarDayKind.MAKEUP_WORKDAY),
        names={d.date: d.name for d in days},
        source="管理员维护",
    )


def calendar_overrides(year: int) -> YearCalendar | None:
    """The administrator-maintained calendar of ``year``; None when no day is entered."""
    days = list(
        CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    )
    if not days:
        return None
    return _year_calendar(year, days)


def calendar_overrides_all(*, include_files: bool = True) -> dict[int, YearCalendar]:
    """Every administrator calendar, to pass as ``extra_calendar`` to the clock.

    With ``include_files`` the YAML calendars (``talentport/cases/calendars/``,
    ``data/calendar/``) are read first; a year entered in the database wins over a
    file for the same year.
    """
    calendars = load_calendar_files() if include_files else {}
    by_year: dict[int, list[CalendarDay]] = {}
    for day in CalendarDay.objects.order_by("date"):
        by_year.setdefault(day.date.year, []).append(day)
    for year, days in by_year.items():
        calendars[year] = _year_calendar(year, days)
    return calendars
