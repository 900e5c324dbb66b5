"""The stamped copy against the electronic version (pure): unit, quarter, items, texts."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from mailbot.app.samples import progress_text
from mailbot.config import PACKAGED_CONFIG, load
from mailbot.core.models import Extraction, FormRow, Submission, SubmissionRecord
from mailbot.intake.assess import (NO_STAMPED, PHOTO_NOTE, SCAN_ONLY, WRONG_COPY, assess,
                                   needs_earlier_form, receipt_problems)
from mailbot.intake.stamped import annotate, check_stamped, similar

CAMPAIGN = load(PACKAGED_CONFIG).campaign
UNIT = "区妇联"
HEADING = "2026年为全区妇女儿童办实事工作进展情况报表\n填报单位：{unit}（2026年第{q}季度）"


def rows(quarter="2026Q3", ocr=False, unit=UNIT, seqs=(1, 2, 4, 9)):
    return tuple(FormRow(seq, CAMPAIGN.items[seq - 1].title, CAMPAIGN.items[seq - 1].units,
                         None, progress_text(unit, seq, quarter), "", ocr=ocr) for seq in seqs)


def electronic():
    return Extraction("报表.docx", "docx", has_form=True, rows=rows())


def scan(quarter="2026Q3", unit=UNIT, q="三", fmt="pdf", **changes):
    made = Extraction("盖章版.pdf", fmt, has_form=True, scanned=True, seal=True,
                      rows=rows(quarter, ocr=True, unit=unit),
                      text=HEADING.format(unit=unit, q=q))
    return replace(made, **changes)


def test_the_same_report_matches():
    check = check_stamped(CAMPAIGN, UNIT, "2026Q3", scan(), electronic())
    assert check.ok and check.similarity == 1.0 and check.items == (1, 2, 4, 9)
    assert (check.unit, check.quarter) == (UNIT, 3)


def test_last_quarters_form_is_named():
    check = check_stamped(CAMPAIGN, UNIT, "2026Q3", scan("2026Q2", q="二"), electronic())
    assert "盖章版似为第二季度材料，不是本季度的报表" in check.problems


def test_another_units_form_is_named():
    check = check_stamped(CAMPAIGN, UNIT, "2026Q3", scan(unit="区人社局"), electronic())
    assert check.problems[0] == "盖章版似为区人社局的材料，不是本单位的报表"


def test_an_old_draft_names_the_items_that_differ():
    draft = rows()[:2] + (replace(rows()[2], progress="本季度工作正在筹备之中，尚无具体进展。"),)
    check = check_stamped(CAMPAIGN, UNIT, "2026Q3", scan(rows=draft), electronic())
    assert check.problems == ("盖章版内容与电子版不一致：第4项、第9项",)


def test_last_quarters_text_reworked_differs_by_its_figures():
    reworked = scan(rows=rows("2026Q2", ocr=True))  # this quarter's heading on it
    check = check_stamped(CAMPAIGN, UNIT, "2026Q3", reworked, electronic())
    assert check.problems == ("盖章版内容与电子版不一致：第1项、第2项、第4项、第9项",)
    assert 0.85 < check.similarity < 0.95


def test_ocr_noise_is_still_the_same_text():
    typed = progress_text(UNIT, 1, "2026Q3")
    noisy = typed.replace("，", ",").replace("场次", "场 次").replace("服务", "服各")
    assert similar(typed, noisy) > 0.95
    assert similar(typed, progress_text(UNIT, 1, "2026Q2")) < 0.95


def test_assess_counts_a_mismatch_as_no_stamped_copy():
    submission = Submission(UNIT, "2026Q3", ())
    result = assess(CAMPAIGN, submission, [electronic(), scan("2026Q2", q="二")])
    assert not result.stamped_pdf and "盖章版与本次报送不符，暂按未收到盖章版处理" in result.problems
    assert "盖章版似为第二季度材料，不是本季度的报表" in result.problems


def test_assess_takes_the_rows_of_a_scan_sent_alone():
    result = assess(CAMPAIGN, Submission(UNIT, "2026Q3", ()), [scan()])
    assert result.stamped_pdf and not result.electronic and result.items == (1, 2, 4, 9)
    assert all(row.ocr and row.unit == UNIT for row in result.rows)
    assert "未收到可识别的电子版报表（Word 文件）" in result.problems


def test_a_photo_counts_with_a_note():
    result = assess(CAMPAIGN, Submission(UNIT, "2026Q3", ()), [electronic(), scan(fmt="jpeg")])
    assert result.complete and result.notes == (PHOTO_NOTE,)


def test_extract_json_carries_the_check():
    checked = annotate(CAMPAIGN, [electronic(), scan()])
    assert checked[0].stamped_check is None
    assert checked[1].to_json()["stamped_check"] == {
        "unit": UNIT, "quarter": 3, "items": [1, 2, 4, 9], "similarity": 1.0,
        "problems": [], "ok": True}


def earlier_form(**changes) -> SubmissionRecord:
    """The unit's quarter after a mail that brought the Word form alone."""
    made = SubmissionRecord(1, "<form@unit>", UNIT, "2026Q3",
                            datetime(2026, 9, 20, tzinfo=timezone.utc), electronic=True,
                            stamped_pdf=False, items=(1, 2, 4, 9), problems=(NO_STAMPED,),
                            rows=tuple(replace(row, unit=UNIT) for row in rows()))
    return replace(made, **changes)


def test_a_stamped_copy_sent_later_is_checked_against_the_earlier_form():
    draft = rows()[:2] + (replace(rows()[2], progress="本季度工作正在筹备之中，尚无具体进展。"),)
    later = [scan(rows=draft)]
    assert needs_earlier_form(later) and not needs_earlier_form([electronic(), *later])
    result = assess(CAMPAIGN, Submission(UNIT, "2026Q3", ()), later, earlier_form())
    assert not result.stamped_pdf and SCAN_ONLY not in result.notes  # the Word form holds them
    assert "盖章版内容与电子版不一致：第4项、第9项" in result.problems
    right = assess(CAMPAIGN, Submission(UNIT, "2026Q3", ()), [scan()], earlier_form())
    assert right.stamped_pdf and not any("不一致" in p for p in right.problems)


def test_an_earlier_form_read_from_a_scan_is_no_reference():
    """Rows OCR read from an earlier scan are not the electronic version to check by."""
    draft = rows()[:2] + (replace(rows()[2], progress="本季度工作正在筹备之中，尚无具体进展。"),)
    result = assess(CAMPAIGN, Submission(UNIT, "2026Q3", ()), [scan(rows=draft)],
                    earlier_form(electronic=False))
    assert result.stamped_pdf


def test_a_wrong_copy_is_said_once_in_the_receipt():
    result = assess(CAMPAIGN, Submission(UNIT, "2026Q3", ()), [scan("2026Q2", q="二")],
                    earlier_form())
    current = earlier_form(problems=(NO_STAMPED,))
    problems = receipt_problems(CAMPAIGN, result, current)
    assert WRONG_COPY in problems and NO_STAMPED not in problems
    assert "盖章版似为第二季度材料，不是本季度的报表" in problems
    assert NO_STAMPED in receipt_problems(
        CAMPAIGN, assess(CAMPAIGN, Submission(UNIT, "2026Q3", ()), [electronic()]), current)
