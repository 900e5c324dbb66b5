"""Read ahead: the files of later mails parsed on the pool while earlier mails are recorded.

On a backlog the poll loop records mails strictly one after the other, and a
mail's files are most of its time; one mail at a time keeps one parser process
busy and the other core idle. So the loop hands the files of the next mails to
`ReadAhead.submit`, a thread per parser process reads them (each thread waits
on its process), and when the pipeline reaches a mail, `read_files` takes what
was read for it instead of reading it again.

What is taken is what a read in order would have given: a mail's files are
read together, under one budget of the mail's seconds, by the same functions,
and a result is used only when that budget equals the one the pipeline gives
the mail now, or its files were done well inside the smaller one (a sender with
little left this hour is read again, in order, under what it has left). Its
parse seconds are charged to the sender as if read in order.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future

from mailbot.core.models import Attachment, Campaign, Extraction
from mailbot.core.threads import shared
from mailbot.extract.errors import Stopped
from mailbot.extract.pool import STOP_POLL
from mailbot.extract.sandbox import MIN_SECONDS, PARSERS, Budget

Read = tuple[list[Extraction], float]  # a mail's documents, and the seconds they took


class ReadAhead:
    """Mails' files being read ahead, by content; at most `keep` mails held."""

    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self._reads: OrderedDict[tuple, tuple[float, Future]] = OrderedDict()
        self._lock = threading.Lock()
        self.taken = 0  # mails whose read was used (logged, and asserted by the tests)

    def submit(self, files: Sequence[Attachment], campaign: Campaign, seconds: float,
               stop: threading.Event | None = None) -> None:
        """Start reading a mail's files under a budget of `seconds` for all of them: one
        after the other, or, when no other mail's read is under way (one new mail, as
        IDLE brings them), each on its own parser process, as a read in order does."""
        key = _key(files, campaign)
        with self._lock:
            if key in self._reads:
                return
            alone = all(future.done() for _, future in self._reads.values())
            future = shared("read-ahead", PARSERS).submit(_read, tuple(files), campaign,
                                                            seconds, stop, alone)
            self._reads[key] = (seconds, future)
            while len(self._reads) > self.keep:  # never asked for (the mail was ignored)
                self._reads.popitem(last=False)[1][1].cancel()

    def take(self, files: Sequence[Attachment], campaign: Campaign,
             budget: Budget) -> Read | None:
        """What was read ahead for these files, if a read in order under `budget` would
        have given the same; None when it must be read now."""
        with self._lock:
            held = self._reads.pop(_key(files, campaign), None)
        if held is None:
            return None
        seconds, future = held
        try:
            extractions, spent = _wait(future, budget)
        except CancelledError:
            return None
        if not _same(seconds, spent, budget.seconds):
            return None
        self.taken += 1
        return extractions, spent

    def close(self) -> None:
        """Forget what nobody took, and cancel what has not started: the poll that read
        ahead is over (the threads stay for the next one: core.threads)."""
        with self._lock:
            for _, future in self._reads.values():
                future.cancel()
            self._reads.clear()


def read_files(files: Sequence[Attachment], campaign: Campaign, budget: Budget,
               ahead: ReadAhead | None = None) -> Read:
    """Every file's documents and the parse seconds they cost, taken from `ahead`
    where it read them already (Stopped when the worker is stopping)."""
    taken = ahead.take(files, campaign, budget) if ahead is not None else None
    return taken if taken is not None else _read_under(files, campaign, budget, at_once=True)


def _read(files: tuple[Attachment, ...], campaign: Campaign, seconds: float,
          stop: threading.Event | None, alone: bool) -> Read:
    """A read-ahead thread's mail: its files one after the other (the other thread keeps
    the other parser process busy with the next mail), or at once when it is `alone`."""
    return _read_under(files, campaign, Budget.of(seconds, stop), at_once=alone)


def _read_under(files: Sequence[Attachment], campaign: Campaign, budget: Budget,
                at_once: bool) -> Read:
    """A mail's files in the mail's order, all under the one budget; `at_once`, one per
    parser process (a mail read alone: its Word form need not wait for its stamped
    PDF): this thread reads the first, helpers the others."""
    from mailbot.extract.reader import read_document  # the readers only once a file is read

    def read(attachment: Attachment) -> list[Extraction]:
        return read_document(attachment.filename, attachment.data, campaign, 0, budget)

    started = time.monotonic()
    here, elsewhere = (files[:1], files[1:]) if at_once else (files, ())
    helpers = shared("mail-files", max(PARSERS - 1, 1))  # the other parser processes'
    helped = [helpers.submit(read, attachment) for attachment in elsewhere]
    documents = [read(attachment) for attachment in here] + [f.result() for f in helped]
    found = [extraction for extractions in documents for extraction in extractions]
    return found, time.monotonic() - started


def _same(ahead: float, spent: float, now: float) -> bool:
    """Would a read in order under `now` seconds have given what was read under `ahead`
    in `spent`? Under the same budget, yes; under less, when every file was done with
    more than MIN_SECONDS of it left (no file cut short or refused for the budget)."""
    return ahead == now or (ahead > now and spent + MIN_SECONDS < now)


def _wait(future: Future, budget: Budget) -> Read:
    """The future's result, looking at the worker's stop request meanwhile."""
    while True:
        if budget.stop is not None and budget.stop.is_set():
            future.cancel()
            raise Stopped("the worker is stopping")
        try:
            return future.result(timeout=STOP_POLL)
        except TimeoutError:
            continue


def _key(files: Sequence[Attachment], campaign: Campaign) -> tuple:
    return (campaign, *((file.filename, hashlib.sha256(file.data).digest()) for file in files))
