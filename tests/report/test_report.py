"""The consolidated report's content: which text goes where (pure, no files)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from mailbot.core.models import FormRow
from mailbot.core.models import quarter_label
from mailbot.report.content import build_annual, build_report
from tests import report_data as data


@pytest.fixture(scope="module")
def campaign():
    return data.campaign()


def test_every_text_once_in_its_row_under_its_unit(campaign):
    report = build_report(campaign, "2026Q3", data.quarter_records(campaign))
    assert [row.seq for row in report.rows] == list(range(1, 11))
    for row, item in zip(report.rows, campaign.items):
        assert [unit for unit, _ in row.entries] == list(item.units)
        for unit, text in row.entries:
            if unit in data.MISSING:
                assert text is None
            else:
                assert text.startswith(data.marker(unit, item.seq))
    every_text = "".join(text or "" for row in report.rows for _, text in row.entries)
    for unit in campaign.units:
        for item in campaign.items_of(unit.name):
            expected = 0 if unit.name in data.MISSING else 1
            assert every_text.count(data.marker(unit.name, item.seq)) == expected


def not_reported(row) -> tuple[str, ...]:
    return tuple(unit for unit, text in row.entries if text is None)


def test_missing_units_per_row(campaign):
    report = build_report(campaign, "2026Q3", data.quarter_records(campaign))
    assert not_reported(report.rows[2]) == ("区司法局",)
    assert not_reported(report.rows[8]) == ("团区委",)
    empty = build_report(campaign, "2026Q3", [])
    assert all(not_reported(row) == row.units for row in empty.rows)


def test_title_and_quarter_label(campaign):
    report = build_report(campaign, "2026Q3", [])
    assert report.title == "2026年为全区妇女儿童办实事工作进展情况报表"
    assert report.quarter_label == "2026年第三季度"
    assert quarter_label("2026Q1") == "2026年第一季度"
    with pytest.raises(ValueError, match="2026Q3"):
        quarter_label("2026-3")


def test_newest_submission_wins_and_other_quarters_are_ignored(campaign):
    early = data.record(campaign, "区人社局", ident=1, text=lambda u, s: "第一次报送")
    later = data.record(campaign, "区人社局", ident=2, text=lambda u, s: "更正后的报送",
                        received=datetime(2026, 9, 29, 8, 0, tzinfo=data.TZ))
    other = data.record(campaign, "区妇联", "2026Q2", ident=3)
    report = build_report(campaign, "2026Q3", [later, early, other])
    assert report.rows[0].entries == (("区人社局", "更正后的报送"), ("区妇联", None))


def test_text_is_the_record_units_even_if_the_row_names_another(campaign):
    record = data.record(campaign, "区融媒体中心")
    rows = tuple(dataclasses.replace(row, unit="区妇联") for row in record.rows)
    report = build_report(campaign, "2026Q3", [dataclasses.replace(record, rows=rows)])
    item9 = dict(report.rows[8].entries)
    assert item9["区融媒体中心"].startswith(data.marker("区融媒体中心", 9))
    assert item9["区妇联"] is None


def test_text_on_an_item_the_unit_does_not_own_is_kept_after_the_owners(campaign):
    stray = FormRow(seq=7, title="提升妇女儿童安全意识和应急能力", units=("区应急管理局",),
                    unit=None, progress="协助开展应急宣传2场", deadline="")
    record = data.record(campaign, "区妇联")
    record = dataclasses.replace(record, rows=record.rows + (stray,))
    row = build_report(campaign, "2026Q3", [record]).rows[6]
    assert row.units == ("区应急管理局",)
    assert row.entries == (("区应急管理局", None), ("区妇联", "协助开展应急宣传2场"))


def test_split_rows_are_joined_and_blank_rows_ignored(campaign):
    record = data.record(campaign, "区应急管理局", text=lambda u, s: "第一段")
    extra = (dataclasses.replace(record.rows[0], progress="第二段"),
             dataclasses.replace(record.rows[0], progress="  \n "),
             dataclasses.replace(record.rows[0], progress="第一段"))
    record = dataclasses.replace(record, rows=record.rows + extra)
    assert build_report(campaign, "2026Q3", [record]).rows[6].entries == (
        ("区应急管理局", "第一段\n第二段"),)


def test_deadline_from_submissions_else_config(campaign):
    records = [data.record(campaign, "区人社局", deadline="2026年11月底")]
    report = build_report(campaign, "2026Q3", records)
    assert report.rows[0].deadline == "2026年11月底"
    assert report.rows[1].deadline == "2026年12月底"
    records.append(data.record(campaign, "区妇联", ident=2, deadline="2026年10月底"))
    assert build_report(campaign, "2026Q3", records).rows[0].deadline == \
        "2026年11月底\n2026年10月底"


def test_annual_view_quarter_by_quarter(campaign):
    by_quarter = {"2026Q1": data.quarter_records(campaign, "2026Q1", missing=()),
                  "2026Q3": data.quarter_records(campaign)}
    annual = build_annual(campaign, 2026, by_quarter)
    assert annual.quarter_labels == ("2026年第一季度", "2026年第二季度",
                                     "2026年第三季度", "2026年第四季度")
    assert annual.title == "2026年为全区妇女儿童办实事工作年度进展情况汇总表"
    item3 = annual.rows[2]
    labels = [label for label, _ in item3.quarters]
    assert labels == list(annual.quarter_labels)
    q1, q2, q3, _ = (dict(entries) for _, entries in item3.quarters)
    assert q1["区司法局"].startswith(data.marker("区司法局", 3))
    assert q2["区司法局"] is None and q3["区司法局"] is None
    with pytest.raises(ValueError, match="2030"):
        build_annual(campaign, 2030, {})
