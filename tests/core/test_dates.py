"""The Chinese dates every mail, summary, report and table uses (core.dates)."""

from datetime import date, datetime, timezone

from mailbot.core import dates

ZONE = "Asia/Shanghai"


def test_days_are_said_as_chinese_mail_says_them():
    day = date(2026, 9, 30)
    assert dates.month_day(day) == "9月30日"
    assert dates.month_day_weekday(day) == "9月30日（星期三）"
    assert dates.month_day_weekday(date(2026, 10, 4)) == "10月4日（星期日）"
    assert dates.full_date(date(2026, 10, 9)) == "2026年10月9日"


def test_a_moment_is_shown_in_the_campaign_zone_to_the_minute():
    utc = datetime(2026, 9, 30, 16, 5, tzinfo=timezone.utc)  # 10月1日 00:05 in Shanghai
    here = dates.local(utc, ZONE)
    assert dates.month_day_time(here) == "10月1日 00:05"
    assert dates.full_date_time(here) == "2026年10月1日00:05"
    assert dates.stamp(here) == "2026-10-01 00:05"


def test_a_naive_moment_is_local_time_already():
    naive = datetime(2026, 9, 30, 9, 30)
    assert dates.local(naive, ZONE).utcoffset().total_seconds() == 8 * 3600
    assert dates.stamp(dates.local(naive, ZONE)) == "2026-09-30 09:30"
