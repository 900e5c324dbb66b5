"""What the store hands out: frozen records built from its rows, and its time format.

Every moment is stored as UTC ISO text to the second, so rows sort and compare as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class Claim:
    """The result of claiming a mail: `new` is False when it was seen before."""

    id: int
    new: bool
    state: str


@dataclass(frozen=True)
class MessageRecord:
    id: int
    sha256: str
    message_id: str
    source_key: str
    received_at: datetime
    subject: str
    sender: str
    state: str
    reason: str
    unit: str | None
    quarter: str | None
    attempts: int


@dataclass(frozen=True)
class AuditEntry:
    """One review action: who did what to which mail, when and why."""

    id: int
    at: datetime
    who: str
    action: str
    message: int | None
    detail: str
    reason: str


@dataclass(frozen=True)
class QueuedMail:
    id: int
    kind: str
    sender: str
    recipients: tuple[str, ...]
    raw: bytes
    attempts: int
    queued_at: datetime  # on the campaign clock: how long it has waited (give up by age)


def wall_clock() -> datetime:
    """The real time, read where real time is meant (when a row was written or a mail
    was handed over), never for a decision: those use the campaign clock (--now)."""
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def message_record(row) -> MessageRecord:
    return MessageRecord(
        id=row["id"], sha256=row["sha256"], message_id=row["message_id"],
        source_key=row["source_key"], received_at=datetime.fromisoformat(row["received_at"]),
        subject=row["subject"], sender=row["sender"], state=row["state"],
        reason=row["reason"] or "", unit=row["unit"], quarter=row["quarter"],
        attempts=row["attempts"])
