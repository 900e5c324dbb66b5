"""Make mailbot/templates/report.docx, the consolidated report's docxtpl template.

Run once (and again after changing the layout rules here); the resulting file is
committed so that staff can restyle it in Word or WPS without touching code.
The layout follows GB/T 9704-2012 turned to landscape for the wide table: the
type area stays 156 mm x 225 mm, title in 2号 小标宋, body in 3号 仿宋, the
table a size smaller so that eighteen units' text stays legible, page numbers
"— 1 —" in 4号 宋体, outside edge (odd pages right, even pages left).

Fonts are named as Chinese offices have them (方正小标宋简体, 仿宋_GB2312, 黑体) as
East Asian fonts; the font table names what Word/WPS take where one is missing
(仿宋, 楷体, 小标宋), and our LibreOffice conversion maps them to the closest free
fonts through mailbot/templates/fonts.conf.

    python scripts/make_report_template.py [OUT.docx]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from mailbot.report.docx import BODY_PT, COLUMNS_MM

LATIN = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
SUBTITLE_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_FONT = "宋体"
# headings come from the campaign's form ([form] columns); widths in mm (the writer
# widens 责任单位 to fit the unit names)
COLUMNS = tuple(zip(("{{ headings.seq }}", "{{ headings.title }}", "{{ headings.units }}",
                     "{{ headings.progress }}", "{{ headings.deadline }}"), COLUMNS_MM))
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "mailbot" / "templates" / "report.docx"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    make_template().save(out)
    print(f"wrote {out}")
    return 0


def make_template() -> Document:
    """The whole template: page, styles, title block, the looping table, footers."""
    doc = Document()
    _page(doc)
    _styles(doc)
    doc.add_paragraph("{{ title }}", style="报表标题")
    doc.add_paragraph("（{{ period }}）", style="报表副标题")
    doc.add_paragraph("汇总单位：{{ federation }}　　　　汇总日期：{{ compiled_on }}",
                      style="报表落款")
    _table(doc)
    _footers(doc)
    _font_table(doc)
    return doc


def _page(doc: Document) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(28), Mm(26)
    section.left_margin, section.right_margin = Mm(37), Mm(35)
    section.header_distance, section.footer_distance = Mm(15), Mm(12)
    doc.settings.odd_and_even_pages_header_footer = True


def _fonts(font, east_asian: str, size: float, bold: bool = False) -> None:
    font.name = LATIN
    font.size = Pt(size)
    font.bold = bold
    font.element.rPr.rFonts.set(qn("w:eastAsia"), east_asian)


def _style(doc, name, style_id, east_asian, size, align, bold=False, space_after=0):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), style_id)
    style.base_style = doc.styles["Normal"]
    _fonts(style.font, east_asian, size, bold)
    style.paragraph_format.alignment = align
    style.paragraph_format.space_after = Pt(space_after)
    return style


def _styles(doc: Document) -> None:
    """Chinese as the East Asian language (else LibreOffice picks Japanese glyphs)."""
    lang = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal = doc.styles["Normal"]
    _fonts(normal.font, BODY_FONT, 16)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    left = WD_ALIGN_PARAGRAPH.JUSTIFY
    title = _style(doc, "报表标题", "ReportTitle", TITLE_FONT, 22, center, space_after=6)
    title.paragraph_format.line_spacing = Pt(36)
    _style(doc, "报表副标题", "ReportSubtitle", SUBTITLE_FONT, 16, center, space_after=6)
    _style(doc, "报表落款", "ReportByline", BODY_FONT, 14, right, space_after=6)
    _style(doc, "表头", "TableHeading", HEADING_FONT, 14, center)
    _style(doc, "表格居中", "TableCenter", BODY_FONT, BODY_PT, center)
    body = _style(doc, "表格正文", "TableBody", BODY_FONT, BODY_PT, left)
    body.paragraph_format.line_spacing = Pt(20)
    _break_by_unicode_rules(body)


def _break_by_unicode_rules(style) -> None:
    """The table text is tagged en-US as its East Asian language: LibreOffice then breaks
    lines by the Unicode rules (no break inside a number, none before "，", none across a
    word joiner) instead of its Chinese rule of "anywhere but before punctuation", which
    split "1443人次" and unit names. The glyphs stay Chinese: the mapped font is a
    simplified-Chinese one. No proofing, so Word does not mark the Chinese as misspelt
    English."""
    style.font.no_proof = True
    lang = OxmlElement("w:lang")  # last but for elements not used here, as the schema orders
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "en-US")
    style.element.get_or_add_rPr().append(lang)


def _table(doc: Document) -> None:
    """Header row, then one templated row repeated by docxtpl's {%tr for %}."""
    table = doc.add_table(rows=4, cols=len(COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    cells = ("{{ row.seq }}", "{{ row.title }}", "{{ row.unit }}",
             "{{p row.progress }}", "{{ row.deadline }}")
    for index, (heading, width) in enumerate(COLUMNS):
        for row in table.rows:
            row.cells[index].width = Mm(width)
        _fill(table.rows[0].cells[index], heading, "表头")
        style = "表格正文" if index == 3 else "表格居中"
        _fill(table.rows[2].cells[index], cells[index], style)
    _fill(table.rows[1].cells[0], "{%tr for row in rows %}", "表格居中")
    _fill(table.rows[3].cells[0], "{%tr endfor %}", "表格居中")
    _row_flags(table.rows[0], "w:tblHeader", "w:cantSplit")
    _row_flags(table.rows[2], "w:cantSplit")
    _fixed_grid(table)


def _fixed_grid(table) -> None:
    """Column widths in the grid too (LibreOffice reads the grid, Word the cells)."""
    for col, (_, width) in zip(table._tbl.tblGrid.gridCol_lst, COLUMNS):
        col.w = Mm(width)
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = tbl_pr.find(qn("w:tblW"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(Mm(w).twips for _, w in COLUMNS)))


def _fill(cell, text: str, style: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = cell.part.document.styles[style]
    paragraph.add_run(text)
    cell.vertical_alignment = (WD_CELL_VERTICAL_ALIGNMENT.TOP if style == "表格正文"
                               else WD_CELL_VERTICAL_ALIGNMENT.CENTER)


def _row_flags(row, *tags: str) -> None:
    """The header repeats on every page; no row breaks over a page (the writer keeps
    rows shorter than a page)."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in tags:
        tr_pr.append(OxmlElement(tag))


# the office font, the name Word and WPS fall back to where it is not installed (newer
# Windows has 仿宋 and 楷体 but not the _GB2312 fonts), and the font's family class
FALLBACKS = ((TITLE_FONT, "小标宋", "roman"), (BODY_FONT, "仿宋", "modern"),
             (SUBTITLE_FONT, "楷体", "script"), (HEADING_FONT, "SimHei", "modern"),
             (PAGE_FONT, "SimSun", "roman"))


def _font_table(doc: Document) -> None:
    """Declare the office fonts with their fallback names (w:altName) and the GB2312
    character set, so a machine without 仿宋_GB2312 uses 仿宋, not a Latin face."""
    part = next(p for p in doc.part.package.iter_parts()
                if p.partname == "/word/fontTable.xml")
    fonts = parse_xml(part.blob)
    for name, fallback, family in FALLBACKS:
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", fallback), ("w:charset", "86"),
                           ("w:family", family), ("w:pitch", "variable")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        fonts.append(font)
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8",
                                standalone=True)


def _footers(doc: Document) -> None:
    """'— N —' at the outside edge, one character in from the type area."""
    section = doc.sections[0]
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(paragraph, align) -> None:
    paragraph.alignment = align
    indent = Pt(14)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = indent
    else:
        paragraph.paragraph_format.left_indent = indent
    _run(paragraph, "— ")
    _field_char(_run(paragraph, ""), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    _run(paragraph, "")._r.append(instr)
    _field_char(_run(paragraph, ""), "separate")
    _run(paragraph, "1")
    _field_char(_run(paragraph, ""), "end")
    _run(paragraph, " —")


def _field_char(run, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run._r.append(char)


def _run(paragraph, text: str):
    run = paragraph.add_run(text)
    _fonts(run.font, PAGE_FONT, 14)
    return run


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
