"""The outbox: only config addresses, automatic-mail headers, retries that lose and repeat nothing."""

from __future__ import annotations

import hashlib
import email
import email.policy
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mailbot.app import pipeline

from mailbot.outgoing import outbox
from mailbot.config import load
from mailbot.core.models import OutgoingMail
from mailbot.outgoing.outbox import FolderTransport, NotInConfig
from tests.invoke import mailbot
from mailbot.config import PACKAGED_CONFIG

NOW = datetime(2026, 10, 12, 2, tzinfo=timezone.utc)


def open_ctx(folder: Path, replacements: dict[str, str] | None = None) -> pipeline.Context:
    text = PACKAGED_CONFIG.read_text(encoding="utf-8")
    for old, new in (replacements or {}).items():
        assert old in text
        text = text.replace(old, new)
    (folder / "config.toml").write_text(text, encoding="utf-8")
    return pipeline.Context.open(load(folder / "config.toml"), lambda: NOW)


@pytest.fixture
def ctx(tmp_path):
    context = open_ctx(tmp_path)
    yield context
    context.store.close()


def mail(to: tuple[str, ...], key: str | None = None, cc: tuple[str, ...] = ()) -> OutgoingMail:
    return OutgoingMail(kind="reminder", to=to, cc=cc, subject="【提醒】请报送", text="请报送。",
                        html="<p>请报送。</p>", dedup_key=key)


def put(ctx, outgoing: OutgoingMail) -> int | None:
    with ctx.store.transaction() as tx:
        return outbox.queue(tx, ctx.config.campaign, ctx.sender, outgoing, NOW)


def test_only_addresses_in_config_are_mailed(ctx):
    with pytest.raises(NotInConfig, match="someone@163.com: not an address in config.toml"):
        put(ctx, mail(("rsj@zichuan.example.org",), cc=("someone@163.com",)))
    with pytest.raises(NotInConfig, match="nobody"):
        put(ctx, mail(()))
    assert ctx.store.unsent() == []  # the refused mail left nothing behind
    assert put(ctx, mail(("RSJ@Zichuan.Example.org",))) is not None  # case does not matter
    assert ctx.store.unsent()[0].recipients == ("rsj@zichuan.example.org",)


def test_a_dedup_key_queues_a_mail_once(ctx):
    assert put(ctx, mail(("rsj@zichuan.example.org",), key="reminder:x")) is not None
    assert put(ctx, mail(("rsj@zichuan.example.org",), key="reminder:x")) is None
    assert len(ctx.store.unsent()) == 1


def test_folder_transport_never_reuses_a_name_and_writes_a_resent_mail_once(tmp_path):
    folder = FolderTransport(tmp_path / "out")
    folder.send(b"Subject: one\r\n\r\n1\r\n", "a@x", ["b@x"])
    folder.send(b"Subject: two\r\n\r\n2\r\n", "a@x", ["b@x"])
    folder.send(b"Subject: one\r\n\r\n1\r\n", "a@x", ["b@x"])  # the crash-resend case
    first = sorted(p.name for p in (tmp_path / "out").glob("*.eml"))
    assert len(first) == 2 and first[0].startswith("00001-") and first[1].startswith("00002-")
    (tmp_path / "out" / first[0]).unlink()  # the operator clears an old file
    folder.send(b"Subject: three\r\n\r\n3\r\n", "a@x", ["b@x"])
    names = sorted(p.name for p in (tmp_path / "out").glob("*.eml"))
    assert names[0] == first[1] and names[1].startswith("00003-") and len(names) == 2
    assert list((tmp_path / "out").glob("*.part")) == []


def test_folder_transport_from_many_threads_keeps_every_mail(tmp_path):
    folder = FolderTransport(tmp_path / "out")
    threads = [threading.Thread(target=lambda n=n: [
        folder.send(f"Subject: {n}-{i}\r\n\r\nx\r\n".encode(), "a@x", ["b@x"])
        for i in range(10)]) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = [p.name for p in (tmp_path / "out").glob("*.eml")]
    assert len(names) == 80 and list((tmp_path / "out").glob("*.part")) == []
    assert len({name[:5] for name in names}) == 80


def test_a_server_failure_counts_no_attempt_and_keeps_every_mail(ctx, tmp_path):
    for number in range(3):
        put(ctx, mail(("rsj@zichuan.example.org",), key=f"k{number}"))
    (tmp_path / "blocked").write_text("a file where the outbox folder should be")
    assert outbox.flush(ctx.store, FolderTransport(tmp_path / "blocked"), NOW) == (0, 3)
    assert [m.attempts for m in ctx.store.unsent()] == [0, 0, 0]
    assert "blocked" in ctx.store.outgoing()[0].last_error
    assert outbox.flush(ctx.store, FolderTransport(tmp_path / "out"), NOW) == (3, 0)
    assert len(list((tmp_path / "out").glob("*.eml"))) == 3


@pytest.mark.slow
def test_headers_of_a_mail_received_over_smtp(tmp_path, smtp_server):
    ctx = open_ctx(tmp_path, {'url = "outbox:var/outbox"': f'url = "{smtp_server.url()}"'})
    put(ctx, mail(("rsj@zichuan.example.org",), cc=("fulian-office@zichuan.example.org",)))
    assert outbox.flush(ctx.store, outbox.open_transport(ctx.config.smtp), NOW) == (1, 0)
    [received] = smtp_server.received
    assert set(received.rcpt_tos) == {"rsj@zichuan.example.org",
                                      "fulian-office@zichuan.example.org"}
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message["From"].addresses[0].addr_spec == "fulian-office@zichuan.example.org"
    assert message.get_body(("plain",)).get_content().strip() == "请报送。"


@pytest.mark.slow
def test_a_refused_mail_backs_off_is_given_up_visibly_and_others_still_go(tmp_path, smtp_server):
    ctx = open_ctx(tmp_path, {
        'url = "outbox:var/outbox"': f'url = "{smtp_server.url()}"',
        "rsj@zichuan.example.org": "busy-rsj@zichuan.example.org",  # answers 451
        "wjj@zichuan.example.org": "reject-wjj@zichuan.example.org",  # answers 550
    })
    transport = outbox.open_transport(ctx.config.smtp)
    put(ctx, mail(("busy-rsj@zichuan.example.org",), key="busy"))
    put(ctx, mail(("reject-wjj@zichuan.example.org",), key="reject"))
    put(ctx, mail(("fayuan@zichuan.example.org",), key="fine"))
    assert outbox.flush(ctx.store, transport, NOW) == (1, 2)
    states = {row.dedup_key: row for row in ctx.store.outgoing()}
    assert states["reject"].state == "failed" and states["fine"].state == "sent"
    assert states["busy"].state == "queued" and states["busy"].attempts == 1
    assert outbox.flush(ctx.store, transport, NOW + timedelta(minutes=1)) == (0, 0)  # backing off
    moment = NOW
    while moment < NOW + outbox.GIVE_UP_AFTER - outbox.RETRY_MAX:  # refused for days: waits
        moment += outbox.RETRY_MAX
        assert outbox.flush(ctx.store, transport, moment) == (0, 1)
    assert ctx.store.outgoing()[0].state == "queued"
    assert outbox.flush(ctx.store, transport, NOW + outbox.GIVE_UP_AFTER) == (0, 1)
    given_up = ctx.store.outgoing()[0]
    assert given_up.state == "failed" and given_up.given_up_key == "busy"
    assert given_up.dedup_key is None  # its purpose is free to be queued again
    assert len(smtp_server.received) == 1
    ctx.store.close()

    status = mailbot("--now", "2026-10-12T10:00", "status", cwd=tmp_path).stdout
    assert "发件队列：0 封待发送，2 封未能发出" in status
    review = mailbot("review", cwd=tmp_path).stdout
    assert "busy-rsj@zichuan.example.org" in review and "451" in review and "550" in review
    busy_id = states["busy"].id
    assert "已重新排队" in mailbot("review", "resend", str(busy_id), cwd=tmp_path).stdout
    again = mailbot("review", "resend", str(busy_id), cwd=tmp_path, check=False)
    assert again.returncode == 1 and "发送失败的邮件" in again.stderr


def test_folder_transport_numbers_and_knows_resends_from_its_index_not_by_listing(tmp_path):
    """A send reads the index's new lines, never the folder: a file put there by hand
    moves no number, and a new process (a new transport) still knows what it wrote."""
    out = tmp_path / "out"
    FolderTransport(out).send(b"Subject: one\r\n\r\n1\r\n", "a@x", ["b@x"])
    (out / "00500-0123456789abcdef.eml").write_bytes(b"not ours")
    again = FolderTransport(out)  # the next `poll --once`
    again.send(b"Subject: one\r\n\r\n1\r\n", "a@x", ["b@x"])  # the crash-resend case
    again.send(b"Subject: two\r\n\r\n2\r\n", "a@x", ["b@x"])
    names = sorted(p.name for p in out.glob("*.eml"))
    assert [name[:6] for name in names] == ["00001-", "00002-", "00500-"]


def test_a_writer_that_died_before_linking_its_file_does_not_lose_the_mail(tmp_path):
    out, raw = tmp_path / "out", b"Subject: one\r\n\r\n1\r\n"
    FolderTransport(out).send(b"Subject: zero\r\n\r\n0\r\n", "a@x", ["b@x"])
    digest = hashlib.sha256(raw).hexdigest()[:16]
    with open(out / ".index", "a", encoding="ascii") as index:
        index.write(f"00002-{digest}\n")  # its line was written, then the process died
    FolderTransport(out).send(raw, "a@x", ["b@x"])
    assert [p.name for p in sorted(out.glob("*.eml"))][-1] == f"00003-{digest}.eml"


def test_a_folder_from_before_the_index_is_indexed_once_and_numbering_goes_on(tmp_path):
    out, raw = tmp_path / "out", b"Subject: one\r\n\r\n1\r\n"
    out.mkdir()
    digest = hashlib.sha256(raw).hexdigest()[:16]
    (out / f"00007-{digest}.eml").write_bytes(raw)
    transport = FolderTransport(out)
    transport.send(raw, "a@x", ["b@x"])  # already there: not written twice
    transport.send(b"Subject: two\r\n\r\n2\r\n", "a@x", ["b@x"])
    assert [p.name[:6] for p in sorted(out.glob("*.eml"))] == ["00007-", "00008-"]
