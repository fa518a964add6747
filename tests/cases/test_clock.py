"""The legal working-day clock (contract §7).

The 2026 figures come from the State Council's 2026 arrangement as shipped in
``chinese_calendar`` (国务院办公厅关于2026年部分节假日安排的通知): 中秋节 9月25日（周五）放假、与周末连休;
国庆节 10月1日（周四）至7日（周三）放假调休，共7天，9月20日（周日）、10月10日（周六）上班.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talentport.cases import clock_cli
from talentport.cases.clock import (
    DueDate,
    YearCalendar,
    add_working_days,
    add_working_days_many,
    is_provisional_year,
    is_working_day,
    load_calendar_files,
    package_knows_year,
    package_year_range,
    working_days_between,
    year_calendar_from_dict,
    year_calendar_to_dict,
)

D = dt.date

# A calendar for 2027 as an administrator would enter it once it is published.  The
# days are illustrative, NOT the official 2027 arrangement (unpublished today).
ADMIN_2027 = YearCalendar(
    year=2027,
    holidays=frozenset({D(2027, 1, 1), D(2027, 2, 8), D(2027, 2, 9)}),
    makeup_workdays=frozenset({D(2027, 2, 6)}),
    names={D(2027, 1, 1): "元旦", D(2027, 2, 6): "春节"},
    source="测试用",
)


# --------------------------------------------------------------------------- #
# Which years are published
# --------------------------------------------------------------------------- #


def test_package_range_covers_2026_but_not_2027():
    first, last = package_year_range()
    assert first <= 2026 <= last
    assert package_knows_year(2026)
    assert not package_knows_year(2027)
    assert not is_provisional_year(2026)
    assert is_provisional_year(2027)


# --------------------------------------------------------------------------- #
# 2026 National Day
# --------------------------------------------------------------------------- #


def test_2026_national_day_days_off_and_make_up_days():
    # given the official 2026 arrangement
    # then 1–7 October are days off, 8 October is back to work
    for day in range(1, 8):
        assert not is_working_day(D(2026, 10, day)), day
    assert is_working_day(D(2026, 10, 8))
    assert is_working_day(D(2026, 10, 9))
    # and Sunday 20 September and Saturday 10 October are make-up working days
    assert D(2026, 9, 20).weekday() == 6 and is_working_day(D(2026, 9, 20))
    assert D(2026, 10, 10).weekday() == 5 and is_working_day(D(2026, 10, 10))
    assert not is_working_day(D(2026, 10, 11))  # an ordinary Sunday
    # and Mid-Autumn Friday 25 September is a day off
    assert not is_working_day(D(2026, 9, 25))


def test_five_working_days_from_2026_09_29_cross_national_day():
    # given a 5-working-day time limit started Tuesday 29 September 2026
    # when the clock counts: 30 Sep (1), [1–7 Oct off], 8 Oct (2), 9 Oct (3),
    #      Saturday 10 Oct make-up day (4), [Sunday 11 Oct off], Monday 12 Oct (5)
    result = add_working_days(D(2026, 9, 29), 5)
    # then
    assert result == DueDate(D(2026, 10, 12), provisional=False)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # the whole holiday is skipped
        (D(2026, 9, 30), 2, D(2026, 10, 9)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # due on the make-up Saturday
        (D(2026, 10, 1), 1, D(2026, 10, 8)),  # starting inside the holiday
        (D(2026, 10, 5), 3, D(2026, 10, 10)),
        (D(2026, 10, 10), 1, D(2026, 10, 12)),  # starting on the make-up Saturday
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # the make-up Sunday counts
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # Mid-Autumn Friday skipped
        (D(2026, 9, 18), 10, D(2026, 10, 9)),
    ],
)
def test_due_dates_around_2026_national_day(start, n, due):
    assert add_working_days(start, n) == DueDate(due, provisional=False)


def test_working_days_between_is_the_inverse():
    assert working_days_between(D(2026, 9, 29), D(2026, 10, 12)) == 5
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 7)) == 0
    assert working_days_between(D(2026, 10, 12), D(2026, 9, 29)) == -5
    assert working_days_between(D(2026, 10, 12), D(2026, 10, 12)) == 0


def test_eighty_percent_reminder_reading():
    # given a 20-working-day limit started 2026-09-15
    start, n = D(2026, 9, 15), 20
    due = add_working_days(start, n).due
    # when 16 working days are used, the day is the 16th working day
    day16 = add_working_days(start, 16).due
    # then
    assert working_days_between(start, day16) / n == 0.8
    assert day16 < due


# --------------------------------------------------------------------------- #
# 2027 is not published: Monday–Friday, provisional
# --------------------------------------------------------------------------- #


def test_2027_without_calendar_is_provisional_and_does_not_crash():
    # 28 Dec 2026 (Mon) + 5: 29, 30, 31 Dec, then Fri 1 Jan 2027 and Mon 4 Jan assumed
    assert add_working_days(D(2026, 12, 28), 5) == DueDate(D(2027, 1, 4), provisional=True)
    assert add_working_days(D(2027, 3, 1), 1) == DueDate(D(2027, 3, 2), provisional=True)
    assert is_working_day(D(2027, 1, 1))
    assert working_days_between(D(2027, 1, 1), D(2027, 1, 8)) == 5


def test_answer_inside_2026_is_not_provisional_even_near_the_year_end():
    assert add_working_days(D(2026, 12, 30), 1) == DueDate(D(2026, 12, 31), provisional=False)
    assert add_working_days(D(2026, 12, 31), 1) == DueDate(D(2027, 1, 1), provisional=True)


def test_admin_calendar_makes_2027_final():
    # given an administrator calendar for 2027
    extra = {2027: ADMIN_2027}
    # then 1 Jan 2027 is a day off and the answer is not provisional
    assert add_working_days(D(2026, 12, 31), 1, extra_calendar=extra) == DueDate(
        D(2027, 1, 4), provisional=False
    )
    assert not is_working_day(D(2027, 1, 1), extra_calendar=extra)
    # and the make-up Saturday counts
    assert is_working_day(D(2027, 2, 6), extra_calendar=extra)
    assert add_working_days(D(2027, 2, 5), 1, extra_calendar=extra).due == D(2027, 2, 6)
    assert add_working_days(D(2027, 2, 6), 1, extra_calendar=extra).due == D(2027, 2, 10)
    assert not is_provisional_year(2027, extra_calendar=extra)
    # but 2028 is still unknown
    assert add_working_days(D(2027, 12, 30), 5, extra_calendar=extra).provisional


def test_admin_calendar_does_not_override_the_official_calendar():
    fake_2026 = YearCalendar(year=2026, holidays=frozenset({D(2026, 10, 8)}))
    assert is_working_day(D(2026, 10, 8), extra_calendar={2026: fake_2026})


def test_year_calendar_refuses_inconsistent_days():
    with pytest.raises(ValueError, match="周六或周日"):
        YearCalendar(year=2027, makeup_workdays=frozenset({D(2027, 2, 8)}))  # a Monday
    with pytest.raises(ValueError, match="不属于 2027 年"):
        YearCalendar(year=2027, holidays=frozenset({D(2028, 1, 1)}))
    with pytest.raises(ValueError, match="既是节假日又是调休上班日"):
        YearCalendar(
            year=2027,
            holidays=frozenset({D(2027, 2, 6)}),
            makeup_workdays=frozenset({D(2027, 2, 6)}),
        )


# --------------------------------------------------------------------------- #
# N = 0, negative N, types
# --------------------------------------------------------------------------- #


def test_zero_days_is_the_start_itself():
    assert add_working_days(D(2026, 10, 3), 0) == DueDate(D(2026, 10, 3), provisional=False)


def test_negative_days_refused_in_chinese():
    with pytest.raises(ValueError, match="不能为负数"):
        add_working_days(D(2026, 10, 3), -1)


def test_non_integer_days_refused():
    with pytest.raises(TypeError):
        add_working_days(D(2026, 10, 3), 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_working_days(D(2026, 10, 3), True)


def test_beyond_year_9999_refused():
    with pytest.raises(ValueError, match="超出"):
        add_working_days(D(9999, 12, 1), 100)


# --------------------------------------------------------------------------- #
# Against a day-by-day count; bulk equals one by one
# --------------------------------------------------------------------------- #


def _naive(start: dt.date, n: int, extra=None) -> DueDate:
    day, left, provisional = start, n, False
    while left:
        day += dt.timedelta(days=1)
        provisional = provisional or is_provisional_year(day.year, extra_calendar=extra)
        if is_working_day(day, extra_calendar=extra):
            left -= 1
    return DueDate(day, provisional)


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=D(2003, 6, 1), max_value=D(2028, 12, 31)),
    n=st.integers(min_value=0, max_value=400),
    with_admin=st.booleans(),
)
def test_matches_day_by_day_count(start, n, with_admin):
    extra = {2027: ADMIN_2027} if with_admin else None
    result = add_working_days(start, n, extra_calendar=extra)
    assert result == _naive(start, n, extra)
    assert working_days_between(start, result.due, extra_calendar=extra) == n


def test_bulk_equals_one_by_one():
    pairs = [(D(2026, 1, 1) + dt.timedelta(days=i % 800), (i * 7) % 90) for i in range(3000)]
    assert add_working_days_many(pairs) == [add_working_days(s, n) for s, n in pairs]
    extra = {2027: ADMIN_2027}
    assert add_working_days_many(pairs, extra_calendar=extra) == [
        add_working_days(s, n, extra_calendar=extra) for s, n in pairs
    ]


def test_bulk_validates_each_pair():
    with pytest.raises(ValueError, match="不能为负数"):
        add_working_days_many([(D(2026, 1, 5), 3), (D(2026, 1, 5), -2)])


# --------------------------------------------------------------------------- #
# Administrator calendars as YAML
# --------------------------------------------------------------------------- #


def test_yaml_round_trip(tmp_path: Path):
    import yaml

    path = tmp_path / "2027.yaml"
    path.write_text(
        yaml.safe_dump(year_calendar_to_dict(ADMIN_2027), allow_unicode=True), encoding="utf-8"
    )
    loaded = load_calendar_files([tmp_path])
    assert loaded == {2027: ADMIN_2027}
    assert loaded[2027].names[D(2027, 1, 1)] == "元旦"


def test_yaml_with_plain_dates_and_several_documents(tmp_path: Path):
    (tmp_path / "cal.yaml").write_text(
        "year: 2027\nholidays: [2027-01-01]\n---\nyear: 2028\nmakeup_workdays: [2028-01-08]\n",
        encoding="utf-8",
    )
    loaded = load_calendar_files([tmp_path])
    assert loaded[2027].holidays == {D(2027, 1, 1)}
    assert loaded[2028].makeup_workdays == {D(2028, 1, 8)}


def test_malformed_yaml_names_the_file(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2027\nholidays: [2027-02-30]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.yaml"):
        load_calendar_files([bad])
    with pytest.raises(ValueError, match="缺少整数年份"):
        year_calendar_from_dict({"holidays": []})


def test_missing_calendar_dirs_are_skipped(tmp_path: Path):
    assert load_calendar_files([tmp_path / "absent"]) == {}


# --------------------------------------------------------------------------- #
# CLI: talentport due-date START N
# --------------------------------------------------------------------------- #


@pytest.fixture
def no_shipped_calendars(monkeypatch):
    monkeypatch.setattr(clock_cli, "default_calendar_dirs", list)


def test_cli_prints_one_json_line(capsys, no_shipped_calendars):
    assert clock_cli.due_date_main(["2026-09-29", "5"]) == 0
    out, err = capsys.readouterr()
    assert out == '{"due": "2026-10-12", "provisional": false}\n'
    assert err == ""


def test_cli_2027_is_provisional(capsys, no_shipped_calendars):
    assert clock_cli.due_date_main(["2026-12-28", "5"]) == 0
    assert json.loads(capsys.readouterr().out) == {"due": "2027-01-04", "provisional": True}


def test_cli_reads_an_admin_calendar_file(capsys, tmp_path, no_shipped_calendars):
    import yaml

    path = tmp_path / "2027.yaml"
    path.write_text(yaml.safe_dump(year_calendar_to_dict(ADMIN_2027), allow_unicode=True))
    assert clock_cli.due_date_main(["2026-12-31", "1", "--calendar", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"due": "2027-01-04", "provisional": False}


def test_cli_zero_days(capsys, no_shipped_calendars):
    assert clock_cli.due_date_main(["2026-10-03", "0"]) == 0
    assert json.loads(capsys.readouterr().out) == {"due": "2026-10-03", "provisional": False}


def test_cli_through_the_talentport_entry_point(capsys, no_shipped_calendars):
    from talentport.cli import main

    assert main(["due-date", "2026-09-30", "3"]) == 0
    assert json.loads(capsys.readouterr().out) == {"due": "2026-10-10", "provisional": False}


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["2026-13-01", "5"], "START"),
        (["2026-02-30", "5"], "START"),
        (["29/09/2026", "5"], "START"),
        (["2026-09-29", "five"], "N"),
        (["2026-09-29", "1.5"], "N"),
        (["2026-09-29", "-1"], "N"),
        (["2026-09-29"], "N"),
        ([], "START"),
        (["2026-09-29", "5", "6"], "多余"),
        (["2026-09-29", "5", "--bogus"], "--bogus"),
        (["2026-09-29", "99999999"], "N"),
    ],
)
def test_cli_bad_input_exits_2(capsys, no_shipped_calendars, argv, names):
    assert clock_cli.due_date_main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert names in err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err)  # a Chinese message


# --------------------------------------------------------------------------- #
# The administrator-maintained calendar in the database
# --------------------------------------------------------------------------- #


@pytest.mark.django_db
def test_calendar_overrides_reads_calendar_days():
    from talentport.cases.models import CalendarDay, CalendarDayKind
    from talentport.cases.selectors import calendar_overrides, calendar_overrides_all

    # given an administrator entered part of 2027
    CalendarDay.objects.create(date=D(2027, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
    CalendarDay.objects.create(date=D(2027, 2, 6), kind=CalendarDayKind.MAKEUP_WORKDAY, name="春节")
    # when
    calendar = calendar_overrides(2027)
    # then
    assert calendar is not None
    assert calendar.holidays == {D(2027, 1, 1)}
    assert calendar.makeup_workdays == {D(2027, 2, 6)}
    assert calendar_overrides(2028) is None
    extra = calendar_overrides_all(include_files=False)
    assert set(extra) == {2027}
    assert add_working_days(D(2026, 12, 31), 1, extra_calendar=extra) == DueDate(
        D(2027, 1, 4), provisional=False
    )


@pytest.mark.django_db
def test_calendar_day_make_up_day_must_be_a_weekend():
    from django.core.exceptions import ValidationError

    from talentport.cases.models import CalendarDay, CalendarDayKind

    day = CalendarDay(date=D(2027, 2, 8), kind=CalendarDayKind.MAKEUP_WORKDAY)
    with pytest.raises(ValidationError):
        day.full_clean()


@pytest.mark.django_db
def test_admin_exports_the_calendar_as_yaml_the_cli_reads(tmp_path, capsys, no_shipped_calendars):
    from django.contrib import admin
    from django.test import RequestFactory

    from talentport.cases.admin import CalendarDayAdmin
    from talentport.cases.models import CalendarDay, CalendarDayKind

    # given two days of 2027 entered by an administrator
    CalendarDay.objects.create(date=D(2027, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
    CalendarDay.objects.create(date=D(2027, 2, 6), kind=CalendarDayKind.MAKEUP_WORKDAY, name="春节")
    model_admin = CalendarDayAdmin(CalendarDay, admin.site)
    # when exported
    response = model_admin.export_yaml(RequestFactory().get("/"), CalendarDay.objects.all())
    path = tmp_path / "calendar-2027.yaml"
    path.write_bytes(response.content)
    # then the file loads back and the CLI uses it
    assert load_calendar_files([path])[2027].holidays == {D(2027, 1, 1)}
    assert clock_cli.due_date_main(["2026-12-31", "1", "--calendar", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"due": "2027-01-04", "provisional": False}
