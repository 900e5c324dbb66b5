"""Which mail deserves an answer, or being held in a unit's name (pure).

A federation mailbox is mostly ordinary office mail: newsletters, "收到，谢谢"
replies to our own receipts, photos, meeting notices, mail *about* a unit. A held
notice or a receipt to such mail costs the federation the units' trust, so a
unit is told only about mail very likely meant as its report: files of the kind
a report comes in (attached, named in a 超大附件 link, or an online document's title
in the campaign's words; in a reply to our mail, a link of its own or a photo in which
the form is read), and for mail without them, the campaign's words in the subject.
"""

from __future__ import annotations

import re

from mailbot.core.models import IMAGE_FORMATS, Attachment, Extraction, Message
from mailbot.core.states import LinkKind

OUR_MARK = "mailbot"  # the idstring of our Message-IDs (outgoing.outbox.compose)
REPORT_FILES = (".doc", ".docx", ".wps", ".rtf", ".pdf", ".ofd", ".zip", ".rar", ".7z", ".xls",
                ".xlsx")
PHOTO_FILES = (".jpg", ".jpeg", ".png", ".heic", ".webp", ".bmp", ".tif", ".tiff")
CAMPAIGN_WORDS = re.compile(r"季度|进展|进度|报表|实事|报送")
REPLY_TO_OURS = re.compile(r"^\s*(?:(?:re|回复|答复|fw|fwd|转发)\s*[:：]\s*)+"
                           r"(?:回执|【提醒】|【催报】|【补报提醒】|提示|【请处理】)", re.IGNORECASE)


def our_message_id(message_id: str) -> bool:
    """True for a Message-ID mailbot made: <...{OUR_MARK}@domain>."""
    return f".{OUR_MARK}@" in message_id


def replies_to_us(message: Message) -> bool:
    """A reply to one of our receipts, reminders or notices (threading or subject)."""
    return (any(our_message_id(ref) for ref in message.references)
            or bool(REPLY_TO_OURS.match(message.subject)))


def report_files(attachments: tuple[Attachment, ...]) -> bool:
    """Files of the kinds a report comes in (not photos, not calendar invitations)."""
    return any(a.filename.lower().endswith(REPORT_FILES) for a in attachments)


def likely_report(message: Message, attachments: tuple[Attachment, ...],
                  extractions: tuple[Extraction, ...] = ()) -> bool:
    """Report files attached or linked; in a reply to our mail, a photo in which the
    form was read (a reminder answered with a photo of the stamped form, where a
    screenshot asking a question is not)."""
    if report_files(attachments) or linked_report(message):
        return True
    return photos_in_reply(message, attachments) and any(
        e.has_form for e in extractions if e.format in IMAGE_FORMATS)


def photos_in_reply(message: Message, attachments: tuple[Attachment, ...]) -> bool:
    """A reply to our mail with pictures: read them before taking it for "收到"."""
    return replies_to_us(message) and any(
        a.filename.lower().endswith(PHOTO_FILES) or a.content_type.startswith("image/")
        for a in attachments)


def linked_report(message: Message) -> bool:
    """Files of those kinds sent as download links (超大附件, a net disk's share), or an
    online document whose title speaks of the campaign (【腾讯文档】三季度进展情况表); any
    such link of the sender's own in a reply to our mail (a reminder answered with a link:
    our mail carries none, and a quoted one does not count)."""
    if message.linked and replies_to_us(message):
        return True
    return any(file.name.lower().endswith(REPORT_FILES) if file.kind is LinkKind.DOWNLOAD
               else bool(CAMPAIGN_WORDS.search(file.name)) for file in message.linked)


def about_campaign(message: Message) -> bool:
    return bool(CAMPAIGN_WORDS.search(message.subject))
