"""Every date and time a person reads, said one way, in the campaign's zone (pure).

Receipts, reminders, summaries, the report, the console and the command line
format dates here and nowhere else, and this is the one place that turns the
campaign's timezone name into a zone: so "9月30日" in a reminder's subject and in
the summary cannot drift apart, and a moment is never shown in the machine's zone.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

WEEKDAYS = "一二三四五六日"


@lru_cache(maxsize=None)
def zone(name: str) -> ZoneInfo:
    """The zone of a campaign's `timezone` name (checked when config.toml is read)."""
    return ZoneInfo(name)


def local(moment: datetime, timezone: str) -> datetime:
    """`moment` in the zone `timezone`; a naive moment is taken as local time already."""
    return moment.astimezone(zone(timezone)) if moment.tzinfo else \
        moment.replace(tzinfo=zone(timezone))


def month_day(day: date) -> str:
    """9月30日: a day within the quarter, as mail names it."""
    return f"{day.month}月{day.day}日"


def month_day_weekday(day: date) -> str:
    """9月30日（星期三）: the due day as a reminder gives it."""
    return f"{month_day(day)}（星期{WEEKDAYS[day.weekday()]}）"


def month_day_time(moment: datetime) -> str:
    """9月28日 10:00 (a local moment): when a report arrived, in the summary."""
    return f"{month_day(moment.date())} {moment:%H:%M}"


def full_date(day: date) -> str:
    """2026年10月9日: as official documents and mail date things."""
    return f"{day.year}年{day.month}月{day.day}日"


def full_date_time(moment: datetime) -> str:
    """2026年9月28日10:00 (a local moment): when a mail arrived, in a receipt."""
    return f"{full_date(moment.date())}{moment:%H:%M}"


def stamp(moment: datetime) -> str:
    """2026-09-28 10:00 (a local moment): the sortable form of tables on screen."""
    return f"{moment:%Y-%m-%d %H:%M}"


def time_of_day(moment: datetime) -> str:
    """10:32:05 (a local moment): when to try again, within the next hour."""
    return f"{moment:%H:%M:%S}"
