"""What a notice says about a campaign, before it becomes config.toml (plain data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mailbot.core.models import Item


@dataclass(frozen=True)
class Unread:
    """Something the notice reader could not read, with the line it came from."""

    problem: str  # Chinese, shown to the operator
    line: str


@dataclass(frozen=True)
class CampaignDraft:
    notice_title: str
    document_number: str
    form_title: str
    federation: str
    contact: str
    phone: str
    columns: tuple[str, ...]
    items: tuple[Item, ...]  # as the notice gives them
    quarters: tuple[tuple[str, date | str], ...]  # (2026Q1, a date or a due rule)
    unread: tuple[Unread, ...]

    @property
    def units(self) -> tuple[str, ...]:
        """Every responsible unit, in the order the notice first names it."""
        return tuple(dict.fromkeys(unit for item in self.items for unit in item.units))
