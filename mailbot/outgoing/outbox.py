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
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Protocol

from mailbot.core.models import Campaign, OutgoingMail
from mailbot.outgoing.filenames import name_both_ways
from mailbot.intake.worth import OUR_MARK
from mailbot.outgoing.smtp import SmtpTransport, TransportError
from mailbot.store import QueuedMail, Store, Tx, wall_clock

log = logging.getLogger(__name__)
# headers stored raw (the attachment names, see filenames.py) are written as given
COMPOSE_POLICY = default_policy.clone(refold_source="none")
GIVE_UP_AFTER = timedelta(days=3)  # a mail refused (4xx) that long after queueing is given up
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
    its digest in the folder's index and is not written twice. A file appears whole
    (written aside, then linked), and link() never replaces an existing file.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.index = FolderIndex(self.folder)

    def send(self, raw: bytes, sender: str, recipients: Sequence[str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(raw).hexdigest()[:16]
        with exclusive(self.folder / ".lock"):  # numbering is one writer at a time
            self.index.catch_up()
            if digest in self.index.digests:
                return  # delivered before a crash kept it from being marked sent
            partial = self.folder / f".{digest}.part"
            partial.write_bytes(raw)
            number = self.index.last + 1
            try:
                while True:
                    self.index.add(number, digest)  # first: a crash after it is undone
                    try:  # link() never replaces a file, whoever else writes here
                        os.link(partial, self.folder / f"{number:05d}-{digest}.eml")
                        return
                    except FileExistsError:
                        number += 1
            finally:
                partial.unlink()


class FolderIndex:
    """The folder transport's numbers and digests: `.index` beside the files, one
    line a file, read once by a process and then only for the lines appended since,
    so a send costs the same in a full folder (no listing of it).

    A line is written before its file is linked. A writer that died in between
    left the index's last line without its file: the next writer (under the same
    lock) finds that and voids the line, so the mail is written when handed over
    again. A folder from before the index is listed once to start it."""

    def __init__(self, folder: Path):
        self.path = folder / ".index"
        self.digests: set[str] = set()
        self.last = 0
        self._tail = ""
        self._offset: int | None = None

    def catch_up(self) -> None:
        if self._offset is None and not self.path.exists():
            with open(self.path, "a", encoding="ascii") as handle:
                handle.writelines(f"{name.removesuffix('.eml')}\n"
                                  for name in sorted(os.listdir(self.path.parent))
                                  if name[:1].isdigit() and name.endswith(".eml"))
        with open(self.path, "rb") as handle:
            handle.seek(self._offset or 0)
            for line in handle:
                self._note(line.decode("ascii").strip())
            self._offset = handle.tell()
        if self._tail and not (self.path.parent / f"{self._tail}.eml").exists():
            self._append(f"void {self._tail}")

    def add(self, number: int, digest: str) -> None:
        self._append(f"{number:05d}-{digest}")

    def _append(self, entry: str) -> None:
        with open(self.path, "a", encoding="ascii") as handle:
            handle.write(f"{entry}\n")
        self._note(entry)
        self._offset = self.path.stat().st_size

    def _note(self, entry: str) -> None:
        voided = entry.startswith("void ")
        number, _, digest = entry.removeprefix("void ").partition("-")
        if not (number.isdigit() and digest):
            return
        if voided:
            self.digests.discard(digest)
            self._tail = ""
        else:
            self.digests.add(digest)
            self.last, self._tail = max(self.last, int(number)), entry


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


def queue(tx: Tx, campaign: Campaign, sender: str, mail: OutgoingMail,
          now: datetime, unit: str | None = None, quarter: str | None = None) -> int | None:
    """Store a mail to send (inside the caller's transaction); None if already queued."""
    recipients = tuple(dict.fromkeys(a.lower() for a in (*mail.to, *mail.cc)))
    outside = [a for a in recipients if a not in allowed_addresses(campaign)]
    if outside or not recipients:
        raise NotInConfig(f"refusing to mail {', '.join(outside) or 'nobody'}: "
                          "not an address in config.toml")
    raw = compose(mail, sender, campaign.federation, now).as_bytes()
    return tx.queue_mail(mail.kind, mail.dedup_key, sender, recipients, mail.subject, raw,
                         queued_at=now, unit=unit, quarter=quarter)


def flush(store: Store, transport: Transport, now: datetime,
          give_up_after: timedelta = GIVE_UP_AFTER) -> tuple[int, int]:
    """Send every queued mail that is due, marking each sent on acceptance.

    Returns (sent, not sent). One flush at a time (a lock beside the store), so
    the worker's jobs, or a `mailbot remind` beside the worker, never hand the
    same mail over twice. Each mail is marked sent in its own commit, so a crash
    resends at most the one in hand. When the server (or our login) fails, or
    refuses every mail of the flush with a 4xx (its own outage), every mail waits
    and no attempt is counted: an outage delays mail and loses none. When the
    server refuses some mails and takes others, each refused one backs off; it is
    given up at once for a 5xx, or when still refused `give_up_after` after it was
    queued, and listed by `mailbot review`.
    """
    sent = 0
    refused: list[tuple[QueuedMail, TransportError]] = []
    with exclusive(store.path.parent / "outbox.lock"):
        due = store.unsent(now)
        for position, mail in enumerate(due):
            try:
                transport.send(mail.raw, mail.sender, mail.recipients)
            except (TransportError, OSError) as error:
                if not getattr(error, "mail_specific", False):
                    with store.transaction() as tx:
                        tx.note_send_error(mail.id, str(error))
                    log.warning("outbox: %s; %d mail(s) wait for the next try",
                                error, len(due) - position)
                    _count_failures(store, refused, now, give_up_after)
                    return sent, len(refused) + len(due) - position
                refused.append((mail, error))
                continue
            with store.transaction() as tx:  # handed over: when is real time
                tx.mark_sent(mail.id, wall_clock())
            log.info("outbox: %s %d sent to %s", mail.kind, mail.id, ", ".join(mail.recipients))
            sent += 1
        if _server_outage(sent, refused):
            _wait_out(store, refused, now, give_up_after)
        else:
            _count_failures(store, refused, now, give_up_after)
    return sent, len(refused)


def _server_outage(sent: int, refused: list) -> bool:
    """Every mail of the flush (two or more) refused for now: the server's trouble,
    not any one mail's."""
    return (not sent and len(refused) >= 2
            and all(error.temporary for _mail, error in refused))


def _wait_out(store: Store, refused: list, now: datetime, give_up_after: timedelta) -> None:
    log.warning("outbox: the server refused all %d mail(s) for now (%s): its own trouble, "
                "no attempt counted, trying again in %s", len(refused), refused[0][1],
                RETRY_FIRST)
    for mail, error in refused:
        if now - mail.queued_at >= give_up_after:
            _count_failures(store, [(mail, error)], now, give_up_after)
        else:
            with store.transaction() as tx:
                tx.note_send_error(mail.id, str(error), retry_at=now + RETRY_FIRST)


def _count_failures(store: Store, refused: list, now: datetime,
                    give_up_after: timedelta) -> None:
    """Each refused mail: given up for a 5xx, or when refused past its age limit (its
    stage, if any, then freed to be queued again); else retried after a backoff."""
    for mail, error in refused:
        attempts = mail.attempts + 1
        too_old = now - mail.queued_at >= give_up_after
        give_up = not getattr(error, "temporary", True) or too_old
        with store.transaction() as tx:
            tx.mark_send_failed(mail.id, str(error), permanent=give_up,
                                retry_at=None if give_up else now + retry_delay(attempts),
                                free_key=give_up and too_old)
        if give_up:
            log.error("mail %d (%s) not sent after %d attempt(s), given up: %s "
                      "(see `mailbot review`)", mail.id, mail.kind, attempts, error)
        else:
            log.warning("mail %d (%s) refused, attempt %d: %s", mail.id, mail.kind,
                        attempts, error)


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
