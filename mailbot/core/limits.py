"""How much of one mail mailbot reads and quotes back ([limits] in config.toml), pure.

A unit sends two or three files. A mail with a thousand attachments, a 50 MB
file or a 100 kB subject is a mistake or an attack; either way it is recorded
and answered, but only so much of it is read or quoted, so one mail can neither
stall the worker for minutes nor turn a receipt into a wall of text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a mail's values: built at the first mail (core.models)
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


# a URL, or anything shaped like a domain (label.label...tld): what a phishing text needs
# (compiled at the first mail quoted, not by every start: re.compile is ~1.5 ms)
LINKISH = (r"(?i)(?:[a-z][a-z0-9+.-]*://|www\.)\S*"
           r"|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\s*[.。．]\s*)+[a-z]{2,}\b")
LEFT_OUT = "（已略去）"


def scrub(text: str) -> str:
    """`text` without URLs and domains, so the federation's mail never carries a link
    that a stranger chose (a file's extension is kept: see `scrub_filename`)."""
    return re.sub(LINKISH, LEFT_OUT, text)


def scrub_filename(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot or not extension.isalnum() or len(extension) > 5:
        return scrub(name)
    return f"{scrub(stem)}.{extension}"


def quoted(message: Message, limits: Limits, verified: bool = True) -> Message:
    """The mail as a reply may quote it: the subject of a verified mail and the names of
    the files it links to, without URLs and domains, within the limit; nothing of an
    unverified one (it may be a stranger's text sent to a unit over the federation's
    genuine address)."""
    if not verified:
        return replace(message, subject="", linked=tuple(replace(file, name="")
                                                         for file in message.linked))
    subject = scrub(message.subject) or "（无主题）"
    return replace(message, subject=shorten(subject, limits.max_subject_chars), linked=tuple(
        replace(file, name=shorten(scrub_filename(file.name), limits.max_subject_chars))
        for file in message.linked))


def anonymous(attachments: tuple[Attachment, ...]) -> tuple[Attachment, ...]:
    """An unverified mail's files under neutral names (附件1.docx...): their names are
    never quoted back; the archived mail keeps the originals."""
    return tuple(replace(a, filename=_neutral("附件", number, a.filename))
                 for number, a in enumerate(attachments, start=1))


def unnamed_members(extractions: list[Extraction]) -> list[Extraction]:
    """An unverified mail's archive members under neutral names too (附件1.zip/文件1.docx,
    numbered in each archive): what a stranger named them is not quoted back either."""
    numbers: dict[str, dict[str, int]] = {}
    renamed = []
    for extraction in extractions:
        archive, inside, member = extraction.file.partition("/")  # 附件N has no "/"
        if not inside:
            renamed.append(extraction)
            continue
        members = numbers.setdefault(archive, {})
        number = members.setdefault(member, len(members) + 1)
        renamed.append(replace(extraction, file=f"{archive}/{_neutral('文件', number, member)}"))
    return renamed


def _neutral(word: str, number: int, name: str) -> str:
    """附件3.docx: the word, the number, and the name's extension (at most five letters)."""
    return f"{word}{number}" + ("." + name.rpartition(".")[2][:5] if "." in name else "")


def select_attachments(attachments: tuple[Attachment, ...], limits: Limits
                       ) -> tuple[list[Attachment], list[Extraction]]:
    """The attachments to read (names shortened), and an error entry for what is not read."""
    from mailbot.core.models import Extraction

    readable, refused = [], []
    for attachment in attachments[:limits.max_attachments]:
        name = shorten(scrub_filename(attachment.filename), limits.max_subject_chars)
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
