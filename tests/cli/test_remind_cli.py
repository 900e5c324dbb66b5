"""`mailbot remind` as the operator runs it: the right units and stages on each day, never twice.

A store is filled through `mailbot ingest` with sample mails for 2026Q3 (due on
Wednesday 2026-09-30): two units reported in full, one sent only the Word file,
one wrote from an address not registered for it (held, so still missing), the
rest never wrote. The default ladder then gives: notice 09-24, due 09-30, 催报
10-08, 10-10 (the adjusted working Saturday) and 10-13; 09-25 is the Mid-Autumn
holiday, 10-01..07 National Day.
"""

from __future__ import annotations

import email
import email.policy
import json
from datetime import datetime, timezone

import pytest

from mailbot.app import samples
from mailbot.config import load
from tests.servers import free_port
from tests.invoke import mailbot
from mailbot.config import PACKAGED_CONFIG

QUARTER = "2026Q3"
DONE = {"区人社局", "区妇联"}
INCOMPLETE = "区融媒体中心"
HELD = "团区委"


def report(campaign, unit, files, when, sender=None) -> bytes:
    made = {"docx": ("报表.docx", samples.form_docx(campaign, unit, QUARTER)),
            "pdf": ("报表（盖章）.pdf", samples.scanned_pdf())}
    return samples.report_mail(sender or campaign.unit(unit).emails[0],
                               campaign.federation_emails[0], f"{unit}2026年三季度进展情况",
                               when, [made[kind] for kind in files])


def make_site(folder, smtp_url: str | None = None):
    """A config (outbox folder, or the given SMTP server) and a store filled by `ingest`."""
    text = PACKAGED_CONFIG.read_text(encoding="utf-8")
    if smtp_url:
        text = text.replace('url = "outbox:var/outbox"', f'url = "{smtp_url}"')
    (folder / "config.toml").write_text(text, encoding="utf-8")
    campaign = load(folder / "config.toml").campaign
    sept = datetime(2026, 9, 22, 2, tzinfo=timezone.utc)
    mails = [report(campaign, "区人社局", ("docx", "pdf"), sept),
             report(campaign, INCOMPLETE, ("docx",), sept),
             report(campaign, HELD, ("docx", "pdf"), sept, sender="tuanquwei2026@163.com"),
             report(campaign, "区妇联", ("docx", "pdf"), datetime(2026, 10, 9, 7,
                                                                  tzinfo=timezone.utc))]
    paths = []
    for number, raw in enumerate(mails):
        paths.append(folder / f"{number}.eml")
        paths[-1].write_bytes(raw)
    mailbot("ingest", *map(str, paths), cwd=folder)
    return campaign


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("remind")
    return folder, make_site(folder)


def dry_run(folder, now: str) -> list[dict]:
    result = mailbot("--now", now, "remind", "--dry-run", "--json", cwd=folder)
    return json.loads(result.stdout)


def chased(campaign) -> set[str]:
    return {unit.name for unit in campaign.units} - DONE


@pytest.mark.parametrize("now, stage", [
    ("2026-09-24T09:00", "notice"),
    ("2026-09-28T17:59", "notice"),  # the notice is still current (not sent yet)
    ("2026-09-30T10:00", "due"),
    ("2026-10-08T10:00", "overdue1"),
    ("2026-10-09T15:00", "overdue1"),
    ("2026-10-10T10:00", "overdue2"),  # the adjusted working Saturday
    ("2026-10-12T10:00", "overdue2"),
    ("2026-10-13T10:00", "overdue3"),
])
def test_dry_run_lists_the_units_that_have_not_reported_with_the_current_stage(
        site, now, stage):
    folder, campaign = site
    reminders = dry_run(folder, now)
    assert {r["unit"] for r in reminders} == chased(campaign)
    assert len(reminders) == len(chased(campaign))
    assert {(r["quarter"], r["stage"]) for r in reminders} == {(QUARTER, stage)}
    for r in reminders:
        assert r["to"] == list(campaign.unit(r["unit"]).emails)
    [incomplete] = [r for r in reminders if r["unit"] == INCOMPLETE]
    assert incomplete["subject"].startswith("【补报提醒】")
    others = {r["subject"] for r in reminders if r["unit"] != INCOMPLETE}
    assert len(others) == 1 and "补报" not in others.pop()


@pytest.mark.parametrize("now", [
    "2026-09-23T10:00",  # before the notice
    "2026-09-24T08:59", "2026-09-24T18:00",  # outside office hours
    "2026-09-25T10:00",  # Mid-Autumn Festival
    "2026-09-26T10:00", "2026-09-27T10:00",  # weekend
    *(f"2026-10-0{day}T10:00" for day in range(1, 8)),  # National Day
    "2026-10-11T10:00",  # Sunday
    "2026-10-15T10:00",  # the window has closed
    "2026-04-04T10:00", "2026-04-05T10:00", "2026-04-06T10:00",  # Qingming, Q1 overdue
    "2026-07-04T10:00", "2026-07-05T10:00",  # a weekend while Q2 is overdue
])
def test_dry_run_lists_nothing_on_holidays_weekends_and_outside_the_window(site, now):
    assert dry_run(site[0], now) == []


def test_around_qingming_the_q1_ladder_goes_on_either_side(site):
    folder, campaign = site
    before, after = dry_run(folder, "2026-04-03T10:00"), dry_run(folder, "2026-04-07T10:00")
    assert {(r["quarter"], r["stage"]) for r in before + after} == {("2026Q1", "overdue2")}
    assert len(before) == len(after) == len(campaign.units)  # nobody reported for Q1


def test_dry_run_does_not_warn_about_2027_but_check_does(site):
    folder, _ = site
    needle = "节假日库只收录 2004—2026 年，不含 2027 年"
    remind = mailbot("--now", "2026-12-31T10:00", "remind", "--dry-run", cwd=folder)
    assert "2026Q4 due" in remind.stdout and needle not in remind.stderr
    assert needle in mailbot("check", cwd=folder).stderr


# --- sending through a real SMTP server (aiosmtpd) -------------------------------


def reminders_received(server) -> list[email.message.EmailMessage]:
    mails = [email.message_from_bytes(r.data, policy=email.policy.default)
             for r in server.received]
    return [m for m in mails if m["Subject"].startswith(("【提醒】", "【催报】", "【补报提醒】"))]


def delivered_once(mails) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for m in mails:
        key = (m["To"], m["Subject"])
        counts[key] = counts.get(key, 0) + 1
    return counts


@pytest.mark.slow
def test_remind_twice_at_the_same_moment_sends_nothing_the_second_time(tmp_path, smtp_server):
    campaign = make_site(tmp_path, smtp_server.url())
    first = mailbot("--now", "2026-10-10T10:00", "remind", cwd=tmp_path)
    assert "现在应发提醒 16 封" in first.stdout
    received = reminders_received(smtp_server)
    assert len(received) == len(chased(campaign))
    total = len(smtp_server.received)  # reminders, receipts and the held-mail notice
    second = mailbot("--now", "2026-10-10T10:00", "remind", cwd=tmp_path)
    assert "现在应发提醒 0 封" in second.stdout and "本次发出 0 封" in second.stdout
    assert len(smtp_server.received) == total
    # the next day the same stage is not sent again either
    mailbot("--now", "2026-10-12T10:00", "remind", cwd=tmp_path)
    assert len(smtp_server.received) == total

    mail = received[0]
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["X-Auto-Response-Suppress"] == "All"
    # the overdue2 stage, but the first 催报 the unit actually got: counted so, not copied
    assert "（第1次催报）" in mail["Subject"] and mail["Cc"] is None
    mailbot("--now", "2026-10-13T10:00", "remind", cwd=tmp_path)  # overdue3: its second
    [later, *_] = [m for m in reminders_received(smtp_server)[len(received):]
                   if m["To"] == mail["To"]]
    assert "（第2次催报）" in later["Subject"]
    assert later["Cc"] == campaign.federation_emails[0]  # the second 催报 is copied
    allowed = {a for u in campaign.units for a in u.emails} | set(campaign.federation_emails)
    assert all(set(r.rcpt_tos) <= allowed for r in smtp_server.received)


@pytest.mark.slow
def test_smtp_down_during_a_run_then_up_delivers_each_reminder_exactly_once(tmp_path):
    from aiosmtpd.controller import Controller
    from tests.servers import _Recorder

    port = free_port()  # nothing listens here yet: the server is down
    campaign = make_site(tmp_path, f"smtp://127.0.0.1:{port}")
    down = mailbot("--now", "2026-10-08T10:00", "remind", cwd=tmp_path, check=False)
    assert down.returncode == 1
    assert "现在应发提醒 16 封" in down.stdout and "本次发出 0 封，未能发出 20 封" in down.stdout
    handler = _Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        up = mailbot("--now", "2026-10-08T10:00", "remind", cwd=tmp_path)
        assert "现在应发提醒 0 封" in up.stdout and "本次发出 20 封，未能发出 0 封" in up.stdout
        mailbot("--now", "2026-10-08T10:00", "remind", cwd=tmp_path)
    finally:
        controller.stop()
    received = reminders_received(handler)
    counts = delivered_once(received)
    assert set(counts.values()) == {1}
    assert {m["To"] for m in received} == {campaign.unit(u).emails[0] for u in chased(campaign)}
    assert len(handler.received) == 20  # 16 reminders, 3 receipts, 1 held-mail notice


class _FailsAfter:
    """Accepts `limit` mails, then answers 421 at DATA: the server going away mid-run."""

    def __init__(self, limit: int) -> None:
        from tests.servers import _Recorder

        self.inner, self.limit = _Recorder(), limit
        self.received = self.inner.received

    async def handle_RCPT(self, *args):
        return await self.inner.handle_RCPT(*args)

    async def handle_DATA(self, server, session, envelope):
        if len(self.received) >= self.limit:
            return "421 4.3.2 service shutting down"
        return await self.inner.handle_DATA(server, session, envelope)


@pytest.mark.slow
def test_server_failing_in_the_middle_of_a_run_loses_and_repeats_nothing(tmp_path):
    from aiosmtpd.controller import Controller

    handler = _FailsAfter(7)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        campaign = make_site(tmp_path, f"smtp://127.0.0.1:{controller.port}")
        broken = mailbot("--now", "2026-10-13T10:00", "remind", cwd=tmp_path, check=False)
        assert broken.returncode == 1 and "本次发出 7 封，未能发出 13 封" in broken.stdout
        handler.limit = 1000
        mailbot("--now", "2026-10-13T10:00", "remind", cwd=tmp_path)
        mailbot("--now", "2026-10-14T10:00", "remind", cwd=tmp_path)
    finally:
        controller.stop()
    counts = delivered_once(reminders_received(handler))
    assert len(counts) == len(chased(campaign)) and set(counts.values()) == {1}
    assert len(handler.received) == 20
