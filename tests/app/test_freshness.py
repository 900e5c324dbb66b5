"""Decide from a current view: a reminder tick first reads the mailbox up to now."""

import email
import email.policy
import os
import threading
from datetime import datetime, timezone

from mailbot.app import notices, pipeline, samples
from mailbot.app.freshness import Health, after_failure, after_read, health
from mailbot.app.live import LiveConfig
from mailbot.app.worker import current_tick
from mailbot.config import load
from mailbot.mailbox import ConnectionLost, LoginFailed
from tests.pipeline import write_config

DUE_DAY = datetime(2026, 9, 30, 1, 30, tzinfo=timezone.utc)  # 09:30 on the due day


def site(tmp_path):
    return load(write_config(tmp_path))


def deliver(config, raw: bytes, name: str, arrived: datetime = DUE_DAY) -> None:
    """Into the Maildir, delivered (mtime) at `arrived`."""
    new = config.base_dir / "var" / "mail" / "new"
    new.mkdir(parents=True, exist_ok=True)
    (new / name).write_bytes(raw)
    os.utime(new / name, (arrived.timestamp(), arrived.timestamp()))


def written(config) -> list[email.message.EmailMessage]:
    folder = config.base_dir / "var" / "outbox"
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(folder.glob("*.eml"))]


def waiting_report(config) -> None:
    """区人社局's complete report, delivered while no worker ran."""
    campaign = config.campaign
    made = [("报表.docx", samples.form_docx(campaign, "区人社局", "2026Q3")),
            ("盖章.pdf", samples.scanned_pdf())]
    deliver(config, samples.report_mail("rsj@zichuan.example.org", campaign.federation_emails[0],
                                        "区人社局三季度进展", DUE_DAY, made), "1.eml")


def test_mail_waiting_at_the_reminder_tick_is_read_before_reminders_are_decided(tmp_path):
    config = site(tmp_path)
    campaign = config.campaign
    waiting_report(config)
    tick = current_tick(LiveConfig(config), lambda: DUE_DAY, notices.remind_tick, threading.Event())
    assert tick() == len(campaign.units) - 1  # everyone but 区人社局
    mails = written(config)
    to_rsj = [m["Subject"] for m in mails if m["To"] == "rsj@zichuan.example.org"]
    assert len(to_rsj) == 1 and to_rsj[0].startswith("回执")
    ctx = pipeline.Context.open(config, lambda: DUE_DAY)
    assert health(ctx).read_at == DUE_DAY.isoformat(timespec="seconds")


def test_one_alert_per_outage_and_the_trouble_is_named():
    now = DUE_DAY
    down = after_failure(Health(read_at="x"), LoginFailed("535 auth failed"), now)
    again = after_failure(down, ConnectionLost("reset"), now)
    assert (down.ok, down.episode, down.trouble) == (False, 1, "login")
    assert (again.episode, again.failing_since) == (1, down.failing_since)  # same outage
    up = after_read(again, now)
    assert up.ok and up.episode == 1 and up.failing_since is None
    assert after_failure(up, LoginFailed("x"), now).episode == 2  # a new outage, a new alert


def test_compile_send_reads_the_waiting_mail_before_it_tells_the_federation(tmp_path):
    from tests.invoke import mailbot

    config = site(tmp_path)
    campaign = config.campaign
    waiting_report(config)
    mailbot("--now", "2026-09-30T10:00", "compile", "--quarter", "2026Q3", "--send",
            "-o", str(tmp_path / "r.docx"), cwd=tmp_path)
    [summary] = [m for m in written(config) if m["To"] == campaign.federation_emails[0]]
    assert "区人社局：按时报送" in summary.get_body(("plain",)).get_content()
