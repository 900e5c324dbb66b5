"""Faults around the pipeline: a mail server restarted mid-poll, an SMTP server that
refuses, hangs or hangs up, an archive on a read-only disk, a store locked by another
process. Each ends with every mail recorded exactly once and no outgoing mail lost."""

from __future__ import annotations

import email
import mailbox
import os
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from mailbot.app import pipeline
from mailbot.config import load
from mailbot.mailbox import MailboxError
from mailbot.mailbox.imap import ImapSettings, ImapSource
from mailbot.mailbox.maildir import MaildirSource
from mailbot.intake.message import parse
from mailbot.outgoing.smtp import SmtpSettings, SmtpTransport
from mailbot.store import Store, StoreUnavailable
from tests.pipeline import SEPT, open_context, sent_mails, unit_mail, write_config
from tests.servers import (PASSWORD, _controller, _start_dovecot, _stop_dovecot, need_tool,
                           wait_for_port)

pytestmark = pytest.mark.slow
UNITS = ["区人社局", "区妇联", "区卫健局", "区残联", "区法院", "区检察院", "区公安分局",
         "区司法局", "区文明办", "区民政局", "区医保分局", "区交通运输局"]


@pytest.fixture
def ctx(tmp_path):
    context = open_context(tmp_path)
    yield context
    context.store.close()


def assert_each_recorded_once(ctx, count: int) -> None:
    records = ctx.store.messages()
    assert len(records) == count and len({r.sha256 for r in records}) == count
    assert {r.state for r in records} == {"done"}
    assert len(ctx.store.all_submissions("2026Q3")) == count
    assert len(ctx.store.outgoing("receipt")) == count  # one receipt queued per mail


# --- IMAP: Dovecot stopped and started again while a poll is running ---------------

def restart(server) -> None:
    server.process.terminate()
    server.process.wait(timeout=10)
    server.process = subprocess.Popen([need_tool("dovecot"), "-c", str(server.conf), "-F"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    wait_for_port(server.port)


@pytest.fixture
def own_dovecot(tls_cert):
    """A Dovecot of this test's own: stopping the shared one would break other tests."""
    server = _start_dovecot(tls_cert)
    yield server
    _stop_dovecot(server)


def test_dovecot_restarted_mid_poll(own_dovecot, ctx, tmp_path, monkeypatch):
    monkeypatch.setenv("MAILBOT_TEST_IMAP", PASSWORD)
    user = own_dovecot.new_user()
    for unit in UNITS:
        own_dovecot.append(user, unit_mail(ctx, unit))
    source = ImapSource(ImapSettings(host="127.0.0.1", port=own_dovecot.port, user=user,
                                     implicit_tls=False, password_env="MAILBOT_TEST_IMAP",
                                     processed="keyword", batch_size=4, connect_attempts=1,
                                     timeout=5), ssl_context=own_dovecot.cert.client_context())
    seen = []

    def stop_after_one(where: str, outcome) -> None:
        seen.append(where)  # the poll has fetched one batch ahead: the third fails
        if len(seen) == 1:  # a stopping Dovecot lets sessions finish: cut them first
            own_dovecot.kick(user)
            own_dovecot.process.terminate()
            own_dovecot.process.wait(timeout=10)

    with pytest.raises(MailboxError, match="IMAP server 127.0.0.1:.* lost"):
        pipeline.poll(ctx, source, tell=stop_after_one)
    assert len(ctx.store.messages()) == 8  # the two batches fetched: recorded all the same
    restart(own_dovecot)
    outcomes = pipeline.poll(ctx, source)
    source.close()
    assert {o.state for o in outcomes} == {"done"}
    assert_each_recorded_once(ctx, len(UNITS))
    again = ImapSource(source.settings, ssl_context=own_dovecot.cert.client_context())
    assert pipeline.poll(ctx, again) == []  # nothing is fetched again
    again.close()
    assert len(sent_mails(ctx, tmp_path / "out")) == len(UNITS)


# --- SMTP: refusing, hanging, hanging up after DATA ---------------------------------

class FlakyServer:
    """aiosmtpd handler: the first DATA is refused ("refuse") or answered by hanging up
    after the mail was taken ("drop"); every mail accepted is kept in `received`."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.datas = 0
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.datas += 1
        if self.mode == "refuse" and self.datas == 1:
            return "554 5.6.0 message content rejected"
        self.received.append(envelope.original_content or envelope.content)
        if self.mode == "drop" and self.datas == 1:
            server.transport.close()  # taken, but the client never hears 250
        return "250 Message accepted"


def smtp_to(port: int, timeout: float = 5) -> SmtpTransport:
    return SmtpTransport(SmtpSettings(host="127.0.0.1", port=port, scheme="smtp",
                                      timeout=timeout))


def queue_receipts(ctx, count: int = 3) -> list[bytes]:
    for number, unit in enumerate(UNITS[:count]):
        assert pipeline.ingest(ctx, unit_mail(ctx, unit), f"test:{number}", SEPT).state == "done"
    return [row.raw for row in ctx.store.outgoing("receipt")]


def message_ids(raws: list[bytes]) -> list[str]:
    return [email.message_from_bytes(raw)["Message-ID"] for raw in raws]


@contextmanager
def smtp_server(mode: str):
    """A running FlakyServer and a transport to it."""
    handler = FlakyServer(mode)
    controller = _controller(handler)
    try:
        yield handler, smtp_to(controller.port)
    finally:
        controller.stop()


def test_smtp_refusal_marks_that_mail_failed_visibly_and_sends_the_others(ctx):
    queued = queue_receipts(ctx)
    with smtp_server("refuse") as (handler, transport):
        assert pipeline.flush_outbox(ctx, transport) == (2, 1)
    first, *others = ctx.store.outgoing("receipt")
    assert first.state != "sent" and "554 5.6.0 message content rejected" in first.last_error
    assert [row.state for row in others] == ["sent", "sent"]
    assert message_ids(handler.received) == message_ids(queued[1:])


def test_smtp_server_that_never_answers_times_out_and_the_mail_waits(ctx):
    queued = queue_receipts(ctx)
    with socket.socket() as black_hole:  # the kernel accepts; nobody ever says hello
        black_hole.bind(("127.0.0.1", 0))
        black_hole.listen(8)
        start = time.monotonic()
        # nothing sent, all three still wait
        assert pipeline.flush_outbox(ctx, smtp_to(black_hole.getsockname()[1], timeout=1)) == (0, 3)
        assert time.monotonic() - start < 5  # one try, then wait: the order is kept
    assert {row.state for row in ctx.store.outgoing()} == {"queued"}
    assert "timed out" in ctx.store.outgoing()[0].last_error
    with smtp_server("accept") as (handler, transport):
        assert pipeline.flush_outbox(ctx, transport) == (3, 0)
    assert message_ids(handler.received) == message_ids(queued)


def test_smtp_hang_up_after_data_resends_that_one_mail_at_most_once_more(ctx):
    """The server took the first mail and hung up before its 250: the client cannot know
    whether it was delivered, so it keeps it queued and sends it again. Not resending
    could lose a receipt; resending costs at most one duplicate of that one mail."""
    queued = queue_receipts(ctx)
    with smtp_server("drop") as (handler, transport):
        assert pipeline.flush_outbox(ctx, transport) == (0, 3)  # nothing sent, all three wait
        assert {row.state for row in ctx.store.outgoing()} == {"queued"}
        assert pipeline.flush_outbox(ctx, transport) == (3, 0)
        assert pipeline.flush_outbox(ctx, transport) == (0, 0)
    got = message_ids(handler.received)
    wanted = message_ids(queued)
    assert sorted(set(got)) == sorted(wanted)  # nothing lost
    assert got.count(wanted[0]) == 2 and len(got) == len(wanted) + 1  # one extra, that one


# --- the disk: a read-only archive ----------------------------------------------------

@contextmanager
def unwritable(folder: Path):
    """Make `folder` refuse writes for real. chmod does not stop root, so as root a
    read-only bind mount is used; where mounting is not allowed (a container without
    CAP_SYS_ADMIN) a file takes the folder's place, which fails the same writes."""
    if os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield "chmod 0500"
        finally:
            folder.chmod(0o700)
        return
    mount = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if mount.returncode == 0:
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True,
                           capture_output=True)
            yield "read-only bind mount"
        finally:
            subprocess.run(["umount", str(folder)], check=True)
        return
    aside = folder.with_name(folder.name + ".aside")
    folder.rename(aside)
    folder.write_text("a file where the archive folder should be")
    try:
        yield "a file in the folder's place"
    finally:
        folder.unlink()
        aside.rename(folder)


def maildir_with(ctx, folder: Path, units: list[str]) -> MaildirSource:
    box = mailbox.Maildir(folder, create=True)
    for unit in units:
        box.add(mailbox.MaildirMessage(unit_mail(ctx, unit)))
    return MaildirSource(folder)


def test_read_only_archive_fails_clearly_records_nothing_and_retries(ctx, tmp_path):
    source = maildir_with(ctx, tmp_path / "mail", UNITS[:3])
    with unwritable(ctx.store.archive_dir) as how:
        with pytest.raises(StoreUnavailable, match="cannot write the raw-mail archive") as error:
            pipeline.poll(ctx, source)
        if how == "read-only bind mount":
            assert "Read-only file system" in str(error.value)
    assert ctx.store.messages() == []
    assert len(list((tmp_path / "mail" / "new").iterdir())) == 3  # the mailbox untouched
    assert {o.state for o in pipeline.poll(ctx, source)} == {"done"}
    assert_each_recorded_once(ctx, 3)
    assert len(sent_mails(ctx, tmp_path / "out")) == 3


# --- the store: locked by another process ---------------------------------------------

LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""


def test_locked_store_waits_then_fails_clearly_and_the_mail_is_retried(tmp_path):
    config = load(write_config(tmp_path))
    ctx = pipeline.Context(config, Store(config.store_path, config.archive_path, timeout=1),
                       lambda: SEPT, pipeline.Context.open(config, lambda: SEPT).env)
    source = maildir_with(ctx, tmp_path / "mail", UNITS[:2])
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(config.store_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        start = time.monotonic()
        with pytest.raises(StoreUnavailable, match="is locked by another process") as error:
            pipeline.poll(ctx, source)
        assert 0.9 < time.monotonic() - start < 5
        assert "waited 1 s" in str(error.value)
    finally:
        locker.communicate("", timeout=10)
    assert ctx.store.messages() == []
    assert {o.state for o in pipeline.poll(ctx, source)} == {"done"}
    assert_each_recorded_once(ctx, 2)
    with sqlite3.connect(config.store_path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(sent_mails(ctx, tmp_path / "out")) == 2
    ctx.store.close()


def test_a_mail_left_claimed_by_a_killed_worker_is_processed_on_its_next_sighting(ctx):
    """A worker killed between the claim and the outcome leaves the mail "claimed"."""
    raw = unit_mail(ctx, "区人社局")
    message = parse(raw)
    with ctx.store.transaction() as tx:
        tx.claim(ctx.store.archive(raw), message.message_id, "test:1", SEPT, SEPT)
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "done"
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "duplicate"
    assert_each_recorded_once(ctx, 1)
