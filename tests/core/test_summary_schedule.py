"""When the federation's summary goes out: pure schedule, then the tick on a real store."""

from datetime import datetime
from zoneinfo import ZoneInfo

from mailbot.app import notices
from mailbot.config import load
from mailbot.chase.summary import SummarySchedule, summaries_due
from tests.pipeline import open_context, sent_mails
from mailbot.config import PACKAGED_CONFIG

CONFIG = load(PACKAGED_CONFIG)
ZONE = ZoneInfo("Asia/Shanghai")


def due_at(text: str, sent=(), schedule=SummarySchedule(), outstanding=()):
    now = datetime.fromisoformat(text).replace(tzinfo=ZONE)
    return summaries_due(CONFIG.campaign, schedule, CONFIG.calendar, now, set(sent),
                         outstanding)


def test_closing_summary_two_working_days_after_the_due_date():
    # 2026Q3 is due Wed 30 September; 1-7 October is National Day, so the
    # second working day after it is Friday 9 October
    assert due_at("2026-10-08T10:00") == []
    assert due_at("2026-10-09T10:00") == [("2026Q3", "summary:2026Q3:closing")]
    assert due_at("2026-10-09T08:00") == []  # before [summary].hour
    assert due_at("2026-10-12T10:00", sent={"summary:2026Q3:closing"}) == []
    # missed by downtime, it still goes once on the next working day
    assert due_at("2026-10-12T10:00") == [("2026Q3", "summary:2026Q3:closing")]


def test_weekly_digest_in_the_window_once_a_week():
    assert due_at("2026-09-14T09:30") == []  # 16 days before the due date
    assert due_at("2026-09-21T09:30") == [("2026Q3", "summary:2026Q3:week2026-39")]
    # the week's digest went on Monday: not again on Tuesday
    assert due_at("2026-09-22T09:30", sent={"summary:2026Q3:week2026-39"}) == []
    assert due_at("2026-09-26T10:00") == []  # a Saturday that is no working day
    assert due_at("2026-09-21T09:30", schedule=SummarySchedule(weekly_weekday=0)) == []


def test_weekly_digest_goes_on_after_the_due_date_while_units_are_missing():
    closed = {"summary:2026Q3:closing"}
    late = {"outstanding": {"2026Q3"}}
    # the closing summary's own week (Friday 9 October) gets no digest besides it
    assert due_at("2026-10-09T15:00", sent=closed, **late) == []
    assert due_at("2026-10-12T09:30", sent=closed, **late) == [
        ("2026Q3", "summary:2026Q3:week2026-42")]
    assert due_at("2026-10-12T09:30", sent=closed) == []  # everybody is in: no digest
    assert due_at("2026-11-23T09:30", sent=closed, **late) == [
        ("2026Q3", "summary:2026Q3:week2026-48")]
    # 30 November: 2026Q4's reporting window opens, 2026Q3's digest stops
    assert due_at("2026-11-30T09:30", sent=closed, **late) == []


def test_nothing_on_holidays():
    assert due_at("2026-10-05T10:00") == []


def test_the_tick_queues_each_summary_once(tmp_path):
    ctx = open_context(tmp_path)
    ctx.clock = lambda: datetime(2026, 10, 9, 10, tzinfo=ZONE)
    assert notices.summary_tick(ctx) == 1
    assert notices.summary_tick(ctx) == 0
    [summary] = sent_mails(ctx, tmp_path)
    assert summary["To"] == "fulian-office@zichuan.example.org"
    assert summary["Auto-Submitted"] == "auto-generated"
    names = [part.get_filename() for part in summary.iter_attachments()]
    assert "2026年第三季度为全区妇女儿童办实事工作进展情况汇总表.docx" in names


def test_the_tick_sends_the_digest_after_the_closing_summary_while_units_are_missing(tmp_path):
    ctx = open_context(tmp_path)
    ctx.clock = lambda: datetime(2026, 10, 19, 10, tzinfo=ZONE)
    assert notices.summary_tick(ctx) == 1  # the closing summary, late but within its grace
    ctx.clock = lambda: datetime(2026, 10, 26, 10, tzinfo=ZONE)
    assert notices.summary_tick(ctx) == 1  # nobody reported: the weekly digest goes on
    assert notices.summary_tick(ctx) == 0
    assert len(sent_mails(ctx, tmp_path)) == 2

