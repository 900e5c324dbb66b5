"""pdfium's text layer and rules in pdfplumber's shapes: the same chars, the same tables."""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2
import pytest

from mailbot.extract import pdf
from mailbot.extract.pdfpage import read_layer, upright
from tests.forms import vector_pdf
from tests.golden.make_golden import FORMS

TEXT_PDFS = ["text-ruled.pdf", "text-split-units.pdf", "rotate-90.pdf", "drawn-turned.pdf"]


def layers_and_plumber_pages(name: str):
    """(pdfium layer, pdfplumber page) of every page, on the PDF set upright."""
    data = (FORMS / name).read_bytes()
    document = pypdfium2.PdfDocument(data)
    turned = upright(document, pdf._layers(document))
    if turned is not None:
        document = pypdfium2.PdfDocument(turned)
    plumber = pdfplumber.open(io.BytesIO(turned or data))
    return [(read_layer(document[n]), page) for n, page in enumerate(plumber.pages)]


def nearest(char: dict, chars: list[dict]) -> dict:
    return min((c for c in chars if c["text"] == char["text"]),
               key=lambda c: abs(c["x0"] - char["x0"]) + abs(c["top"] - char["top"]))


@pytest.mark.parametrize("name", TEXT_PDFS)
def test_every_char_is_where_pdfplumber_puts_it(name):
    for layer, page in layers_and_plumber_pages(name):
        theirs = [c for c in page.chars if c["text"].strip()]
        mine = [c for c in layer.chars if c["text"].strip()]
        assert len(mine) == len(theirs) > 100
        for char in theirs:
            found = nearest(char, mine)
            for key in ("x0", "x1", "top", "bottom", "size"):
                assert found[key] == pytest.approx(char[key], abs=0.2), (char["text"], key)


@pytest.mark.parametrize("name", ["text-ruled.pdf", "text-split-units.pdf", "rotate-90.pdf",
                                  "ps2pdf.pdf", "long-cell-pages.pdf"])
def test_the_rules_give_pdfplumbers_table_cells(name):
    """(Not drawn-turned.pdf: there pdfplumber takes the rules pypdf left a hair off level
    for vertical ones, which pdfpage straightens.)"""
    for layer, page in layers_and_plumber_pages(name):
        rules = page.rects + page.curves + page.lines
        settings = dict(pdf.TABLE_SETTINGS, vertical_strategy="explicit",
                        horizontal_strategy="explicit", explicit_vertical_lines=rules,
                        explicit_horizontal_lines=rules)
        theirs = sorted(tuple(round(v) for v in cell)
                        for table in page.find_tables(settings) for cell in table.cells)
        mine = sorted(tuple(round(v) for v in cell)
                      for table in pdf._tables(layer) for cell in table.cells)
        assert mine == theirs and len(mine) >= 10


def test_the_spaces_pdfium_guesses_from_gaps_are_not_text():
    content = b"(Quarterly progress report of the unit) Tj"
    gapped = b"(AB) Tj 100 0 Td (CD) Tj".ljust(len(content))  # /Length unchanged
    data = vector_pdf(seal=False).replace(content, gapped)
    document = pypdfium2.PdfDocument(data)
    textpage = document[0].get_textpage()
    assert textpage.get_text_range().replace("\r\n", "") == "AB CD"  # pdfium's own space
    assert "".join(c["text"] for c in read_layer(document[0]).chars) == "ABCD"


def test_typed_spaces_stay():
    document = pypdfium2.PdfDocument(vector_pdf(seal=False))
    text = "".join(c["text"] for c in read_layer(document[0]).chars)
    assert text == "Quarterly progress report of the unit"


@pytest.mark.parametrize("name", ["rotate-90.pdf", "drawn-turned.pdf"])
def test_a_turned_page_is_set_upright_with_no_rotate(name):
    document = pypdfium2.PdfDocument((FORMS / name).read_bytes())
    turned = upright(document, pdf._layers(document))
    assert turned is not None
    page = pypdfium2.PdfDocument(turned)[0]
    assert page.get_rotation() == 0 and page.get_width() < page.get_height()  # as printed
    assert read_layer(page).turn is None
    again = pypdfium2.PdfDocument(turned)
    assert upright(again, pdf._layers(again)) is None


def test_an_upright_pdf_is_left_as_it_is():
    document = pypdfium2.PdfDocument((FORMS / "text-ruled.pdf").read_bytes())
    assert upright(document, pdf._layers(document)) is None


def test_glyphs_without_unicode_are_told_so_the_page_goes_to_pdfminer():
    [ps2pdf] = [read_layer(pypdfium2.PdfDocument((FORMS / "ps2pdf.pdf").read_bytes())[0])]
    [plain] = [read_layer(pypdfium2.PdfDocument((FORMS / "text-ruled.pdf").read_bytes())[0])]
    assert ps2pdf.unmapped and any(c["text"].startswith("(cid:") for c in ps2pdf.chars)
    assert not plain.unmapped


def test_a_red_vector_seal_colours_the_page_and_black_text_does_not():
    stamped = read_layer(pypdfium2.PdfDocument(vector_pdf(seal=True))[0])
    plain = read_layer(pypdfium2.PdfDocument(vector_pdf(seal=False))[0])
    assert stamped.coloured and stamped.rules == 1
    assert not plain.coloured and plain.rules == 0 and not plain.images


def test_a_space_drawn_on_its_own_at_a_line_end_stays():
    """pdfium's text page leaves it out; LibreOffice wrapped after it (the room it took
    decides whether the line wrapped or ended its paragraph)."""
    content = b"(Quarterly progress report of the unit) Tj"
    alone = b"(AB) Tj ET BT /F1 12 Tf 86 720 Td ( ) Tj".ljust(len(content))
    document = pypdfium2.PdfDocument(vector_pdf(seal=False).replace(content, alone))
    assert document[0].get_textpage().get_text_range().strip() == "AB"  # pdfium's own
    chars = read_layer(document[0]).chars
    assert [c["text"] for c in chars] == ["A", "B", " "]
    assert chars[2]["x0"] == pytest.approx(86) and chars[2]["x1"] == pytest.approx(89)
