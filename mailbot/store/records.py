"""What the store hands out: frozen records built from its rows.

Loaded at the first record read (mailbot.store hands the classes out), not by every
start; the time format is store.moments'.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from mailbot.core.models import OutgoingState
from mailbot.store.moments import iso, wall_clock  # noqa: F401  (their old home)


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


@dataclass(frozen=True)
class OutgoingRecord:
    """An outgoing mail as stored: what review, the console and the tests read. `raw`
    is empty where a listing leaves the bytes out."""

    id: int
    kind: str
    dedup_key: str | None
    recipients: tuple[str, ...]
    subject: str
    unit: str | None
    quarter: str | None
    state: OutgoingState
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    given_up_key: str | None = None
    raw: bytes = field(default=b"", repr=False)


def outgoing_record(row) -> OutgoingRecord:
    """From a row of `outgoing` (LISTED columns, and raw if selected)."""
    return OutgoingRecord(
        id=row["id"], kind=row["kind"], dedup_key=row["dedup_key"],
        recipients=tuple(json.loads(row["recipients"])), subject=row["subject"],
        unit=row["unit"], quarter=row["quarter"], state=OutgoingState(row["state"]),
        attempts=row["attempts"], last_error=row["last_error"],
        created_at=datetime.fromisoformat(row["created_at"]),
        sent_at=datetime.fromisoformat(row["sent_at"]) if row["sent_at"] else None,
        given_up_key=row["given_up_key"], raw=row["raw"] if "raw" in row.keys() else b"")


def message_record(row) -> MessageRecord:
    return MessageRecord(
        id=row["id"], sha256=row["sha256"], message_id=row["message_id"],
        source_key=row["source_key"], received_at=datetime.fromisoformat(row["received_at"]),
        subject=row["subject"], sender=row["sender"], state=row["state"],
        reason=row["reason"] or "", unit=row["unit"], quarter=row["quarter"],
        attempts=row["attempts"])
