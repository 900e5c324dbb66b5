"""WordprocessingML that Word writes and python-docx never does (tests/wordml.py), read as
Word shows it: placeholders empty, nested tables lines of their cell, changes accepted,
comments out, text boxes, fields and smart tags once, a shifted grid read by its cells."""

from __future__ import annotations

import pytest

from mailbot.extract import extract_attachment
from tests import wordml

TEXTS = {1: "举办招聘会3场；\n培训学员150人。", 2: "组织“两癌”筛查4800人次。", 4: "评选最美家庭20户。",
         9: "举办联谊活动2场，参与青年260人。"}


def read(data, campaign):
    [extraction] = extract_attachment("form.docx", data, campaign)
    assert extraction.error is None and extraction.has_form
    return extraction, [(row.seq, row.unit, row.progress) for row in extraction.rows]


@pytest.mark.parametrize("shape", sorted(wordml.SHAPES))
def test_wordml_shape_gives_exactly_its_rows(shape, campaign):
    data, expected = wordml.build(shape, campaign, "区妇联", TEXTS, str)
    _, rows = read(data, campaign)
    assert rows == expected


def test_unfilled_controls_give_no_rows_and_no_placeholder_text(campaign):
    data, _ = wordml.build("wordml-placeholders", campaign, "区妇联", {}, str)
    extraction, rows = read(data, campaign)
    assert rows == []
    assert not any(wordml.PLACEHOLDER in warning for warning in extraction.warnings)


def test_a_nested_table_is_lines_of_its_cell_not_rows_of_the_form(campaign):
    data, _ = wordml.build("wordml-nested", campaign, "区应急管理局", {7: "开展演练8次。"}, str)
    _, rows = read(data, campaign)
    assert [seq for seq, _, _ in rows] == [7]
    assert rows[0][2].splitlines()[1:] == ["活动 场次 人数", "专题讲座 6 420", "入户走访 12 96"]


def test_deleted_and_moved_text_and_comments_are_not_read(campaign):
    data, _ = wordml.build("wordml-revisions", campaign, "区妇联", {1: "举办招聘会3场。"}, str)
    _, rows = read(data, campaign)
    assert rows == [(1, None, "举办招聘会3场。")]
