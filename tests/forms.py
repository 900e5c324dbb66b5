"""Document generators for tests (DOCX, PDF, scans, bombs): fixtures for the extract tests.

Every shape of the progress form that units really send is generated here from
code: python-docx for DOCX (with raw WordprocessingML where python-docx has no
API: content controls, insertions, hyperlinks), LibreOffice for PDF and .doc,
Pillow for scanned pages with and without a red seal.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from mailbot import config
from mailbot.models import Campaign

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("序号", "实事名称", "责任单位", "具体措施及任务进度情况", "完成时限")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def load_campaign() -> Campaign:
    return config.load(ROOT / "config.toml").campaign


@pytest.fixture(scope="session")
def campaign() -> Campaign:
    return load_campaign()


def need_tool(name: str) -> str:
    """The tool's path; skip locally with a reason, fail in CI (env CI set)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install libreoffice-writer-nogui poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def form_rows(campaign: Campaign, filled: dict[int, str], seq=str,
              deadline: str = "2026年12月底") -> list[list[str]]:
    """The ten rows of the official form; progress only where `filled` says."""
    return [[seq(item.seq), item.title, "\n".join(item.units), filled.get(item.seq, ""),
             deadline] for item in campaign.items]


def set_text(cell, text: str) -> None:
    """Cell text with "\\n" as separate paragraphs (the way people type in Word)."""
    lines = text.split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def build_docx(tables: list[list[list[str]]], merges: dict[int, list[tuple]] | None = None,
               before: str = "2026年为全区妇女儿童办实事工作进展情况报表",
               edit=None) -> bytes:
    """A DOCX with these tables; merges[t] = [(r0, c0, r1, c1), ...]; edit(document) last."""
    document = Document()
    if before:
        document.add_paragraph(before)
    for index, rows in enumerate(tables):
        width = max(len(row) for row in rows)
        table = document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if text:
                    set_text(table.cell(r, c), text)
        for r0, c0, r1, c1 in (merges or {}).get(index, []):
            merged = table.cell(r0, c0).merge(table.cell(r1, c1))
            keep = rows[r0][c0]
            for paragraph in merged.paragraphs[1:]:
                paragraph._p.getparent().remove(paragraph._p)
            merged.paragraphs[0].text = ""
            set_text(merged, keep) if keep else None
        document.add_paragraph("")
    if edit:
        edit(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_form_docx(campaign: Campaign, filled: dict[int, str], seq=str) -> bytes:
    """The whole official form with only the `filled` rows' progress: the common submission."""
    return build_docx([[list(HEADER)] + form_rows(campaign, filled, seq)])


def wrap_runs(cell, wrapper: str) -> None:
    """Move every run of the cell's first paragraph into a w:sdt, w:ins or w:hyperlink."""
    paragraph = cell.paragraphs[0]._p
    runs = paragraph.findall(qn("w:r"))
    if wrapper == "sdt":
        outer = etree.SubElement(paragraph, qn("w:sdt"))
        holder = etree.SubElement(outer, qn("w:sdtContent"))
    else:
        holder = etree.SubElement(paragraph, qn(f"w:{wrapper}"))
        if wrapper == "ins":
            holder.set(qn("w:id"), "1")
            holder.set(qn("w:author"), "tester")
        if wrapper == "hyperlink":
            holder.set(qn("w:anchor"), "top")
    for run in runs:
        holder.append(run)


def sdt_cell(cell) -> None:
    """Wrap the whole cell (w:tc) in a cell-level content control."""
    tc = cell._tc
    row = tc.getparent()
    sdt = etree.Element(qn("w:sdt"))
    content = etree.SubElement(sdt, qn("w:sdtContent"))
    row.replace(tc, sdt)
    content.append(tc)


def add_deleted_text(cell, text: str) -> None:
    """A tracked deletion, which must not be read."""
    paragraph = cell.paragraphs[0]._p
    deleted = etree.SubElement(paragraph, qn("w:del"))
    deleted.set(qn("w:id"), "2")
    deleted.set(qn("w:author"), "tester")
    run = etree.SubElement(deleted, qn("w:r"))
    etree.SubElement(run, qn("w:delText")).text = text


def add_break(cell, before: str, after: str) -> None:
    """A paragraph with a soft line break (Shift+Enter) inside."""
    paragraph = cell.paragraphs[0]
    paragraph.text = ""
    run = paragraph.add_run(before)
    run.add_break()
    paragraph.add_run(after)


def zip_bytes(members: dict[str, bytes], utf8_names: bool = True) -> bytes:
    """A zip; with utf8_names=False names are stored in GBK without the flag (Chinese Windows)."""
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 3, 31, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    raw = out.getvalue()
    if utf8_names:
        return raw
    return _regbk(raw, members)


def _regbk(raw: bytes, members: dict[str, bytes]) -> bytes:
    """Rewrite a zip's names as GBK bytes and clear the UTF-8 flag (same byte lengths not needed)."""
    import struct
    import zlib
    local, central, offset = b"", b"", 0
    for name, data in members.items():
        gbk = name.encode("gbk")
        packed = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = packed.compress(data) + packed.flush()
        crc = zlib.crc32(data)
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x5C7F, crc, len(body),
                             len(data), len(gbk), 0)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x5C7F, crc,
                               len(body), len(data), len(gbk), 0, 0, 0, 0, 0, offset) + gbk
        local += header + gbk + body
        offset += len(header) + len(gbk) + len(body)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(local), 0)
    return local + central + end
