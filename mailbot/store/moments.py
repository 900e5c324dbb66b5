"""The store's time format, and the real clock.

Every moment is stored as UTC ISO text to the second, so rows sort and compare as text.
Apart from store.records, whose classes a start that reads no record never builds.
"""

from __future__ import annotations

from datetime import datetime, timezone


def wall_clock() -> datetime:
    """The real time, read where real time is meant (when a row was written or a mail
    was handed over), never for a decision: those use the campaign clock (--now)."""
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
