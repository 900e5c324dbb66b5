"""Raw bytes -> Message (pure). Interim parser; the full one handles GBK, rfc822 and more."""

from __future__ import annotations

import email
import email.policy
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from mailbot.models import Attachment, Message


def parse(raw: bytes) -> Message:
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    name, address = parseaddr(str(mail.get("From", "")))
    try:
        date = parsedate_to_datetime(str(mail["Date"])) if mail["Date"] else None
    except (TypeError, ValueError):
        date = None
    body = mail.get_body(preferencelist=("plain", "html"))
    attachments = tuple(
        Attachment(part.get_filename() or "unnamed", part.get_content_type(),
                   part.get_payload(decode=True) or b"")
        for part in mail.iter_attachments())
    return Message(
        message_id=str(mail.get("Message-ID", "")).strip(),
        subject=str(mail.get("Subject", "")), from_addr=address.lower(), from_name=name,
        to=tuple(a for _, a in getaddresses([str(v) for v in mail.get_all("To", [])])),
        date=date, text=body.get_content() if body else "", attachments=attachments,
        headers=tuple((k, str(v)) for k, v in mail.items()))


def is_automatic(message: Message) -> str | None:
    value = (message.header("Auto-Submitted") or "no").strip().lower()
    return None if value == "no" else f"Auto-Submitted: {value}"
