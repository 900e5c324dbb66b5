"""Attachment names that every mail client shows in Chinese.

Python writes a non-ASCII filename as RFC 2231 only (filename*=utf-8''...), which
Thunderbird and Apple Mail read but older Outlook and Foxmail do not: they read
RFC 2047 encoded words inside the quoted filename= and name= parameters. So both
are written, the RFC 2231 form last; clients that know it prefer it (RFC 2231 §4,
RFC 6266 §4.3). The headers are stored raw so the email package does not rewrite
them, and folded by hand, each line well under 78 characters.
"""

from __future__ import annotations

from email.header import Header
from email.message import EmailMessage
from urllib.parse import quote

CHUNK = 54  # percent-encoded characters per RFC 2231 continuation line
WORD_LINE = 60  # longest RFC 2047 encoded word, so a folded line stays under 78
CHARSET = "utf-8''"


def name_both_ways(part: EmailMessage, filename: str) -> None:
    """Rewrite the part's Content-Type name= and Content-Disposition filename= for `filename`."""
    if filename.isascii():
        return
    words = Header(filename, "utf-8", maxlinelen=WORD_LINE).encode(linesep="\n").split()
    quoted = '"' + "\r\n  ".join(words) + '"'
    content_type = part.get_content_type()
    disposition = part.get_content_disposition() or "attachment"
    del part["Content-Type"]
    del part["Content-Disposition"]
    part.set_raw("Content-Type", f"{content_type};\r\n name={quoted}")
    part.set_raw("Content-Disposition",
                 f"{disposition};\r\n filename={quoted};\r\n {_rfc2231(filename)}")


def _rfc2231(filename: str) -> str:
    """filename*0*=utf-8''...; filename*1*=...: RFC 2231 continuations, one a line."""
    pieces, current = [], ""
    for char in filename:
        if current and len(quote(current + char, safe="")) > CHUNK:
            pieces.append(quote(current, safe=""))
            current = ""
        current += char
    pieces.append(quote(current, safe=""))
    return ";\r\n ".join(f"filename*{i}*={CHARSET if i == 0 else ''}{piece}"
                          for i, piece in enumerate(pieces))
