"""Old Word/WPS/RTF and ODF text -> DOCX, Excel 97/WPS/ODF spreadsheets -> XLSX, through
LibreOffice headless (mailbot.extract.soffice does the running).

Bytes in, bytes out, with the runner's ConvertError turned into the extractor's
ExtractError, so a missing or failing LibreOffice is one plain error line for
that file and the other files of the mail are still read.
"""

from __future__ import annotations

import email
import email.policy
import tempfile
from pathlib import Path

from mailbot.extract import soffice
from mailbot.extract.errors import ExtractError

# The export filters are named: an .odt saved from HTML opens in Writer/Web, which has
# no default .docx export.
DOCX = "docx:MS Word 2007 XML"
XLSX = "xlsx:Calc MS Excel 2007 XML"
# kind -> (the name LibreOffice is given the file under, the format it is read in)
CONVERTIBLE = {"doc": ("doc", DOCX), "wps": ("wps", DOCX), "rtf": ("rtf", DOCX),
               "odt": ("odt", DOCX), "xls": ("xls", XLSX), "ods": ("ods", XLSX),
               "et": ("xls", XLSX)}  # LibreOffice knows WPS .et only as the BIFF8 it is
TIMEOUT = 60.0
INSTALL_HINT = soffice.INSTALL_HINT


HTML_FILTER = "HTML (StarWriter)"  # Writer, not Writer/Web: only Writer exports DOCX


def convert(data: bytes, source: str, target: str, timeout: float = TIMEOUT) -> bytes:
    """`data` (a .{source} file) converted to .{target}; ExtractError on any failure.

    Word "web page" files saved as .doc are HTML, or MHT (the HTML inside a MIME
    message): both go through LibreOffice's Writer HTML import."""
    html = _html_of(data)
    if html is not None:
        data, source = html, "html"
    with tempfile.TemporaryDirectory(prefix="mailbot-convert-") as work:
        source_path = Path(work) / f"input.{source}"
        source_path.write_bytes(data)
        fmt = DOCX if target == "docx" else target
        try:
            produced = soffice.convert(source_path, fmt, Path(work) / "out", timeout,
                                       infilter=HTML_FILTER if html is not None else None)
        except soffice.ConvertError as error:
            raise ExtractError(str(error)) from None
        return produced.read_bytes()


def _html_of(data: bytes) -> bytes | None:
    """The HTML of a Word web page (plain or MHT), or None for any other file."""
    head = data[:1024].lstrip().lower()
    if not head.startswith(b"mime-version"):
        return data if b"<html" in head[:200] else None
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            html = part.get_payload(decode=True)
            charset = part.get_content_charset()
            if charset and b"charset" not in html[:2048].lower():  # say what MIME said
                html = f'<meta charset="{_charset(charset)}">'.encode("ascii") + html
            return html
    return None


def _charset(label: str) -> str:
    """gb2312/gbk labels hold GBK (and more): read them as gb18030."""
    return "gb18030" if label.lower() in ("gb2312", "gbk") else label


def to_readable(data: bytes, kind: str) -> tuple[bytes, str]:
    """(the file in a format the readers read, that format: docx or xlsx)."""
    source, target = CONVERTIBLE[kind]
    return convert(data, source, target), target.split(":", 1)[0]
