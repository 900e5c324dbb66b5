"""Where mail goes: composed, written to the store first, then handed to a transport.

The store is the queue, so a crash between queueing and sending resends at most
the one mail in hand, and an SMTP outage delays mail without losing any.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Protocol

from mailbot.models import Campaign, OutgoingMail
from mailbot.smtp import SmtpTransport, TransportError
from mailbot.store import Store

log = logging.getLogger(__name__)


class NotInConfig(ValueError):
    """Refusal to mail an address that config.toml does not list."""


class Transport(Protocol):
    def send(self, raw: bytes, sender: str, recipients: Sequence[str]) -> None: ...


class FolderTransport:
    """The embedded default: each mail becomes an .eml file in a folder."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def send(self, raw: bytes, sender: str, recipients: Sequence[str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        count = len(list(self.folder.glob("*.eml")))
        target = self.folder / f"{count + 1:05d}.eml"
        partial = target.with_suffix(".part")
        partial.write_bytes(raw)
        os.replace(partial, target)


def open_transport(endpoint) -> Transport:
    """The transport for config's [smtp]: a folder for outbox:, else SMTP."""
    if endpoint.scheme == "outbox":
        return FolderTransport(Path(endpoint.local_path))
    return SmtpTransport.from_endpoint(endpoint)


def allowed_addresses(campaign: Campaign) -> set[str]:
    addresses = {a.lower() for unit in campaign.units for a in unit.emails}
    return addresses | {a.lower() for a in campaign.federation_emails}


def compose(mail: OutgoingMail, sender: str, sender_name: str, now: datetime) -> EmailMessage:
    """Build the MIME message: UTF-8, threaded, marked automatic so no one auto-answers it."""
    message = EmailMessage()
    message["From"] = formataddr((sender_name, sender))
    message["To"] = ", ".join(mail.to)
    if mail.cc:
        message["Cc"] = ", ".join(mail.cc)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message["Auto-Submitted"] = mail.auto_submitted
    message["X-Auto-Response-Suppress"] = "All"
    if mail.in_reply_to:
        message["In-Reply-To"] = mail.in_reply_to
    if mail.references:
        message["References"] = " ".join(mail.references)
    message.set_content(mail.text, charset="utf-8")
    if mail.html:
        message.add_alternative(mail.html, subtype="html", charset="utf-8")
        html = message.get_payload()[-1]
        for image in mail.inline_images:  # shown by the HTML as cid:<filename>
            maintype, _, subtype = image.content_type.partition("/")
            html.add_related(image.data, maintype=maintype, subtype=subtype,
                             cid=f"<{image.filename}>", filename=image.filename,
                             disposition="inline")
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                               filename=attachment.filename)
    return message


def queue(store: Store, db, campaign: Campaign, sender: str, mail: OutgoingMail,
          now: datetime, unit: str | None = None, quarter: str | None = None) -> int | None:
    """Store a mail to send (inside the caller's transaction); None if already queued."""
    recipients = tuple(dict.fromkeys(a.lower() for a in (*mail.to, *mail.cc)))
    outside = [a for a in recipients if a not in allowed_addresses(campaign)]
    if outside or not recipients:
        raise NotInConfig(f"refusing to mail {', '.join(outside) or 'nobody'}: "
                          "not an address in config.toml")
    raw = compose(mail, sender, campaign.federation, now).as_bytes()
    return store.queue_mail(db, mail.kind, mail.dedup_key, sender, recipients,
                            mail.subject, raw, unit=unit, quarter=quarter)


def flush(store: Store, transport: Transport) -> tuple[int, int]:
    """Send every queued mail, marking each sent on acceptance; return (sent, failed)."""
    sent = failed = 0
    for mail in store.unsent():
        try:
            transport.send(mail.raw, mail.sender, mail.recipients)
        except (TransportError, OSError) as error:
            failed += 1
            temporary = getattr(error, "temporary", True)
            store.mark_send_failed(mail.id, str(error), permanent=not temporary)
            log.warning("mail %d (%s) not sent: %s", mail.id, mail.kind, error)
            if temporary:
                break  # the server is unwell: keep the order, try again later
            continue
        store.mark_sent(mail.id)
        sent += 1
    return sent, failed
