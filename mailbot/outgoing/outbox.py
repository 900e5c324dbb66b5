"""Where mail goes: composed, written to the store first, then handed to a transport.

The store is the queue, so a crash between queueing and sending resends at most
the one mail in hand, and an SMTP outage delays mail without losing any.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import secrets
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Protocol

from mailbot.core.models import Campaign, OutgoingMail
from mailbot.outgoing.filenames import name_both_ways
from mailbot.intake.worth import OUR_MARK
from mailbot.outgoing.smtp import SmtpTransport, TransportError
from mailbot.store import QueuedMail, Store

log = logging.getLogger(__name__)
# headers stored raw (the attachment names, see filenames.py) are written as given
COMPOSE_POLICY = default_policy.clone(refold_source="none")
MAX_SEND_ATTEMPTS = 8  # refusals of one mail before it is given up (about four hours)
RETRY_FIRST = timedelta(minutes=2)
RETRY_MAX = timedelta(hours=2)


class NotInConfig(ValueError):
    """Refusal to mail an address that config.toml does not list."""


class Transport(Protocol):
    def send(self, raw: bytes, sender: str, recipients: Sequence[str]) -> None: ...


class FolderTransport:
    """The embedded default: each mail becomes an .eml file in a folder.

    Files are numbered in sending order and carry a digest of the bytes: the
    same mail handed over again (after a crash before it was marked sent) finds
    its file and is not written twice. A file appears whole (written aside, then
    linked), and link() never replaces an existing file.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def send(self, raw: bytes, sender: str, recipients: Sequence[str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(raw).hexdigest()[:16]
        with exclusive(self.folder / ".lock"):  # numbering is one writer at a time
            if any(self.folder.glob(f"*-{digest}.eml")):
                return  # delivered before a crash kept it from being marked sent
            partial = self.folder / f".{digest}.part"
            partial.write_bytes(raw)
            numbers = (p.name.split("-")[0].removesuffix(".eml")
                       for p in self.folder.glob("[0-9]*.eml"))
            number = 1 + max((int(n) for n in numbers if n.isdigit()), default=0)
            try:
                while True:
                    try:  # link() never replaces a file, whoever else writes here
                        os.link(partial, self.folder / f"{number:05d}-{digest}.eml")
                        return
                    except FileExistsError:
                        number += 1
            finally:
                partial.unlink()


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
    message = EmailMessage(policy=COMPOSE_POLICY)
    message["From"] = formataddr((sender_name, sender))
    message["To"] = ", ".join(mail.to)
    if mail.cc:
        message["Cc"] = ", ".join(mail.cc)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    # short enough not to be folded, and marked, so replies to it are recognised
    message["Message-ID"] = f"<{secrets.token_hex(10)}.{OUR_MARK}@{sender.rsplit('@', 1)[-1]}>"
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
        name_both_ways(message.get_payload()[-1], attachment.filename)
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
                            mail.subject, raw, unit=unit, quarter=quarter, created_at=now)


def flush(store: Store, transport: Transport,
          now: datetime | None = None) -> tuple[int, int]:
    """Send every queued mail that is due, marking each sent on acceptance.

    Returns (sent, not sent). One flush at a time (a lock beside the store), so
    the worker's jobs, or a `mailbot remind` beside the worker, never hand the
    same mail over twice. Each mail is marked sent in its own commit, so a crash
    resends at most the one in hand. When the server (or our login) fails,
    every mail waits for the next flush and no attempt is counted: an outage
    delays mail and loses none. When the server refuses one mail, that mail is
    retried with backoff, given up after MAX_SEND_ATTEMPTS (or at once for a
    5xx) and listed by `mailbot review`, and the others go on.
    """
    now = now or datetime.now(timezone.utc)
    sent = failed = 0
    with exclusive(store.path.parent / "outbox.lock"):
        due = store.unsent(now)
        for position, mail in enumerate(due):
            try:
                transport.send(mail.raw, mail.sender, mail.recipients)
            except (TransportError, OSError) as error:
                if not getattr(error, "mail_specific", False):
                    store.note_send_error(mail.id, str(error))
                    log.warning("outbox: %s; %d mail(s) wait for the next try",
                                error, len(due) - position)
                    return sent, failed + len(due) - position
                failed += 1
                _count_failure(store, mail, error, now)
                continue
            store.mark_sent(mail.id)
            log.info("outbox: %s %d sent to %s", mail.kind, mail.id, ", ".join(mail.recipients))
            sent += 1
    return sent, failed


def _count_failure(store: Store, mail: QueuedMail, error: TransportError,
                   now: datetime) -> None:
    attempts = mail.attempts + 1
    give_up = not error.temporary or attempts >= MAX_SEND_ATTEMPTS
    store.mark_send_failed(mail.id, str(error), permanent=give_up,
                           retry_at=None if give_up else now + retry_delay(attempts))
    if give_up:
        log.error("mail %d (%s) not sent after %d attempt(s), given up: %s "
                  "(see `mailbot review`)", mail.id, mail.kind, attempts, error)
    else:
        log.warning("mail %d (%s) refused, attempt %d of %d: %s", mail.id, mail.kind,
                    attempts, MAX_SEND_ATTEMPTS, error)


def retry_delay(attempts: int) -> timedelta:
    """Backoff after a mail's n-th refusal: 2, 4, 8 ... minutes, at most two hours."""
    return min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_MAX)


@contextmanager
def exclusive(path: Path):
    """An exclusive lock on `path` for the block (threads and processes alike);
    the kernel drops it if the process dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="ascii") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
