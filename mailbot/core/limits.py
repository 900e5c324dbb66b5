"""How much of one mail mailbot reads and quotes back ([limits] in config.toml), pure.

A unit sends two or three files. A mail with a thousand attachments, a 50 MB
file or a 100 kB subject is a mistake or an attack; either way it is recorded
and answered, but only so much of it is read or quoted, so one mail can neither
stall the worker for minutes nor turn a receipt into a wall of text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mailbot.core.models import Attachment, Extraction, Message

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_attachments: int = 20  # attachments read per mail; the rest are listed as not read
    max_attachment_mb: int = 40  # a larger file is not opened at all
    max_subject_chars: int = 200  # subject and file names quoted in receipts are cut here


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def quoted(message: Message, limits: Limits) -> Message:
    """The mail as a reply may quote it: its subject within the limit."""
    return replace(message, subject=shorten(message.subject, limits.max_subject_chars))


def select_attachments(attachments: tuple[Attachment, ...], limits: Limits
                       ) -> tuple[list[Attachment], list[Extraction]]:
    """The attachments to read (names shortened), and an error entry for what is not read."""
    readable, refused = [], []
    for attachment in attachments[:limits.max_attachments]:
        name = shorten(attachment.filename, limits.max_subject_chars)
        size = len(attachment.data)
        if size > limits.max_attachment_mb * MB:
            refused.append(Extraction(file=name, format="unknown", error=(
                f"文件过大（{size / MB:.1f} MB，上限 {limits.max_attachment_mb} MB），未读取")))
        else:
            readable.append(replace(attachment, filename=name))
    rest = len(attachments) - limits.max_attachments
    if rest > 0:
        refused.append(Extraction(file=f"其余 {rest} 个附件", format="unknown", error=(
            f"附件过多，每封邮件最多读取 {limits.max_attachments} 个，其余未读取")))
    return readable, refused
