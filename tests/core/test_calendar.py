"""Working days: the library's holidays and 调休, config overrides, uncovered years, due rules."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailbot import config
from mailbot.core.calendar import (LIBRARY_YEARS, CalendarCoverageError, WorkCalendar,
                                   coverage_message, due_by_rule, parse_due_rule)
from mailbot.config import PACKAGED_CONFIG

ROOT = Path(__file__).resolve().parents[2]
CAL = WorkCalendar()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_official_holidays_and_adjusted_working_days_2026():
    assert not any(CAL.is_workday(day) for day in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert not any(CAL.is_workday(day) for day in days(date(2026, 4, 4), date(2026, 4, 6)))
    assert CAL.is_workday(date(2026, 10, 10))  # a Saturday worked for National Day
    assert CAL.is_workday(date(2026, 10, 9))
    assert not CAL.is_workday(date(2026, 10, 11))  # an ordinary Sunday


def test_add_workdays_jumps_holidays_and_lands_on_working_saturday():
    assert CAL.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert CAL.add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert CAL.add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 3)
    assert CAL.on_or_before(date(2026, 10, 4)) == date(2026, 9, 30)
    assert CAL.on_or_before(date(2026, 9, 30)) == date(2026, 9, 30)


def test_workdays_between_counts_end_not_start():
    assert CAL.workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert CAL.workdays_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    assert CAL.workdays_between(date(2026, 10, 1), date(2026, 10, 7)) == 0


@given(start=st.dates(date(2024, 1, 1), date(2026, 10, 31)), n=st.integers(0, 40))
def test_add_then_count_round_trips(start, n):
    end = CAL.add_workdays(start, n)
    assert CAL.workdays_between(start, end) == n
    assert n == 0 or CAL.is_workday(end)


def test_overrides_win_over_the_library():
    cal = WorkCalendar(workdays=frozenset({date(2026, 10, 5)}),
                       holidays=frozenset({date(2026, 10, 9)}))
    assert cal.is_workday(date(2026, 10, 5))
    assert not cal.is_workday(date(2026, 10, 9))


def test_uncovered_year_guesses_weekdays_and_warns(caplog):
    # 2039: a year no other test asks about, since the warning is logged once per year
    with caplog.at_level(logging.WARNING, logger="mailbot.core.calendar"):
        assert CAL.is_workday(date(2039, 1, 3))  # a Monday
        assert not CAL.is_workday(date(2039, 1, 1))  # a Saturday
        CAL.is_workday(date(2039, 1, 4))
    warnings = [r.getMessage() for r in caplog.records if "2039" in r.getMessage()]
    assert len(warnings) == 1 and "[calendar]" in warnings[0]
    assert CAL.uncovered_years(date(2026, 1, 1), date(2027, 1, 10)) == [2027]
    assert coverage_message(2027).startswith(
        "the holiday calendar covers 2004-2026 only, not 2027")


def test_strict_calendar_raises_for_uncovered_year_unless_vouched_for():
    with pytest.raises(CalendarCoverageError) as raised:
        WorkCalendar(strict=True).is_workday(date(2027, 1, 4))
    assert raised.value.year == 2027
    vouched = WorkCalendar(strict=True, complete_years=frozenset({2027}),
                           holidays=frozenset({date(2027, 1, 1)}))
    assert not vouched.is_workday(date(2027, 1, 1))
    assert vouched.is_workday(date(2027, 1, 4))
    assert vouched.uncovered_years(date(2027, 1, 1), date(2027, 12, 31)) == []


def test_due_rules():
    assert parse_due_rule("10 workdays after end") == (10, "workdays")
    assert parse_due_rule(" 15 Days after end ") == (15, "days")
    assert parse_due_rule("end") == (0, "days")
    assert due_by_rule((10, "workdays"), date(2026, 9, 30), CAL) == date(2026, 10, 20)
    assert due_by_rule((15, "days"), date(2026, 9, 30), CAL) == date(2026, 10, 15)
    with pytest.raises(ValueError, match="not a due-date rule"):
        parse_due_rule("two weeks later")


def write_config(tmp_path: Path, replacements: dict[str, str]) -> Path:
    text = PACKAGED_CONFIG.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_reads_due_rules_calendar_and_ladder(tmp_path):
    path = write_config(tmp_path, {
        "2026Q3 = 2026-09-30": '2026Q3 = "10 workdays after end"',
        "workdays = []": "workdays = [2026-10-11]",
        "overdue_max = 3": "overdue_max = 2",
    })
    loaded = config.load(path)
    # 10 working days after 2026-09-30 is 10-20; the extra working Sunday makes it 10-19
    assert loaded.campaign.quarter("2026Q3").due == date(2026, 10, 19)
    assert loaded.campaign.quarter("2026Q2").due == date(2026, 6, 30)
    assert loaded.calendar.is_workday(date(2026, 10, 11))
    assert loaded.reminders.overdue_max == 2
    assert any("2027" in warning for warning in loaded.warnings)


def test_config_reports_every_bad_key(tmp_path):
    path = write_config(tmp_path, {
        "2026Q3 = 2026-09-30": '2026Q3 = "soon"',
        "holidays = [2027-01-01]": "holidays = [2027-01-01, 2026-10-10, \"x\"]",
        "workdays = []": "workdays = [2026-10-10]",
        "hour = 9": "hour = 25\nweekly = true",
        "on_due = true": "on_due = 1",
    })
    with pytest.raises(config.ConfigError) as raised:
        config.load(path)
    problems = "\n".join(raised.value.problems)
    for key in ('[quarters] 2026Q3："soon" 不是截止日规则', "[calendar] holidays 第3项",
                "[calendar]：2026-10-10 既列为工作日，又列为假日", "[reminders] hour：应在 0 到 23 之间",
                "[reminders] weekly：不认识这一项", "[reminders] on_due：应为布尔值（true 或 false），现为 1"):
        assert key in problems


def test_strict_calendar_refuses_a_rule_into_an_uncovered_year(tmp_path):
    path = write_config(tmp_path, {
        "2026Q4 = 2026-12-31": '2026Q4 = "10 workdays after end"',
        "strict = false": "strict = true",
    })
    with pytest.raises(config.ConfigError, match="\\[quarters\\] 2026Q4：节假日库只收录"):
        config.load(path)


def test_a_covered_day_is_the_librarys_answer():
    """WorkCalendar reads chinese_calendar's tables itself (its is_workday checks the
    year against every date it knows on each call): the same answer, every covered day."""
    first, last = LIBRARY_YEARS
    day, calendar = date(first, 1, 1), WorkCalendar()
    while day.year <= last:
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
