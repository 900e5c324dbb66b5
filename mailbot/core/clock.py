"""The moment every decision is made at: real time, or a fixed moment (--now, MAILBOT_NOW).

Every decision is a function of (config, store, now); this is where `now` comes from.
"""

from __future__ import annotations

from datetime import datetime, timezone
from mailbot.core.dates import local


class Clock:
    """The moment every decision is made at: real time, or the fixed --now."""

    def __init__(self, fixed: datetime | None):
        self.fixed = fixed

    def __call__(self) -> datetime:
        return self.fixed or datetime.now(timezone.utc)


def parse_moment(text: str | None, zone: str) -> datetime | None:
    """ISO date or datetime; a naive one is local time in the campaign's zone."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}”不是日期或时间，请按 2026-10-09 或 2026-10-09T09:30 的格式写。"
                         ) from None
    return moment if moment.tzinfo else local(moment, zone)
