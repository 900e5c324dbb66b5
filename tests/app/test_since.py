"""`[mailbox] since`: older office mail is recorded, never answered nor counted,
unless the operator imports it on purpose with `poll --since`."""

import email
import email.policy
import os
from datetime import date, datetime, timezone

from mailbot.app import samples
from mailbot.config import PACKAGED_CONFIG, load
from mailbot.intake.rules import default_since
from tests.pipeline import write_config
from tests.invoke import mailbot

OLD = datetime(2026, 1, 15, 2, tzinfo=timezone.utc)
NEW = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)
CAMPAIGN = load(PACKAGED_CONFIG).campaign


def deliver(site, raw: bytes, name: str, arrived: datetime) -> None:
    """A mail in the Maildir, arrived (delivery time = mtime) at `arrived`."""
    new = site / "var" / "mail" / "new"
    new.mkdir(parents=True, exist_ok=True)
    (new / name).write_bytes(raw)
    os.utime(new / name, (arrived.timestamp(), arrived.timestamp()))


def report(unit: str, quarter: str, when: datetime) -> bytes:
    files = [("报表.docx", samples.form_docx(CAMPAIGN, unit, quarter)),
             ("盖章.pdf", samples.scanned_pdf())]
    return samples.report_mail(CAMPAIGN.unit(unit).emails[0], CAMPAIGN.federation_emails[0],
                               f"{unit}{quarter[-1]}季度进展情况", when, files)


def sent(site):
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((site / "var" / "outbox").glob("*.eml"))]


def test_the_default_start_is_the_opening_of_the_window_being_collected():
    assert default_since(CAMPAIGN, date(2026, 10, 9)) == date(2026, 8, 30)  # Q3's window
    assert default_since(CAMPAIGN, date(2026, 1, 5)) == date(2026, 2, 28)  # none open yet: Q1's


def test_older_mail_is_recorded_unanswered_until_imported_on_purpose(tmp_path):
    write_config(tmp_path)
    deliver(tmp_path, report("区人社局", "2026Q1", OLD), "old.eml", OLD)
    deliver(tmp_path, report("区卫健局", "2026Q3", NEW), "new.eml", NEW)
    out = mailbot("--now", "2026-10-09T10:00", "poll", "--once", cwd=tmp_path).stdout
    assert "起始日期前的邮件" in out and "新邮件 2 封" in out
    assert [m["To"] for m in sent(tmp_path)] == ["wjj@zichuan.example.org"]
    again = mailbot("--now", "2026-10-09T10:05", "poll", "--once", cwd=tmp_path).stdout
    assert "新邮件 0 封" in again  # recorded, so never fetched again
    quiet = mailbot("--now", "2026-10-09T10:10", "poll", "--since", "2026-01-01", "--quiet",
                    cwd=tmp_path).stdout
    assert "已计入 区人社局2026年第一季度" in quiet
    assert len(sent(tmp_path)) == 1  # imported without a receipt
    status = mailbot("--now", "2026-10-09T10:10", "status", "--quarter", "2026Q1", "--json",
                     cwd=tmp_path).stdout
    assert '"unit": "区人社局",\n      "state": "on_time"' in status
    assert '"read_at": "2026-10-09T10:10:00+08:00"' in status


def test_a_configured_since_wins_and_a_bad_one_names_the_key(tmp_path):
    write_config(tmp_path, edit=lambda t: t.replace('[mailbox]\n', '[mailbox]\nsince = 2026-01-01\n'))
    deliver(tmp_path, report("区人社局", "2026Q1", OLD), "old.eml", OLD)
    out = mailbot("--now", "2026-10-09T10:00", "poll", "--once", cwd=tmp_path).stdout
    assert "已计入 区人社局2026年第一季度" in out
    write_config(tmp_path, edit=lambda t: t.replace('[mailbox]\n', '[mailbox]\nsince = "昨天"\n'))
    bad = mailbot("check", cwd=tmp_path, check=False)
    assert bad.returncode == 2 and "[mailbox] since" in bad.stderr
