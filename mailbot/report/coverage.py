"""What a compiled report covers, said in one line, and the warning for a report
compiled too early (pure).

`compile` without --quarter takes the quarter being collected; in its first weeks
nobody has reported yet, and a table of eighteen （未报送） is not what the operator
wanted: they are told, and given the command for the previous quarter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from mailbot.chase.status import current_quarter
from mailbot.core.models import Campaign, UnitState, UnitStatus, quarter_label

ALMOST_NOBODY = 0.2  # at most this share of units reported: the quarter has barely begun


@dataclass(frozen=True)
class Coverage:
    quarter: str
    total: int
    counts: tuple[tuple[UnitState, int], ...]  # (state, units in it), every state

    @property
    def reported(self) -> int:
        return sum(count for state, count in self.counts if state is not UnitState.MISSING)

    def line(self) -> str:
        """'2026年第三季度：18个单位中15个已报送（按时报送11个，逾期报送2个，材料不全2个）'"""
        parts = "，".join(f"{state.zh}{count}个" for state, count in self.counts
                         if count and state is not UnitState.MISSING)
        return (f"{quarter_label(self.quarter)}：{self.total}个单位中{self.reported}个已报送"
                + (f"（{parts}）" if parts else ""))


def coverage(campaign: Campaign, quarter: str, statuses: Iterable[UnitStatus]) -> Coverage:
    """Counts over the campaign's units; a unit without a status has not reported."""
    by_unit = {status.unit: status.state for status in statuses}
    states = [by_unit.get(unit.name, UnitState.MISSING) for unit in campaign.units]
    return Coverage(quarter=quarter, total=len(states),
                    counts=tuple((state, states.count(state)) for state in UnitState))


def early_warning(campaign: Campaign, covered: Coverage, now: datetime) -> str | None:
    """A warning when `covered` is the quarter still being collected and (almost) nobody
    has reported; it names the command for the previous quarter."""
    if covered.quarter != current_quarter(campaign, now) or \
            covered.reported > covered.total * ALMOST_NOBODY:
        return None
    label = quarter_label(covered.quarter)
    if covered.reported:
        text = (f"注意：{label}正在收集中，{covered.total}个单位中仅{covered.reported}个已报送，"
                "汇总表中其余单位均为“（未报送）”。")
    else:
        text = f"注意：{label}正在收集中，{covered.total}个单位均未报送，汇总表中全为“（未报送）”。"
    names = [q.name for q in campaign.quarters]
    index = names.index(covered.quarter)
    if index > 0:
        previous = names[index - 1]
        text += (f"如需{quarter_label(previous)}的汇总表，请运行："
                 f"mailbot compile --quarter {previous}")
    return text
