"""SQLite store and raw-mail archive: the single source of truth.

Every decision elsewhere is made from what is stored here, so a restart or a
second run never repeats work. Nothing is deleted: a later submission
supersedes an earlier one and both stay. Raw bytes are archived by SHA-256
before anything else happens to a mail.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from typing import TYPE_CHECKING

from mailbot.core.models import OutgoingState
from mailbot.store.moments import iso, wall_clock
from mailbot.store.pending import Pending, sync_path
from mailbot.store.schema import LISTED, MIGRATIONS
from mailbot.store.tx import JOURNAL, Tx

if TYPE_CHECKING:  # a mail's values: built at the first read of submissions (core.models)
    from mailbot.core.models import FormRow, SubmissionRecord
    from mailbot.store.records import (AuditEntry, Claim, MessageRecord, OutgoingRecord,
                                       QueuedMail)

__all__ = ["AuditEntry", "Claim", "MessageRecord", "OutgoingRecord", "QueuedMail", "Store", "StoreUnavailable",
           "StoreUnusable", "Tx", "wall_clock"]

RECORDS = frozenset({"AuditEntry", "Claim", "MessageRecord", "OutgoingRecord", "QueuedMail"})


def __getattr__(name: str):
    """The records (store.records) at their first use: a start that reads no row of
    them (an empty poll) does not build their classes (issue 15)."""
    if name in RECORDS:
        from mailbot.store import records

        return getattr(records, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


BUSY_TIMEOUT = 30.0  # seconds a write waits for another process's lock


MARKER = "STORE"  # beside the archived mails: a store was created for this archive


class StoreUnusable(Exception):
    """The store cannot be used at all (gone where one existed, not a database, or
    written by a newer mailbot). Nothing is done: the worker stops with this message,
    and `mailbot rebuild` makes a new store from the archive."""


class StoreUnavailable(Exception):
    """The store cannot be written now (a locked database, a read-only disk).

    Nothing was recorded for the mail in hand, and the mailbox was not touched,
    so the next poll tries it again; the message says what to fix.
    """


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _busy(error: BaseException) -> bool:
    return (isinstance(error, sqlite3.OperationalError)
            and getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY,
                                                             sqlite3.SQLITE_LOCKED))


class Store:
    """SQLite (WAL) plus an on-disk archive of raw mails, both private (0600/0700)."""

    def __init__(self, path: Path, archive_dir: Path, timeout: float = BUSY_TIMEOUT,
                 create: bool = False, sync: Callable[[int], None] = os.fsync):
        """Open the store; `create` allows a new empty one where a store existed
        (`mailbot rebuild`), otherwise that is refused (StoreUnusable). `sync` makes
        an archived file, or a folder's new entry, durable (os.fsync; a test counts)."""
        self.path = Path(path)
        self.timeout = timeout
        self.sync = sync
        self._durable = True
        self._pending: Pending | None = None  # inside a group (Store.group)
        self._journal: int | None = None  # received.jsonl, opened at the first claim
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
        if self._journal is not None:
            os.close(self._journal)
            self._journal = None
        self.db.close()

    def _enter_wal(self) -> None:
        """Switch a new file to WAL. The switch takes the lock without SQLite's busy
        handler, so jobs opening a brand-new store at once retry it briefly instead
        (tenacity, loaded only then: not on every start)."""
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
        import tenacity

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(_busy), stop=tenacity.stop_after_delay(self.timeout),
            wait=tenacity.wait_random(0.01, 0.1), reraise=True)
        retrying(self.db.execute, "PRAGMA journal_mode=WAL")

    def _migrate(self) -> None:
        """Apply the missing migrations; the version is read inside the write transaction,
        so several processes or threads opening a new store at once migrate it once."""
        with self.transaction() as tx:
            db = tx.db
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
    def transaction(self, durable: bool = True):
        """One write transaction (a Tx); BEGIN IMMEDIATE so two workers never interleave.

        `durable=False` commits without waiting for the disk (SQLite's synchronous=NORMAL
        in WAL): the commit survives the process being killed, not a power cut, and the
        next durable commit makes it durable too. For what a power cut may lose without
        harm: a mail's claim (the mail is still in the mailbox and archived) and a
        sender's parse budget. docs/design.md, Durability. Inside a group every commit
        is of the second kind until the group settles, and what was archived and no
        early round holds (Store.sync_soon) is synced first."""
        if self._pending is not None:
            self._durably(self._pending.sync_now)
            durable, self._pending.committed = False, True
        self._synchronous(durable)
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreUnavailable(f"the store {self.path} is locked by another process "
                                   f"(waited {self.timeout:g} s: {error}); "
                                   "the mail will be tried again") from error
        try:
            yield Tx(self.db, self._append_journal)
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _append_journal(self, line: str) -> None:
        """One write(2) on a descriptor kept open (O_APPEND): a line whole or not at all."""
        if self._journal is None:
            self._journal = os.open(self.archive_dir / JOURNAL,
                                    os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.write(self._journal, line.encode("utf-8"))

    @contextmanager
    def group(self):
        """Group commit: the mails recorded inside wait for the disk together.

        Archived files are written without their syncs; the next transaction syncs
        all of them first (files, then their folders), so no record is ever committed
        before its mail's archive is durable, whoever makes the commit durable. A
        caller that archives several mails before recording them (app.prefetch) so
        pays for one round of syncs, and may start it early (`sync_soon`) to parse
        them while the disk works. Every transaction inside commits without waiting
        for the disk; `settle()` then syncs SQLite's log once for all of them, and runs
        again when the group ends, also when it ends by an exception. Until a settle,
        what was committed survives the process being killed, not a power cut: the
        caller touches the mailbox only after `settle()` (app.pipeline.poll). A group
        inside a group is part of the outer one."""
        if self._pending is not None:
            yield self
            return
        self._pending = Pending(self.sync)
        try:
            yield self
        finally:
            try:
                self.settle()
            finally:
                self._pending = None

    def settle(self) -> None:
        """Make what the group wrote durable: the archive, then the write-ahead log.
        One sync of the log is what a synchronous=FULL commit does in WAL mode; every
        commit before it is then durable (sqlite.org/pragma.html#pragma_synchronous)."""
        if self._pending is None:
            return
        self._sync_archive()
        if self._pending.committed:
            self._durably(lambda: self._sync_path(Path(f"{self.path}-wal")))
            self._pending.committed = False

    def _sync_archive(self) -> None:
        """The group's archived files and each folder that gained an entry: the rounds
        started early waited for, the rest synced now."""
        if self._pending is not None:
            self._durably(self._pending.finish)

    def sync_soon(self) -> None:
        """Inside a group: start syncing what was archived so far, on threads, so the
        caller can go on while the disk works (app.prefetch parses the batch and
        fetches the next one); a mail of that round waits for it when it is archived
        again to be recorded (`archive`), the settle for every round. Outside
        a group every archive is synced as it is written, and this does nothing."""
        if self._pending is not None:
            self._pending.start_round()

    def _durably(self, sync: Callable[[], object]) -> None:
        try:
            sync()
        except OSError as error:
            raise StoreUnavailable(f"cannot make the store {self.path} and its archive "
                                   f"durable: {error.strerror or error}; the mailbox was "
                                   "not touched, the mails will be seen again") from error

    def _synchronous(self, durable: bool) -> None:
        if durable != self._durable:
            self.db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._durable = durable

    # --- archive and claim ------------------------------------------------

    def archive(self, raw: bytes) -> str:
        """Write the raw bytes under their SHA-256 (idempotent) and return the hash.
        Inside a group, a mail archived before whose round of syncs is under way
        (sync_soon) is waited for: what follows may record it."""
        import hashlib  # here: an empty poll archives nothing (issue 15, start-up)

        digest = hashlib.sha256(raw).hexdigest()
        try:
            self._write_archive(digest, raw)
        except OSError as error:
            raise StoreUnavailable(f"cannot write the raw-mail archive {self.archive_dir}: "
                                   f"{error.strerror or error}; nothing was recorded, the "
                                   "mail will be tried again") from error
        if self._pending is not None:
            self._durably(lambda: self._pending.wait_for(digest))
        return digest

    def _write_archive(self, digest: str, raw: bytes) -> None:
        """Write aside, sync, rename, then sync the folder: the rename (the file's name)
        is only durable once its folder is (a new folder's own entry likewise). In a
        group the syncs wait for `settle()`. A file of the wrong size (a power cut
        before a group settled) is written again."""
        folder = self.archive_dir / digest[:2]
        target = folder / f"{digest}.eml"
        if _size(target) == len(raw):
            return
        if not folder.is_dir():
            folder.mkdir(exist_ok=True, mode=0o700)
            self._synced(self.archive_dir)
        partial = target.with_suffix(".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with open(fd, "wb", closefd=False) as handle:
                handle.write(raw)
            if self._pending is None:
                self.sync(fd)
            os.replace(partial, target)
        except BaseException:
            os.close(fd)
            raise
        if self._pending is None:
            os.close(fd)
        else:
            self._pending.add(digest, fd)  # kept open for its sync: no second open
        self._synced(folder)

    def _synced(self, folder: Path) -> None:
        """Sync a folder that gained an entry now, or at the group's settle."""
        if self._pending is None:
            self._sync_path(folder)
        else:
            self._pending.folders[folder] = None

    def _sync_path(self, path: Path) -> None:
        sync_path(self.sync, path)

    def raw(self, sha256: str) -> bytes:
        return (self.archive_dir / sha256[:2] / f"{sha256}.eml").read_bytes()

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
        from mailbot.store.records import message_record

        row = self.db.execute(
            "SELECT m.* FROM source_keys k JOIN messages m ON m.id = k.message"
            " WHERE k.source_key = ?", (source_key,)).fetchone()
        return message_record(row) if row else None

    def messages(self, *states: str) -> list[MessageRecord]:
        from mailbot.store.records import message_record

        marks = ",".join("?" * len(states))
        query = "SELECT * FROM messages" + (f" WHERE state IN ({marks})" if states else "")
        return [message_record(row) for row in self.db.execute(query + " ORDER BY id", states)]

    def unanswered(self) -> list[MessageRecord]:
        """Counted mails with no receipt queued under their id or Message-ID (the
        receipt's dedup key), oldest first; one indexed look-up each, in SQL."""
        from mailbot.store.records import message_record

        rows = self.db.execute(
            "SELECT * FROM messages AS m WHERE state = 'done' AND NOT EXISTS (SELECT 1 FROM"
            " outgoing WHERE dedup_key IN ('receipt:' || m.id, 'receipt:' || m.message_id))"
            " ORDER BY id")
        return [message_record(row) for row in rows]

    def message(self, message: int) -> MessageRecord | None:
        from mailbot.store.records import message_record

        row = self.db.execute("SELECT * FROM messages WHERE id = ?", (message,)).fetchone()
        return message_record(row) if row else None

    # --- submissions ------------------------------------------------------

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

    def current_pieces(self, quarter: str, unit: str) -> list[SubmissionRecord]:
        """Of one unit's counted submissions in a quarter, only those that can make its
        quarter as it stands (assess.current_record): the latest with an electronic form,
        the latest with any form, the latest stamped copy, and the newest. Index lookups,
        so a receipt costs the same however many mails the unit sent before."""
        latest = ("SELECT id FROM submissions AS s WHERE quarter = :q AND unit = :u"
                  " AND counted = 1 {} ORDER BY received_at DESC, id DESC LIMIT 1")
        has_rows = "AND EXISTS (SELECT 1 FROM rows WHERE rows.submission = s.id)"
        picks = " UNION ".join(f"SELECT * FROM ({latest.format(extra)})" for extra in (
            f"AND electronic = 1 {has_rows}", has_rows, "AND stamped_pdf = 1", ""))
        rows = self.db.execute(f"SELECT * FROM submissions WHERE id IN ({picks})"
                               " ORDER BY received_at, id", {"q": quarter, "u": unit})
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

    # --- audit trail ------------------------------------------------------------

    def audit_trail(self, message: int | None = None) -> list[AuditEntry]:
        from mailbot.store.records import AuditEntry

        query, args = "SELECT * FROM audit", ()
        if message is not None:
            query, args = query + " WHERE message = ?", (message,)
        return [AuditEntry(row["id"], datetime.fromisoformat(row["at"]), row["who"],
                           row["action"], row["message"], row["detail"], row["reason"])
                for row in self.db.execute(query + " ORDER BY id", args)]

    def _submissions(self, found: list[sqlite3.Row]) -> list[SubmissionRecord]:
        """Submissions with their form rows, fetched in one query for all of them."""
        from mailbot.core.models import FormRow, SubmissionRecord

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

    def unsent(self, now: datetime | None = None) -> list[QueuedMail]:
        """Queued mail, oldest first; with `now`, only what is due (its retry time has come)."""
        from mailbot.store.records import QueuedMail

        query, args = "SELECT * FROM outgoing WHERE state = ?", (OutgoingState.QUEUED,)
        if now is not None:
            query, args = (query + " AND (next_try_at IS NULL OR next_try_at <= ?)",
                           (*args, iso(now)))
        rows = self.db.execute(query + " ORDER BY id", args)
        return [QueuedMail(r["id"], r["kind"], r["sender"], tuple(json.loads(r["recipients"])),
                           r["raw"], r["attempts"],
                           datetime.fromisoformat(r["queued_at"] or r["created_at"]))
                for r in rows]

    def any_unsent(self, now: datetime) -> bool:
        """Whether some queued mail is due: `unsent(now)` is not empty (without reading it)."""
        return self.db.execute("SELECT EXISTS (SELECT 1 FROM outgoing WHERE state = ? AND "
                               "(next_try_at IS NULL OR next_try_at <= ?))",
                               (OutgoingState.QUEUED, iso(now))).fetchone()[0] == 1

    def outbox_counts(self) -> dict[str, int]:
        """How many outgoing mails are in each state (queued, sent, failed)."""
        rows = self.db.execute("SELECT state, count(*) FROM outgoing GROUP BY state")
        return {state: count for state, count in rows}

    def failed_outgoing(self) -> list[OutgoingRecord]:
        """Mails given up, without their bytes: what `mailbot review` shows."""
        from mailbot.store.records import outgoing_record

        rows = self.db.execute(f"SELECT {LISTED} FROM outgoing WHERE state = ? ORDER BY id",
                               (OutgoingState.FAILED,))
        return [outgoing_record(row) for row in rows]

    def dedup_keys(self, prefix: str) -> set[str]:
        rows = self.db.execute("SELECT dedup_key FROM outgoing WHERE dedup_key LIKE ?",
                               (prefix.replace("%", r"\%") + "%",))
        return {row[0] for row in rows}

    def mails_to_since(self, address: str, kinds: tuple[str, ...], since: datetime) -> int:
        """How many mails of these kinds went to an address since a moment (rate limits)."""
        marks = ",".join("?" * len(kinds))
        return self.db.execute(
            "SELECT count(*) FROM outgoing_to WHERE address = ? AND created_at >= ?"
            f" AND kind IN ({marks})", (address, iso(since), *kinds)).fetchone()[0]

    def outgoing(self, kind: str | None = None) -> list[OutgoingRecord]:
        """Every outgoing mail (of a kind), oldest first, with its bytes."""
        from mailbot.store.records import outgoing_record

        query, args = f"SELECT {LISTED}, raw FROM outgoing", ()
        if kind:
            query, args = query + " WHERE kind = ?", (kind,)
        return [outgoing_record(row) for row in self.db.execute(query + " ORDER BY id", args)]

    # --- what one unit sent and was sent (the console's unit page) ----------

    def messages_of_unit(self, unit: str) -> list[MessageRecord]:
        """Every mail recorded for a unit, newest first, whatever its state."""
        from mailbot.store.records import message_record

        rows = self.db.execute("SELECT * FROM messages WHERE unit = ?"
                               " ORDER BY received_at DESC, id DESC", (unit,))
        return [message_record(row) for row in rows]

    def documents_of(self, messages: list[int]) -> dict[int, list[dict]]:
        """The files read from each of these mails, by message id, in stored order."""
        found: dict[int, list[dict]] = {message: [] for message in messages}
        marks = ",".join("?" * len(messages))
        for row in self.db.execute(f"SELECT * FROM documents WHERE message IN ({marks})"
                                   " ORDER BY id", messages):
            found[row["message"]].append(dict(row, warnings=json.loads(row["warnings"])))
        return found

    def outgoing_of_unit(self, unit: str) -> list[OutgoingRecord]:
        """Mails sent (or to be sent) to a unit, newest first, without their bytes."""
        from mailbot.store.records import outgoing_record

        rows = self.db.execute(f"SELECT {LISTED} FROM outgoing WHERE unit = ? ORDER BY id DESC",
                               (unit,))
        return [outgoing_record(row) for row in rows]

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
            [(key, iso(at), iso(forget_before)) for key in keys])

    def forget_login_failures(self, keys) -> None:
        self.db.executemany("DELETE FROM login_failures WHERE key = ?", [(k,) for k in keys])

    # --- key/value state (IMAP high-water marks...) ------------------------

    def get_state(self, key: str) -> dict | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

def refuse_missing(path: Path, archive_dir: Path) -> None:
    """No store file, yet a store was made here before (the marker, or archived mail):
    starting empty would forget every mail and chase every unit again."""
    if (archive_dir / MARKER).exists() or any(archive_dir.glob("??/*.eml")):
        raise StoreUnusable(f"数据库文件 {path} 不存在，但 {archive_dir} 里有它的原始邮件存档："
                            "数据库曾经存在，可能被删除或移走。mailbot 不会用空数据库重新开始"
                            "（那样会忘记已收到的报送并重新催报）。请放回该文件，"
                            "或运行 mailbot rebuild 由存档重建（不发送任何邮件）。")
