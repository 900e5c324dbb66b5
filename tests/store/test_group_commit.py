"""Store.group: commits that wait for the disk together, on a real file and archive.

What must hold: inside a group the mails archived together are synced in one round
before the first record is committed (no record is durable before its mail), also
when the round was started early on the store's sync threads (together, off the
caller's thread, and a failure there stops the record and leaks nothing), the
commits do not wait for the disk, what was committed is visible to another process
at once (it survives the worker being killed), the settle syncs the log once; a group
that ends by an exception still settles; and an archived file cut short (a power cut
before its sync) is written again when the mail comes back.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
import time
from datetime import datetime, timezone

import pytest

from mailbot.store import Store, StoreUnavailable

WHEN = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)


class Syncs(list):
    """Each sync's file, in the order they were done; and, for each, the thread it ran
    on and how many syncs were in flight when it started."""

    def __init__(self):
        super().__init__()
        self.threads: list[int] = []
        self.in_flight: list[int] = []
        self.busy = 0
        self.lock = threading.Lock()
        self.fail: str | None = None  # a file name whose sync fails (a dying disk)
        self.slow: str | None = None  # a file name whose sync takes half a second

    def __call__(self, fd: int) -> None:
        path = os.readlink(f"/proc/self/fd/{fd}")
        with self.lock:
            self.threads.append(threading.get_ident())
            self.busy += 1
            self.in_flight.append(self.busy)
        try:
            time.sleep(0.5 if self.slow and path.endswith(self.slow) else 0.005)
            if self.fail and path.endswith(self.fail):
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            os.fsync(fd)
        finally:
            with self.lock:
                self.busy -= 1
        self.append(path)  # listed once done


@pytest.fixture
def store(tmp_path):
    syncs = Syncs()
    opened = Store(tmp_path / "var" / "mailbot.sqlite3", tmp_path / "var" / "archive",
                   sync=syncs)
    opened.syncs = syncs
    yield opened
    opened.close()


def claim(store, raw: bytes) -> str:
    sha = store.archive(raw)
    with store.transaction() as tx:
        tx.claim(sha, f"<{sha}>", f"test:{sha}", WHEN, WHEN)
    return sha


def other_process_sees(store) -> int:
    with sqlite3.connect(store.path) as db:
        return db.execute("SELECT count(*) FROM messages").fetchone()[0]


def archive_files_open(store) -> list[str]:
    """The archived files this process still has open."""
    paths = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            paths.append(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:  # the listing's own descriptor, closed by now
            pass
    return [path for path in paths if path.startswith(str(store.archive_dir))
            and path.endswith((".eml", ".part"))]


def archived_path(store, sha: str) -> str:
    return str(store.archive_dir / sha[:2] / f"{sha}.eml")


def test_mails_archived_together_are_synced_in_one_round_before_the_first_record(store):
    store.syncs.clear()
    raws = [b"mail %d" % n for n in range(3)]
    with store.group():
        shas = [store.archive(raw) for raw in raws]
        assert store.syncs == []  # not yet: nothing is recorded
        for raw in raws:
            claim(store, raw)
            files = [archived_path(store, sha) for sha in shas]
            assert store.syncs[:3] == files  # all three, at the first claim
        folders = {os.path.dirname(path) for path in files}  # and the new ones' parent
        assert set(store.syncs[3:]) == folders | {str(store.archive_dir)}
        assert other_process_sees(store) == 3  # committed: a kill loses nothing
        store.syncs.clear()
    assert store.syncs == [f"{store.path}-wal"]  # the settle: the log, once


def test_a_round_started_early_syncs_together_off_the_main_thread_before_the_first_record(
        store):
    store.syncs.clear()
    raws = [b"early mail %d" % n for n in range(6)]
    with store.group():
        shas = [store.archive(raw) for raw in raws]
        store.sync_soon()  # the poll parses the mails meanwhile
        files = {archived_path(store, sha) for sha in shas}
        claim(store, raws[0])
        assert files <= set(store.syncs)  # every file durable before the first record
        assert threading.get_ident() not in store.syncs.threads  # none on the caller's
        assert max(store.syncs.in_flight) > 1  # and they waited for the disk together
        assert other_process_sees(store) == 1


def test_a_mail_is_recorded_without_waiting_for_a_later_round_and_that_round_before_its_own(
        store):
    store.syncs.clear()
    with store.group():
        first = store.archive(b"fetched first")
        store.sync_soon()
        later = store.archive(b"fetched one batch later")
        store.syncs.slow = f"{later}.eml"
        store.sync_soon()  # the poll records the first batch while the disk works
        claim(store, b"fetched first")
        assert archived_path(store, first) in store.syncs
        assert archived_path(store, later) not in store.syncs  # still under way
        claim(store, b"fetched one batch later")
        assert archived_path(store, later) in store.syncs  # waited for: now recorded
        assert other_process_sees(store) == 2


def test_a_sync_that_fails_on_its_thread_stops_the_next_record_and_closes_every_file(store):
    store.syncs.clear()
    raws = [b"mail on a dying disk %d" % n for n in range(4)]
    with store.group():
        shas = [store.archive(raw) for raw in raws]
        store.syncs.fail = f"{shas[1]}.eml"
        store.sync_soon()
        with pytest.raises(StoreUnavailable, match="durable"):
            claim(store, raws[0])
    assert other_process_sees(store) == 0  # nothing recorded of mail not made durable
    assert not archive_files_open(store)


def test_outside_a_group_each_mail_waits_for_the_disk(store):
    store.syncs.clear()
    sha = claim(store, b"one mail")
    path = archived_path(store, sha)
    assert store.syncs[-2:] == [path.replace(".eml", ".part"), os.path.dirname(path)]


def test_a_group_that_ends_by_an_exception_still_settles(store):
    store.syncs.clear()
    with pytest.raises(RuntimeError), store.group():
        claim(store, b"recorded before the error")
        raise RuntimeError("a bug after the commit")
    assert store.syncs[-1] == f"{store.path}-wal"
    assert other_process_sees(store) == 1


def test_a_settle_in_the_middle_syncs_only_what_came_since(store):
    with store.group():
        claim(store, b"first")
        store.settle()
        store.syncs.clear()
        store.settle()  # nothing new: nothing to wait for
        assert store.syncs == []
        second = claim(store, b"second")
    assert store.syncs[0] == archived_path(store, second)


def test_an_archived_file_cut_short_is_written_again(store):
    raw = b"From: unit@example.org\r\n\r\nthe whole mail\r\n"
    sha = store.archive(raw)
    path = store.archive_dir / sha[:2] / f"{sha}.eml"
    path.write_bytes(raw[:10])  # what a power cut before the settle may leave
    assert store.archive(raw) == sha
    assert store.raw(sha) == raw


def test_the_arrival_journal_gets_one_whole_line_per_claim(store):
    with store.group():
        for n in range(3):
            claim(store, b"mail %d" % n)
    lines = (store.archive_dir / "received.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(line.startswith('{"sha256": ') for line in lines)
    assert [entry for _, entry in store.archived() if entry] and len(store.archived()) == 3

