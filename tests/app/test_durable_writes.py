"""A poll makes two durable writes per mail: the archive's fsync (file, then its folder)
and one durable commit holding the mail's outcome, its reply and the mailbox position.

Counted in a real run: the store's `sync` is handed a counting os.fsync, and SQLite's
trace callback lists every statement, so each transaction is seen with what it holds
and whether it waited for the disk (synchronous=FULL) or not (NORMAL).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest

from mailbot.app import pipeline
from mailbot.config import load
from mailbot.mailbox import open_source
from mailbot.outgoing.render import template_env
from mailbot.store import Store
from tests.pipeline import SEPT, unit_mail, write_config
from tests.servers import PASSWORD, site_config


@dataclass
class Counted:
    """What the store did, from its own hooks: fsyncs, and transactions as statement lists."""

    syncs: int = 0
    durable: list[list[str]] = field(default_factory=list)
    lazy: list[list[str]] = field(default_factory=list)
    _open: list[str] | None = None
    _full: bool = True

    def sync(self, fd: int) -> None:
        self.syncs += 1
        os.fsync(fd)

    def trace(self, statement: str) -> None:
        if statement.startswith("PRAGMA synchronous="):
            self._full = statement.endswith("FULL")
        elif statement == "BEGIN IMMEDIATE":
            self._open = []
        elif statement == "COMMIT" and self._open is not None:
            (self.durable if self._full else self.lazy).append(self._open)
            self._open = None
        elif self._open is not None:
            self._open.append(statement)


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


def assert_two_durable_writes_per_mail(ctx, counted: Counted, count: int,
                                       position: bool) -> None:
    states = sorted(m.state for m in ctx.store.messages())
    assert states == ["done", "done", "held", "ignored"]
    assert len(counted.durable) == count  # one durable commit per mail, nothing else
    outcome_writes = [t for t in counted.durable if any("UPDATE messages SET state" in s
                                                        for s in t)]
    assert len(outcome_writes) == count
    replies = sum(any("INSERT OR IGNORE INTO outgoing " in s for s in t) for t in counted.durable)
    assert replies == 3 == len(ctx.store.outgoing())  # receipts and the held notice
    positions = sum(any("INSERT INTO state" in s and "'mailbox'" in s for s in t)
                    for t in counted.durable)
    assert positions == (count if position else 0)
    # the archive: the file and its folder, plus a new folder's own entry now and then
    assert 2 * count <= counted.syncs <= 3 * count
    assert all("messages" not in " ".join(t) or "INSERT INTO messages" in " ".join(t)
               for t in counted.lazy)  # lazily committed: claims and parse budgets only


def test_a_maildir_poll_makes_two_durable_writes_per_mail(tmp_path):
    import mailbox

    config = load(write_config(tmp_path))
    ctx, counted = counted_context(config)
    box = mailbox.Maildir(config.mailbox.local_path, create=True)
    for raw in mails(ctx):
        box.add(raw)
    outcomes = pipeline.poll(ctx, open_source(config.mailbox))
    assert len(outcomes) == 4
    assert_two_durable_writes_per_mail(ctx, counted, 4, position=False)
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
    source = open_source(config.mailbox)
    try:
        assert len(pipeline.poll(ctx, source)) == 4
        assert_two_durable_writes_per_mail(ctx, counted, 4, position=True)
        assert ctx.store.get_state(pipeline.MAILBOX_STATE)["last_uid"] == 4
        assert pipeline.poll(ctx, source) == []  # the position holds: nothing again
    finally:
        source.close()
        ctx.store.close()
