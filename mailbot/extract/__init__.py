"""A report file -> the form rows in it (one `Extraction` per document).

    extract_attachment(filename, data, campaign) -> list[Extraction]
    extract_path(path, campaign) -> list[Extraction]
    format_table(extractions) -> str   (the human form of `mailbot extract`)
    read_files(attachments, campaign, budget, ahead) -> (list[Extraction], seconds)
                                       (a mail's files, taken from a ReadAhead if read ahead)

Never raises for bad input: each file's problem is its Extraction.error. Every
document is parsed in a confined parser process with time and memory limits (sandbox,
pool).
"""

from __future__ import annotations

from pathlib import Path

from mailbot.extract.ahead import ReadAhead, read_files
from mailbot.extract.errors import ExtractError, Stopped
from mailbot.extract.sandbox import Budget
from mailbot.extract.show import format_table
from mailbot.core.models import Campaign, Extraction

__all__ = ["Budget", "ExtractError", "ReadAhead", "Stopped", "extract_attachment",
           "extract_path", "format_table", "read_files"]


def extract_attachment(filename: str, data: bytes, campaign: Campaign,
                       budget: Budget = Budget()) -> list[Extraction]:
    """Every document in the file: one for a document, one per member for a zip, within
    the mail's parse `budget` (Stopped when the worker is stopping meanwhile).

    The readers (pdfplumber, python-docx, OCR...) are imported at the first file, in
    the worker before it forks, so `status` and an empty `poll` never load them."""
    from mailbot.extract.reader import read_document

    return read_document(filename, data, campaign, depth=0, budget=budget)


def extract_path(path: Path, campaign: Campaign) -> list[Extraction]:
    """Like extract_attachment, reading the file first (an unreadable path is an error too)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return [Extraction(file=str(path), format="unknown",
                           error=f"无法读取文件（{error.strerror or error}）")]
    return extract_attachment(str(path), data, campaign)
