"""Document generators for tests (DOCX, PDF, scans, bombs): fixtures for the extract tests.

Every shape of the progress form that units really send is generated here from
code: python-docx for DOCX (with raw WordprocessingML where python-docx has no
API: content controls, insertions, hyperlinks), LibreOffice for PDF and .doc,
Pillow for scanned pages with and without a red seal.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from mailbot import config
from mailbot.core.models import Campaign
from tests.tools import need_tool
from mailbot.config import PACKAGED_CONFIG

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("序号", "实事名称", "责任单位", "具体措施及任务进度情况", "完成时限")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def load_campaign() -> Campaign:
    return config.load(PACKAGED_CONFIG).campaign


@pytest.fixture(scope="session")
def campaign() -> Campaign:
    return load_campaign()


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


def seven_zip(members: dict[str, bytes]) -> bytes:
    """A 7z archive (LZMA), written by libarchive as 7-Zip, 360压缩 or 好压 would write one."""
    import libarchive

    out = io.BytesIO()
    with libarchive.custom_writer(out.write, "7zip") as archive:
        for name, data in members.items():
            archive.add_file_from_memory(name, len(data), data)
    return out.getvalue()


OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def ofd_file(text: str = "区人社局2026年第三季度进展情况") -> bytes:
    """An OFD (GB/T 33190 版式文件) as 数科 or 福昕 write one: a zip of XML parts, a page with
    its text, and the electronic seal's signature parts."""
    page = (f'<ofd:Page {OFD_NS}><ofd:Content><ofd:Layer ID="2"><ofd:TextObject ID="3" '
            f'Boundary="20 20 170 10" Font="4" Size="5"><ofd:TextCode X="0" Y="8">{text}'
            '</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>')
    return zip_bytes({
        "OFD.xml": (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {OFD_NS} Version="1.1" '
                    'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>6f2c1d</ofd:DocID>'
                    '</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
                    '<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures></ofd:DocBody>'
                    '</ofd:OFD>').encode(),
        "Doc_0/Document.xml": (f'<ofd:Document {OFD_NS}><ofd:CommonData><ofd:PageArea>'
                               '<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
                               '<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>'
                               '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/>'
                               '</ofd:Pages></ofd:Document>').encode(),
        "Doc_0/PublicRes.xml": (f'<ofd:Res {OFD_NS} BaseLoc="Res"><ofd:Fonts><ofd:Font ID="4" '
                                'FontName="仿宋_GB2312"/></ofd:Fonts></ofd:Res>').encode(),
        "Doc_0/Pages/Page_0/Content.xml": page.encode(),
        "Doc_0/Signs/Signatures.xml": (f'<ofd:Signatures {OFD_NS}><ofd:Signature ID="1" '
                                       'BaseLoc="Sign_0/Signature.xml"/></ofd:Signatures>').encode(),
        "Doc_0/Signs/Sign_0/Signature.xml": f'<ofd:Signature {OFD_NS}/>'.encode(),
        "Doc_0/Signs/Sign_0/Seal.esl": b"0\x82\x01\x00 seal",
        "Doc_0/Signs/Sign_0/SignedValue.dat": b"0\x82\x02\x00 signed",
    })


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


# --- PDF, scans and seals ---------------------------------------------------

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
RED = (205, 25, 30)


def _font(size: int):
    from PIL import ImageFont
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def scan_page(seal: bool = True, letterhead: bool = True, red_text: bool = True,
              colour: bool = True):
    """A 150 dpi A4 'scan': black text, optionally a red header rule and title, a red
    remark line, and a 公章 (red ring with a star and the unit's name inside)."""
    from PIL import Image, ImageDraw
    page = Image.new("RGB", (1240, 1754), (250, 248, 244))
    draw = ImageDraw.Draw(page)
    for line in range(26):
        draw.text((110, 260 + line * 46), "本季度开展专题活动若干场，参与群众一千余人次，取得明显成效。",
                  fill=(30, 30, 30), font=_font(28))
    if letterhead:
        draw.text((300, 70), "淄川区妇女联合会文件", fill=RED, font=_font(64))
        draw.line((90, 190, 1150, 190), fill=RED, width=7)
    if red_text:
        draw.text((110, 1500), "注：红色字体为本季度新增内容。", fill=RED, font=_font(28))
    if seal:
        cx, cy, r = 880, 1420, 118
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=RED, width=9)
        draw.text((cx - 22, cy - 40), "★", fill=RED, font=_font(48))
        draw.text((cx - 75, cy + 30), "淄川区妇联", fill=RED, font=_font(30))
    return page if colour else page.convert("L")


def scan_pdf(*pages) -> bytes:
    """The pages as a PDF of images only (what a scanner produces)."""
    out = io.BytesIO()
    first, *rest = pages
    first.save(out, "PDF", resolution=150, save_all=True, append_images=rest)
    return out.getvalue()


def vector_pdf(seal: bool) -> bytes:
    """A one-page text PDF (Helvetica); with seal=True a red vector ring (an electronic seal)."""
    k = 0.5523 * 60
    ring = (f"1 0 0 RG 4 w 460 160 m 460 {160 + k} {400 + k} 220 400 220 c "
            f"{400 - k} 220 340 {160 + k} 340 160 c 340 {160 - k} {400 - k} 100 400 100 c "
            f"{400 + k} 100 460 {160 - k} 460 160 c S ") if seal else ""
    content = (f"BT /F1 12 Tf 72 720 Td (Quarterly progress report of the unit) Tj ET "
               f"{ring}").encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return pdf_of(objects)


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF file of these objects (numbered from 1, the first the catalog), with its xref."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def libreoffice(data: bytes, source: str, target: str) -> bytes:
    """Convert with the real LibreOffice (skips locally / fails in CI when it is missing)."""
    need_tool("soffice")
    from mailbot.extract.convert import convert
    return convert(data, source, target)


# --- hostile files -----------------------------------------------------------

def docx_zip_bomb(gigabytes: float = 2.0, honest: bool = True) -> bytes:
    """A small DOCX whose document.xml inflates to gigabytes; honest=False declares a small size."""
    import struct
    import zlib
    chunk = b" " * (8 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    repeats = int(gigabytes * 1024 / 8)
    body = block * repeats + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    size = len(chunk) * repeats if honest else 4096
    size = min(size, 0xFFFFFFFF)
    small = zip_bytes({"[Content_Types].xml": b"<Types/>"})
    name = b"word/document.xml"
    header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, 0, len(body), size,
                         len(name), 0)
    local_end = small.index(b"PK\x01\x02")
    local_part, offset = small[:local_end], local_end
    central = small[local_end:small.index(b"PK\x05\x06")]
    central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, 0, len(body),
                           size, len(name), 0, 0, 0, 0, 0, offset) + name
    local = local_part + header + name + body
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(central), len(local), 0)
    return local + central + end


def entity_bomb_docx() -> bytes:
    """A DOCX whose document.xml is a billion-laughs entity bomb."""
    entities = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "lol">{entities}]>'
           f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p>'
           f'</w:body></w:document>').encode()
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": xml})
