"""Scans and photos of generated forms read back by OCR (issue 18's golden scans).

The forms are printed by LibreOffice and rasterised by pdftoppm once per session,
then degraded as paper is: 150 dpi, JPEG quality 60, 1.5° skew and a red seal
stamped over the progress text; a phone photo in perspective; a grey two-page
scan to PDF. Each must give the unit's rows, with its progress text nearly as
typed (OCR may miss a character; the benchmark prints the accuracy).
"""

from __future__ import annotations

import json

import pytest

from mailbot.app.samples import progress_text
from mailbot.extract import extract_attachment, scan
from mailbot.extract.ocr import engine
from mailbot.intake.stamped import similar
from tests import scans
from tests.tools import require

pytestmark = pytest.mark.slow
UNIT, QUARTER = "区妇联", "2026Q3"


@pytest.fixture(scope="session")
def pages(campaign):
    """区妇联's filled form (items 1, 2, 4 on page 1, item 9 on page 2) at 150 and 200 dpi."""
    require(engine.available(), 'the OCR extra is not installed (pip install -e ".[ocr]")')
    pdf = scans.form_pdf(campaign, UNIT, QUARTER)
    return {150: scans.rasterise(pdf, 150), 200: scans.rasterise(pdf, 200)}


def read_back(name: str, data: bytes, campaign):
    [extraction] = extract_attachment(name, data, campaign)
    assert extraction.error is None
    return extraction


def assert_rows(extraction, seqs):
    assert [row.seq for row in extraction.rows] == seqs, extraction.warnings
    for row in extraction.rows:
        assert row.ocr and row.confidence > 0.8
        assert similar(row.progress, progress_text(UNIT, row.seq, QUARTER)) >= 0.97, row.progress
        assert "\n下一步" in row.progress  # the paragraph break survives, wraps do not


def test_jpeg_at_150_dpi_skewed_with_a_seal_over_the_text(pages, campaign):
    page = scans.scanned(scans.stamp(pages[150][0], where=(0.62, 0.30)), skew=1.5)
    data = scans.encoded(page, "JPEG", quality=60, dpi=150)
    extraction = read_back("盖章版.jpg", data, campaign)
    assert (extraction.format, extraction.scanned, extraction.seal) == ("jpeg", True, True)
    assert_rows(extraction, [1, 2, 4])
    assert "填报单位：区妇联" in extraction.text and "第三季度" in extraction.text
    assert scan.read_image(data, "jpeg", campaign) is scan.read_image(data, "jpeg", campaign)


def test_phone_photo_in_perspective(pages, campaign):
    photo = scans.photographed(scans.stamp(pages[200][0]))
    extraction = read_back("IMG_2026.jpg", scans.encoded(photo, "JPEG", quality=80), campaign)
    assert extraction.seal is True
    assert_rows(extraction, [1, 2, 4])


def test_grey_scan_to_pdf_continues_the_table_on_page_two(pages, campaign):
    data = scans.image_pdf([page.convert("L") for page in pages[200]], 200)
    extraction = read_back("盖章版.pdf", data, campaign)
    assert (extraction.format, extraction.scanned, extraction.seal) == ("pdf", True, None)
    assert_rows(extraction, [1, 2, 4, 9])
    row = extraction.to_json()["rows"][0]
    assert row["ocr"] is True and 0.8 < row["confidence"] <= 1.0
    json.dumps(extraction.to_json(), ensure_ascii=False)


@pytest.mark.parametrize("turn", [90, 180])
def test_a_page_scanned_sideways_or_upside_down_is_turned_upright(pages, campaign, turn):
    page = scans.stamp(pages[150][0]).rotate(turn, expand=True)
    extraction = read_back("扫描.png", scans.encoded(page, "PNG"), campaign)
    assert_rows(extraction, [1, 2, 4])


@pytest.mark.parametrize("fmt, name", [("WEBP", "微信图片_20261008.webp"), ("BMP", "扫描.bmp")])
def test_a_wechat_webp_picture_and_a_bmp_scan(pages, campaign, fmt, name):
    page = scans.stamp(pages[150][0])
    extraction = read_back(name, scans.encoded(page, fmt), campaign)
    assert (extraction.format, extraction.seal) == (fmt.lower(), True)
    assert_rows(extraction, [1, 2, 4])


def test_an_iphone_heic_photo(pages, campaign):
    photo = scans.photographed(scans.stamp(pages[150][0]))
    extraction = read_back("IMG_0001.HEIC", scans.encoded(photo, "HEIF"), campaign)
    assert (extraction.format, extraction.seal) == ("heic", True)
    assert_rows(extraction, [1, 2, 4])
