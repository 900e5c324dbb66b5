"""Every write to the store, as methods of one open transaction (Store.transaction).

There is one way to change the store: `with store.transaction() as tx:` and the
methods below, so what belongs together commits together (a mail's outcome, its
receipt and the mailbox position: docs/design.md, Durability) and nothing is
written outside a transaction by accident.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime

from typing import TYPE_CHECKING

from mailbot.core.models import OutgoingState

if TYPE_CHECKING:  # a mail's values: built at the first mail (core.models)
    from mailbot.core.models import Assessment, Extraction
    from mailbot.store.records import Claim
from mailbot.store.moments import iso

JOURNAL = "received.jsonl"  # one line per claimed mail: where and when it arrived


class Tx:
    """One open write transaction; committed when the `with` block ends, rolled back
    if it raises."""

    def __init__(self, db: sqlite3.Connection, journal: Callable[[str], None]):
        self.db = db
        self.journal = journal

    def execute(self, sql: str, args=()) -> sqlite3.Cursor:
        """Raw SQL inside the transaction (tests and benchmarks that build fixtures)."""
        return self.db.execute(sql, args)

    # --- mails received -----------------------------------------------------

    def claim(self, sha256: str, message_id: str, source_key: str, received_at: datetime,
              at: datetime, subject: str = "", sender: str = "", fingerprint: str = "") -> Claim:
        """Record a mail once, keyed by its raw bytes' hash and by its content and
        origin (`fingerprint`, intake.message.content_key): a different mail that reuses
        a Message-ID is a new mail. `at` is when it was recorded."""
        from mailbot.store.records import Claim

        found = self.db.execute(
            "SELECT id, state FROM messages WHERE sha256 = ?"
            " UNION ALL SELECT id, state FROM messages WHERE fingerprint != ''"
            " AND fingerprint = ? ORDER BY id LIMIT 1", (sha256, fingerprint)).fetchone()
        if found:
            self.db.execute("INSERT OR IGNORE INTO source_keys VALUES (?, ?)",
                            (source_key, found["id"]))
            return Claim(found["id"], False, found["state"])
        cursor = self.db.execute(
            "INSERT INTO messages (sha256, message_id, source_key, received_at, subject,"
            " sender, state, created_at, fingerprint)"
            " VALUES (?, ?, ?, ?, ?, ?, 'claimed', ?, ?)",
            (sha256, message_id, source_key, iso(received_at), subject, sender, iso(at),
             fingerprint))
        self.db.execute("INSERT OR IGNORE INTO source_keys VALUES (?, ?)",
                        (source_key, cursor.lastrowid))
        self._journal(sha256, source_key, received_at)
        return Claim(cursor.lastrowid, True, "claimed")

    def _journal(self, sha256: str, source_key: str, received_at: datetime) -> None:
        """Note beside the archive where and when a mail arrived: what `mailbot rebuild`
        needs besides the bytes (an IMAP arrival time is not inside the mail)."""
        self.journal(json.dumps({"sha256": sha256, "source_key": source_key,
                                 "received_at": iso(received_at)}) + "\n")

    def set_state(self, message: int, state: str, reason: str = "",
                  unit: str | None = None, quarter: str | None = None) -> None:
        self.db.execute(
            "UPDATE messages SET state = ?, reason = ?, unit = coalesce(?, unit),"
            " quarter = coalesce(?, quarter) WHERE id = ?",
            (state, reason, unit, quarter, message))

    def record_failure(self, message: int, error: str) -> int:
        """Mark a mail failed with its error; return how often it has failed."""
        self.db.execute("UPDATE messages SET state = 'failed', reason = ?,"
                        " attempts = attempts + 1 WHERE id = ?", (error, message))
        return self.db.execute("SELECT attempts FROM messages WHERE id = ?",
                               (message,)).fetchone()[0]

    # --- submissions and review -----------------------------------------------

    def add_submission(self, message: int, message_id: str, received_at: datetime,
                       assessment: Assessment, extractions: list[Extraction]) -> int:
        """Store a judged submission with its documents and rows."""
        cursor = self.db.execute(
            "INSERT INTO submissions (message, message_id, unit, quarter, received_at,"
            " electronic, stamped_pdf, items, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (message, message_id, assessment.unit, assessment.quarter, iso(received_at),
             assessment.electronic, assessment.stamped_pdf, json.dumps(assessment.items),
             json.dumps(assessment.problems, ensure_ascii=False)))
        submission = cursor.lastrowid
        self.db.executemany(
            "INSERT INTO documents (submission, message, file, format, error, has_form,"
            " scanned, seal, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(submission, message, e.file, e.format, e.error, e.has_form, e.scanned, e.seal,
              json.dumps(e.warnings, ensure_ascii=False)) for e in extractions])
        self.db.executemany(
            "INSERT INTO rows (submission, seq, title, units, unit, progress, deadline, extra,"
            " ocr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(submission, row.seq, row.title, json.dumps(row.units, ensure_ascii=False),
              row.unit, row.progress, row.deadline, json.dumps(row.extra, ensure_ascii=False),
              int(row.ocr)) for row in assessment.rows])
        return submission

    def uncount(self, message: int) -> int:
        """The mail's submissions stop counting (kept for the record); how many there were."""
        return self.db.execute("UPDATE submissions SET counted = 0 WHERE message = ?"
                               " AND counted = 1", (message,)).rowcount

    def confirm_seal(self, message: int) -> int:
        """A person saw the seal: the mail's counted submissions bring the stamped piece."""
        return self.db.execute("UPDATE submissions SET stamped_pdf = 1 WHERE message = ?"
                               " AND counted = 1", (message,)).rowcount

    def audit(self, who: str, action: str, message: int | None, detail: str,
              reason: str, at: datetime) -> None:
        self.db.execute("INSERT INTO audit (at, who, action, message, detail, reason)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (iso(at), who, action, message, detail, reason))

    # --- outgoing mail ----------------------------------------------------------

    def queue_mail(self, kind: str, dedup_key: str | None, sender: str,
                   recipients: tuple[str, ...], subject: str, raw: bytes,
                   queued_at: datetime, unit: str | None = None,
                   quarter: str | None = None) -> int | None:
        """Write a mail to send; None when a mail with the same dedup key exists.
        `queued_at` is the campaign clock's moment; rate limits and the give-up age count
        on it (created_at holds the same moment). Each recipient is indexed for the
        rate limit (outgoing_to)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO outgoing (dedup_key, kind, sender, recipients, subject, raw,"
            " unit, quarter, created_at, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (dedup_key, kind, sender, json.dumps(recipients), subject, raw, unit, quarter,
             iso(queued_at), iso(queued_at)))
        if not cursor.rowcount:
            return None
        self.db.executemany("INSERT INTO outgoing_to VALUES (?, ?, ?, ?)",
                            [(cursor.lastrowid, address, kind, iso(queued_at))
                             for address in dict.fromkeys(recipients)])
        return cursor.lastrowid

    def mark_sent(self, mail: int, at: datetime) -> None:
        self.db.execute("UPDATE outgoing SET state = ?, sent_at = ? WHERE id = ?",
                        (OutgoingState.SENT, iso(at), mail))

    def mark_send_failed(self, mail: int, error: str, permanent: bool,
                         retry_at: datetime | None = None, free_key: bool = False) -> None:
        """Count a failed attempt at this mail: failed for good, or queued until `retry_at`.
        `free_key`: the mail's dedup key is released (kept in given_up_key), so what it
        was for (a reminder stage) can be queued again as a new mail."""
        self.db.execute(
            "UPDATE outgoing SET attempts = attempts + 1, last_error = ?, next_try_at = ?,"
            " state = CASE WHEN ? THEN ? ELSE state END,"
            " given_up_key = CASE WHEN ? THEN dedup_key ELSE given_up_key END,"
            " dedup_key = CASE WHEN ? THEN NULL ELSE dedup_key END WHERE id = ?",
            (error, iso(retry_at) if retry_at else None, permanent, OutgoingState.FAILED,
             free_key, free_key, mail))

    def note_send_error(self, mail: int, error: str, retry_at: datetime | None = None) -> None:
        """The server, not the mail, failed: keep the error for the operator, count nothing
        (with `retry_at`, the mail waits until then)."""
        self.db.execute("UPDATE outgoing SET last_error = ?,"
                        " next_try_at = coalesce(?, next_try_at) WHERE id = ?",
                        (error, iso(retry_at) if retry_at else None, mail))

    def resend(self, mail: int) -> bool:
        """Queue a failed mail again (the operator's choice); False if it is not failed, or
        if what it was for has been queued again since (its freed dedup key is taken)."""
        cursor = self.db.execute(
            "UPDATE outgoing SET state = ?, attempts = 0, next_try_at = NULL,"
            " dedup_key = given_up_key, given_up_key = NULL WHERE id = ? AND state = ?"
            " AND (given_up_key IS NULL OR NOT EXISTS (SELECT 1 FROM outgoing AS other"
            " WHERE other.dedup_key = outgoing.given_up_key))",
            (OutgoingState.QUEUED, mail, OutgoingState.FAILED))
        return cursor.rowcount == 1

    # --- key/value state (the mailbox position, parse budgets...) -------------

    def put_state(self, key: str, value: dict) -> None:
        self.db.execute("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key)"
                        " DO UPDATE SET value = excluded.value", (key, json.dumps(value)))
