"""The reminder ladder on the 2026 campaign of config.toml, at fixed `now` values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot import config
from mailbot.core.models import Quarter, UnitState, UnitStatus
from mailbot.chase.remind import (Ladder, active_quarters, due_reminders, due_reminders_all,
                            ladder_steps)
from mailbot.config import PACKAGED_CONFIG

ROOT = Path(__file__).resolve().parents[2]
CONFIG = config.load(PACKAGED_CONFIG)
CAMPAIGN, LADDER, CAL = CONFIG.campaign, CONFIG.reminders, CONFIG.calendar
SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_UNITS = {unit.name for unit in CAMPAIGN.units}


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=SHANGHAI)


def remind(now: datetime, statuses=(), sent=(), quarter="2026Q3", ladder=LADDER,
           campaign=CAMPAIGN):
    return due_reminders(campaign, ladder, CAL, list(statuses), set(sent), now,
                         quarter=quarter)


def stages(reminders) -> dict[str, str]:
    return {reminder.unit: reminder.stage for reminder in reminders}


def test_default_ladder_days_for_2026q3():
    steps = [(step.stage, step.day) for step in ladder_steps(LADDER, CAL, date(2026, 9, 30))]
    assert steps == [("notice", date(2026, 9, 24)), ("due", date(2026, 9, 30)),
                     ("overdue1", date(2026, 10, 8)), ("overdue2", date(2026, 10, 10)),
                     ("overdue3", date(2026, 10, 13))]


@pytest.mark.parametrize("day, stage", [
    ("2026-09-23", None), ("2026-09-24", "notice"), ("2026-09-28", "notice"),
    ("2026-09-30", "due"), ("2026-10-08", "overdue1"), ("2026-10-09", "overdue1"),
    ("2026-10-10", "overdue2"), ("2026-10-12", "overdue2"), ("2026-10-13", "overdue3"),
    ("2026-10-14", "overdue3"), ("2026-10-15", None),
])
def test_stage_by_day_around_the_due_date(day, stage):
    submitted = [UnitStatus("区妇联", UnitState.ON_TIME, True, True),
                 UnitStatus("区法院", UnitState.LATE, True, True)]
    reminders = remind(at(day), submitted)
    if stage is None:
        assert reminders == []
    else:
        assert stages(reminders) == {unit: stage for unit in ALL_UNITS - {"区妇联", "区法院"}}


@pytest.mark.parametrize("day", [
    *(f"2026-10-0{n}" for n in range(1, 8)),  # National Day
    "2026-09-25", "2026-09-26", "2026-09-27", "2026-10-11",  # Mid-Autumn, weekends
])
def test_nothing_on_holidays_and_weekends_in_the_q3_window(day):
    assert remind(at(day)) == []


@pytest.mark.parametrize("day", ["2026-04-04", "2026-04-05", "2026-04-06"])
def test_nothing_during_qingming_while_q1_is_overdue(day):
    assert [q.name for q in active_quarters(CAMPAIGN, LADDER, CAL, at(day))] == ["2026Q1"]
    assert remind(at(day), quarter="2026Q1") == []
    assert stages(remind(at("2026-04-07"), quarter="2026Q1")) == dict.fromkeys(
        ALL_UNITS, "overdue2")


@pytest.mark.parametrize("day", ["2026-07-04", "2026-07-05", "2026-06-27", "2026-06-28"])
def test_nothing_on_weekends_in_the_q2_window(day):
    assert remind(at(day), quarter="2026Q2") == []


def test_adjusted_working_saturday_sends():
    assert date(2026, 10, 10).weekday() == 5
    assert len(remind(at("2026-10-10"))) == len(ALL_UNITS)


def test_only_from_the_configured_hour_until_the_end_of_office_hours():
    assert remind(at("2026-09-30", 8, 59)) == []
    assert len(remind(at("2026-09-30", 9, 0))) == len(ALL_UNITS)
    assert len(remind(at("2026-09-30", 17, 59))) == len(ALL_UNITS)
    assert remind(at("2026-09-30", 18, 0)) == []
    utc = datetime(2026, 9, 30, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai
    assert len(remind(utc)) == len(ALL_UNITS)
    assert remind(utc - timedelta(hours=1)) == []


def test_second_call_with_the_first_calls_keys_sends_nothing():
    first = remind(at("2026-10-08"))
    assert len({reminder.dedup_key for reminder in first}) == len(ALL_UNITS)
    assert "reminder:2026Q3:区妇联:overdue1" in {reminder.dedup_key for reminder in first}
    assert remind(at("2026-10-08", 16), sent=[r.dedup_key for r in first]) == []
    assert remind(at("2026-10-09"), sent=[r.dedup_key for r in first]) == []


def test_after_downtime_only_the_latest_stage():
    reminders = remind(at("2026-10-12"))  # nothing was sent since before the notice
    assert set(stages(reminders).values()) == {"overdue2"}
    assert len(reminders) == len(ALL_UNITS)


def test_never_an_earlier_stage_after_a_later_one():
    sent = ["reminder:2026Q3:区妇联:overdue2"]
    assert "区妇联" not in stages(remind(at("2026-10-09"), sent=sent))


def test_late_overdue_reminders_copy_the_federation():
    overdue1 = remind(at("2026-10-08"))
    overdue2 = remind(at("2026-10-10"), sent=[r.dedup_key for r in overdue1])
    assert all(reminder.cc == () for reminder in overdue1)
    assert all(reminder.cc == CAMPAIGN.federation_emails for reminder in overdue2)
    assert all("（第2次催报）" in reminder.subject for reminder in overdue2)


def test_the_count_is_of_the_reminders_actually_sent():
    # the worker was down on 10-8: the unit's first 催报 is the overdue2 stage
    [first] = [r for r in remind(at("2026-10-10")) if r.unit == "区妇联"]
    assert first.stage == "overdue2" and "（第1次催报）" in first.subject and first.cc == ()


def test_units_that_submitted_get_nothing_at_once():
    statuses = [UnitStatus(name, UnitState.ON_TIME, True, True) for name in ALL_UNITS]
    assert remind(at("2026-09-30"), statuses) == []


def test_incomplete_gets_a_targeted_reminder_naming_what_is_missing():
    statuses = [
        UnitStatus("区教体局", UnitState.INCOMPLETE, electronic=True, stamped_pdf=False,
                   items=(6,)),
        UnitStatus("区人社局", UnitState.INCOMPLETE, electronic=False, stamped_pdf=True),
        UnitStatus("区法院", UnitState.INCOMPLETE, True, True, items=(3,),
                   problems=("签章无法识别",)),
    ]
    by_unit = {r.unit: r for r in remind(at("2026-09-30"), statuses)}
    assert by_unit["区教体局"].missing == (
        "盖章PDF版", "第10项（深入开展“青少年心理成长护航”工程）的进展情况")
    assert by_unit["区人社局"].missing == ("电子版（Word格式的报表）",)
    assert by_unit["区法院"].missing == ("签章无法识别",)
    assert by_unit["区教体局"].stage == "due"
    assert "补报" in by_unit["区教体局"].subject
    assert by_unit["区卫健局"].missing == ()  # a missing unit gets the plain reminder


def test_to_json_is_the_dry_run_contract():
    reminder = remind(at("2026-09-28"))[0]
    assert reminder.to_json() == {
        "unit": "区人社局", "to": ["rsj@zichuan.example.org"], "quarter": "2026Q3",
        "stage": "notice",
        "subject": "【提醒】请于9月30日前报送2026年第三季度为全区妇女儿童办实事工作进展情况"}


def test_active_quarters_and_all_quarters():
    assert [q.name for q in active_quarters(CAMPAIGN, LADDER, CAL, at("2026-08-03"))] == []
    assert [q.name for q in active_quarters(CAMPAIGN, LADDER, CAL, at("2026-12-28"))] == [
        "2026Q4"]
    assert [q.name for q in active_quarters(CAMPAIGN, LADDER, CAL, at("2027-01-04"))] == [
        "2026Q4"]
    statuses = {"2026Q3": [UnitStatus("区妇联", UnitState.ON_TIME, True, True)]}
    reminders = due_reminders_all(CAMPAIGN, LADDER, CAL, statuses, set(), at("2026-10-08"))
    assert stages(reminders) == dict.fromkeys(ALL_UNITS - {"区妇联"}, "overdue1")
    with pytest.raises(KeyError, match="2026Q4"):
        due_reminders_all(CAMPAIGN, LADDER, CAL, statuses, set(), at("2026-12-31"))
    assert due_reminders_all(CAMPAIGN, LADDER, CAL, {}, set(), at("2026-08-03")) == []


def test_new_year_2027_is_kept_free_by_the_config_override():
    assert remind(at("2027-01-01"), quarter="2026Q4") == []
    assert set(stages(remind(at("2027-01-04"), quarter="2026Q4")).values()) == {"overdue1"}


def test_due_date_on_a_holiday_is_reminded_on_the_working_day_before():
    campaign = replace(CAMPAIGN, quarters=(
        Quarter("2026Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 3)),))
    assert set(stages(remind(at("2026-09-30"), campaign=campaign)).values()) == {"due"}


def test_a_shorter_ladder_from_config():
    ladder = Ladder(notice_before=0, on_due=False, overdue_max=1, cc_federation_from=1)
    assert remind(at("2026-09-30"), ladder=ladder) == []
    reminders = remind(at("2026-10-08"), ladder=ladder)
    assert {r.stage for r in reminders} == {"overdue1"} and reminders[0].cc
    assert remind(at("2026-10-10"), ladder=ladder) == []  # the window has closed


def test_a_unit_without_address_is_skipped():
    units = tuple(replace(unit, emails=()) if unit.name == "区妇联" else unit
                  for unit in CAMPAIGN.units)
    assert "区妇联" not in stages(remind(at("2026-09-30"), campaign=replace(CAMPAIGN, units=units)))


def test_the_federation_is_not_copied_to_itself():
    units = tuple(replace(u, emails=CAMPAIGN.federation_emails) if u.name == "区妇联" else u
                  for u in CAMPAIGN.units)
    campaign = replace(CAMPAIGN, units=units)
    first = due_reminders(campaign, LADDER, CAL, [], set(), at("2026-10-08"), quarter="2026Q3")
    again = due_reminders(campaign, LADDER, CAL, [], {r.dedup_key for r in first},
                          at("2026-10-10"), quarter="2026Q3")
    [own] = [r for r in again if r.unit == "区妇联"]
    assert own.to == CAMPAIGN.federation_emails and own.cc == ()
