"""The printed table's layout decisions (pure): what is kept whole, where long texts are cut."""

from __future__ import annotations

from mailbot.report.content import build_report
from mailbot.report.layout import (CONTINUED, MAX_ROW_LINES, chars_per_line, column_for,
                                   line_count, table_rows, tokens, width)
from tests import report_data as data


def kept(text: str, names=("区人才发展中心", "区妇联")) -> list[str]:
    return [piece for piece, whole in tokens(text, names) if whole]


def test_names_dates_numbers_and_percentages_are_kept_whole():
    assert kept("区人才发展中心于2026年9月30日开展活动12场，完成60%，服务1,443人次") == [
        "区人才发展中心", "2026年9月30日", "12", "60%", "1,443"]
    assert kept("2026年12月底前完成，区妇联牵头") == ["2026年12月底", "区妇联"]
    assert "".join(piece for piece, _ in tokens("甲区妇联乙", ["区妇联"])) == "甲区妇联乙"


def test_widths_and_lines():
    assert width("区妇联") == 3 and width("2026年") == 3
    per_line = chars_per_line(103, 12, 1.9)
    assert per_line == 23
    assert line_count("字" * 23, per_line) == 1 and line_count("字" * 24, per_line) == 2
    assert column_for("区人才发展中心", 12, 1.9) == 35


def test_one_row_per_unit_and_long_texts_cut_into_marked_rows():
    campaign = data.campaign()
    sentence = "组织开展专项活动12场，覆盖群众1500余人次，各项工作有序推进。"
    paragraph_long = sentence * 40  # one paragraph of many pages
    record = data.record(campaign, "区人社局", text=lambda u, s: paragraph_long)
    rows = table_rows(build_report(campaign, "2026Q3", [record]), 23)
    mine = [row for row in rows if row.seq == 1 and row.unit.startswith("区人社局")]
    assert len(mine) > 2
    assert mine[0].label == "区人社局：" and all(r.label == "" for r in mine[1:])
    assert all(r.unit == f"区人社局\n{CONTINUED}" for r in mine[1:])
    assert "".join(p for r in mine for p in r.paragraphs) == paragraph_long
    assert all(sum(line_count(p, 23) for p in r.paragraphs) <= MAX_ROW_LINES for r in mine)
    assert [(r.seq, r.unit) for r in rows if CONTINUED not in r.unit] == [
        (item.seq, unit) for item in campaign.items for unit in item.units]
    other = next(r for r in rows if r.unit == "区妇联")
    assert other.paragraphs == ("（未报送）",)


def test_a_text_without_sentence_ends_is_cut_hard_but_nothing_is_lost():
    campaign = data.campaign()
    text = "字" * 1000
    record = data.record(campaign, "区应急管理局", text=lambda u, s: text)
    rows = [r for r in table_rows(build_report(campaign, "2026Q3", [record]), 23) if r.seq == 7]
    assert "".join(p for r in rows for p in r.paragraphs) == text
    assert len(rows) == -(-1000 // (23 * MAX_ROW_LINES)) and rows[0].label == "区应急管理局："


def test_a_chinese_comma_ends_a_number():
    assert kept("活动12，13日起") == ["12", "13"]
