"""Submissions for the report and summary tests, made from config.toml's campaign.

Every text names its unit and item ("【区人社局·1】"), so a test can tell where each
one landed; one unit writes HTML- and Jinja-looking text that must stay literal.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from mailbot import config
from mailbot.core.models import Campaign, FormRow, HeldMail, SubmissionRecord, UnitState, UnitStatus
from mailbot.config import PACKAGED_CONFIG

ROOT = Path(__file__).resolve().parent.parent
TZ = timezone(timedelta(hours=8))
HOSTILE = "{{ 7*7 }} <b>加粗</b> & {% for x in y %}{%tr endfor %}]]>"
MISSING = ("区司法局", "团区委")


def campaign() -> Campaign:
    return config.load(PACKAGED_CONFIG).campaign


def marker(unit: str, seq: int) -> str:
    return f"【{unit}·{seq}】"


def progress(unit: str, seq: int, paragraphs: int = 2) -> str:
    """A recognisable, realistic-looking text of several paragraphs."""
    lines = [f"{marker(unit, seq)}本季度围绕第{seq}项实事，组织开展专项活动12场，覆盖群众1500余人次。"]
    lines += [f"{i + 1}.持续推进重点任务，完成年度目标的{60 + i}%。" for i in range(paragraphs - 1)]
    return "\n".join(lines)


def record(campaign: Campaign, unit: str, quarter: str = "2026Q3", *, ident: int = 1,
           received: datetime | None = None, text=progress, deadline: str = "") -> SubmissionRecord:
    items = campaign.items_of(unit)
    rows = tuple(FormRow(seq=item.seq, title=item.title, units=item.units, unit=unit,
                         progress=text(unit, item.seq), deadline=deadline or item.deadline)
                 for item in items)
    return SubmissionRecord(
        id=ident, message_id=f"<{ident}@example.org>", unit=unit, quarter=quarter,
        received_at=received or datetime(2026, 9, 28, 10, 0, tzinfo=TZ),
        electronic=True, stamped_pdf=True, items=tuple(i.seq for i in items),
        problems=(), rows=rows)


def quarter_records(campaign: Campaign, quarter: str = "2026Q3",
                    missing: tuple[str, ...] = MISSING) -> list[SubmissionRecord]:
    """Every unit but `missing` reported; 区教体局 wrote hostile-looking text."""
    records = []
    for ident, unit in enumerate(u.name for u in campaign.units):
        if unit in missing:
            continue
        text = (lambda u, s: f"{marker(u, s)}{HOSTILE}") if unit == "区教体局" else progress
        records.append(record(campaign, unit, quarter, ident=ident + 1, text=text))
    return records


SAMPLE_STATES = {"区司法局": UnitState.MISSING, "团区委": UnitState.MISSING,
                 "区医保分局": UnitState.MISSING, "区应急管理局": UnitState.LATE,
                 "区融媒体中心": UnitState.LATE, "区总工会": UnitState.INCOMPLETE,
                 "区残联": UnitState.INCOMPLETE}
UNREADABLE = "附件“进展情况.doc”无法读取（文件已损坏），请重新发送"


def sample_statuses(campaign: Campaign) -> list[UnitStatus]:
    """A quarter after its due date: most on time, some late, incomplete or missing."""
    statuses = []
    for unit in campaign.units:
        state = SAMPLE_STATES.get(unit.name, UnitState.ON_TIME)
        if state == "missing":
            statuses.append(UnitStatus(unit=unit.name, state=UnitState.MISSING))
            continue
        day = 28 if state != "late" else 30 + 2
        statuses.append(UnitStatus(
            unit=unit.name, state=state, electronic=unit.name != "区残联",
            stamped_pdf=unit.name != "区总工会",
            received_at=datetime(2026, 9, 1, 9, 30, tzinfo=TZ) + timedelta(days=day - 1),
            items=tuple(item.seq for item in campaign.items_of(unit.name)),
            message_id=f"<{unit.name}@example.org>",
            problems=(UNREADABLE,) if unit.name == "区残联" else ()))
    return statuses


def sample_held() -> list[HeldMail]:
    return [HeldMail(subject="医保分局三季度进展 <script>alert(1)</script>",
                     sender="someone@163.com", reason="发件地址不在登记名单中。",
                     received_at=datetime(2026, 9, 29, 9, 0, tzinfo=TZ), unit="区医保分局")]
