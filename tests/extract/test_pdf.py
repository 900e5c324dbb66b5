"""PDF shapes: LibreOffice-printed forms (slow), Pillow scans, vector electronic seals."""

from __future__ import annotations

import pytest

from mailbot.extract import extract_attachment
from tests.forms import (HEADER, build_docx, libreoffice, make_form_docx, scan_page, scan_pdf,
                         vector_pdf)

LONG = "开展职业指导300人次，帮助妇女就业创业取得明显成效，" * 5


def read(data, campaign, name="report.pdf"):
    [extraction] = extract_attachment(name, data, campaign)
    assert extraction.error is None, extraction.error
    assert extraction.format == "pdf"
    return extraction


@pytest.mark.slow
def test_text_pdf_of_the_whole_form_keeps_paragraphs_and_joins_wraps(campaign):
    filled = {1: "举办招聘会12场。\n" + LONG, 9: "联谊活动2场"}
    extraction = read(libreoffice(make_form_docx(campaign, filled), "docx", "pdf"), campaign)
    assert [(r.seq, r.progress) for r in extraction.rows] == [(1, filled[1]), (9, filled[9])]
    assert extraction.has_form and not extraction.scanned and extraction.seal is False
    assert extraction.rows[0].deadline == "2026年12月底"


@pytest.mark.slow
def test_text_pdf_one_row_per_unit_and_a_table_continued_over_pages(campaign):
    units = ["区总工会", "团区委", "区妇联", "区人才发展中心", "区融媒体中心"]
    rows = [list(HEADER)] + [["9", "厚植婚恋文明新风尚", unit, f"{unit}：" + LONG * 3,
                              "2026年12月底"] for unit in units]
    data = build_docx([rows], merges={0: [(1, 0, 5, 0), (1, 1, 5, 1)]})
    extraction = read(libreoffice(data, "docx", "pdf"), campaign)
    assert [(r.seq, r.unit) for r in extraction.rows] == [(9, unit) for unit in units]
    assert [r.progress for r in extraction.rows] == [f"{u}：" + LONG * 3 for u in units]


def test_colour_scan_with_a_seal_is_scanned_and_stamped(campaign):
    extraction = read(scan_pdf(scan_page(seal=True)), campaign)
    assert extraction.scanned and extraction.seal is True and extraction.rows == ()
    assert any(w.startswith("扫描件") for w in extraction.warnings)


def test_red_letterhead_and_red_text_are_not_a_seal(campaign):
    extraction = read(scan_pdf(scan_page(seal=False)), campaign)
    assert extraction.scanned and extraction.seal is False


def test_seal_on_the_second_page_counts(campaign):
    extraction = read(scan_pdf(scan_page(seal=False), scan_page(seal=True)), campaign)
    assert extraction.seal is True


def test_black_and_white_scan_cannot_be_judged(campaign):
    extraction = read(scan_pdf(scan_page(seal=True, colour=False)), campaign)
    assert extraction.scanned and extraction.seal is None


def test_electronic_vector_seal_and_plain_text_page(campaign):
    stamped = read(vector_pdf(seal=True), campaign)
    plain = read(vector_pdf(seal=False), campaign)
    assert (stamped.scanned, stamped.seal) == (False, True)
    assert (plain.scanned, plain.seal, plain.has_form) == (False, False, False)
