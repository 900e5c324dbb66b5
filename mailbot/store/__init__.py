"""SQLite store and raw-mail archive: the single source of truth.

Every decision elsewhere is made from what is stored here, so a restart or a
second run never repeats work. Nothing is deleted: a later submission
supersedes an earlier one and both stay. Raw bytes are archived by SHA-256
before anything else happens to a mail.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import tenacity

from mailbot.core.models import Assessment, Extraction, FormRow, SubmissionRecord
from mailbot.store.schema import MIGRATIONS

BUSY_TIMEOUT = 30.0  # seconds a write waits for another process's lock


MARKER = "STORE"  # beside the archived mails: a store was created for this archive
JOURNAL = "received.jsonl"  # one line per claimed mail: where and when it arrived


class StoreUnusable(Exception):
    """The store cannot be used at all (gone where one existed, not a database, or
    written by a newer mailbot). Nothing is done: the worker stops with this message,
    and `mailbot rebuild` makes a new store from the archive."""


class StoreUnavailable(Exception):
    """The store cannot be written now (a locked database, a read-only disk).

    Nothing was recorded for the mail in hand, and the mailbox was not touched,
    so the next poll tries it again; the message says what to fix.
    """


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


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _busy(error: BaseException) -> bool:
    return (isinstance(error, sqlite3.OperationalError)
            and getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY,
                                                             sqlite3.SQLITE_LOCKED))


class Store:
    """SQLite (WAL) plus an on-disk archive of raw mails, both private (0600/0700)."""

    def __init__(self, path: Path, archive_dir: Path, timeout: float = BUSY_TIMEOUT,
                 create: bool = False):
        """Open the store; `create` allows a new empty one where a store existed
        (`mailbot rebuild`), otherwise that is refused (StoreUnusable)."""
        self.path = Path(path)
        self.timeout = timeout
        self.archive_dir = Path(archive_dir)
        new = not self.path.exists() or self.path.stat().st_size == 0
        if new and not create:
            refuse_missing(self.path, self.archive_dir)
        for folder in (self.path.parent, self.archive_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            self._open()
        except sqlite3.DatabaseError as error:
            self.db.close()
            if _busy(error):
                raise
            raise StoreUnusable(f"数据库文件 {self.path} 已损坏或不是 mailbot 的数据库"
                                f"（{error}）。请从备份恢复，或运行 mailbot rebuild "
                                "由原始邮件存档重建。") from None
        except StoreUnusable:
            self.db.close()
            raise
        if new or not (self.archive_dir / MARKER).exists():  # stores made before markers too
            marker = os.open(self.archive_dir / MARKER, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                             0o600)
            with os.fdopen(marker, "w", encoding="utf-8") as handle:
                handle.write(f"{self.path}\n")

    def _open(self) -> None:
        os.chmod(self.path, 0o600)
        self.db.row_factory = sqlite3.Row
        self._enter_wal()
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def _enter_wal(self) -> None:
        """Switch a new file to WAL. The switch takes the lock without SQLite's busy
        handler, so jobs opening a brand-new store at once retry it briefly instead."""
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(_busy), stop=tenacity.stop_after_delay(self.timeout),
            wait=tenacity.wait_random(0.01, 0.1), reraise=True)
        retrying(self.db.execute, "PRAGMA journal_mode=WAL")

    def _migrate(self) -> None:
        """Apply the missing migrations; the version is read inside the write transaction,
        so several processes or threads opening a new store at once migrate it once."""
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = db.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
            if current > len(MIGRATIONS):
                raise StoreUnusable(
                    f"数据库 {self.path} 的结构版本为 {current}，由较新版本的 mailbot 写入；"
                    f"本程序只认得到第 {len(MIGRATIONS)} 版。请升级 mailbot 后再运行，"
                    "数据库未作改动。")
            for version, script in enumerate(MIGRATIONS, start=1):
                if version > current:
                    for statement in script.split(";\n"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute("INSERT INTO schema_version VALUES (?)", (version,))

    @property
    def schema_version(self) -> int:
        return self.db.execute("SELECT max(version) FROM schema_version").fetchone()[0]

    @contextmanager
    def transaction(self):
        """One write transaction; BEGIN IMMEDIATE so two workers never interleave."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreUnavailable(f"the store {self.path} is locked by another process "
                                   f"(waited {self.timeout:g} s: {error}); "
                                   "the mail will be tried again") from error
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- archive and claim ------------------------------------------------

    def archive(self, raw: bytes) -> str:
        """Write the raw bytes under their SHA-256 (idempotent) and return the hash."""
        digest = hashlib.sha256(raw).hexdigest()
        try:
            self._write_archive(digest, raw)
        except OSError as error:
            raise StoreUnavailable(f"cannot write the raw-mail archive {self.archive_dir}: "
                                   f"{error.strerror or error}; nothing was recorded, the "
                                   "mail will be tried again") from error
        return digest

    def _write_archive(self, digest: str, raw: bytes) -> None:
        folder = self.archive_dir / digest[:2]
        folder.mkdir(exist_ok=True, mode=0o700)
        target = folder / f"{digest}.eml"
        if not target.exists():
            partial = target.with_suffix(".part")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, target)

    def raw(self, sha256: str) -> bytes:
        return (self.archive_dir / sha256[:2] / f"{sha256}.eml").read_bytes()

    def claim(self, sha256: str, message_id: str, source_key: str, received_at: datetime,
              subject: str = "", sender: str = "", fingerprint: str = "") -> Claim:
        """Record a mail once, in one transaction, keyed by its raw bytes' hash and by
        its content and origin (`fingerprint`, intake.message.content_key): a different
        mail that reuses a Message-ID is a new mail."""
        with self.transaction() as db:
            found = db.execute(
                "SELECT id, state FROM messages WHERE sha256 = ? "
                "OR (fingerprint != '' AND fingerprint = ?) ORDER BY id LIMIT 1",
                (sha256, fingerprint)).fetchone()
            if found:
                db.execute("INSERT OR IGNORE INTO source_keys VALUES (?, ?)",
                           (source_key, found["id"]))
                return Claim(found["id"], False, found["state"])
            cursor = db.execute(
                "INSERT INTO messages (sha256, message_id, source_key, received_at, subject,"
                " sender, state, created_at, fingerprint)"
                " VALUES (?, ?, ?, ?, ?, ?, 'claimed', ?, ?)",
                (sha256, message_id, source_key, _iso(received_at), subject, sender,
                 _iso(utcnow()), fingerprint))
            db.execute("INSERT OR IGNORE INTO source_keys VALUES (?, ?)",
                       (source_key, cursor.lastrowid))
            self._journal(sha256, source_key, received_at)
            return Claim(cursor.lastrowid, True, "claimed")

    def _journal(self, sha256: str, source_key: str, received_at: datetime) -> None:
        """Note beside the archive where and when a mail arrived: what `mailbot rebuild`
        needs besides the bytes (an IMAP arrival time is not inside the mail)."""
        line = json.dumps({"sha256": sha256, "source_key": source_key,
                           "received_at": _iso(received_at)}) + "\n"
        fd = os.open(self.archive_dir / JOURNAL, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line)

    def archived(self) -> list[tuple[str, dict]]:
        """Every archived mail's hash with what the journal says of it (may be empty)."""
        journal = {}
        if (self.archive_dir / JOURNAL).exists():
            for line in (self.archive_dir / JOURNAL).read_text(encoding="utf-8").splitlines():
                if line.strip():
                    entry = json.loads(line)
                    journal.setdefault(entry["sha256"], entry)
        return [(path.stem, journal.get(path.stem, {}))
                for path in sorted(self.archive_dir.glob("??/*.eml"))]

    def message_by_source_key(self, source_key: str) -> MessageRecord | None:
        row = self.db.execute(
            "SELECT m.* FROM source_keys k JOIN messages m ON m.id = k.message"
            " WHERE k.source_key = ?", (source_key,)).fetchone()
        return _message(row) if row else None

    def set_state(self, message: int, state: str, reason: str = "",
                  unit: str | None = None, quarter: str | None = None, db=None) -> None:
        (db or self.db).execute(
            "UPDATE messages SET state = ?, reason = ?, unit = coalesce(?, unit),"
            " quarter = coalesce(?, quarter) WHERE id = ?",
            (state, reason, unit, quarter, message))

    def record_failure(self, message: int, error: str) -> int:
        """Mark a mail failed with its error; return how often it has failed."""
        with self.transaction() as db:
            db.execute("UPDATE messages SET state = 'failed', reason = ?,"
                       " attempts = attempts + 1 WHERE id = ?", (error, message))
            return db.execute("SELECT attempts FROM messages WHERE id = ?",
                              (message,)).fetchone()[0]

    def messages(self, *states: str) -> list[MessageRecord]:
        marks = ",".join("?" * len(states))
        query = "SELECT * FROM messages" + (f" WHERE state IN ({marks})" if states else "")
        return [_message(row) for row in self.db.execute(query + " ORDER BY id", states)]

    def unanswered(self) -> list[MessageRecord]:
        """Counted mails with no receipt queued under their id or Message-ID (the
        receipt's dedup key), oldest first; one indexed look-up each, in SQL."""
        rows = self.db.execute(
            "SELECT * FROM messages AS m WHERE state = 'done' AND NOT EXISTS (SELECT 1 FROM"
            " outgoing WHERE dedup_key IN ('receipt:' || m.id, 'receipt:' || m.message_id))"
            " ORDER BY id")
        return [_message(row) for row in rows]

    def message(self, message: int) -> MessageRecord | None:
        row = self.db.execute("SELECT * FROM messages WHERE id = ?", (message,)).fetchone()
        return _message(row) if row else None

    # --- submissions ------------------------------------------------------

    def add_submission(self, db, message: int, message_id: str, received_at: datetime,
                       assessment: Assessment, extractions: list[Extraction]) -> int:
        """Store a judged submission with its documents and rows (inside a transaction)."""
        cursor = db.execute(
            "INSERT INTO submissions (message, message_id, unit, quarter, received_at,"
            " electronic, stamped_pdf, items, problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (message, message_id, assessment.unit, assessment.quarter, _iso(received_at),
             assessment.electronic, assessment.stamped_pdf, json.dumps(assessment.items),
             json.dumps(assessment.problems, ensure_ascii=False)))
        submission = cursor.lastrowid
        for extraction in extractions:
            db.execute(
                "INSERT INTO documents (submission, message, file, format, error, has_form,"
                " scanned, seal, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (submission, message, extraction.file, extraction.format, extraction.error,
                 extraction.has_form, extraction.scanned, extraction.seal,
                 json.dumps(extraction.warnings, ensure_ascii=False)))
        for row in assessment.rows:
            db.execute(
                "INSERT INTO rows (submission, seq, title, units, unit, progress, deadline, extra,"
                " ocr) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (submission, row.seq, row.title, json.dumps(row.units, ensure_ascii=False),
                 row.unit, row.progress, row.deadline,
                 json.dumps(row.extra, ensure_ascii=False), int(row.ocr)))
        return submission

    def counted_submissions(self, quarter: str, unit: str | None = None
                            ) -> list[SubmissionRecord]:
        """The quarter's submissions that count (not rejected by review), oldest first,
        of every unit or of one; assess.current_record builds each unit's quarter from
        them. Two queries whatever the count: the console's overview reads them all on
        each load, and each statement a worker thread runs is a moment it gives up the GIL."""
        rows = self.db.execute(
            "SELECT * FROM submissions WHERE quarter = ? AND counted = 1"
            " AND (? IS NULL OR unit = ?) ORDER BY received_at, id", (quarter, unit, unit))
        return self._submissions(rows.fetchall())

    def document_files(self, submission: int) -> list[str]:
        """The names of the files a submission brought, in the order they were read."""
        rows = self.db.execute("SELECT file FROM documents WHERE submission = ? ORDER BY id",
                               (submission,))
        return [row["file"] for row in rows]

    def all_submissions(self, quarter: str | None = None) -> list[SubmissionRecord]:
        query, args = "SELECT * FROM submissions", ()
        if quarter:
            query, args = query + " WHERE quarter = ?", (quarter,)
        return self._submissions(self.db.execute(query + " ORDER BY id", args).fetchall())

    def uncount(self, db, message: int) -> int:
        """The mail's submissions stop counting (kept for the record); how many there were."""
        return db.execute("UPDATE submissions SET counted = 0 WHERE message = ? AND counted = 1",
                          (message,)).rowcount

    def confirm_seal(self, db, message: int) -> int:
        """A person saw the seal: the mail's counted submissions bring the stamped piece."""
        return db.execute("UPDATE submissions SET stamped_pdf = 1 WHERE message = ?"
                          " AND counted = 1", (message,)).rowcount

    # --- audit trail ------------------------------------------------------------

    def audit(self, db, who: str, action: str, message: int | None, detail: str,
              reason: str, at: datetime) -> None:
        db.execute("INSERT INTO audit (at, who, action, message, detail, reason)"
                   " VALUES (?, ?, ?, ?, ?, ?)", (_iso(at), who, action, message, detail, reason))

    def audit_trail(self, message: int | None = None) -> list[AuditEntry]:
        query, args = "SELECT * FROM audit", ()
        if message is not None:
            query, args = query + " WHERE message = ?", (message,)
        return [AuditEntry(row["id"], datetime.fromisoformat(row["at"]), row["who"],
                           row["action"], row["message"], row["detail"], row["reason"])
                for row in self.db.execute(query + " ORDER BY id", args)]

    def _submissions(self, found: list[sqlite3.Row]) -> list[SubmissionRecord]:
        """Submissions with their form rows, fetched in one query for all of them."""
        rows: dict[int, list[FormRow]] = {row["id"]: [] for row in found}
        for r in self.db.execute(
                "SELECT * FROM rows WHERE submission IN (SELECT value FROM json_each(?))"
                " ORDER BY submission, seq, id", (json.dumps(list(rows)),)):
            rows[r["submission"]].append(FormRow(
                seq=r["seq"], title=r["title"], units=tuple(json.loads(r["units"])),
                unit=r["unit"], progress=r["progress"], deadline=r["deadline"],
                extra=tuple((name, text) for name, text in json.loads(r["extra"])),
                ocr=bool(r["ocr"])))
        return [SubmissionRecord(
            id=row["id"], message_id=row["message_id"], unit=row["unit"],
            quarter=row["quarter"], received_at=datetime.fromisoformat(row["received_at"]),
            electronic=bool(row["electronic"]), stamped_pdf=bool(row["stamped_pdf"]),
            items=tuple(json.loads(row["items"])), problems=tuple(json.loads(row["problems"])),
            rows=tuple(rows[row["id"]])) for row in found]

    # --- outgoing mail ------------------------------------------------------

    def queue_mail(self, db, kind: str, dedup_key: str | None, sender: str,
                   recipients: tuple[str, ...], subject: str, raw: bytes,
                   unit: str | None = None, quarter: str | None = None,
                   queued_at: datetime | None = None) -> int | None:
        """Write a mail to send; None when a mail with the same dedup key exists.
        `queued_at` is the campaign clock's moment; rate limits and the give-up age count
        on it (created_at holds the same moment)."""
        cursor = db.execute(
            "INSERT OR IGNORE INTO outgoing (dedup_key, kind, sender, recipients, subject, raw,"
            " unit, quarter, created_at, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (dedup_key, kind, sender, json.dumps(recipients), subject, raw, unit, quarter,
             _iso(queued_at or utcnow()), _iso(queued_at or utcnow())))
        return cursor.lastrowid if cursor.rowcount else None

    def unsent(self, now: datetime | None = None) -> list[QueuedMail]:
        """Queued mail, oldest first; with `now`, only what is due (its retry time has come)."""
        query, args = "SELECT * FROM outgoing WHERE state = 'queued'", ()
        if now is not None:
            query, args = query + " AND (next_try_at IS NULL OR next_try_at <= ?)", (_iso(now),)
        rows = self.db.execute(query + " ORDER BY id", args)
        return [QueuedMail(r["id"], r["kind"], r["sender"], tuple(json.loads(r["recipients"])),
                           r["raw"], r["attempts"],
                           datetime.fromisoformat(r["queued_at"] or r["created_at"]))
                for r in rows]

    def mark_sent(self, mail: int) -> None:
        self.db.execute("UPDATE outgoing SET state = 'sent', sent_at = ? WHERE id = ?",
                        (_iso(utcnow()), mail))

    def mark_send_failed(self, mail: int, error: str, permanent: bool,
                         retry_at: datetime | None = None, free_key: bool = False) -> None:
        """Count a failed attempt at this mail: failed for good, or queued until `retry_at`.
        `free_key`: the mail's dedup key is released (kept in given_up_key), so what it
        was for (a reminder stage) can be queued again as a new mail."""
        self.db.execute(
            "UPDATE outgoing SET attempts = attempts + 1, last_error = ?, next_try_at = ?,"
            " state = CASE WHEN ? THEN 'failed' ELSE state END,"
            " given_up_key = CASE WHEN ? THEN dedup_key ELSE given_up_key END,"
            " dedup_key = CASE WHEN ? THEN NULL ELSE dedup_key END WHERE id = ?",
            (error, _iso(retry_at) if retry_at else None, permanent, free_key, free_key, mail))

    def note_send_error(self, mail: int, error: str, retry_at: datetime | None = None) -> None:
        """The server, not the mail, failed: keep the error for the operator, count nothing
        (with `retry_at`, the mail waits until then)."""
        self.db.execute("UPDATE outgoing SET last_error = ?,"
                        " next_try_at = coalesce(?, next_try_at) WHERE id = ?",
                        (error, _iso(retry_at) if retry_at else None, mail))

    def resend(self, mail: int, db=None) -> bool:
        """Queue a failed mail again (the operator's choice); False if it is not failed, or
        if what it was for has been queued again since (its freed dedup key is taken)."""
        cursor = (db or self.db).execute(
            "UPDATE outgoing SET state = 'queued', attempts = 0, next_try_at = NULL,"
            " dedup_key = given_up_key, given_up_key = NULL WHERE id = ? AND state = 'failed'"
            " AND (given_up_key IS NULL OR NOT EXISTS (SELECT 1 FROM outgoing AS other"
            " WHERE other.dedup_key = outgoing.given_up_key))", (mail,))
        return cursor.rowcount == 1

    def outbox_counts(self) -> dict[str, int]:
        """How many outgoing mails are in each state (queued, sent, failed)."""
        rows = self.db.execute("SELECT state, count(*) FROM outgoing GROUP BY state")
        return {state: count for state, count in rows}

    def failed_outgoing(self) -> list[dict]:
        """Mails given up, without their bytes: what `mailbot review` shows."""
        rows = self.db.execute(
            "SELECT id, kind, recipients, subject, attempts, last_error, created_at"
            " FROM outgoing WHERE state = 'failed' ORDER BY id")
        return [dict(row) for row in rows]

    def dedup_keys(self, prefix: str) -> set[str]:
        rows = self.db.execute("SELECT dedup_key FROM outgoing WHERE dedup_key LIKE ?",
                               (prefix.replace("%", r"\%") + "%",))
        return {row[0] for row in rows}

    def mails_to_since(self, address: str, kinds: tuple[str, ...], since: datetime) -> int:
        """How many mails of these kinds went to an address since a moment (rate limits)."""
        marks = ",".join("?" * len(kinds))
        return self.db.execute(
            f"SELECT count(*) FROM outgoing WHERE kind IN ({marks}) AND created_at >= ?"
            " AND EXISTS (SELECT 1 FROM json_each(recipients) WHERE value = ?)",
            (*kinds, _iso(since), address)).fetchone()[0]

    def outgoing(self, kind: str | None = None) -> list[dict]:
        query, args = "SELECT * FROM outgoing", ()
        if kind:
            query, args = query + " WHERE kind = ?", (kind,)
        return [dict(row) for row in self.db.execute(query + " ORDER BY id", args)]

    # --- what one unit sent and was sent (the console's unit page) ----------

    def messages_of_unit(self, unit: str) -> list[MessageRecord]:
        """Every mail recorded for a unit, newest first, whatever its state."""
        rows = self.db.execute("SELECT * FROM messages WHERE unit = ?"
                               " ORDER BY received_at DESC, id DESC", (unit,))
        return [_message(row) for row in rows]

    def documents_of(self, messages: list[int]) -> dict[int, list[dict]]:
        """The files read from each of these mails, by message id, in stored order."""
        found: dict[int, list[dict]] = {message: [] for message in messages}
        marks = ",".join("?" * len(messages))
        for row in self.db.execute(f"SELECT * FROM documents WHERE message IN ({marks})"
                                   " ORDER BY id", messages):
            found[row["message"]].append(dict(row, warnings=json.loads(row["warnings"])))
        return found

    def outgoing_of_unit(self, unit: str) -> list[dict]:
        """Mails sent (or to be sent) to a unit, newest first, without their bytes."""
        rows = self.db.execute(
            "SELECT id, kind, dedup_key, recipients, subject, quarter, state, attempts,"
            " last_error, created_at, sent_at FROM outgoing WHERE unit = ? ORDER BY id DESC",
            (unit,))
        return [dict(row) for row in rows]

    def last_recorded_at(self) -> datetime | None:
        """When the newest mail was recorded: the last sign that intake read the mailbox."""
        found = self.db.execute("SELECT max(created_at) FROM messages").fetchone()[0]
        return datetime.fromisoformat(found) if found else None

    # --- failed console logins (web.throttle decides the waits) -------------

    def login_failures(self, keys) -> dict[str, tuple[int, datetime]]:
        """Failures in a row and the last one's moment, for those of `keys` that have any."""
        rows = self.db.execute("SELECT * FROM login_failures WHERE key IN"
                               " (SELECT value FROM json_each(?))", (json.dumps(list(keys)),))
        return {row["key"]: (row["failures"], datetime.fromisoformat(row["last_at"]))
                for row in rows}

    def note_login_failure(self, keys, at: datetime, forget_before: datetime) -> None:
        """One more failure for each key; a key whose last failure is older than
        `forget_before` starts again at one."""
        self.db.executemany(
            "INSERT INTO login_failures (key, failures, last_at) VALUES (?, 1, ?)"
            " ON CONFLICT(key) DO UPDATE SET last_at = excluded.last_at, failures ="
            " CASE WHEN last_at < ? THEN 1 ELSE failures + 1 END",
            [(key, _iso(at), _iso(forget_before)) for key in keys])

    def forget_login_failures(self, keys) -> None:
        self.db.executemany("DELETE FROM login_failures WHERE key = ?", [(k,) for k in keys])

    # --- key/value state (IMAP high-water marks...) ------------------------

    def get_state(self, key: str) -> dict | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put_state(self, key: str, value: dict) -> None:
        self.db.execute("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key)"
                        " DO UPDATE SET value = excluded.value", (key, json.dumps(value)))


def refuse_missing(path: Path, archive_dir: Path) -> None:
    """No store file, yet a store was made here before (the marker, or archived mail):
    starting empty would forget every mail and chase every unit again."""
    if (archive_dir / MARKER).exists() or any(archive_dir.glob("??/*.eml")):
        raise StoreUnusable(f"数据库文件 {path} 不存在，但 {archive_dir} 里有它的原始邮件存档："
                            "数据库曾经存在，可能被删除或移走。mailbot 不会用空数据库重新开始"
                            "（那样会忘记已收到的报送并重新催报）。请放回该文件，"
                            "或运行 mailbot rebuild 由存档重建（不发送任何邮件）。")


def _message(row) -> MessageRecord:
    return MessageRecord(
        id=row["id"], sha256=row["sha256"], message_id=row["message_id"],
        source_key=row["source_key"], received_at=datetime.fromisoformat(row["received_at"]),
        subject=row["subject"], sender=row["sender"], state=row["state"],
        reason=row["reason"] or "", unit=row["unit"], quarter=row["quarter"],
        attempts=row["attempts"])
