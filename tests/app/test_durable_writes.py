"""A poll waits for the disk once per group of mails (a group commit), not per mail: the
mails are archived together and synced in one round before the first is recorded,
their outcomes are committed one by one without waiting (a mail to ignore is claimed
and recorded in one commit), SQLite's log is synced once at the end, and only then is
the mailbox touched.

Counted in a real run: the store's `sync` is handed a counting os.fsync (each sync is
listed with the file it was for), SQLite's trace callback lists every statement, so
each transaction is seen with what it holds and whether it waited for the disk
(synchronous=FULL) or not (NORMAL), and the mailbox's marks are listed on the same
time line through a source that passes every call on to the real one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mailbot.app import pipeline
from mailbot.app.freshness import health, read_mailbox
from mailbot.config import load
from mailbot.mailbox import open_source
from mailbot.outgoing.render import template_env
from mailbot.store import Store
from tests.pipeline import SEPT, unit_mail, write_config
from tests.servers import PASSWORD, site_config


@dataclass
class Counted:
    """What the store and the mailbox did, in order: ("sync", path), ("commit", kind),
    ("mark", source key); and the transactions as statement lists."""

    events: list[tuple[str, str]] = field(default_factory=list)
    durable: list[list[str]] = field(default_factory=list)
    lazy: list[list[str]] = field(default_factory=list)
    _open: list[str] | None = None
    _full: bool = True

    def sync(self, fd: int) -> None:
        self.events.append(("sync", os.readlink(f"/proc/self/fd/{fd}")))
        os.fsync(fd)

    def trace(self, statement: str) -> None:
        if statement.startswith("PRAGMA synchronous="):
            self._full = statement.endswith("FULL")
        elif statement == "BEGIN IMMEDIATE":
            self._open = []
        elif statement == "COMMIT" and self._open is not None:
            (self.durable if self._full else self.lazy).append(self._open)
            self.events.append(("commit", "durable" if self._full else "lazy"))
            self._open = None
        elif self._open is not None:
            self._open.append(statement)

    def synced(self) -> list[str]:
        return [path for kind, path in self.events if kind == "sync"]


class Observed:
    """The real source, with its marks noted on the counted time line."""

    def __init__(self, source, counted: Counted):
        self.source, self.counted, self.batch = source, counted, source.batch

    def fetch_new(self, state):
        return self.source.fetch_new(state)

    def mark_processed(self, source_key: str) -> None:
        self.counted.events.append(("mark", source_key))
        self.source.mark_processed(source_key)

    def close(self) -> None:
        self.source.close()


def counted_context(config) -> tuple[pipeline.Context, Counted]:
    counted = Counted()
    store = Store(config.store_path, config.archive_path, sync=counted.sync)
    ctx = pipeline.Context(config, store, lambda: SEPT,
                           template_env(pipeline.templates_dir(config)))
    ctx.since()  # the start point, fixed once per store, not per mail
    store.db.set_trace_callback(counted.trace)
    return ctx, counted


def mails(ctx) -> list[bytes]:
    """A report with its form (done, receipt), one without files (held, notice), and a
    colleague's chatter (ignored): every outcome path of the pipeline."""
    chatter = (b"From: colleague@zichuan.example.org\r\nTo: fulian@example.org\r\n"
               b"Subject: lunch\r\nMessage-ID: <chat@x>\r\n\r\nsee you\r\n")
    return [unit_mail(ctx, "区人社局", files=("docx",)),
            unit_mail(ctx, "区妇联", files=()), chatter,
            unit_mail(ctx, "区卫健局", files=("docx",))]


def assert_one_wait_for_the_disk(ctx, counted: Counted, count: int, position: bool) -> None:
    states = sorted(m.state for m in ctx.store.messages())
    assert states == ["done", "done", "held", "ignored"]
    assert counted.durable == []  # no commit waits for the disk on its own
    outcome_writes = [t for t in counted.lazy if any("UPDATE messages SET state" in s
                                                     for s in t)]
    assert len(outcome_writes) == count  # one commit per mail: state, reply, position
    replies = sum(any("INSERT OR IGNORE INTO outgoing " in s for s in t) for t in outcome_writes)
    assert replies == 3 == len(ctx.store.outgoing())  # receipts and the held notice
    positions = sum(any("INSERT INTO state" in s and "'mailbox'" in s for s in t)
                    for t in outcome_writes)
    assert positions == (count if position else 0)
    claims = [t for t in counted.lazy if any(s.startswith("INSERT INTO messages ") for s in t)]
    at_once = [t for t in claims if t in outcome_writes]
    assert len(claims) == count and len(at_once) == 1  # the chatter: claimed and ignored in
    assert "'ignored'" in " ".join(at_once[0])  # one commit; the mails to read, claimed first
    archived = {str(ctx.store.archive_dir / m.sha256[:2] / f"{m.sha256}.eml")
                for m in ctx.store.messages()}
    synced = counted.synced()
    assert len(synced) == len(set(synced))  # nothing synced twice
    assert archived <= set(synced)  # every archived file
    assert {str(Path(path).parent) for path in archived} <= set(synced)  # and its folder
    wal = f"{ctx.store.path}-wal"
    assert synced[-1] == wal and synced.count(wal) == 1  # the log, once: commits durable
    kinds = ["log" if event == ("sync", wal) else event[0] for event in counted.events]
    first_commit = kinds.index("commit")
    assert set(kinds[:first_commit]) == {"sync"}  # the archive first, in one round
    assert set(kinds[first_commit:kinds.index("log")]) == {"commit"}  # no wait per mail
    assert kinds[kinds.index("log") + 1:] == ["mark"] * count  # the mailbox only then


def test_a_maildir_poll_waits_for_the_disk_once_for_all_its_mails(tmp_path):
    import mailbox

    config = load(write_config(tmp_path))
    ctx, counted = counted_context(config)
    box = mailbox.Maildir(config.mailbox.local_path, create=True)
    for raw in mails(ctx):
        box.add(raw)
    outcomes = pipeline.poll(ctx, Observed(open_source(config.mailbox), counted))
    assert len(outcomes) == 4
    assert_one_wait_for_the_disk(ctx, counted, 4, position=False)
    ctx.store.close()


@pytest.mark.slow
def test_an_imap_poll_commits_the_position_with_each_outcome(tmp_path, dovecot, smtp_server,
                                                             monkeypatch):
    monkeypatch.setenv("MAILBOT_DURABLE_IMAP_PASSWORD", PASSWORD)
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert.cert))
    user = dovecot.new_user()
    config = load(site_config(tmp_path, dovecot, user, smtp_server,
                              "MAILBOT_DURABLE_IMAP_PASSWORD"))
    ctx, counted = counted_context(config)
    for raw in mails(ctx):
        dovecot.append(user, raw)
    source = Observed(open_source(config.mailbox), counted)
    try:
        assert len(pipeline.poll(ctx, source)) == 4
        assert_one_wait_for_the_disk(ctx, counted, 4, position=True)
        assert ctx.store.get_state(pipeline.MAILBOX_STATE)["last_uid"] == 4
        assert pipeline.poll(ctx, source) == []  # the position holds: nothing again
    finally:
        source.close()
        ctx.store.close()


def test_a_long_poll_settles_every_group_and_marks_each_group_after_its_settle(
        tmp_path, monkeypatch):
    import mailbox

    monkeypatch.setattr(pipeline, "GROUP_MAILS", 2)
    config = load(write_config(tmp_path))
    ctx, counted = counted_context(config)
    box = mailbox.Maildir(config.mailbox.local_path, create=True)
    for raw in mails(ctx):
        box.add(raw)
    assert len(pipeline.poll(ctx, Observed(open_source(config.mailbox), counted))) == 4
    wal = f"{ctx.store.path}-wal"
    line = ["log" if event == ("sync", wal) else event[0] for event in counted.events
            if event[0] != "commit"]
    syncs_of_a_group = line.index("log") + 1
    assert line.count("log") == 2  # two groups of two mails
    assert line[syncs_of_a_group:syncs_of_a_group + 2] == ["mark", "mark"]
    assert line[-3:] == ["log", "mark", "mark"]
    assert len(box) == 4 and len(counted.durable) == 0
    ctx.store.close()


def test_a_poll_that_finds_nothing_commits_nothing_that_waits_for_the_disk(tmp_path):
    """The mailbox's health (when it was last read) is all it writes, and a power cut may
    lose that: the next read writes it again (app/freshness._record)."""
    config = load(write_config(tmp_path))
    ctx, counted = counted_context(config)
    source = Observed(open_source(config.mailbox), counted)
    assert read_mailbox(ctx, source) == []
    assert counted.durable == [] and counted.synced() == []
    assert [t for t in counted.lazy if any("'mailbox_health'" in s for s in t)]
    assert health(ctx).ok and health(ctx).read_at == SEPT.isoformat(timespec="seconds")
    ctx.store.close()
