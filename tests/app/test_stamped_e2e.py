"""Issue 18's mails through the whole pipeline (real SQLite store, real OCR, receipts):
a stamped scan sent alone gives the unit's rows in status and the report; a scan of
last quarter's form is flagged in the receipt; a phone photo of the stamped page counts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from mailbot.app import pipeline, samples
from mailbot.chase.status import unit_statuses
from mailbot.extract.ocr import engine
from mailbot.report.content import SCAN_MARK, build_report
from tests import scans
from tests.pipeline import SEPT, open_context, sent_mails
from tests.tools import require

pytestmark = pytest.mark.slow
UNIT = "区人社局"  # owns item 1 only: its row is on the form's first page


@pytest.fixture
def ctx(tmp_path):
    require(engine.available(), 'the OCR extra is not installed (pip install -e ".[ocr]")')
    return open_context(tmp_path / "site")


def stamped_page(ctx, quarter: str, texts: dict[int, str] | None = None):
    pdf = scans.form_pdf(ctx.config.campaign, UNIT, quarter, texts)
    return scans.stamp(scans.rasterise(pdf, 200)[0], where=(0.62, 0.25))


def mail(ctx, files, subject=f"{UNIT}三季度进展"):
    campaign = ctx.config.campaign
    return samples.report_mail(campaign.unit(UNIT).emails[0], campaign.federation_emails[0],
                               subject, SEPT, files)


def receipt_text(ctx, tmp_path) -> str:
    [receipt] = sent_mails(ctx, tmp_path / "out")
    return receipt.get_content()


def test_a_stamped_scan_sent_alone_gives_the_rows(ctx, tmp_path):
    scan = scans.image_pdf([scans.scanned(stamped_page(ctx, "2026Q3"), skew=0.8)], 200)
    pipeline.ingest(ctx, mail(ctx, [("盖章版.pdf", scan)]), "test:1", SEPT)
    campaign = ctx.config.campaign
    current = ctx.current("2026Q3")
    [status] = [s for s in unit_statuses(campaign, "2026Q3", current) if s.unit == UNIT]
    assert (status.items, status.stamped_pdf, status.electronic) == ((1,), True, False)
    report = build_report(campaign, "2026Q3", current)
    [(unit, text)] = [entry for entry in report.rows[0].entries if entry[0] == UNIT]
    assert "区人社局围绕第1项实事" in text and text.endswith(SCAN_MARK)
    content = receipt_text(ctx, tmp_path)
    assert "未收到可识别的电子版报表（Word 文件）" in content
    assert "电子版报表：尚未收到" in content and "盖章 PDF 版：已收到（本次来件）" in content
    assert "本次进展情况系从盖章扫描件中识别" in content


def test_last_quarters_form_stamped_is_flagged(ctx, tmp_path):
    campaign = ctx.config.campaign
    scan = scans.image_pdf([scans.scanned(stamped_page(ctx, "2026Q2"))], 200)
    files = [("报表.docx", samples.form_docx(campaign, UNIT, "2026Q3")), ("盖章版.pdf", scan)]
    pipeline.ingest(ctx, mail(ctx, files), "test:1", SEPT)
    [record] = ctx.current("2026Q3")
    assert record.electronic and not record.stamped_pdf
    content = receipt_text(ctx, tmp_path)
    assert "盖章版似为第二季度材料，不是本季度的报表" in content
    assert "盖章版内容与电子版不一致：第1项" in content
    assert content.count("暂按未收到盖章版处理") == 1 and "未收到加盖公章的 PDF 版" not in content


def test_a_stamped_copy_sent_after_the_form_is_checked_item_by_item(ctx, tmp_path):
    """The Word form in one mail, a stamped old draft (this quarter, this unit, other
    text) in the next: the draft is named and not counted; the right copy then is."""
    campaign = ctx.config.campaign
    form = [("报表.docx", samples.form_docx(campaign, UNIT, "2026Q3"))]
    pipeline.ingest(ctx, mail(ctx, form), "test:1", SEPT)
    draft = stamped_page(ctx, "2026Q3", {1: "本季度工作正在筹备之中，尚无具体进展。"})
    pdf = scans.image_pdf([scans.scanned(draft, skew=0.8)], 200)
    pipeline.ingest(ctx, mail(ctx, [("盖章版.pdf", pdf)]), "test:2", SEPT + timedelta(hours=1))
    [record] = ctx.current("2026Q3")
    assert record.electronic and not record.stamped_pdf
    content = sent_mails(ctx, tmp_path / "out")[-1].get_content()
    assert "盖章版内容与电子版不一致：第1项" in content
    assert content.count("暂按未收到盖章版处理") == 1 and "未收到加盖公章的 PDF 版" not in content
    right = scans.image_pdf([scans.scanned(stamped_page(ctx, "2026Q3"), skew=0.8)], 200)
    pipeline.ingest(ctx, mail(ctx, [("盖章版.pdf", right)]), "test:3", SEPT + timedelta(hours=2))
    [record] = ctx.current("2026Q3")
    assert record.electronic and record.stamped_pdf and record.problems == ()


def test_a_phone_photo_of_the_stamped_page_counts(ctx, tmp_path):
    campaign = ctx.config.campaign
    photo = scans.encoded(scans.photographed(stamped_page(ctx, "2026Q3")), "JPEG", quality=80)
    files = [("报表.docx", samples.form_docx(campaign, UNIT, "2026Q3")), ("IMG_0412.jpg", photo)]
    outcome = pipeline.ingest(ctx, mail(ctx, files), "test:1", SEPT)
    [record] = ctx.current("2026Q3")
    assert record.electronic and record.stamped_pdf and record.problems == ()
    assert outcome.reason == "complete"
    content = receipt_text(ctx, tmp_path)
    assert "材料齐全" in content and "请另行发送盖章版 PDF 扫描件" in content
    assert "《IMG_0412.jpg》：图片盖章版，已识别到公章，已识别报表文字" in content


def test_a_reminder_answered_with_a_photo_of_the_stamped_form_counts(ctx, tmp_path):
    """"回复：【催报】..." with a phone photo: the unit's answer, not a "收到" reply."""
    photo = scans.encoded(scans.photographed(stamped_page(ctx, "2026Q3")), "JPEG", quality=80)
    answer = mail(ctx, [("IMG_20261009_0930.jpg", photo)],
                  subject="回复：【催报】请报送2026年第三季度进展情况")
    assert pipeline.ingest(ctx, answer, "test:1", SEPT).state == "done"
    content = receipt_text(ctx, tmp_path)
    assert "《IMG_20261009_0930.jpg》" in content and "涉及事项：第1项" in content


def test_a_screenshot_in_a_reply_to_a_receipt_is_read_and_left_unanswered(ctx, tmp_path):
    from PIL import Image, ImageDraw

    shot = Image.new("RGB", (900, 300), "white")
    ImageDraw.Draw(shot).rectangle((40, 40, 860, 260), outline="black", width=3)
    question = mail(ctx, [("截图.png", scans.encoded(shot, "PNG"))],
                    subject="回复：回执：区人社局2026年第三季度进展情况已收到（请补充材料）")
    assert pipeline.ingest(ctx, question, "test:1", SEPT).state == "ignored"
    assert sent_mails(ctx, tmp_path / "out") == []
