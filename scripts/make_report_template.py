"""Make templates/report.docx, the consolidated report's docxtpl template.

Run once (and again after changing the layout rules here); the resulting file is
committed so that staff can restyle it in Word or WPS without touching code.
The layout follows GB/T 9704-2012 turned to landscape for the wide table: the
type area stays 156 mm x 225 mm, title in 2号 小标宋, body in 3号 仿宋, the
table a size smaller so that eighteen units' text stays legible, page numbers
"— 1 —" in 4号 宋体, outside edge (odd pages right, even pages left).

Fonts are named as Chinese offices have them (方正小标宋简体, 仿宋_GB2312, 黑体);
where they are missing, Word/WPS substitute, and our LibreOffice conversion
maps them to Noto CJK (see mailbot/soffice.py).

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
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

LATIN = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
SUBTITLE_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_FONT = "宋体"
# headings come from the campaign's form ([form] columns); widths in mm, sum = 225
COLUMNS = (("{{ headings.seq }}", 15), ("{{ headings.title }}", 36),
           ("{{ headings.units }}", 30), ("{{ headings.progress }}", 110),
           ("{{ headings.deadline }}", 34))
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
    _style(doc, "表格居中", "TableCenter", BODY_FONT, 12, center)
    body = _style(doc, "表格正文", "TableBody", BODY_FONT, 12, left)
    body.paragraph_format.line_spacing = Pt(20)


def _table(doc: Document) -> None:
    """Header row, then one templated row repeated by docxtpl's {%tr for %}."""
    table = doc.add_table(rows=4, cols=len(COLUMNS))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    cells = ("{{ row.seq }}", "{{ row.title }}", "{{ row.units }}",
             "{{p row.progress }}", "{{ row.deadline }}")
    for index, (heading, width) in enumerate(COLUMNS):
        for row in table.rows:
            row.cells[index].width = Mm(width)
        _fill(table.rows[0].cells[index], heading, "表头")
        style = "表格正文" if index == 3 else "表格居中"
        _fill(table.rows[2].cells[index], cells[index], style)
    _fill(table.rows[1].cells[0], "{%tr for row in rows %}", "表格居中")
    _fill(table.rows[3].cells[0], "{%tr endfor %}", "表格居中")
    _repeat_header(table.rows[0])
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


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        element = OxmlElement(tag)
        tr_pr.append(element)


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
