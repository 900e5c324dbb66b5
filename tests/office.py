"""Ordinary office files and mails, the kind a federation's mailbox is full of.

Used to show that mail which is not a report changes nothing and gets no answer.
"""

from __future__ import annotations

import io

import docx


def plain_docx(text: str) -> bytes:
    """A Word file with paragraphs and no progress table (an agenda, a notice)."""
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
