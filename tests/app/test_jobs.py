"""The pipeline end to end on a real SQLite store, real DOCX forms, a folder outbox."""

import email
import email.policy
import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mailbot.core.models import HeldReason, Standing
from mailbot.app import pipeline, review, samples
from mailbot.config import load
from mailbot.outgoing.outbox import FolderTransport
from mailbot.config import PACKAGED_CONFIG
from tests.office import plain_docx

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 10, 12, 2, tzinfo=timezone.utc)
SEPT = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)


@pytest.fixture
def ctx(tmp_path):
    shutil.copyfile(PACKAGED_CONFIG, tmp_path / "config.toml")
    context = pipeline.Context.open(load(tmp_path / "config.toml"), lambda: NOW)
    yield context
    context.store.close()


def unit_mail(ctx, unit, when=SEPT, files=("docx", "pdf"), sender=None, texts=None, **kw):
    campaign = ctx.config.campaign
    made = {"docx": ("报表.docx", samples.form_docx(campaign, unit, "2026Q3", texts)),
            "pdf": ("盖章.pdf", samples.scanned_pdf())}
    return samples.report_mail(sender or campaign.unit(unit).emails[0],
                               campaign.federation_emails[0], f"{unit}三季度进展", when,
                               [made[f] for f in files], **kw)


def sent_mails(ctx, tmp_path):
    pipeline.flush_outbox(ctx, FolderTransport(tmp_path / "out"))
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((tmp_path / "out").glob("*.eml"))]


def test_a_complete_submission_is_recorded_and_answered(ctx, tmp_path):
    outcome = pipeline.ingest(ctx, unit_mail(ctx, "区人社局"), "test:1", SEPT)
    assert outcome == pipeline.Outcome("done", "complete", "区人社局", "2026Q3", Standing.COMPLETE)
    [record] = ctx.current("2026Q3")
    assert record.electronic and record.stamped_pdf and record.items == (1,)
    assert "区人社局围绕第1项实事" in record.rows[0].progress
    [receipt] = sent_mails(ctx, tmp_path)
    assert receipt["To"] == "rsj@zichuan.example.org"
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert receipt["In-Reply-To"]
    assert "材料齐全" in receipt["Subject"]
    assert "第1项“拓宽妇女就业创业渠道”" in receipt.get_content()


def test_the_same_mail_twice_is_recorded_once_and_answered_once(ctx, tmp_path):
    raw = unit_mail(ctx, "区人社局")
    pipeline.ingest(ctx, raw, "test:1", SEPT)
    assert pipeline.ingest(ctx, raw, "test:2", SEPT).state == "duplicate"
    assert len(ctx.store.messages()) == 1
    assert len(sent_mails(ctx, tmp_path)) == 1


def test_a_correction_supersedes_the_earlier_submission(ctx):
    pipeline.ingest(ctx, unit_mail(ctx, "区人社局", texts={1: "第一稿"}), "test:1", SEPT)
    later = SEPT + timedelta(days=1)
    pipeline.ingest(ctx, unit_mail(ctx, "区人社局", later, texts={1: "更正稿"}), "test:2", later)
    [current] = ctx.current("2026Q3")
    assert current.rows[0].progress == "更正稿"
    assert len(ctx.store.all_submissions("2026Q3")) == 2


def test_incomplete_submission_gets_a_receipt_saying_what_is_missing(ctx, tmp_path):
    outcome = pipeline.ingest(ctx, unit_mail(ctx, "区融媒体中心", files=("docx",)), "test:1", SEPT)
    assert outcome.reason == "incomplete"
    [receipt] = sent_mails(ctx, tmp_path)
    assert "未收到加盖公章的 PDF 版" in receipt.get_content()


def test_gbk_mail_is_attributed_and_read(ctx):
    outcome = pipeline.ingest(ctx, unit_mail(ctx, "区教体局", charset="gbk"), "test:1", SEPT)
    assert (outcome.state, outcome.unit) == ("done", "区教体局")
    assert ctx.current("2026Q3")[0].items == (6, 10)


def test_forged_sender_is_held_and_the_unit_is_told_not_the_sender(ctx, tmp_path):
    raw = unit_mail(ctx, "团区委", sender="tuanquwei2026@163.com")
    outcome = pipeline.ingest(ctx, raw, "test:1", SEPT)
    assert (outcome.state, outcome.unit) == ("held", "团区委")
    assert ctx.current("2026Q3") == []
    [notice] = sent_mails(ctx, tmp_path)
    assert notice["To"] == "tqw@zichuan.example.org"
    assert "tuanquwei2026@163.com" in notice.get_content()


def test_automatic_mail_is_recorded_but_never_answered(ctx, tmp_path):
    raw = samples.auto_reply("rsj@zichuan.example.org", "x@zichuan.example.org", SEPT)
    assert pipeline.ingest(ctx, raw, "test:1", SEPT).state == "ignored"
    assert ctx.store.messages("ignored")[0].reason.startswith("automatic mail")
    assert sent_mails(ctx, tmp_path) == []


def test_garbage_bytes_are_archived_and_recorded(ctx):
    outcome = pipeline.ingest(ctx, b"\x00\xff not a mail at all", "test:1", SEPT)
    assert outcome.state in ("ignored", "failed")
    [record] = ctx.store.messages()
    assert ctx.store.raw(record.sha256) == b"\x00\xff not a mail at all"


def forwarded_by_federation(ctx, inner: bytes) -> bytes:
    """The federation's staff forward a unit's mail as an attachment (message/rfc822)."""
    from email.mime.message import MIMEMessage
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    outer = MIMEMultipart()
    outer["From"] = ctx.config.campaign.federation_emails[0]
    outer["To"] = ctx.config.campaign.federation_emails[0]
    outer["Subject"] = "转发：区公安分局三季度进展"
    outer["Message-ID"] = "<fwd-1@zichuan.example.org>"
    outer.attach(MIMEText("请登记。", "plain", "utf-8"))
    outer.attach(MIMEMessage(email.message_from_bytes(inner)))
    return outer.as_bytes()


def test_a_forwarded_original_is_counted_and_answered_to_the_unit(ctx, tmp_path):
    inner = unit_mail(ctx, "区公安分局", message_id="<orig-1@zichuan.example.org>")
    outcome = pipeline.ingest(ctx, forwarded_by_federation(ctx, inner), "test:1", SEPT)
    assert (outcome.state, outcome.unit, outcome.quarter) == ("done", "区公安分局", "2026Q3")
    [record] = ctx.current("2026Q3")
    assert record.stamped_pdf and record.message_id == "<orig-1@zichuan.example.org>"
    [receipt] = sent_mails(ctx, tmp_path)
    assert receipt["To"] == "gaj@zichuan.example.org"
    assert receipt["In-Reply-To"] == "<orig-1@zichuan.example.org>"


def test_a_unit_without_address_is_recorded_though_no_mail_can_go_to_it(ctx, tmp_path):
    campaign = ctx.config.campaign
    units = tuple(replace(u, emails=()) if u.name == "团区委" else u for u in campaign.units)
    ctx.config = replace(ctx.config, campaign=replace(campaign, units=units))
    held = pipeline.ingest(ctx, unit_mail(ctx, "团区委", sender="tuanquwei@163.com"), "test:1", SEPT)
    assert (held.state, held.unit) == ("held", "团区委")
    [record] = ctx.store.messages("held")
    accepted = review.accept(ctx, record.id, who="staff")
    assert (accepted.state, accepted.unit) == ("done", "团区委")
    assert "receipt not sent" in ctx.store.message(record.id).reason
    assert sent_mails(ctx, tmp_path) == []


def test_winmail_dat_is_held_and_the_unit_asked_to_resend(ctx, tmp_path):
    raw = samples.report_mail("rsj@zichuan.example.org", "fulian-office@zichuan.example.org",
                              "区人社局三季度进展", SEPT, [("winmail.dat", b"\x78\x9f\x3e\x22")])
    outcome = pipeline.ingest(ctx, raw, "test:1", SEPT)
    assert (outcome.state, outcome.reason) == ("held", HeldReason.WINMAIL)
    [notice] = sent_mails(ctx, tmp_path)
    assert notice["To"] == "rsj@zichuan.example.org"
    assert "winmail.dat" in notice.get_content() and "重新发送" in notice.get_content()


def test_a_units_own_mail_without_attachment_is_held_and_the_unit_told_why(ctx, tmp_path):
    raw = samples.report_mail("rsj@zichuan.example.org", "fulian-office@zichuan.example.org",
                              "区人社局三季度进展", SEPT, [])
    outcome = pipeline.ingest(ctx, raw, "test:1", SEPT)
    assert (outcome.state, outcome.unit) == ("held", "区人社局")
    [notice] = sent_mails(ctx, tmp_path)
    assert notice["To"] == "rsj@zichuan.example.org" and notice["In-Reply-To"]
    assert "原因是：邮件没有附件" in notice.get_content()


def test_a_form_and_a_stamped_pdf_in_two_mails_make_a_complete_unit(ctx, tmp_path):
    first = pipeline.ingest(ctx, unit_mail(ctx, "区人社局", files=("docx",)), "test:1", SEPT)
    assert first.reason == "incomplete"
    later = SEPT + timedelta(hours=3)
    second = pipeline.ingest(ctx, unit_mail(ctx, "区人社局", later, files=("pdf",)), "test:2", later)
    assert second == pipeline.Outcome("done", "complete", "区人社局", "2026Q3", Standing.COMPLETE)
    [current] = ctx.current("2026Q3")
    assert current.electronic and current.stamped_pdf and current.items == (1,)
    assert current.problems == () and "区人社局围绕第1项实事" in current.rows[0].progress
    receipts = sent_mails(ctx, tmp_path)
    assert "材料齐全" in receipts[1]["Subject"]
    assert "电子版报表：已收到（此前来件）" in receipts[1].get_content()
    assert "盖章 PDF 版：已收到（本次来件）" in receipts[1].get_content()


def test_a_later_mail_without_a_piece_is_not_a_report_and_changes_nothing(ctx, tmp_path):
    pipeline.ingest(ctx, unit_mail(ctx, "区人社局"), "test:1", SEPT)
    later = SEPT + timedelta(days=2)
    agenda = ("座谈会议程.docx", plain_docx("座谈会议程\n一、领导讲话\n二、交流发言"))
    raw = samples.report_mail("rsj@zichuan.example.org", "fulian-office@zichuan.example.org",
                              "区人社局三季度座谈会议程", later, [agenda])
    outcome = pipeline.ingest(ctx, raw, "test:2", later)
    assert (outcome.state, outcome.unit) == ("not_report", "区人社局")
    [current] = ctx.current("2026Q3")
    assert current.problems == () and current.received_at == SEPT
    assert len(sent_mails(ctx, tmp_path)) == 1  # the first receipt only


def test_a_new_form_replaces_only_the_form(ctx):
    pipeline.ingest(ctx, unit_mail(ctx, "区人社局", texts={1: "第一稿"}), "test:1", SEPT)
    later = SEPT + timedelta(days=1)
    pipeline.ingest(ctx, unit_mail(ctx, "区人社局", later, files=("docx",), texts={1: "更正稿"}),
                "test:2", later)
    [current] = ctx.current("2026Q3")
    assert current.rows[0].progress == "更正稿" and current.stamped_pdf and not current.problems
