"""Store.group: commits that wait for the disk together, on a real file and archive.

What must hold: inside a group the mails archived together are synced in one round
before the first record is committed (no record is durable before its mail), the
commits do not wait for the disk, what was committed is visible to another process
at once (it survives the worker being killed), the settle syncs the log once; a group
that ends by an exception still settles; and an archived file cut short (a power cut
before its sync) is written again when the mail comes back.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone

import pytest

from mailbot.store import Store

WHEN = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)


class Syncs(list):
    def __call__(self, fd: int) -> None:
        self.append(os.readlink(f"/proc/self/fd/{fd}"))
        os.fsync(fd)


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

