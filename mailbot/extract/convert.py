"""Old Word/WPS/RTF -> DOCX through LibreOffice headless (mailbot.soffice does the running).

Bytes in, bytes out, with the runner's ConvertError turned into the extractor's
ExtractError, so a missing or failing LibreOffice is one plain error line for
that file and the other files of the mail are still read.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from mailbot.extract import soffice
from mailbot.extract.errors import ExtractError

CONVERTIBLE = ("doc", "wps", "rtf")
TIMEOUT = 60.0
INSTALL_HINT = soffice.INSTALL_HINT


def convert(data: bytes, source: str, target: str, timeout: float = TIMEOUT) -> bytes:
    """`data` (a .{source} file) converted to .{target}; ExtractError on any failure."""
    with tempfile.TemporaryDirectory(prefix="mailbot-convert-") as work:
        source_path = Path(work) / f"input.{source}"
        source_path.write_bytes(data)
        try:
            produced = soffice.convert(source_path, target, Path(work) / "out", timeout)
        except soffice.ConvertError as error:
            raise ExtractError(str(error)) from None
        return produced.read_bytes()


def to_docx(data: bytes, kind: str) -> bytes:
    return convert(data, kind, "docx")
