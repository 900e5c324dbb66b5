"""Issue 10's "Must show": a quarter in a real office mailbox, `mailbot run` every morning.

A real Dovecot INBOX is pre-filled with 300 ordinary office mails of the year
before (newsletters, replies, photos, meeting notices, last year's reports).
Then the quarter is walked day by day: mail arrives while the worker is down,
and each simulated morning `mailbot --now DAY run` is started with mail already
waiting, left to finish its first round (intake, reminder tick, summary tick),
and stopped with SIGTERM. What it sent is read from a real SMTP server
(aiosmtpd); what it believes from `status --json`. One morning the 授权码 is
wrong.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest

from mailbot.app import samples
from mailbot.core.models import UnitState
from mailbot.config import load
from tests.office import office_mail, plain_docx, photo_jpeg, year_of_office_mail
from tests.servers import PASSWORD, site_config

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ENV = "MAILBOT_SCENARIO_IMAP_PASSWORD"
ZONE = ZoneInfo("Asia/Shanghai")
DONE = ("job remind done", "job summary done")  # the first round of the worker is over


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


class Office:
    """The federation's site: config.toml on the test's Dovecot user and aiosmtpd."""

    def __init__(self, path: Path, dovecot, smtp, user: str):
        self.path, self.dovecot, self.smtp, self.user = path, dovecot, smtp, user
        config = site_config(path, dovecot, user, smtp, ENV)
        text = config.read_text(encoding="utf-8")  # trust Dovecot's own certificate
        config.write_text(text.replace(f'url = "{dovecot.url(user)}"', f'url = "{dovecot.url(user)}"'
                                       f'\nca_file = "{dovecot.cert.cert}"'), encoding="utf-8")
        self.config = load(config)
        assert self.config.mailbox.ca_file
        self.campaign = self.config.campaign
        self.seen = 0  # SMTP mails already looked at

    def arrive(self, raw: bytes, when: datetime) -> None:
        client = self.dovecot.client(self.user)
        try:
            client.append("INBOX", raw, msg_time=when)
        finally:
            client.logout()

    def env(self, password: str) -> dict:
        env = {k: v for k, v in os.environ.items() if k != "SSL_CERT_FILE"}
        env["PYTHONPATH"] = str(ROOT)
        env[ENV] = password
        env.pop("MAILBOT_NOW", None)
        return env

    def morning(self, now: str, password: str = PASSWORD) -> str:
        """`mailbot --now NOW run` until its first round is over, then SIGTERM; the log."""
        worker = subprocess.Popen([sys.executable, "-m", "mailbot", "--now", now, "run"],
                                  cwd=self.path, env=self.env(password), text=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(iter(worker.stderr.readline, "")))
        reader.start()
        deadline = time.monotonic() + 240
        while not all(any(mark in line for line in lines) for mark in DONE):
            assert worker.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, "".join(lines)
        reader.join()
        return "".join(lines)

    def mailbot(self, now: str, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "mailbot", "--now", now, *args],
                                cwd=self.path, env=self.env(PASSWORD), capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def status(self, now: str) -> dict:
        return json.loads(self.mailbot(now, "status", "--quarter", "2026Q3", "--json"))

    def states(self, now: str) -> dict[str, str]:
        return {unit["unit"]: unit["state"] for unit in self.status(now)["units"]}

    def new_mails(self) -> list[email.message.EmailMessage]:
        """What the SMTP server received since the last look."""
        mails = [email.message_from_bytes(r.data, policy=email.policy.default)
                 for r in self.smtp.received[self.seen:]]
        self.seen = len(self.smtp.received)
        return mails

    def unit_of(self, address: str) -> str:
        return next(u.name for u in self.campaign.units if address in u.emails)

    def report(self, unit: str, when: datetime, files=("docx", "pdf"), subject=None) -> bytes:
        made = {"docx": ("进展情况报表.docx", samples.form_docx(self.campaign, unit, "2026Q3")),
                "pdf": ("盖章版.pdf", samples.scanned_pdf())}
        return samples.report_mail(self.campaign.unit(unit).emails[0],
                                   self.campaign.federation_emails[0],
                                   subject or f"{unit}2026年第三季度十件实事进展情况", when,
                                   [made[f] for f in files])


@pytest.fixture
def office(tmp_path, dovecot_bad_logins, smtp_server):
    return Office(tmp_path, dovecot_bad_logins, smtp_server, dovecot_bad_logins.new_user())


def kinds(office: Office, mails) -> dict[str, list[str]]:
    """Recipients by kind of mail: receipt, reminder, summary, alert, other."""
    found: dict[str, list[str]] = {"receipt": [], "reminder": [], "summary": [], "alert": [],
                                   "other": []}
    federation = office.campaign.federation_emails[0]
    for mail in mails:
        subject, to = mail["Subject"], mail["To"]
        if subject.startswith("回执"):
            found["receipt"].append(office.unit_of(to))
        elif subject.startswith("【") and to != federation:
            found["reminder"].append(office.unit_of(to))
        elif "报表收集助手" in subject:
            found["alert"].append(subject)
        elif to == federation:
            found["summary"].append(subject)
        else:
            found["other"].append(f"{to}: {subject}")
    return found


def summary_states(mail) -> dict[str, str]:
    """Unit -> state label, from the summary's lines "N. 单位：按时报送（...）"."""
    text = mail.get_body(("plain",)).get_content()
    return dict(re.findall(r"^\d+\. (\S+?)：(按时报送|逾期报送|材料不全|未报送)", text, re.M))


def assert_summary_is_the_truth(office: Office, mail, now: str) -> None:
    truth = {unit: UnitState(state).zh for unit, state in office.states(now).items()}
    assert summary_states(mail) == truth
    counts = {label: list(truth.values()).count(label) for label in set(truth.values())}
    headline = mail.get_body(("plain",)).get_content()
    for label, count in counts.items():
        assert f"{label}{count}个" in headline, (label, count)


def report_text(mail) -> str:
    [attachment] = [part for part in mail.iter_attachments()
                    if part.get_filename().endswith(".docx")]
    document = docx.Document(__import__("io").BytesIO(attachment.get_content()))
    return "\n".join(cell.text for table in document.tables for row in table.rows
                     for cell in row.cells)


def test_a_quarter_in_a_real_office_mailbox(office):
    campaign, inbox = office.campaign, office.campaign.federation_emails[0]
    everyone = [unit.name for unit in campaign.units]
    for when, raw in year_of_office_mail(campaign, 2025, 300):
        office.arrive(raw, when)

    # --- day 1, Wed 9-23: the first start, on a mailbox of 300 old mails plus two reports
    office.arrive(office.report("区人社局", at("2026-09-22T17:00")), at("2026-09-22T17:00"))
    office.arrive(office.report("区卫健局", at("2026-09-22T18:00"), files=("docx",)),
                  at("2026-09-22T18:00"))
    log = office.morning("2026-09-23T09:30")
    day = kinds(office, mails := office.new_mails())
    assert sorted(day["receipt"]) == ["区人社局", "区卫健局"]  # nothing older is answered
    assert day["reminder"] == day["alert"] == day["other"] == []
    [summary] = [m for m in mails if m["To"] == inbox]
    assert_summary_is_the_truth(office, summary, "2026-09-23T09:30")
    assert "按时报送1个" in summary.get_body(("plain",)).get_content()
    assert "邮箱最近一次读取" not in log  # (the log is English and quiet; status says it)
    status = office.status("2026-09-23T09:30")
    assert status["mailbox"]["readable"] and status["mailbox"]["read_at"].startswith("2026-09-23")
    receipt_to_rsj = next(m for m in mails if m["Subject"].startswith("回执：区人社局"))

    # --- day 2, Thu 9-24 (notice day): the stamped PDF in a second mail, a thank-you
    # reply, a report that arrived just before the start, mail merely about units
    office.arrive(office.report("区卫健局", at("2026-09-23T20:00"), files=("pdf",)),
                  at("2026-09-23T20:00"))
    office.arrive(office_mail("rsj@zichuan.example.org", inbox,
                              "Re: " + receipt_to_rsj["Subject"], at("2026-09-23T19:00"),
                              "收到，谢谢！", reply_to=receipt_to_rsj["Message-ID"]),
                  at("2026-09-23T19:00"))
    office.arrive(office.report("区民政局", at("2026-09-24T08:50")), at("2026-09-24T08:50"))
    office.arrive(office_mail("office@zbfulian.example.cn", inbox, "关于区妇联参加市妇联培训的通知",
                              at("2026-09-24T08:00"), "请区妇联派员参加。", files=((
                                  "培训通知.docx", "application/octet-stream",
                                  plain_docx("培训通知")),)), at("2026-09-24T08:00"))
    office.arrive(office_mail("zhangli@163.example.com", inbox, "团区委活动照片",
                              at("2026-09-24T08:10"), "照片请查收。", files=((
                                  "IMG_1.jpg", "image/jpeg", photo_jpeg(1)),)),
                  at("2026-09-24T08:10"))
    office.morning("2026-09-24T09:30")
    day = kinds(office, office.new_mails())
    assert sorted(day["receipt"]) == ["区卫健局", "区民政局"]  # no answer to the thank-you
    assert sorted(day["reminder"]) == sorted(set(everyone) - {"区人社局", "区卫健局", "区民政局"})
    assert day["summary"] == day["alert"] == day["other"] == []
    states = office.states("2026-09-24T09:30")
    assert states["区卫健局"] == "on_time"  # form and stamped PDF in two mails: complete

    # --- day 3, Mon 9-28: an unrelated later mail from a complete unit changes nothing
    office.arrive(samples.report_mail("rsj@zichuan.example.org", inbox, "区人社局座谈会议程",
                                      at("2026-09-27T10:00"),
                                      [("座谈会议程.docx", plain_docx("座谈会议程\n一、交流发言"))]),
                  at("2026-09-27T10:00"))
    office.morning("2026-09-28T09:30")
    mails = office.new_mails()
    day = kinds(office, mails)
    assert day["receipt"] == day["reminder"] == day["alert"] == day["other"] == []
    [weekly] = mails
    assert_summary_is_the_truth(office, weekly, "2026-09-28T09:30")
    assert office.states("2026-09-28T09:30")["区人社局"] == "on_time"

    # --- day 4, Wed 9-30 (due day): the 授权码 changed; the worker is started twice
    office.arrive(office.report("区教体局", at("2026-09-29T21:00")), at("2026-09-29T21:00"))
    office.morning("2026-09-30T09:30", password="old-code")
    office.morning("2026-09-30T10:30", password="old-code")
    [alert] = office.new_mails()  # no reminder, no receipt: one alert
    assert alert["To"] == inbox and "无法读取报送邮箱" in alert["Subject"]
    assert "授权码" in alert.get_content() and ENV in alert.get_content()
    assert office.status("2026-09-30T10:30")["mailbox"]["readable"] is False

    # --- same day 16:00: fixed; the waiting mail first, then the due-day reminders
    office.morning("2026-09-30T16:00")
    day = kinds(office, office.new_mails())
    assert day["receipt"] == ["区教体局"] and len(day["alert"]) == 1  # recovered
    done = {"区人社局", "区卫健局", "区民政局", "区教体局"}
    assert sorted(day["reminder"]) == sorted(set(everyone) - done)

    # --- day 5, Fri 10-9: the closing summary and its report tell the truth
    office.morning("2026-10-09T09:30")
    mails = office.new_mails()
    day = kinds(office, mails)
    assert sorted(day["reminder"]) == sorted(set(everyone) - done)  # first 催报
    [closing] = [m for m in mails if m["To"] == inbox]
    assert_summary_is_the_truth(office, closing, "2026-10-09T09:30")
    text = report_text(closing)
    assert "区人社局围绕第1项实事" in text and "区卫健局" in text
    assert set(office.states("2026-10-09T09:30").values()) == {"on_time", "missing"}
