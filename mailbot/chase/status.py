"""Who has reported what for a quarter (pure): the table behind `status` and summaries."""

from __future__ import annotations

from datetime import datetime

from mailbot.core.dates import local
from mailbot.intake.rules import quarter_by_date
from mailbot.core.models import Campaign, SubmissionRecord, UnitState, UnitStatus


def unit_statuses(campaign: Campaign, quarter: str,
                  current: list[SubmissionRecord]) -> list[UnitStatus]:
    """One status per unit in config order; held mails are not in `current`, so they count for no one."""
    due = campaign.quarter(quarter).due
    by_unit = {record.unit: record for record in current}
    statuses = []
    for unit in campaign.units:
        record = by_unit.get(unit.name)
        if record is None:
            statuses.append(UnitStatus(unit=unit.name, state=UnitState.MISSING))
            continue
        statuses.append(UnitStatus(
            unit=unit.name,
            state=_state(record, local(record.received_at, campaign.timezone).date() <= due),
            electronic=record.electronic, stamped_pdf=record.stamped_pdf,
            received_at=record.received_at, items=record.items,
            message_id=record.message_id, problems=record.problems))
    return statuses


def _state(record: SubmissionRecord, in_time: bool) -> UnitState:
    if record.problems or not (record.electronic and record.stamped_pdf):
        return UnitState.INCOMPLETE
    return UnitState.ON_TIME if in_time else UnitState.LATE


def status_json(campaign: Campaign, quarter: str, statuses: list[UnitStatus]) -> dict:
    """The `status --json` object of docs/design.md."""
    return {
        "quarter": quarter,
        "due": campaign.quarter(quarter).due.isoformat(),
        "units": [{
            "unit": s.unit, "state": s.state, "electronic": s.electronic,
            "stamped_pdf": s.stamped_pdf,
            "received_at": _iso(s.received_at), "items": list(s.items),
            "message_id": s.message_id,
        } for s in statuses],
    }


def current_quarter(campaign: Campaign, now: datetime) -> str:
    """The quarter being collected now: the latest whose window has begun, else the first."""
    found = quarter_by_date(campaign, local(now, campaign.timezone).date())
    return (found or campaign.quarters[0]).name


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None
