"""Each unit's own form for a quarter, as DOCX (python-docx, plus a custom-properties part).

The official form (the form's title with the quarter, the configured columns, the
填报单位 line) holding only the unit's rows: 序号, name, responsible units and
完成时限 filled, the columns units write in left empty. The document carries
custom properties naming campaign, unit and quarter (docProps/custom.xml, which
Word, WPS and LibreOffice keep when they save); extraction reads them as a hint.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from mailbot.core.dates import full_date
from mailbot.core.models import Campaign, ColumnRole, Item, quarter_label

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PROPERTY_PREFIX = "mailbot."
PROPERTIES = ("campaign", "unit", "quarter")
TITLE_FONT, BODY_FONT, HEADING_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体"
WEIGHTS = {ColumnRole.SEQ: 0.6, ColumnRole.TITLE: 1.6, ColumnRole.UNITS: 1.3,
           ColumnRole.FILLED: 3.5, ColumnRole.DEADLINE: 1.2}  # relative column widths
TYPE_WIDTH = Mm(247)
ROW_HEIGHT = Mm(22)  # room to write in
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
              "custom-properties")
_CUSTOM = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="'
           'http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           '{}</Properties>')
_PROPERTY = ('<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
             'name="{name}"><vt:lpwstr>{value}</vt:lpwstr></property>')


def form_filename(campaign: Campaign, unit: str, quarter: str) -> str:
    """The name the form travels under: Chinese, as a person would save it."""
    return f"{unit}-{quarter_label(quarter)}{_short(campaign.title)}.docx"


def _short(title: str) -> str:
    """"2026年为全区…进展情况报表" -> "进展情况报表": the year is in the quarter already."""
    return title.split("年", 1)[-1] if title[:4].isdigit() else title


def unit_form(campaign: Campaign, unit: str, quarter: str, due: date | None = None) -> bytes:
    """The DOCX of `unit`'s own rows for `quarter`, progress cells empty."""
    document = Document()
    _page(document)
    _paragraph(document, f"{campaign.title}（{quarter_label(quarter)}）", TITLE_FONT, 18,
               WD_ALIGN_PARAGRAPH.CENTER)
    line = f"填报单位：{unit}"
    if due:
        line += f"　　　　报送截止：{full_date(due)}"
    _paragraph(document, line, BODY_FONT, 14, WD_ALIGN_PARAGRAPH.LEFT)
    _table(document, campaign, campaign.items_of(unit))
    buffer = io.BytesIO()
    document.save(buffer)
    return with_properties(buffer.getvalue(), {"campaign": campaign.title, "unit": unit,
                                                "quarter": quarter})


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)


def _paragraph(document, text: str, font: str, size: float, align) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    _run(paragraph, text, font, size)


def _run(paragraph, text: str, font: str, size: float, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.size, run.font.bold = Pt(size), bold
    run.font.name = "Times New Roman"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _table(document, campaign: Campaign, items: tuple[Item, ...]) -> None:
    columns = campaign.columns
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    filled = sum(column.role is ColumnRole.FILLED for column in columns)
    # several columns to fill share the room one would have, but never get narrower than a name
    weights = [max(WEIGHTS[ColumnRole.TITLE], WEIGHTS[c.role] / filled)
               if c.role is ColumnRole.FILLED else WEIGHTS[c.role] for c in columns]
    widths = [int(TYPE_WIDTH * weight / sum(weights)) for weight in weights]
    for index, column in enumerate(columns):
        table.columns[index].width = widths[index]
        cell = table.rows[0].cells[index]
        cell.width = widths[index]
        _run(cell.paragraphs[0], column.name, HEADING_FONT, 12, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _repeat_header(table.rows[0])
    for item in items:
        row = table.add_row()
        row.height = ROW_HEIGHT
        for index, text in enumerate(_row_texts(campaign, item)):
            cell = row.cells[index]
            cell.width = widths[index]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            lines = text.split("\n")
            _run(cell.paragraphs[0], lines[0], BODY_FONT, 12)
            for more in lines[1:]:
                _run(cell.add_paragraph(), more, BODY_FONT, 12)
            if columns[index].role is not ColumnRole.FILLED:
                for paragraph in cell.paragraphs:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _row_texts(campaign: Campaign, item: Item) -> list[str]:
    """The cells of an item's row; where the form has several unit columns (牵头单位,
    配合单位), the first unit goes in the first and the others in the next."""
    unit_columns = [c for c in campaign.columns if c.role is ColumnRole.UNITS]
    texts = []
    for column in campaign.columns:
        if column.role is ColumnRole.SEQ:
            texts.append(str(item.seq))
        elif column.role is ColumnRole.TITLE:
            texts.append(item.title)
        elif column.role is ColumnRole.DEADLINE:
            texts.append(item.deadline)
        elif column.role is ColumnRole.UNITS:
            position = unit_columns.index(column)
            if len(unit_columns) == 1:
                texts.append("\n".join(item.units))
            else:
                texts.append("\n".join(item.units[:1] if position == 0 else
                                       item.units[1:] if position == 1 else ()))
        else:
            texts.append("")
    return texts


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))


def with_properties(docx: bytes, values: dict[str, str]) -> bytes:
    """The DOCX with docProps/custom.xml holding mailbot.<name> = value."""
    body = "".join(_PROPERTY.format(pid=pid, name=escape(PROPERTY_PREFIX + name),
                                    value=escape(value))
                   for pid, (name, value) in enumerate(values.items(), start=2))
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    '<Override PartName="/docProps/custom.xml" ContentType="'
                    f'{CUSTOM_TYPE}"/></Types>').encode())
            elif info.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", (
                    f'<Relationship Id="rIdMailbot" Type="{CUSTOM_REL}" '
                    'Target="docProps/custom.xml"/></Relationships>').encode())
            target.writestr(info, data)
        target.writestr("docProps/custom.xml", _CUSTOM.format(body).encode("utf-8"))
    return out.getvalue()
