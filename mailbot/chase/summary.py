"""The federation's summary of a quarter: who reported, who is late, what is wrong (pure).

Everything the summary mail says is decided here from the units' statuses and the
held mails, with `now` handed in; the templates only lay it out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from collections.abc import Collection
from datetime import date, datetime, timedelta

from mailbot.core.calendar import WorkCalendar
from mailbot.core.dates import local, month_day, month_day_time
from mailbot.core.schedule import SummarySchedule
from mailbot.core.models import (Campaign, HeldMail, Quarter, UnitState, UnitStatus,
                                 quarter_label)
from mailbot.intake.rules import quarter_by_date
from mailbot.chase.remind import missing_parts

# (background, text) pairs: readable on white and for colour-blind readers the
# text label carries the meaning anyway
COLOURS = {UnitState.ON_TIME: ("#e3f2e6", "#1b6b30"), UnitState.LATE: ("#fff1c9", "#7a5300"),
           UnitState.INCOMPLETE: ("#ffe3cc", "#9a3a00"),
           UnitState.MISSING: ("#fde2e2", "#a8201a")}


@dataclass(frozen=True)
class SummaryRow:
    """One unit's line of the matrix."""

    unit: str
    state: UnitState
    label: str
    items: str  # "1、2、4、9"
    received: str  # "9月28日 10:00", or "" if nothing arrived
    electronic: bool
    stamped_pdf: bool


@dataclass(frozen=True)
class Summary:
    title: str
    federation: str
    quarter: str
    quarter_label: str
    due: str  # "9月30日"
    as_of: str  # "10月9日 17:00"
    overdue: bool
    subject: str
    headline: str
    rows: tuple[SummaryRow, ...]
    counts: tuple[tuple[UnitState, str, int], ...]  # (state, label, count), every state
    problems: tuple[tuple[str, str], ...]  # (unit, problem)
    held: tuple[HeldMail, ...]


def build_summary(campaign: Campaign, quarter: str, statuses: Iterable[UnitStatus],
                  held: Iterable[HeldMail], now: datetime) -> Summary:
    """The summary as of `now`; units in config order, every unit present."""
    now = local(now, campaign.timezone)
    by_unit = {status.unit: status for status in statuses}
    ordered = [by_unit.get(unit.name, UnitStatus(unit=unit.name, state=UnitState.MISSING))
               for unit in campaign.units]
    rows = tuple(_row(status, campaign.timezone) for status in ordered)
    counts = tuple((state, state.zh, sum(r.state == state for r in rows)) for state in UnitState)
    due = campaign.quarter(quarter).due
    label = quarter_label(quarter)
    as_of = month_day_time(now)
    return Summary(
        title=campaign.title, federation=campaign.federation, quarter=quarter,
        quarter_label=label, due=month_day(due), as_of=as_of, overdue=now.date() > due,
        subject=f"【{label}】十件实事进展报送情况汇总（截至{month_day(now.date())}）",
        headline=_headline(len(rows), counts, as_of),
        rows=rows, counts=counts, problems=tuple(_problems(campaign, ordered)),
        held=tuple(sorted(held, key=lambda mail: mail.received_at or datetime.min)))


def _row(status: UnitStatus, timezone: str) -> SummaryRow:
    return SummaryRow(
        unit=status.unit, state=status.state, label=status.state.zh,
        items="、".join(str(seq) for seq in status.items),
        received=month_day_time(local(status.received_at, timezone)) if status.received_at
        else "",
        electronic=status.electronic, stamped_pdf=status.stamped_pdf)


def _headline(total: int, counts, as_of: str) -> str:
    parts = "，".join(f"{label}{count}个" for _, label, count in counts if count)
    return f"截至{as_of}，{total}个责任单位中{parts}。"


def _problems(campaign: Campaign, statuses: list[UnitStatus]):
    """What staff must look at: each incomplete report's missing parts, as the unit is told."""
    for status in statuses:
        if status.state is UnitState.INCOMPLETE:
            for problem in missing_parts(campaign, status):
                yield status.unit, problem


CLOSING_GRACE = timedelta(days=14)  # a closing summary missed by downtime still goes


def summaries_due(campaign: Campaign, schedule: SummarySchedule, calendar: WorkCalendar,
                  now: datetime, sent_keys: Collection[str],
                  outstanding: Collection[str] = ()) -> list[tuple[str, str]]:
    """(quarter, dedup key) of each summary due now: the closing one, or the weekly digest.

    The digest runs in the `window_before` days up to the due date, and after the
    closing summary's week goes on for each quarter in `outstanding` (units still
    missing or incomplete) until the next quarter's reporting window opens. Every
    summary is keyed so a second tick, a restart or a missed day never sends one twice;
    the digest goes on the first working day of its week on or after its weekday.
    """
    here = local(now, campaign.timezone)
    today = here.date()
    if here.hour < schedule.hour or not calendar.is_workday(today):
        return []
    due = []
    for quarter in campaign.quarters:
        closing_day = calendar.add_workdays(quarter.due, schedule.after_due)
        closing = f"summary:{quarter.name}:closing"
        if closing_day <= today <= closing_day + CLOSING_GRACE and closing not in sent_keys:
            due.append((quarter.name, closing))
        elif _digest_day(schedule, quarter, today, closing_day,
                         quarter.name in outstanding, campaign):
            year, week, _ = today.isocalendar()
            weekly = f"summary:{quarter.name}:week{year}-{week:02d}"
            if weekly not in sent_keys:
                due.append((quarter.name, weekly))
    return due


def _digest_day(schedule: SummarySchedule, quarter: Quarter, today: date, closing_day: date,
                outstanding: bool, campaign: Campaign) -> bool:
    """Whether `today` falls in a week that gets `quarter`'s digest."""
    if not schedule.weekly_weekday or today.isoweekday() < schedule.weekly_weekday:
        return False
    if quarter.due - timedelta(days=schedule.window_before) <= today <= quarter.due:
        return True
    after_closing_week = today.isocalendar()[:2] > closing_day.isocalendar()[:2]
    return (outstanding and after_closing_week
            and quarter_by_date(campaign, today) == quarter)
