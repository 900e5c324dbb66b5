"""Issue 4's "Must show": real-world-shaped mail in a real Dovecot, `mailbot poll --once`.

A generator below writes the mails the way Chinese mail clients, mail servers
and people do (GBK subjects and filenames, RFC 2231 names, raw 8-bit headers,
forwards, auto-replies, bounces, lists, forged senders, corrections...), each
with what it must become. They are APPENDed with their arrival time, polled by
the real command over IMAP, answered over real SMTP (aiosmtpd), and checked
through `status --json`, `review` and what the SMTP server received.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mailbot.app import pipeline, samples
from mailbot.config import load
from mailbot.core.models import HeldReason
from mailbot.mailbox import MailboxError
from mailbot.mailbox.imap import ImapSettings, ImapSource
from tests.intake_mails import Case, held_out_mails
from tests.linked_mails import BAIDU_LINK, linked_mail, netease_block, qq_block
from tests.servers import PASSWORD, site_config
from mailbot.config import PACKAGED_CONFIG

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ENV = "MAILBOT_E2E_IMAP_PASSWORD"
NOW = "2026-10-12T10:00"
TRUSTED = "mx.zichuan.example.org"


class Site:
    """A folder with config.toml pointing at the test's Dovecot user and aiosmtpd."""

    def __init__(self, path: Path, dovecot, smtp, user: str):
        self.path, self.dovecot, self.smtp, self.user = path, dovecot, smtp, user
        self.config = load(site_config(path, dovecot, user, smtp, ENV, (TRUSTED,)))

    def append(self, cases: list[Case]) -> None:
        client = self.dovecot.client(self.user)
        try:
            for case in cases:
                client.append("INBOX", case.raw, msg_time=case.arrived)
        finally:
            client.logout()

    def mailbot(self, *args: str, check: bool = True, now: str = NOW
                ) -> subprocess.CompletedProcess:
        env = dict(os.environ, PYTHONPATH=str(ROOT), SSL_CERT_FILE=str(self.dovecot.cert.cert))
        env[ENV] = PASSWORD
        env.pop("MAILBOT_NOW", None)
        result = subprocess.run([sys.executable, "-m", "mailbot", "--now", now, *args],
                                cwd=self.path, env=env, capture_output=True, text=True,
                                timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
        return result

    def status(self, quarter: str) -> dict[str, dict]:
        out = self.mailbot("status", "--quarter", quarter, "--json").stdout
        return {unit["unit"]: unit for unit in json.loads(out)["units"]}

    def sent(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(r.data, policy=email.policy.default)
                for r in self.smtp.received]

    def store(self):
        return pipeline.Context.open(self.config, lambda: datetime.now(timezone.utc)).store


@pytest.fixture
def site(tmp_path, dovecot, smtp_server):
    return Site(tmp_path, dovecot, smtp_server, dovecot.new_user())


def by_kind(mails) -> dict[str, Counter]:
    """Recipients of receipts (回执) and of held notices (提示), counted per address."""
    kinds: dict[str, Counter] = {"receipt": Counter(), "held_notice": Counter()}
    for mail in mails:
        assert mail["Auto-Submitted"] in ("auto-replied", "auto-generated")
        kind = "receipt" if mail["Subject"].startswith("回执") else "held_notice"
        kinds[kind][mail["To"]] += 1
    return kinds


def test_one_poll_attributes_every_mail_and_a_second_poll_does_nothing(site):
    campaign = site.config.campaign
    cases = held_out_mails(campaign, TRUSTED)
    site.append(cases)
    first = site.mailbot("poll", "--once")
    assert f"新邮件 {len(cases)} 封" in first.stdout, first.stdout

    counted = [c for c in cases if c.state == "done"]
    for quarter in {c.quarter for c in counted}:
        status = site.status(quarter)
        latest = {c.unit: c for c in sorted(counted, key=lambda c: c.arrived)
                  if c.quarter == quarter}
        for unit, case in latest.items():
            got = status[unit]
            assert (got["electronic"], got["stamped_pdf"]) == case.flags, (case.name, got)
            assert got["received_at"][:10] == case.arrived.date().isoformat(), case.name
            assert got["message_id"] == case.counted_id, case.name
        held_units = {c.unit for c in cases if c.state == "held"} - set(latest)
        assert all(status[unit]["state"] == "missing" for unit in held_units if unit)

    store = site.store()
    records = {r.message_id: r for r in store.messages()}
    for case in cases:
        record = records[case.message_id]
        assert record.state == case.state, (case.name, record.state, record.reason)
        if case.reason:
            assert record.reason == case.reason or record.reason.startswith(case.reason), case.name
    store.close()

    listing = site.mailbot("review").stdout
    for case in cases:
        if case.state == "held":
            assert case.subject in listing, case.name

    kinds = by_kind(site.sent())
    expected_receipts = Counter(campaign.unit(c.unit).emails[0] for c in counted)
    assert kinds["receipt"] == expected_receipts
    expected_notices = Counter(campaign.unit(c.unit).emails[0] for c in cases
                               if isinstance(c.reason, HeldReason) and c.reason.told)
    assert kinds["held_notice"] == expected_notices
    assert len(site.smtp.received) == len(counted) + sum(expected_notices.values())
    allowed = {a for u in campaign.units for a in u.emails}
    assert all(set(r.rcpt_tos) <= allowed for r in site.smtp.received)

    again = site.mailbot("poll", "--once")
    assert "新邮件 0 封；发件队列：本次发出 0 封，未能发出 0 封" in again.stdout
    assert len(site.smtp.received) == len(counted) + sum(expected_notices.values())


def unit_cases(campaign, *units: str) -> list[Case]:
    return [c for c in held_out_mails(campaign, TRUSTED) if c.unit in units
            and c.state == "done" and "forwarded" not in c.name]


def test_a_new_uidvalidity_records_nothing_twice_and_answers_nothing_twice(site):
    campaign = site.config.campaign
    cases = unit_cases(campaign, "区人社局", "区法院")
    site.append(cases)
    site.mailbot("poll", "--once")
    assert len(site.smtp.received) == 2
    site.dovecot.set_uidvalidity(site.user, 777)
    [late] = unit_cases(campaign, "区检察院")
    site.append([late])
    second = site.mailbot("poll", "--once")
    assert "新邮件 1 封；发件队列：本次发出 1 封" in second.stdout, second.stdout
    store = site.store()
    assert len(store.messages()) == 3
    assert len(store.all_submissions("2026Q3")) == 3
    store.close()
    assert sorted(by_kind(site.sent())["receipt"]) == sorted(
        campaign.unit(u).emails[0] for u in ("区人社局", "区法院", "区检察院"))
    assert "新邮件 0 封" in site.mailbot("poll", "--once").stdout
    assert len(site.smtp.received) == 3


def test_a_connection_cut_mid_poll_loses_nothing_on_the_next_poll(site):
    campaign = site.config.campaign
    cases = unit_cases(campaign, "区人社局", "区法院", "区检察院", "区医保分局", "区卫健局")
    site.append(cases)
    os.environ[ENV] = PASSWORD
    try:
        settings = ImapSettings.from_endpoint(site.config.mailbox, batch_size=1,
                                              connect_attempts=2, timeout=10)  # the poll
        # fetches one batch and reads two mails ahead: one a batch, so the cut is met
        source = ImapSource(settings, ssl_context=site.dovecot.cert.client_context())
        ctx = pipeline.Context.open(site.config, lambda: datetime(2026, 10, 12, 2, tzinfo=timezone.utc))
        seen: list[str] = []

        def cut_after_first(where: str, outcome) -> None:
            seen.append(where)
            if len(seen) == 1:
                site.dovecot.kick(site.user)

        with pytest.raises(MailboxError):
            pipeline.poll(ctx, source, tell=cut_after_first)
        assert 1 <= len(ctx.store.messages()) < len(cases)
        outcomes = pipeline.poll(ctx, source)
        source.close()
    finally:
        os.environ.pop(ENV, None)
    assert len(ctx.store.messages("done")) == len(cases)
    assert sum(o.state == "done" for o in outcomes) + len(seen) == len(cases)
    assert len(ctx.store.outgoing("receipt")) == len(cases)
    ctx.store.close()
    assert "本次发出 5 封" in site.mailbot("poll", "--once").stdout
    assert sorted(by_kind(site.sent())["receipt"]) == sorted(
        campaign.unit(c.unit).emails[0] for c in cases)


def test_the_generator_covers_what_the_issue_names():
    campaign = load(PACKAGED_CONFIG).campaign
    names = {case.name for case in held_out_mails(campaign, TRUSTED)}
    for kind in ("gbk", "rfc2231", "raw-8bit", "forwarded", "auto-reply", "bounce", "list",
                 "unregistered", "form-cells", "correction", "docx-only", "unstamped", "7z"):
        assert any(kind in name for name in names), kind


def test_files_sent_as_links_over_two_days(site):
    """Day 1: 区人社局 attaches its Word form but sends the big stamped scan as a NetEase
    超大附件; 区卫健局 sends both files as QQ 超大附件 only; 区残联 answers the federation's
    notice, quoting its 超大附件, with both files attached; a newsletter shares a net disk.
    Day 2, a new process: both units send what was missing as attachments."""
    campaign = site.config.campaign
    fed = campaign.federation_emails[0]
    addr = {unit.name: unit.emails[0] for unit in campaign.units}
    form = {unit: samples.form_docx(campaign, unit, "2026Q3") for unit in addr}
    stamped = samples.scanned_pdf()
    day1, day2 = datetime(2026, 10, 8, 2, tzinfo=timezone.utc), datetime(2026, 10, 9, 2,
                                                                        tzinfo=timezone.utc)
    notice_plain, notice_html = qq_block(["关于报送第三季度进展情况的通知.pdf"])
    passed = {"Authentication-Results": f"{TRUSTED}; dmarc=pass header.from=zichuan.example.org"}
    first = [
        linked_mail(addr["区人社局"], fed, "区人社局第三季度进展情况", day1,
                    "报表请查收，盖章版较大。", netease_block(["区人社局盖章版.pdf"]),
                    files=[("区人社局三季度进展.docx", form["区人社局"])], msg_id="<rsj1@e2e>",
                    headers=passed),
        linked_mail(addr["区卫健局"], fed, "区卫健局第三季度进展情况", day1, "请查收。",
                    qq_block(["区卫健局进展.docx", "区卫健局盖章版.pdf"]), msg_id="<wjj1@e2e>",
                    headers=passed),
        linked_mail(addr["区残联"], fed, "回复：关于报送第三季度进展情况的通知", day1,
                    "报表见附件。\n\n------------------ 原始邮件 ------------------\n"
                    "发件人: 区妇联",
                    (notice_plain, ""), files=[("区残联三季度进展.docx", form["区残联"]),
                                               ("区残联盖章版.pdf", stamped)],
                    msg_id="<cl1@e2e>", quoted_html=f"<blockquote>{notice_html}</blockquote>",
                    headers=passed),
        linked_mail("news@weekly.example.com", fed, "巾帼周刊第38期（第三季度合集）", day1,
                    f"本期合集已作为超大附件上传网盘：{BAIDU_LINK.format(n=7)} 提取码：x7k2",
                    ("", ""), msg_id="<news@e2e>"),
    ]
    site.append([Case(str(mail["Message-ID"]), mail.as_bytes(), day1, str(mail["Message-ID"]),
                      str(mail["Subject"]), "") for mail in first])
    assert "新邮件 4 封" in site.mailbot("poll", "--once", now="2026-10-08T11:00").stdout

    sent = {str(mail["To"]): mail for mail in site.sent()}
    units = [addr["区人社局"], addr["区卫健局"], addr["区残联"]]
    assert sorted(sent) == sorted(units)  # nothing to the newsletter
    rsj = sent[addr["区人社局"]].get_content()
    assert sent[addr["区人社局"]]["Subject"].startswith("回执：")
    assert "未收到加盖公章的 PDF 版" in rsj
    assert "另：邮件中的文件《区人社局盖章版.pdf》是以下载链接（超大附件或网盘分享）发送的" in rsj
    wjj = sent[addr["区卫健局"]]
    assert wjj["Subject"] == "提示：区卫健局发来的邮件未能自动登记"
    assert "原因是：邮件中的文件是以链接（超大附件、网盘分享或在线文档）发送的" in wjj.get_content()
    assert "以链接发送的是文件《区卫健局进展.docx》、《区卫健局盖章版.pdf》。" in wjj.get_content()
    assert "https://" not in wjj.get_content() + rsj
    canlian = sent[addr["区残联"]].get_content()
    assert "材料齐全" in canlian and "下载链接" not in canlian  # the notice's link is not its file
    review = site.mailbot("review", now="2026-10-08T11:00").stdout
    assert "邮件中的文件是以链接（超大附件、网盘分享或在线文档）发送的" in review, review

    second = [samples.report_mail(addr["区人社局"], fed, "区人社局三季度盖章版", day2,
                                  [("区人社局盖章版.pdf", stamped)], message_id="<rsj2@e2e>"),
              samples.report_mail(addr["区卫健局"], fed, "区卫健局第三季度进展情况（重发）", day2,
                                  [("区卫健局进展.docx", form["区卫健局"]),
                                   ("区卫健局盖章版.pdf", stamped)], message_id="<wjj2@e2e>")]
    site.append([Case(f"day2-{n}", raw, day2, "", "", "") for n, raw in enumerate(second)])
    assert "新邮件 2 封" in site.mailbot("poll", "--once", now="2026-10-09T11:00").stdout
    status = site.status("2026Q3")
    for unit in ("区人社局", "区卫健局", "区残联"):
        assert (status[unit]["electronic"], status[unit]["stamped_pdf"]) == (True, True), unit
    assert [mail["Subject"] for mail in site.sent()[3:]] == [
        "回执：区人社局2026年第三季度进展情况已收到（材料齐全）",
        "回执：区卫健局2026年第三季度进展情况已收到（材料齐全）"]


def test_an_online_document_then_the_files_over_two_days(tmp_path):
    """A unit pastes its 腾讯文档 instead of sending the form: held, told to export and
    attach it; the next day's Word form and stamped scan count, the link noted again."""
    from tests.linked_mails import QQ_DOC, online_block
    from tests.pipeline import open_context, sent_mails

    ctx = open_context(tmp_path / "site")
    campaign = ctx.config.campaign
    rsj, fed = campaign.unit("区人社局").emails[0], campaign.federation_emails[0]
    day1, day2 = datetime(2026, 10, 8, 2, tzinfo=timezone.utc), datetime(2026, 10, 9, 2,
                                                                          tzinfo=timezone.utc)
    share = online_block("区人社局2026年三季度进展情况", QQ_DOC.format(n=9))
    first = linked_mail(rsj, fed, "区人社局第三季度进展情况", day1, "进展已填在腾讯文档，请查收。", share)
    assert pipeline.ingest(ctx, first.as_bytes(), "test:1", day1).why is HeldReason.LINKED_ONLY
    [notice] = sent_mails(ctx, tmp_path / "out")
    text = notice.get_content()
    assert "以在线文档链接发送的是文档《区人社局2026年三季度进展情况》。" in text
    assert "请在在线文档中把报表导出为 Word 文件" in text and "超大附件”和网盘" not in text
    assert "https://" not in text

    form = samples.form_docx(campaign, "区人社局", "2026Q3", None)
    second = linked_mail(rsj, fed, "区人社局第三季度进展情况（附件）", day2, "附件请查收。", share,
                         files=[("区人社局进展.docx", form), ("盖章.pdf", samples.scanned_pdf())])
    assert pipeline.ingest(ctx, second.as_bytes(), "test:2", day2).state == "done"
    receipt = sent_mails(ctx, tmp_path / "out")[-1].get_content()
    assert "另：邮件中的文档《区人社局2026年三季度进展情况》是在线文档（腾讯文档、金山文档等）的链接" in receipt
    assert "下载链接" not in receipt
