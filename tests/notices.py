"""Notices for the `init --notice` tests: the 2026 notice (public, copied into tests/data)
as text, and as a DOCX and a PDF made from that text; and a notice of the same kind
with a seven-column form, made here."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document

from mailbot.core.models import Campaign
from tests.forms import libreoffice, set_text

NOTICE_2026 = Path(__file__).resolve().parent / "data" / "notice_2026.txt"
SEVEN = ("序号", "工作任务", "牵头单位", "配合单位", "进展情况", "存在问题", "下步打算")
SEVEN_ITEMS = (  # seq, title, lead, partners
    (1, "推进城乡社区儿童之家提档升级", "区民政局", ("区妇联",)),
    (2, "开展女职工“两癌”普查", "区总工会", ("区卫健局", "区妇联")),
    (3, "建设家庭教育指导服务站", "区妇联", ("区教体局",)),
)


def notice_text() -> str:
    return NOTICE_2026.read_text(encoding="utf-8")


def notice_docx(text: str) -> bytes:
    """The notice as Word holds it: body paragraphs, the form as a real table.

    The text's tab-led lines are the form's cells (a cell's further lines belong
    to it), five to a row like the header."""
    lines = text.split("\n")
    tabbed = [i for i, line in enumerate(lines) if line.startswith("\t")]
    first, last = tabbed[0], tabbed[-1]
    cells: list[list[str]] = []
    for line in lines[first:last + 1]:
        if line.startswith("\t"):
            cells.append([line[1:].strip()])
        elif line.strip():
            cells[-1].append(line.strip())
    document = Document()
    for line in lines[:first]:
        document.add_paragraph(line.strip())
    table = document.add_table(rows=0, cols=5)
    table.style = "Table Grid"
    for start in range(0, len(cells), 5):
        for cell, parts in zip(table.add_row().cells, cells[start:start + 5]):
            set_text(cell, "\n".join(part for part in parts if part))
    for line in lines[last + 1:]:
        if line.strip():
            document.add_paragraph(line.strip())
    return _saved(document)


def notice_pdf(text: str) -> bytes:
    return libreoffice(notice_docx(text), "docx", "pdf")


def seven_column_notice(year: int = 2027) -> bytes:
    """Another district's notice: three items, a 牵头/配合 form with three columns to fill."""
    document = Document()
    for line in (f"川妇字〔{year}〕3号", "淄川区妇女联合会", f"关于{year}年家庭工作重点任务的通知",
                 "各有关单位：", f"现将{year}年家庭工作重点任务通知如下："):
        document.add_paragraph(line)
    numerals = "一二三"
    for (seq, title, lead, partners), numeral in zip(SEVEN_ITEMS, numerals):
        document.add_paragraph(f"{numeral}、{title}。年内完成相关工作。"
                               f"（责任单位：{'、'.join((lead, *partners))}）")
    document.add_paragraph(f"各单位于每季度结束后10个工作日内将进展情况报送区妇联（邮箱见后）。"
                           f"各项任务确保在{year}年11月底前完成。")
    document.add_paragraph("联系人：李文静　　联系电话：0533-5180000")
    document.add_paragraph(f"附件：{year}年家庭工作重点任务推进情况表")
    document.add_paragraph(f"{year}年家庭工作重点任务推进情况表")
    table = document.add_table(rows=1, cols=len(SEVEN))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, SEVEN):
        cell.text = heading
    for seq, title, lead, partners in SEVEN_ITEMS:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = str(seq), title, lead
        set_text(cells[3], "\n".join(partners))
    return _saved(document)


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def campaign_view(campaign: Campaign) -> dict:
    """What a notice decides about a campaign: everything but the addresses."""
    return {
        "title": campaign.title, "federation": campaign.federation,
        "contact": campaign.contact, "phone": campaign.phone,
        "columns": [(c.name, c.role) for c in campaign.columns],
        "units": [unit.name for unit in campaign.units],
        "items": [(i.seq, i.title, i.units, i.deadline) for i in campaign.items],
        "quarters": [(q.name, q.start, q.end, q.due) for q in campaign.quarters],
    }


def type_into(data: bytes, texts: dict[int, dict[str, str]]) -> bytes:
    """The form filled in the way a person does it in Word: typing into the empty cells.

    texts[seq][heading] is what is typed under `heading` in the row of item `seq`;
    a "\n" starts a new paragraph (Enter). Nothing else in the file changes."""
    document = Document(io.BytesIO(data))
    table = document.tables[0]
    headings = [cell.text for cell in table.rows[0].cells]
    for row in table.rows[1:]:
        typed = texts.get(int(row.cells[0].text), {})
        for heading, text in typed.items():
            cell = row.cells[headings.index(heading)]
            assert not cell.text, "typing goes into empty cells only"
            lines = text.split("\n")
            cell.paragraphs[0].add_run(lines[0])
            for line in lines[1:]:
                cell.add_paragraph(line)
    return _saved(document)
