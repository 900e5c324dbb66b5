"""Submission + extractions -> Assessment: electronic, stamped, items, problems."""

from mailbot.intake.assess import assess
from mailbot.config import load
from mailbot.core.models import Extraction, FormRow, Submission
from mailbot.config import PACKAGED_CONFIG

CAMPAIGN = load(PACKAGED_CONFIG).campaign
SUBMISSION = Submission("区妇联", "2026Q3", ())


def row(seq, unit=None, progress="已完成"):
    item = CAMPAIGN.items[seq - 1]
    return FormRow(seq, item.title, item.units, unit, progress, item.deadline)


def docx(*rows):
    return Extraction("a.docx", "docx", has_form=True, rows=rows)


def pdf(seal):
    return Extraction("a.pdf", "pdf", scanned=True, seal=seal)


def test_complete_submission_has_no_problems():
    result = assess(CAMPAIGN, SUBMISSION, [docx(row(1), row(2), row(4), row(9)), pdf(True)])
    assert (result.electronic, result.stamped_pdf, result.items) == (True, True, (1, 2, 4, 9))
    assert result.problems == () and result.complete
    assert {r.unit for r in result.rows} == {"区妇联"}


def test_missing_item_and_unstamped_pdf_are_named():
    result = assess(CAMPAIGN, SUBMISSION, [docx(row(1), row(2), row(4)), pdf(False)])
    assert not result.stamped_pdf and not result.complete
    assert "报表中未填写第9项“厚植婚恋文明新风尚”的进展情况" in result.problems
    assert "PDF《a.pdf》中未发现公章，不能作为盖章版" in result.problems


def test_rows_of_other_units_and_items_are_not_taken():
    rows = (row(1), row(2), row(4), row(9, unit="区总工会"), row(9, unit="区妇联", progress="联谊10场"),
            row(3))
    result = assess(CAMPAIGN, SUBMISSION, [docx(*rows), pdf(True)])
    assert [r.seq for r in result.rows] == [1, 2, 4, 9]
    assert result.rows[-1].progress == "联谊10场"


def test_unreadable_file_and_no_word_file_are_problems():
    broken = Extraction("b.docx", "docx", error="Word 文件已损坏或不完整")
    result = assess(CAMPAIGN, SUBMISSION, [broken, pdf(None)])
    assert not result.electronic
    assert "附件《b.docx》无法读取：Word 文件已损坏或不完整" in result.problems
    assert "未收到可识别的电子版报表（Word 文件）" in result.problems
    assert any("无法判断是否加盖公章" in p for p in result.problems)
