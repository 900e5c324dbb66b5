"""Who is due which reminder now: a pure function of (campaign, ladder, calendar, state, now).

The ladder for a quarter is a list of steps on working days: a notice before the
due date, one on it, then overdue reminders (催报). At any moment at most one step
is current -- the latest one whose day has come -- so after downtime a unit gets
only that one, never the stale ones it missed. Each step goes to a unit at most
once per quarter (its dedup key), and never once a later step has gone. A unit
whose report is complete gets nothing; an incomplete one gets the same step with
the list of what is still missing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from mailbot.core.calendar import WorkCalendar
from mailbot.core.dates import local, month_day
from mailbot.core.schedule import Ladder, Step, ladder_steps
from mailbot.core.models import Campaign, Quarter, UnitState, UnitStatus, quarter_label

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Reminder:
    unit: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    quarter: str
    stage: str  # opening | notice | due | overdue1, overdue2, ...
    subject: str
    dedup_key: str
    missing: tuple[str, ...] = ()  # non-empty: a targeted reminder for an incomplete report
    with_form: bool = False  # the unit's own form goes with it
    overdue: int = 0  # the step's 催报 number: 0 before the due date has passed

    def to_json(self) -> dict:
        """The object of `remind --dry-run --json` (docs/design.md)."""
        return {"unit": self.unit, "to": list(self.to), "quarter": self.quarter,
                "stage": self.stage, "subject": self.subject}


def dedup_key(quarter: str, unit: str, stage: str) -> str:
    return f"reminder:{quarter}:{unit}:{stage}"


FORM_STAGES = ("opening", "notice")  # the stages that carry the unit's form


def current_step(ladder: Ladder, calendar: WorkCalendar, due: date,
                 today: date, opens: date | None = None) -> tuple[int, Step] | None:
    """The latest step whose day has come, with its index; None outside the window.

    The window closes one interval after the last step, so a quarter long past
    sends nothing when the worker comes back from a long downtime.
    """
    steps = ladder_steps(ladder, calendar, due, opens)
    if not steps or today >= calendar.add_workdays(steps[-1].day, max(ladder.overdue_every, 1)):
        return None
    passed = [(index, step) for index, step in enumerate(steps) if step.day <= today]
    return passed[-1] if passed else None


def sending_day(campaign: Campaign, ladder: Ladder, calendar: WorkCalendar,
                now: datetime) -> date | None:
    """Today's date if reminders may go out now (a working day, office hours), else None."""
    here = local(now, campaign.timezone)
    if not ladder.hour <= here.hour < ladder.until_hour:
        return None
    return here.date() if calendar.is_workday(here.date()) else None


def active_quarters(campaign: Campaign, ladder: Ladder, calendar: WorkCalendar,
                    now: datetime) -> list[Quarter]:
    """The quarters whose reminder window holds now: those `remind` without --quarter serves."""
    today = local(now, campaign.timezone).date()
    return [quarter for quarter in campaign.quarters
            if current_step(ladder, calendar, quarter.due, today, quarter.start)]


def due_reminders(campaign: Campaign, ladder: Ladder, calendar: WorkCalendar,
                  statuses: Sequence[UnitStatus], sent_keys: Collection[str],
                  now: datetime, *, quarter: str) -> list[Reminder]:
    """The reminders to send now for one quarter, given its units' statuses.

    A unit absent from `statuses` counts as missing: no report stored means none
    received.
    """
    today = sending_day(campaign, ladder, calendar, now)
    if today is None:
        return []
    period = campaign.quarter(quarter)
    found = current_step(ladder, calendar, period.due, today, period.start)
    if found is None:
        return []
    index, step = found
    steps = ladder_steps(ladder, calendar, period.due, period.start)
    later_stages = [later.stage for later in steps[index:]]
    chased = [earlier.stage for earlier in steps[:index] if earlier.overdue]
    by_unit = {status.unit: status for status in statuses}
    reminders = []
    for unit in campaign.units:
        status = by_unit.get(unit.name, UnitStatus(unit=unit.name, state=UnitState.MISSING))
        if status.state.complete:
            continue
        if any(dedup_key(quarter, unit.name, stage) in sent_keys for stage in later_stages):
            continue
        if not unit.emails:
            log.warning("no address for %s: reminder %s not possible", unit.name, step.stage)
            continue
        missing = missing_parts(campaign, status) if status.state is UnitState.INCOMPLETE else ()
        # the count the unit reads is of the 催报 it actually got (after downtime only
        # the latest stage is sent, so overdue3 may be its first)
        number = 1 + sum(dedup_key(quarter, unit.name, stage) in sent_keys for stage in chased)
        cc = tuple(a for a in campaign.federation_emails if a not in unit.emails) if (
            step.overdue and number >= ladder.cc_federation_from) else ()
        reminders.append(Reminder(
            unit=unit.name, to=unit.emails, cc=cc, quarter=quarter, stage=step.stage,
            subject=subject(campaign, quarter, step, bool(missing), number),
            dedup_key=dedup_key(quarter, unit.name, step.stage), missing=missing,
            with_form=step.stage in FORM_STAGES or ladder.form_every, overdue=step.overdue))
    return reminders


def due_reminders_all(campaign: Campaign, ladder: Ladder, calendar: WorkCalendar,
                      statuses_by_quarter: Mapping[str, Sequence[UnitStatus]],
                      sent_keys: Collection[str], now: datetime) -> list[Reminder]:
    """`remind` without --quarter: every active quarter (see active_quarters).

    The caller passes the statuses of each active quarter; one left out is a bug,
    not "everyone missing", so it raises instead of chasing units that reported.
    """
    reminders = []
    for quarter in active_quarters(campaign, ladder, calendar, now):
        if quarter.name not in statuses_by_quarter:
            raise KeyError(f"no statuses given for active quarter {quarter.name}")
        reminders += due_reminders(campaign, ladder, calendar,
                                   statuses_by_quarter[quarter.name], sent_keys, now,
                                   quarter=quarter.name)
    return reminders


def missing_parts(campaign: Campaign, status: UnitStatus) -> tuple[str, ...]:
    """What an incomplete report still lacks, in words the unit can act on.

    The stored problems already say it (assess words each missing part); the
    flags are the fallback for a status that carries none.
    """
    if status.problems:
        return tuple(dict.fromkeys(status.problems))
    parts = []
    if not status.electronic:
        parts.append("电子版（Word格式的报表）")
    if not status.stamped_pdf:
        parts.append("盖章PDF版")
    if status.electronic:
        parts += [f"第{item.seq}项（{item.title}）的进展情况"
                  for item in campaign.items_of(status.unit) if item.seq not in status.items]
    return tuple(parts) or ("报送材料不完整，请核对后重新报送",)


def report_name(campaign: Campaign, quarter: str) -> str:
    """2026年第三季度为全区妇女儿童办实事工作进展情况, from the campaign's title."""
    year = quarter.split("Q")[0]
    topic = campaign.title.removesuffix("报表").removesuffix("表").removeprefix(f"{year}年")
    return f"{quarter_label(quarter)}{topic}"


def subject(campaign: Campaign, quarter: str, step: Step, incomplete: bool,
            number: int = 1) -> str:
    """The reminder's subject; `number` counts the 催报 this unit has actually had."""
    name = report_name(campaign, quarter)
    due = month_day(campaign.quarter(quarter).due)
    if incomplete:
        return f"【补报提醒】{name}材料尚不完整，请补充报送"
    if step.overdue:
        return f"【催报】请尽快报送{name}（第{number}次催报）"
    if step.stage == "due":
        return f"【提醒】{name}报送截止日期为{due}，请抓紧报送"
    if step.stage == "opening":
        return f"【通知】{name}报送工作开始，请于{due}前报送（附本单位报表）"
    return f"【提醒】请于{due}前报送{name}"
