"""What kind of file is this? Content first, the file name only where content is silent.

Units send .doc files that are really DOCX, Word "web pages" saved as .doc, and
PDFs named .docx; trusting the extension would give them wrong errors.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from mailbot.extract.errors import ExtractError
from mailbot.extract.unpack import kind_of

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGES = {b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF", b"BM": "BMP",
          b"II*\x00": "TIFF", b"MM\x00*": "TIFF"}
HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"mif1", b"msf1")  # iPhone photos
READ_IMAGES = {"JPEG": "jpeg", "PNG": "png", "TIFF": "tiff", "BMP": "bmp"}  # by OCR
# OFD (版式文件, GB/T 33190), the format of e-government documents and electronic seals:
# no free reader of it here, so it is refused with the way to a PDF
OFD = ("OFD 格式（版式文件）暂不能读取，请在 OFD 阅读器（如数科OFD阅读器、福昕OFD版式办公套件）中"
       "将其另存为或打印为 PDF 后重新发送；电子版报表请发送 Word 文件")
CONVERTED = {".doc": "doc", ".wps": "wps", ".rtf": "rtf", ".dot": "doc", ".wpt": "wps"}
SHEETS = {".xls": "xls", ".et": "et", ".xlt": "xls", ".ett": "et"}  # BIFF8 (WPS .et too)
ODF = {f"application/vnd.oasis.opendocument.{name}": kind for name, kind in (
    ("text", "odt"), ("text-template", "odt"), ("text-web", "odt"), ("text-master", "odt"),
    ("spreadsheet", "ods"), ("spreadsheet-template", "ods"))}


def suffix(filename: str) -> str:
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower()


def detect(filename: str, data: bytes) -> str:
    """One of docx, pdf, doc, wps, rtf, odt, xlsx, xls, et, ods, zip, rar, 7z, jpeg, png,
    tiff, bmp, heic, webp; ExtractError for what we cannot read."""
    ext = suffix(filename)
    if not data:
        raise ExtractError("文件为空（0 字节）")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK"):
        return _zip_kind(data, ext)
    if data.startswith(OLE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ExtractError("文件设有打开密码，请取消密码后重新发送")
        return _ole_kind(data, ext)
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    lowered = head.lstrip().lower()
    if ext in CONVERTED and (lowered.startswith((b"<html", b"<!doctype", b"<?xml", b"mime-"))):
        return CONVERTED[ext]  # Word "web page" or Word 2003 XML saved as .doc
    packed = kind_of(data)
    if packed:
        return packed
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "heic"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":  # WeChat's saved pictures
        return "webp"
    for magic, name in IMAGES.items():
        if data.startswith(magic) and name in READ_IMAGES:
            return READ_IMAGES[name]
        if data.startswith(magic):
            raise ExtractError(f"{name} 格式的图片无法识别，请发送 PDF，或 JPG、PNG 格式的照片")
    if ext in ((".docx", ".pdf", ".zip", ".rar", ".7z", ".xlsx", ".odt", ".ods")
               | CONVERTED.keys() | SHEETS.keys()):
        raise ExtractError(f"文件扩展名为 {ext}，但内容不是该格式，请用原软件另存后重新发送")
    return _unsupported(ext)


def _unsupported(ext: str) -> str:
    """Refused, quoting the extension only where it is one (a name's "ext" may be a
    stranger's sentence after a dot)."""
    shown = ext if ext[1:].isascii() and ext[1:].isalnum() and len(ext) <= 6 else "扩展名无法识别"
    raise ExtractError(f"不支持的文件类型（{shown if ext else '无扩展名'}），请以 Word（.docx、.doc、.wps）、"
                       "表格或 PDF 格式发送报表")


def _ole_kind(data: bytes, ext: str) -> str:
    """An OLE compound file: a Word or WPS document, or an Excel/WPS spreadsheet (its
    directory names a Workbook stream), or PowerPoint, which holds no form."""
    if ext in SHEETS:
        return SHEETS[ext]
    streams = data[:1 << 20]
    if ("Workbook".encode("utf-16-le") in streams
            and "WordDocument".encode("utf-16-le") not in streams):
        return "xls"
    if ext in CONVERTED:
        return CONVERTED[ext]
    if ext == ".ppt":
        return _unsupported(ext)
    return "doc"


def _zip_kind(data: bytes, ext: str) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "ofd.xml" in {name.lower() for name in names}:  # GB/T 33190: a zip of XML parts
            raise ExtractError(OFD)
        if "word/document.xml" in names or any(n.startswith("word/") for n in names):
            return "docx"
        if "mimetype" in names and "content.xml" in names:
            with archive.open("mimetype") as member:  # ODF: its first member names the kind
                mimetype = member.read(100).decode("ascii", "replace").strip()
            if mimetype in ODF:
                return ODF[mimetype]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        return {".xlsx": "xlsx", ".zip": "zip"}.get(ext, "docx")  # the reader says what is wrong
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    if ext == ".docx":
        return "docx"
    return "zip"
