"""Old formats through the real LibreOffice: .doc, .wps (a .doc under another name), .rtf; xlsx."""

from __future__ import annotations

import io

import openpyxl
import pytest

from mailbot.extract import extract_attachment
from mailbot.extract.convert import INSTALL_HINT, convert
from tests.forms import HEADER, libreoffice, make_form_docx


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["doc", "wps", "rtf"])
def test_old_word_and_wps_files_are_converted_and_read(campaign, kind):
    filled = {6: "新购置校车40台。\n开展体育赛事10场。"}
    data = libreoffice(make_form_docx(campaign, filled), "docx", "doc" if kind == "wps" else kind)
    [extraction] = extract_attachment(f"区教体局.{kind}", data, campaign)
    assert extraction.error is None, extraction.error
    assert extraction.format == kind
    assert [(r.seq, r.progress) for r in extraction.rows] == [(6, filled[6])]


def test_missing_soffice_says_how_to_install(monkeypatch):
    monkeypatch.setenv("MAILBOT_SOFFICE", "")
    monkeypatch.setenv("PATH", "/nonexistent")
    from mailbot.extract.errors import ExtractError
    with pytest.raises(ExtractError, match="apt-get install libreoffice-writer-nogui"):
        convert(b"x", "doc", "docx")
    assert "libreoffice-writer-nogui" in INSTALL_HINT


def test_xlsx_form_with_merged_cells(campaign):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(HEADER))
    sheet.append([3, "强化妇女儿童权益保障", "区法院", "开展普法进校园5次", "2026年12月底"])
    sheet.append([None, None, "区司法局", "法律援助20件", "2026年12月底"])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    out = io.BytesIO()
    book.save(out)
    [extraction] = extract_attachment("form.xlsx", out.getvalue(), campaign)
    assert extraction.format == "xlsx"
    assert [(r.seq, r.unit, r.progress) for r in extraction.rows] == [
        (3, "区法院", "开展普法进校园5次"), (3, "区司法局", "法律援助20件")]
