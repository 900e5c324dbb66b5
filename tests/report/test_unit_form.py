"""Each unit's own form (`mailbot forms`): made right, and read back right once a person fills it.

"Filled in the way a person does": python-docx types into the empty cells of the
generated file (runs in the existing paragraph, Enter for a new one), and once
more after LibreOffice has opened and re-saved it, as WPS or Word would.
"""

from __future__ import annotations

import io

import docx
import pytest

from mailbot.core.models import Submission
from mailbot.extract import extract_attachment
from mailbot.intake.assess import assess
from mailbot.report.unit_form import form_filename, unit_form
from tests.forms import libreoffice
from tests.notices import type_into
from tests.invoke import mailbot

QUARTER = "2026Q3"
PROGRESS = "具体措施及任务进度情况"


def typed_texts(campaign, unit: str) -> dict[int, dict[str, str]]:
    return {item.seq: {PROGRESS: f"{unit}第{item.seq}项：开展活动{item.seq * 3}场。\n"
                                 f"下一步继续推进，服务群众{item.seq * 100}人次。"}
            for item in campaign.items_of(unit)}


def form_of(campaign, unit: str) -> bytes:
    return unit_form(campaign, unit, QUARTER, campaign.quarter(QUARTER).due)


def test_a_units_form_holds_its_rows_only_with_progress_empty(campaign):
    document = docx.Document(io.BytesIO(form_of(campaign, "区妇联")))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "2026年为全区妇女儿童办实事工作进展情况报表（2026年第三季度）"
    assert texts[1].startswith("填报单位：区妇联") and "报送截止：2026年9月30日" in texts[1]
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["序号", "实事名称", "责任单位", PROGRESS, "完成时限"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "4", "9"]
    assert rows[4] == ["9", "厚植婚恋文明新风尚",
                       "区总工会\n团区委\n区妇联\n区人才发展中心\n区融媒体中心", "", "2026年12月底"]


def test_every_units_typed_form_reads_back_with_every_row_right(campaign):
    for unit in campaign.units:
        texts = typed_texts(campaign, unit.name)
        filled = type_into(form_of(campaign, unit.name), texts)
        [found] = extract_attachment("报表.docx", filled, campaign)
        assert found.error is None and found.has_form, unit.name
        assert {row.seq: row.progress for row in found.rows} == {
            seq: cells[PROGRESS] for seq, cells in texts.items()}, unit.name
        assert all(row.unit == unit.name for row in found.rows), unit.name
        assert (found.form_of.unit, found.form_of.quarter) == (unit.name, QUARTER)


@pytest.mark.slow
@pytest.mark.parametrize("unit", ["区妇联", "区融媒体中心", "区应急管理局"])
def test_a_typed_form_resaved_by_libreoffice_reads_back_right(campaign, unit):
    texts = typed_texts(campaign, unit)
    resaved = libreoffice(type_into(form_of(campaign, unit), texts), "docx", "docx")
    [found] = extract_attachment("报表.docx", resaved, campaign)
    assert {row.seq: row.progress for row in found.rows} == {
        seq: cells[PROGRESS] for seq, cells in texts.items()}
    assert found.form_of is not None and found.form_of.unit == unit  # the label survives


def test_the_label_is_a_hint_never_proof(campaign):
    """区妇联 sends 区卫健局's form: item 2 (shared by both) stays 区卫健局's, and the
    receipt says which form it was; nothing counts for 区妇联 by the label alone."""
    texts = typed_texts(campaign, "区卫健局")
    filled = type_into(form_of(campaign, "区卫健局"), texts)
    found = extract_attachment("报表.docx", filled, campaign)
    judged = assess(campaign, Submission("区妇联", QUARTER, ()), found)
    assert judged.items == ()
    assert "附件《报表.docx》是为区卫健局生成的报表，请使用本单位（区妇联）的报表填报" in judged.problems
    other_quarter = assess(campaign, Submission("区卫健局", "2026Q4", ()), found)
    assert other_quarter.items == (2,)
    assert "附件《报表.docx》是2026年第三季度的报表，本次按2026年第四季度登记，请核对" in \
        other_quarter.problems


def test_forms_command_writes_one_form_per_unit(tmp_path):
    from mailbot.config import PACKAGED_CONFIG

    out = tmp_path / "forms"
    result = mailbot("--config", str(PACKAGED_CONFIG), "forms", "--quarter", QUARTER,
                     "-o", str(out), cwd=tmp_path)
    names = sorted(path.name for path in out.iterdir())
    assert len(names) == 18 and "已生成 18 个单位的报表" in result.stdout
    assert "区妇联-2026年第三季度为全区妇女儿童办实事工作进展情况报表.docx" in names


def test_the_forms_filename_is_chinese(campaign):
    assert form_filename(campaign, "团区委", "2026Q1") == \
        "团区委-2026年第一季度为全区妇女儿童办实事工作进展情况报表.docx"
