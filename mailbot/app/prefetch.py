"""The poll loop's read-ahead: while a mail is recorded, the next mails' files are parsed,
and the mails of a fetch batch are archived together, so their syncs are one round
(Store.group), which the disk works on while they are parsed and the next batch is
fetched.

Mails are still recorded one at a time, in arrival order (the contract of
`pipeline.poll`); only their files are read early, on the other parser process
(extract.ReadAhead), so a backlog keeps both cores busy. A mail is read ahead
only where the pipeline would read it: new (or due a retry), not before
`since`, and only the attachments the limits allow, under the mail's own parse
budget; what the pipeline then takes is what it would have read itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from mailbot.core.limits import select_attachments
from mailbot.core.models import Message
from mailbot.extract import ReadAhead
from mailbot.intake.message import parse
from mailbot.mailbox import MailboxError, RawMail
from mailbot.store import Store, StoreUnavailable

WINDOW = 2  # mails read ahead of the one being recorded: one per parser process
ARCHIVE_BYTES = 8 * 1024 * 1024  # mails held to be archived together (a larger one alone)


def archive_ahead(store: Store, mails: Iterable[RawMail], batch: int,
                  due: Callable[[RawMail], bool]
                  ) -> Iterator[tuple[RawMail, Message | None]]:
    """`mails` in their order, each with the mail parsed (None for one the pipeline
    will not process), archived `batch` at a time (the source's fetch batch). A
    batch is archived and its round of syncs started (Store.sync_soon); then it is
    parsed and the next batch fetched, while the disk works (neither writes to the
    disk, which would wait for the syncs' journal commits); then its mails are
    yielded, and the first record waits for the round (docs/design.md, Durability).
    When the mailbox fails while a batch is fetched, the mails fetched before it are
    yielded first. A mail the archive refuses (a full or read-only disk) is left to
    the pipeline, which says so for that mail."""
    chunks = _chunks(mails, batch)
    chunk = next(chunks, None)
    while chunk is not None:
        archived = _archived(store, chunk, due)
        try:
            chunk = next(chunks, None)
        except MailboxError:
            yield from archived  # recorded before the error ends the poll
            raise
        yield from archived


def _chunks(mails: Iterable[RawMail], batch: int) -> Iterator[list[RawMail]]:
    """`batch` mails at a time, or fewer that hold ARCHIVE_BYTES."""
    chunk: list[RawMail] = []
    size = 0
    for mail in mails:
        chunk.append(mail)
        size += len(mail.raw)
        if len(chunk) >= batch or size >= ARCHIVE_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _archived(store: Store, chunk: list[RawMail], due: Callable[[RawMail], bool]
              ) -> list[tuple[RawMail, Message | None]]:
    wanted = [due(mail) for mail in chunk]
    try:
        for mail, fresh in zip(chunk, wanted):
            if fresh:
                store.archive(mail.raw)
    except StoreUnavailable:
        pass  # the pipeline archives that mail itself and reports the error
    store.sync_soon()
    return [(mail, parse(mail.raw) if fresh else None) for mail, fresh in zip(chunk, wanted)]


def read_ahead(ctx, mails: Iterable[tuple[RawMail, Message | None]], since: date | None
               ) -> Iterator[tuple[RawMail, Message | None]]:
    """`mails` (each with its parse, None for one the pipeline will not process) in
    their order, each yielded after the files of up to WINDOW later ones were handed
    to ctx.ahead (none when the context has no ReadAhead); when the mailbox fails,
    the mails fetched before are yielded first."""
    ahead: ReadAhead | None = ctx.ahead
    if ahead is None:
        yield from mails
        return
    waiting: deque[tuple[RawMail, Message | None]] = deque()
    try:
        try:
            for mail, parsed in mails:
                if parsed is not None and not (since and ctx.local_day(mail.received_at) < since):
                    _submit(ctx, ahead, parsed)
                waiting.append((mail, parsed))
                if len(waiting) > WINDOW:
                    yield waiting.popleft()
        except MailboxError:
            yield from waiting  # fetched before the mailbox failed: recorded first
            raise
        yield from waiting
    finally:
        ahead.close()


def _submit(ctx, ahead: ReadAhead, message: Message) -> None:
    readable, _ = select_attachments(message.attachments, ctx.config.limits)
    if readable:
        ahead.submit(readable, ctx.config.campaign, ctx.mail_seconds, ctx.stop)
