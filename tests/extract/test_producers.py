"""PDFs from other producers, read from the golden inputs the real tool chains made
(tests/golden/make_golden.py): ghostscript's text layer without Unicode, turned pages,
cells over page breaks under a repeated header, a table after the form, an OCR layer."""

from __future__ import annotations

from mailbot.extract import extract_path
from mailbot.extract.glyphs import _installed
from tests.golden.make_golden import FORMS, TEXTS


def rows(name, campaign):
    [extraction] = extract_path(FORMS / name, campaign)
    assert extraction.error is None
    return extraction, [(row.seq, row.unit, row.progress) for row in extraction.rows]


def test_ps2pdf_text_reads_as_the_pdf_it_was_made_from(campaign):
    distilled, found = rows("ps2pdf.pdf", campaign)
    _, original = rows("text-ruled.pdf", campaign)
    assert found == original and len(found) == 4
    assert not any("文字层无法读取" in warning for warning in distilled.warnings)


def test_a_long_cell_over_pages_under_a_repeated_header_is_read_whole(campaign):
    for name in ("long-cell-pages.pdf", "long-cell-ps2pdf.pdf"):
        _, found = rows(name, campaign)
        longest = max(found, key=lambda row: len(row[2]))
        assert len(longest[2]) > 1400 and longest[2].count("\n") == 20


def test_turned_pages_read_upright(campaign):
    _, found = rows("rotate-90.pdf", campaign)
    assert [(seq, text) for seq, _, text in found] == sorted(TEXTS["区教体局"].items())
    _, found = rows("drawn-turned.pdf", campaign)
    assert found == [(3, None, TEXTS["区法院"][3])]


def test_a_table_after_the_form_on_a_new_page_is_no_continuation(campaign):
    extraction, found = rows("form-then-table.pdf", campaign)
    assert found == [(seq, "区融媒体中心", text) for seq, text in sorted(TEXTS["区融媒体中心"].items())]


def test_an_ocr_layer_over_a_scan_is_still_a_scan(campaign):
    extraction, found = rows("scan-ocr-layer.pdf", campaign)
    assert extraction.scanned and found == [] and extraction.seal is True


def test_a_font_that_is_not_installed_teaches_nothing():
    assert _installed("NoSuchFont-Regular") == (None, 0)
    assert _installed("NotoSerifCJKjp-Regular-VKana")[0] is not None
