"""Spreadsheets and ODF: told by content, read through one XLSX reader (LibreOffice
converts .xls, WPS .et and .ods; .odt goes to DOCX), merged cells expanded."""

from __future__ import annotations

import pytest

from mailbot.extract import extract_attachment
from mailbot.extract.detect import detect
from tests.golden.make_golden import FORMS
from tests.toolchains import sheet_form


@pytest.mark.parametrize("name, kind", [
    ("sheet-excel97.xls", "xls"), ("sheet-wps.et", "et"), ("sheet-odf.ods", "ods"),
    ("html-libreoffice.odt", "odt"), ("sheet-merged.xlsx", "xlsx")])
def test_spreadsheets_and_odf_are_told_by_their_content(name, kind):
    assert detect(name, (FORMS / name).read_bytes()) == kind
    assert detect("no-extension", (FORMS / name).read_bytes()) == kind.replace("et", "xls")


def test_an_excel_file_named_doc_is_a_spreadsheet():
    assert detect("进展情况.doc", (FORMS / "sheet-excel97.xls").read_bytes()) == "xls"


def test_merged_cells_of_a_sheet_give_every_row_its_unit_and_item(campaign):
    texts = {8: "推出专题报道12期。", 9: "制作公益广告1部。"}
    more = iter(f"开展相关工作{n}项。" for n in range(1, 20))
    data, expected = sheet_form(campaign, "区融媒体中心", texts, lambda: next(more))
    [extraction] = extract_attachment("进展.xlsx", data, campaign)
    assert [(row.seq, row.unit, row.progress) for row in extraction.rows] == expected
    assert {row.deadline for row in extraction.rows} == {"2026年12月底"}
    assert len(expected) == 6
