"""Working days of mainland China: official holidays and adjusted working days (调休).

The chinese_calendar package knows each year's State Council schedule once it is
published (every autumn for the next year). For a year it does not know yet, the
calendar falls back to Monday-Friday plus the operator's overrides from config.toml,
and says so: a logged warning by default, CalendarCoverageError where the caller
asks for `strict`. The calendar is a value built from config and handed in, so
tests and previews can use their own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

log = logging.getLogger(__name__)

_KNOWN_DAYS = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
LIBRARY_YEARS = (min(_KNOWN_DAYS).year, max(_KNOWN_DAYS).year)


class CalendarCoverageError(Exception):
    """A year the holiday library does not cover and the config does not vouch for."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(coverage_message(year))


def coverage_message(year: int) -> str:
    first, last = LIBRARY_YEARS
    return (f"the holiday calendar covers {first}-{last} only, not {year}: treating "
            f"Monday-Friday as working days plus the [calendar] overrides in config.toml. "
            f"Upgrade the chinesecalendar package, or enter {year}'s official holidays and "
            f"adjusted working days under [calendar] and list {year} in "
            f"[calendar].complete_years")


@lru_cache(maxsize=None)
def _warn_once(year: int) -> None:
    """Log the coverage warning once per process and year, not on every day asked."""
    log.warning(coverage_message(year))


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days; overrides win over the library.

    `complete_years` are years whose holidays the operator entered in full under
    [calendar], so no warning is due for them. `reported_years` are uncovered years
    whose warning the owner reports itself (config.warnings, shown by `check` and at
    worker start), so asking about their days logs nothing on every command.
    """

    workdays: frozenset[date] = frozenset()
    holidays: frozenset[date] = frozenset()
    complete_years: frozenset[int] = frozenset()
    strict: bool = False
    reported_years: frozenset[int] = frozenset()

    def covers(self, year: int) -> bool:
        first, last = LIBRARY_YEARS
        return first <= year <= last or year in self.complete_years

    def uncovered_years(self, first: date, last: date) -> list[int]:
        """The years from `first` to `last` the calendar only guesses."""
        return [year for year in range(first.year, last.year + 1) if not self.covers(year)]

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if not self.covers(day.year):
            if self.strict:
                raise CalendarCoverageError(day.year)
            if day.year not in self.reported_years:
                _warn_once(day.year)
        first, last = LIBRARY_YEARS
        if first <= day.year <= last:  # chinese_calendar.is_workday, without its check of the
            # year against every date it knows on each call (3-4 ms of every config load)
            return day in chinese_calendar.workdays or (
                day.weekday() < 5 and day not in chinese_calendar.holidays)
        return day.weekday() < 5

    def add_workdays(self, day: date, n: int) -> date:
        """The n-th working day after `day` (before it when n < 0); `day` itself for 0."""
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            remaining -= self.is_workday(day)
        return day

    def on_or_before(self, day: date) -> date:
        """`day` if it is a working day, else the last working day before it."""
        return day if self.is_workday(day) else self.add_workdays(day, -1)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if end < start)."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(self.is_workday(start + timedelta(days=offset))
                   for offset in range(1, (end - start).days + 1))


def parse_due_rule(text: str) -> tuple[int, str]:
    """Read "N workdays after end" / "N days after end" / "end" into (N, unit).

    Raises ValueError with the accepted forms, for config.py to report by key path.
    """
    words = text.strip().lower().split()
    if words == ["end"]:
        return 0, "days"
    if (len(words) == 4 and words[0].isdigit() and words[2:] == ["after", "end"]
            and words[1] in ("workdays", "workday", "days", "day")):
        return int(words[0]), "workdays" if words[1].startswith("work") else "days"
    raise ValueError(f"{text!r} is not a due-date rule: write a date (2026-04-10), "
                     "\"N workdays after end\", \"N days after end\" or \"end\"")


def due_by_rule(rule: tuple[int, str], quarter_end: date, calendar: WorkCalendar) -> date:
    """The due date a parsed rule gives for a quarter ending on `quarter_end`."""
    count, unit = rule
    if unit == "workdays":
        return calendar.add_workdays(quarter_end, count)
    return quarter_end + timedelta(days=count)
