"""The poll loop's read-ahead: while a mail is recorded, the next mails' files are parsed,
and the next mails are archived together, so their syncs are one round (Store.group).

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
from mailbot.mailbox import RawMail
from mailbot.store import Store, StoreUnavailable

WINDOW = 2  # mails read ahead of the one being recorded: one per parser process
ARCHIVE_BYTES = 8 * 1024 * 1024  # mails held to be archived together (a larger one alone)


def archive_ahead(store: Store, mails: Iterable[RawMail], batch: int,
                  due: Callable[[RawMail], bool]) -> Iterator[RawMail]:
    """`mails` in their order, archived `batch` at a time (the source's fetch batch:
    nothing is fetched early for it) before the first of them is yielded: inside a
    group (Store.group) their files and folders are then synced in one round, before
    the first record. A mail the archive refuses (a full or read-only disk) is left to
    the pipeline, which says so for that mail."""
    chunk: list[RawMail] = []
    size = 0
    for mail in mails:
        chunk.append(mail)
        size += len(mail.raw)
        if len(chunk) >= batch or size >= ARCHIVE_BYTES:
            yield from _archived(store, chunk, due)
            chunk, size = [], 0
    yield from _archived(store, chunk, due)


def _archived(store: Store, chunk: list[RawMail], due: Callable[[RawMail], bool]
              ) -> list[RawMail]:
    try:
        for mail in chunk:
            if due(mail):
                store.archive(mail.raw)
    except StoreUnavailable:
        pass  # the pipeline archives that mail itself and reports the error
    return chunk


def read_ahead(ctx, mails: Iterable[RawMail], since: date | None,
               due: Callable[[RawMail], bool]) -> Iterator[tuple[RawMail, Message | None]]:
    """`mails` in their order, each yielded after the files of up to WINDOW later ones
    were handed to ctx.ahead (none when the context has no ReadAhead), with the mail
    as parsed for that (None where it was not), so the pipeline need not parse it
    again. `due(mail)` says whether the pipeline will process the mail (not a
    duplicate)."""
    ahead: ReadAhead | None = ctx.ahead
    if ahead is None:
        yield from ((mail, None) for mail in mails)
        return
    waiting: deque[tuple[RawMail, Message | None]] = deque()
    try:
        for mail in mails:
            parsed = None
            if due(mail) and not (since and ctx.local_day(mail.received_at) < since):
                parsed = _submit(ctx, ahead, mail)
            waiting.append((mail, parsed))
            if len(waiting) > WINDOW:
                yield waiting.popleft()
        while waiting:
            yield waiting.popleft()
    finally:
        ahead.close()


def _submit(ctx, ahead: ReadAhead, mail: RawMail) -> Message:
    message = parse(mail.raw)
    readable, _ = select_attachments(message.attachments, ctx.config.limits)
    if readable:
        ahead.submit(readable, ctx.config.campaign, ctx.mail_seconds, ctx.stop)
    return message
