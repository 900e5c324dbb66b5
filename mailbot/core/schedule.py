"""The campaign's schedules as config.toml gives them: the reminder ladder and the summaries.

Plain values and the ladder's days; chase/ decides from them, config/ fills and checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mailbot.core.calendar import WorkCalendar


@dataclass(frozen=True)
class Ladder:
    """The reminder schedule, from config.toml's [reminders]; counts are working days."""

    hour: int = 9  # local hour from which reminders go out
    until_hour: int = 18  # and before which (exclusive)
    notice_before: int = 3  # the advance notice, 0 for none
    on_due: bool = True  # a reminder on the due date
    overdue_first: int = 1  # the first 催报, after the due date
    overdue_every: int = 2  # then every so many working days
    overdue_max: int = 3  # at most this many 催报
    cc_federation_from: int = 2  # 催报 number n and later are copied to the federation
    opening: bool = False  # a mail on the quarter's first working day, with the form
    form_every: bool = False  # the unit's form with every reminder, not only the first


@dataclass(frozen=True)
class SummarySchedule:
    """When summaries go out, from config.toml's [summary]; counts of days as named."""

    hour: int = 9  # local hour from which a summary may go
    after_due: int = 2  # the closing summary, this many working days after the due date
    weekly_weekday: int = 1  # ISO weekday of the weekly digest in the window (0: none)
    window_before: int = 14  # the digest runs from this many days before the due date


@dataclass(frozen=True)
class Step:
    """One rung of the ladder: its stage name, its working day, its 催报 number (or 0)."""

    stage: str
    day: date
    overdue: int = 0


def ladder_steps(ladder: Ladder, calendar: WorkCalendar, due: date,
                 opens: date | None = None) -> list[Step]:
    """The quarter's steps in order; a due date on a holiday moves its step earlier.

    `opens` is the quarter's first day: the opening mail goes on the first working
    day from it (when the ladder has one)."""
    due_day = calendar.on_or_before(due)
    steps = []
    if ladder.opening and opens is not None:
        first = opens if calendar.is_workday(opens) else calendar.add_workdays(opens, 1)
        steps.append(Step("opening", first))
    if ladder.notice_before:
        steps.append(Step("notice", calendar.add_workdays(due, -ladder.notice_before)))
    if ladder.on_due:
        steps.append(Step("due", due_day))
    for number in range(1, ladder.overdue_max + 1):
        offset = ladder.overdue_first + (number - 1) * ladder.overdue_every
        steps.append(Step(f"overdue{number}", calendar.add_workdays(due, offset), number))
    return steps
