"""Hostile and broken mail (issue 12): each finding's reproduction, with the right outcome.

Each test sends the mail the hostile test sent, through the real pipeline (real SQLite
store and archive, the folder outbox or aiosmtpd, Dovecot where the finding is IMAP's).
"""

from __future__ import annotations

import io
import mailbox
import os
import random
import signal
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from mailbot.app import pipeline
from mailbot.app.lock import single_instance, worker_lock
from mailbot.extract.reader import MAX_ZIP_DOCUMENTS
from mailbot.core.models import HeldReason
from mailbot.intake.message import sender_of
from mailbot.mailbox.imap import ImapSettings, ImapSource
from tests.pipeline import SEPT, open_context, sent_mails, unit_mail
from tests.servers import PASSWORD, mail_reaches
from mailbot.app import samples
from tests.forms import pdf_of, seven_zip, zip_bytes
from tests.invoke import mailbot
from tests.app.test_kill_restart import start_run


@pytest.fixture
def ctx(tmp_path):
    context = open_context(tmp_path / "site")
    yield context
    context.store.close()


def counted_units(ctx) -> set[str]:
    return {record.unit for record in ctx.current("2026Q3")}


def test_1_another_mail_reusing_a_message_id_is_recorded_and_processed(ctx):
    """An OA system's fixed Message-ID: the second unit's report is not a duplicate."""
    fixed = "<report@oa.zichuan.example.org>"
    first = unit_mail(ctx, "区人社局", message_id=fixed)
    second = unit_mail(ctx, "区民政局", message_id=fixed)
    assert pipeline.ingest(ctx, first, "test:1", SEPT).state == "done"
    assert pipeline.ingest(ctx, second, "test:2", SEPT).state == "done"
    assert counted_units(ctx) == {"区人社局", "区民政局"}
    assert len(ctx.store.messages()) == 2


def test_1_the_same_mail_by_another_route_is_still_one_mail(ctx, tmp_path):
    """The same bytes with a trace header more (delivered twice, copied between folders)."""
    raw = unit_mail(ctx, "区人社局")
    rerouted = b"Received: from relay.example.org by mx; Mon, 28 Sep 2026 10:00:00 +0800\r\n" + raw
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "done"
    assert pipeline.ingest(ctx, rerouted, "test:2", SEPT).state == "duplicate"
    assert len(ctx.store.messages()) == 1 and len(sent_mails(ctx, tmp_path / "out")) == 1


def without_message_id(raw: bytes) -> bytes:
    head, _, body = raw.partition(b"\n\n")
    kept = [line for line in head.split(b"\n") if not line.lower().startswith(b"message-id:")]
    return b"\n".join(kept) + b"\n\n" + body


def test_4_mails_without_message_id_each_get_their_receipt(ctx, tmp_path):
    """Receipts and held notices are keyed on the stored mail, not on an empty Message-ID."""
    first = without_message_id(unit_mail(ctx, "区人社局"))
    correction = without_message_id(unit_mail(ctx, "区人社局", texts={1: "更正后的进展"}))
    other = without_message_id(unit_mail(ctx, "区民政局"))
    no_files = without_message_id(unit_mail(ctx, "区卫健局", files=()))
    unnamed = without_message_id(unit_mail(ctx, "区教体局", files=()))
    for number, raw in enumerate((first, correction, other, no_files, unnamed)):
        pipeline.ingest(ctx, raw, f"imap:1:{number}", SEPT)
    assert [m.message_id for m in ctx.store.messages()] == [""] * 5
    kinds = sorted(m["Subject"].split("：")[0] for m in sent_mails(ctx, tmp_path / "out"))
    assert kinds == ["回执"] * 3 + ["提示"] * 2


def test_4_a_mail_without_message_id_seen_again_after_a_uidvalidity_reset_is_one(ctx, tmp_path):
    raw = without_message_id(unit_mail(ctx, "区人社局"))
    assert pipeline.ingest(ctx, raw, "imap:1:7", SEPT).state == "done"
    assert pipeline.ingest(ctx, raw, "imap:2:7", SEPT).state == "duplicate"
    assert len(ctx.store.messages()) == 1 and len(sent_mails(ctx, tmp_path / "out")) == 1


FAULT = """
CREATE TABLE fault (unit TEXT);
CREATE TRIGGER outcome_fails BEFORE UPDATE OF state ON messages
WHEN NEW.state = 'done' AND NEW.unit IN (SELECT unit FROM fault)
BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
"""


@pytest.mark.slow
def test_2_a_mail_that_failed_once_over_imap_is_retried(dovecot, ctx, monkeypatch):
    """The outcome's commit fails for one mail (a real SQLite trigger stands in for a full
    disk): the position stays below it, the next poll retries it, and it is counted."""
    monkeypatch.setenv("MAILBOT_TEST_IMAP", PASSWORD)
    user = dovecot.new_user()
    for unit in ("区人社局", "区民政局", "区卫健局"):
        dovecot.append(user, unit_mail(ctx, unit))
    ctx.store.db.executescript(FAULT + "INSERT INTO fault VALUES ('区民政局');")
    source = imap_source(dovecot, user)
    first = [o.state for o in pipeline.poll(ctx, source)]
    assert first == ["done", "failed", "done"]
    assert ctx.store.get_state(pipeline.MAILBOX_STATE)["last_uid"] == 1
    ctx.store.db.execute("DELETE FROM fault")  # the disk has room again
    again = [(o.state, o.unit) for o in pipeline.poll(ctx, source)]
    assert again == [("done", "区民政局"), ("duplicate", None)]
    assert counted_units(ctx) == {"区人社局", "区民政局", "区卫健局"}
    assert ctx.store.get_state(pipeline.MAILBOX_STATE)["last_uid"] == 3
    assert pipeline.poll(ctx, source) == []
    source.close()


@pytest.mark.slow
def test_2_a_mail_that_always_fails_is_given_up_after_three_tries(dovecot, ctx, monkeypatch):
    monkeypatch.setenv("MAILBOT_TEST_IMAP", PASSWORD)
    user = dovecot.new_user()
    dovecot.append(user, unit_mail(ctx, "区民政局"))
    ctx.store.db.executescript(FAULT + "INSERT INTO fault VALUES ('区民政局');")
    source = imap_source(dovecot, user)
    tries = [pipeline.poll(ctx, source) for _ in range(4)]
    source.close()
    assert [[o.state for o in outcomes] for outcomes in tries] == [["failed"]] * 3 + [[]]
    [record] = ctx.store.messages()
    assert (record.state, record.attempts) == ("failed", 3)  # listed by `mailbot review`


def imap_source(server, user: str) -> ImapSource:
    return ImapSource(ImapSettings(host="127.0.0.1", port=server.port, user=user,
                                   implicit_tls=False, password_env="MAILBOT_TEST_IMAP",
                                   connect_attempts=1, timeout=10),
                      ssl_context=server.cert.client_context())


AUTOMATIC = ["Auto-Submitted: auto-generated", "Precedence: bulk",
             "List-Id: <oa.zichuan.example.org>", "X-Auto-Response-Suppress: All",
             "Return-Path: <>"]


@pytest.mark.parametrize("header", AUTOMATIC)
def test_3_a_units_report_marked_automatic_is_counted_never_answered(ctx, tmp_path, header):
    """Scan-to-mail copiers and OA systems mark their mail automatic: still the report."""
    raw = header.encode() + b"\n" + unit_mail(ctx, "区人社局")
    outcome = pipeline.ingest(ctx, raw, "test:1", SEPT)
    assert (outcome.state, outcome.unit) == ("done", "区人社局")
    assert counted_units(ctx) == {"区人社局"}
    assert sent_mails(ctx, tmp_path / "out") == []
    [record] = ctx.store.messages()
    assert "never answered" in record.reason
    listing = mailbot("--config", ctx.config.path, "review", cwd=tmp_path).stdout
    assert "已计入但未发回执的邮件" in listing and f"{record.id:<6}区人社局" in listing


def test_3_automatic_mail_from_a_unit_that_must_be_held_gets_no_notice(ctx, tmp_path):
    """A unit would be told of a winmail.dat; not when its OA system sent the mail."""
    raw = b"Auto-Submitted: auto-generated\n" + unit_mail(
        ctx, "区人社局", extra_files=[("winmail.dat", b"\x78\x9f\x3e\x22")])
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "held"
    assert sent_mails(ctx, tmp_path / "out") == []
    assert "never answered" in ctx.store.messages()[0].reason
    assert "待人工审核" in mailbot("--config", ctx.config.path, "review", cwd=tmp_path).stdout


def test_3_automatic_mail_without_report_files_is_still_ignored(ctx, tmp_path):
    raw = b"Auto-Submitted: auto-replied\n" + unit_mail(ctx, "区人社局", files=())
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "ignored"
    assert sent_mails(ctx, tmp_path / "out") == []


def trusted(text: str) -> str:
    return text.replace("trusted_authserv_ids = []",
                        'trusted_authserv_ids = ["mx.zichuan.example.org"]')


def with_from(raw: bytes, value: str, results: str) -> bytes:
    """The mail with its From header replaced, as the trusted server received it."""
    head, _, body = raw.partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if not line.lower().startswith(b"from:")]
    added = [f"Authentication-Results: mx.zichuan.example.org; {results}", f"From: {value}"]
    return b"\n".join([*(a.encode() for a in added), *lines]) + b"\n\n" + body


EVIL_PASS = "spf=pass smtp.mailfrom=a@evil.example; dkim=pass header.d=evil.example; " \
            "dmarc=pass header.from=evil.example"
UNIT_PASS = "dkim=pass header.d=zichuan.example.org; dmarc=pass header.from=zichuan.example.org"


@pytest.mark.parametrize("sender", [
    "rsj@zichuan.example.org <attacker@evil.example>",
    "<rsj@zichuan.example.org>@evil.example",
    "rsj@zichuan.example.org, attacker@evil.example",
    "rsj@zichuan.\u212fxample.org",  # SCRIPT SMALL E, which NFKC folds to e
    "\uff52sj@zichuan.example.org",  # a fullwidth r
    "rsj@zichuan.example.org",  # well formed, but the server's pass was for evil.example
])
def test_10_a_from_header_read_otherwise_by_the_server_is_never_the_units(tmp_path, sender):
    ctx = open_context(tmp_path / "site", edit=trusted)
    raw = with_from(unit_mail(ctx, "区人社局"), sender, EVIL_PASS)
    outcome = pipeline.ingest(ctx, raw, "test:1", SEPT)
    assert outcome.state in ("held", "ignored") and ctx.current("2026Q3") == []
    assert not [m for m in sent_mails(ctx, tmp_path / "out") if m["Subject"].startswith("回执")]


@pytest.mark.parametrize("results", [
    UNIT_PASS, "dkim=pass header.d=zichuan.example.org",
    "spf=pass smtp.mailfrom=rsj@mail.zichuan.example.org; dmarc=none"])
def test_10_a_pass_for_the_units_own_domain_counts(tmp_path, results):
    """dmarc=pass, or a DKIM signature or SPF aligned with the unit's domain."""
    ctx = open_context(tmp_path / "site", edit=trusted)
    raw = with_from(unit_mail(ctx, "区人社局"), "人社局 <RSJ@Zichuan.Example.org>", results)
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "done"


def test_10_two_from_headers_are_no_sender(tmp_path):
    ctx = open_context(tmp_path / "site", edit=trusted)
    raw = with_from(unit_mail(ctx, "区人社局"), "attacker@evil.example", EVIL_PASS)
    raw = b"From: rsj@zichuan.example.org\n" + raw
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state in ("held", "ignored")
    assert ctx.current("2026Q3") == []


@pytest.mark.parametrize("results", [
    "dmarc=fail header.from=zichuan.example.org; dkim=pass header.d=zichuan.example.org",
    "dkim=pass header.d=evil.example", "dmarc=pass", "spf=softfail smtp.mailfrom=zichuan.example.org"])
def test_10_without_a_pass_for_the_units_domain_the_mail_is_held(tmp_path, results):
    ctx = open_context(tmp_path / "site", edit=trusted)
    raw = with_from(unit_mail(ctx, "区人社局"), "rsj@zichuan.example.org", results)
    outcome = pipeline.ingest(ctx, raw, "test:1", SEPT)
    assert (outcome.state, outcome.reason) == ("held", HeldReason.AUTH_FAILED)


def test_10_look_alikes_and_ambiguous_from_headers_give_no_sender():
    for value in ["\u212aelvin@zichuan.example.org", "rsj@x.org <attacker@evil.example>",
                  "<rsj@x.org>@evil.example", "a@x.org, b@x.org", "", "undisclosed",
                  "0\x1frsj@zichuan.example.org", "<\"rsj@zichuan.example.org"]:
        assert sender_of([value]) == ("", ""), value
    assert sender_of(["a@x.org", "a@x.org"]) == ("", "")  # two From headers
    assert sender_of(["人社局 <RSJ@X.org>"]) == ("人社局", "rsj@x.org")
    assert sender_of(["rsj@x.org <rsj@x.org>"]) == ("", "rsj@x.org")  # sloppy, not ambiguous


PHISH = "请于今日登录 http://evil.example/login 核对 或访问 www.evil.example"


def test_11_a_look_alike_mail_never_puts_its_text_in_our_notice(ctx, tmp_path):
    """Someone writes in the unit's name: the unit is told, without the stranger's words."""
    raw = unit_mail(ctx, "区人社局", sender="rsj.zichuan@163.com", subject=f"区人社局三季度进展 {PHISH}",
                    extra_files=[("点击 evil.example 领取.docx", b"PK\x03\x04")])
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "held"
    [notice] = sent_mails(ctx, tmp_path / "out")
    text = notice.get_content()
    assert "以贵单位名义发送的邮件" in text and "rsj.zichuan@163.com" in text
    for quoted in ("http", "evil.example", "登录", "领取", "三季度进展"):
        assert quoted not in text + notice["Subject"], quoted


def test_11_a_units_own_subject_is_quoted_without_links(ctx, tmp_path):
    raw = unit_mail(ctx, "区人社局", subject=f"区人社局三季度进展 {PHISH}",
                    extra_files=[("见 evil.example 说明.pdf", b"%PDF-1.4 broken")])
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "done"
    [receipt] = sent_mails(ctx, tmp_path / "out")
    text = receipt.get_content()
    assert "《区人社局三季度进展 请于今日登录 （已略去） 核对 或访问 （已略去）》" in text
    assert "《见 （已略去） 说明.pdf》" in text and "evil" not in text


def test_11_an_unverified_mail_is_counted_but_nothing_of_it_is_quoted(tmp_path):
    """A trusted server is configured but did not vouch for the domain: no words echoed."""
    ctx = open_context(tmp_path / "site", edit=trusted)
    raw = with_from(unit_mail(ctx, "区人社局", subject=f"三季度 {PHISH}"),
                    "rsj@zichuan.example.org", "none")
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "done"
    [receipt] = sent_mails(ctx, tmp_path / "out")
    text = receipt.get_content()
    assert "《附件1.docx》：电子版报表" in text and "《附件2.pdf》" in text
    assert "发来的邮件已收到" in text and "登录" not in text and "报表.docx" not in text


def archive_of_phish(ctx) -> list[tuple[str, bytes]]:
    """A zip and a 7z whose members a stranger named: the unit's form among them."""
    form = samples.form_docx(ctx.config.campaign, "区人社局", "2026Q3", None)
    return [("材料.zip", zip_bytes({"报表.docx": form, "点击 evil.example 领取.docx": b"PK\x03\x04"})),
            ("补充.7z", seven_zip({"请访问 www.evil.example 登录.pdf": b"%PDF-1.4 broken"}))]


def test_11_a_units_archive_members_lose_their_links_as_its_files_do(ctx, tmp_path):
    raw = unit_mail(ctx, "区人社局", files=(), extra_files=archive_of_phish(ctx))
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "done"
    [receipt] = sent_mails(ctx, tmp_path / "out")
    text = receipt.get_content()
    assert "《材料.zip/报表.docx》：电子版报表" in text
    assert "《材料.zip/点击 （已略去） 领取.docx》：无法读取" in text
    assert "《补充.7z/请访问 （已略去） 登录.pdf》：无法读取" in text and "evil" not in text


def test_11_an_unverified_mails_archive_members_are_not_named_either(tmp_path):
    ctx = open_context(tmp_path / "site", edit=trusted)
    raw = with_from(unit_mail(ctx, "区人社局", files=(), extra_files=archive_of_phish(ctx)),
                    "rsj@zichuan.example.org", "none")
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "done"
    [receipt] = sent_mails(ctx, tmp_path / "out")
    text = receipt.get_content()
    assert "《附件1.zip/文件1.docx》：电子版报表" in text
    assert "《附件1.zip/文件2.docx》：无法读取" in text and "《附件2.7z/文件1.pdf》：无法读取" in text
    for quoted in ("材料.zip", "补充.7z", "报表.docx", "领取", "登录", "（已略去）"):
        assert quoted not in text, quoted


def test_11_replies_are_rate_limited_on_the_campaign_clock_and_each_suppression_noted(ctx, tmp_path):
    """A plain auto-responder without auto headers: 60 mails in 60 minutes of mail time."""
    for minute in range(60):
        moment = SEPT + timedelta(minutes=minute)
        ctx.clock = lambda moment=moment: moment
        raw = unit_mail(ctx, "区人社局", files=(), subject=f"三季度进展 第{minute}封", when=moment)
        pipeline.ingest(ctx, raw, f"test:{minute}", moment)
    assert len(sent_mails(ctx, tmp_path / "out")) == pipeline.REPLIES_PER_HOUR
    noted = [m for m in ctx.store.messages() if "rate limit" in m.reason]
    assert len(noted) == 60 - pipeline.REPLIES_PER_HOUR
    later = SEPT + timedelta(hours=2)
    ctx.clock = lambda: later
    pipeline.ingest(ctx, unit_mail(ctx, "区人社局", files=(), subject="三季度进展", when=later),
                    "test:late", later)
    assert len(sent_mails(ctx, tmp_path / "out")) == pipeline.REPLIES_PER_HOUR + 1


def saved(folder, name: str, raw: bytes, mtime) -> Path:
    path = folder / name
    path.write_bytes(raw)
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def test_7_ingest_dates_a_mail_by_its_file_not_its_date_header(ctx, tmp_path):
    """A unit PC whose clock says December: the file arrived in September."""
    site = ctx.config.path.parent
    wrong_clock = unit_mail(ctx, "区人社局", when=SEPT + timedelta(days=90))
    path = saved(site, "a.eml", wrong_clock, SEPT)
    mailbot("--now", "2026-10-12T10:00", "ingest", path, cwd=site)
    [record] = ctx.store.messages()
    assert record.received_at == SEPT


def test_7_ingest_received_option_and_never_after_now(ctx, tmp_path):
    site = ctx.config.path.parent
    backdated = saved(site, "b.eml", unit_mail(ctx, "区民政局", when=SEPT - timedelta(days=300)),
                      SEPT + timedelta(days=400))  # a file from the future: now, not then
    on_purpose = saved(site, "c.eml", unit_mail(ctx, "区卫健局"), SEPT)
    mailbot("--now", "2026-10-12T10:00", "ingest", backdated, cwd=site)
    mailbot("--now", "2026-10-12T10:00", "ingest", "--received", "2026-09-30T16:30", on_purpose,
            cwd=site)
    received = {m.unit: m.received_at.isoformat() for m in ctx.store.messages()}
    assert received == {"区民政局": "2026-10-12T02:00:00+00:00",
                        "区卫健局": "2026-09-30T08:30:00+00:00"}


def test_7_poll_and_ingest_beside_a_running_worker_are_refused(ctx, tmp_path):
    """The worker holds its lock for its life; a second reader would process mail twice."""
    site = ctx.config.path.parent
    path = saved(site, "a.eml", unit_mail(ctx, "区人社局"), SEPT)
    with single_instance(worker_lock(ctx.config.store_path)):  # what `mailbot run` holds
        for args in (("ingest", path), ("poll", "--once")):
            result = mailbot("--now", "2026-10-12T10:00", *args, cwd=site, check=False)
            assert result.returncode == 1 and "另一个 mailbot 进程正在收取邮件" in result.stderr
    assert ctx.store.messages() == []
    mailbot("--now", "2026-10-12T10:00", "ingest", path, cwd=site)  # free again
    assert len(ctx.store.messages()) == 1


def busy_pdf(pages: int = 20) -> bytes:
    """`pages` pages that all draw one content stream of 100k path segments: the PDF
    reader works on each page for about a second (20 s in all on the development
    machine), in a file of 2 MB."""
    numbers = random.Random(12).choices(range(1000), k=400_000)
    ops = b"".join(b"%d %d m %d %d l S\n" % tuple(numbers[i:i + 4])
                   for i in range(0, len(numbers), 4))
    content, font = pages + 3, pages + 4
    kids = b" ".join(b"%d 0 R" % (3 + n) for n in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content, font)] * pages
    objects += [b"<< /Length %d >>\nstream\n" % len(ops) + ops + b"\nendstream",
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return pdf_of(objects)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_13_a_zip_of_slow_pdfs_is_read_within_the_mails_budget(ctx):
    """Five 25-second PDFs (two minutes of parsing) against a 3 s budget for the mail."""
    ctx.mail_seconds = 3
    slow = zipped({f"第{n}页.pdf": busy_pdf() for n in range(5)})
    raw = unit_mail(ctx, "区人社局", extra_files=[("扫描件.zip", slow)])
    started = time.monotonic()
    pipeline.ingest(ctx, raw, "test:1", SEPT)
    assert time.monotonic() - started < 30  # not 5 x 25 s
    errors = [d["error"] for d in ctx.store.db.execute("SELECT error FROM documents")]
    assert sum("解析时间已用完" in (e or "") for e in errors) >= 3


def test_13_a_sender_has_a_parse_budget_per_hour(ctx):
    ctx.sender_seconds = 2
    slow = [("慢.pdf", busy_pdf())]
    pipeline.ingest(ctx, unit_mail(ctx, "区人社局", extra_files=slow), "test:1", SEPT)
    raw = unit_mail(ctx, "区人社局", texts={1: "第二封"}, extra_files=slow)
    started = time.monotonic()
    pipeline.ingest(ctx, raw, "test:2", SEPT + timedelta(minutes=5))
    assert time.monotonic() - started < 10
    second = ctx.store.message(2)  # nothing of it read: held for staff, not "not a report"
    assert (second.state, second.reason) == ("held", HeldReason.OUT_OF_BUDGET)
    ctx.clock = lambda: SEPT + timedelta(hours=1)  # a new hour: the budget is back
    pipeline.ingest(ctx, unit_mail(ctx, "区人社局", texts={1: "第三封"}), "test:3", SEPT)
    third = ctx.store.db.execute("SELECT error FROM documents WHERE message = 3").fetchall()
    assert third and not any(row["error"] for row in third)


def test_13_documents_per_zip_are_capped(ctx, tmp_path):
    many = zipped({f"{n}.txt": b"x" for n in range(25)})
    pipeline.ingest(ctx, unit_mail(ctx, "区人社局", extra_files=[("多.zip", many)]), "test:1", SEPT)
    files = [row["file"] for row in ctx.store.db.execute("SELECT file FROM documents")
             if row["file"].startswith("多.zip/")]
    assert len(files) == MAX_ZIP_DOCUMENTS + 1 and files[-1] == "多.zip/其余 5 个文件"


@pytest.mark.slow
def test_13_sigterm_mid_parse_stops_the_worker_within_seconds_and_the_mail_is_redone(tmp_path):
    site = tmp_path / "site"
    ctx = open_context(site)
    box = mailbox.Maildir(site / "var" / "mail", create=True)
    box.add(unit_mail(ctx, "区人社局", extra_files=[("慢.pdf", busy_pdf())]))
    ctx.store.close()
    worker = start_run(site, now="2026-07-06T10:00")  # no reminder due: intake alone
    try:
        wait_until_claimed(site / "var" / "mailbot.sqlite3")
        time.sleep(1)  # well inside the 25 s parse
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=30)
        stopped_in = time.monotonic() - started
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    assert worker.returncode == 0 and stopped_in < 5, err
    assert "stays claimed" in err
    again = open_context(site)
    assert [m.state for m in again.store.messages()] == ["claimed"]
    again.store.close()


def wait_until_claimed(path: Path, timeout: float = 60) -> None:
    if not mail_reaches(path, "claimed", timeout):
        raise AssertionError(f"no mail claimed after {timeout} s")
