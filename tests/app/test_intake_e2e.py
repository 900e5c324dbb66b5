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

from mailbot.app import pipeline
from mailbot.config import load
from mailbot.core.models import HeldReason
from mailbot.mailbox import MailboxError
from mailbot.mailbox.imap import ImapSettings, ImapSource
from tests.intake_mails import Case, held_out_mails
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

    def mailbot(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ, PYTHONPATH=str(ROOT), SSL_CERT_FILE=str(self.dovecot.cert.cert))
        env[ENV] = PASSWORD
        env.pop("MAILBOT_NOW", None)
        result = subprocess.run([sys.executable, "-m", "mailbot", "--now", NOW, *args],
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
                 "unregistered", "form-cells", "correction", "docx-only", "unstamped"):
        assert any(kind in name for name in names), kind
