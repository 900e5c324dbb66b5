"""What a group commit still owes the disk (Store.group, docs/design.md, Durability).

A poll records many mails in a row. Waiting for the disk after each one costs more
than the mail itself (an fsync of the archived file, of its folder and of SQLite's
log: three waits a mail), so inside a group the store notes what it wrote and syncs
it in rounds: the archived files and their folders before the next commit, the log
(whose one sync makes every commit before it durable) when the group settles.

A round may start early, on the process's sync threads (`start_round`), so that the disk
works while the poll parses those mails and fetches the next batch; a mail of that
round waits for it when it comes to be recorded (`wait_for`), and the settle for
every round.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mailbot.core.threads import shared

SYNC_THREADS = 16  # syncs of one round in flight together (8 did as well as 64 here)

if TYPE_CHECKING:  # the threads start at the first early round: a poll that finds
    from concurrent.futures import Future  # nothing never loads them


def sync_path(sync: Callable[[int], None], path: Path) -> None:
    """Sync one file or folder by name (a folder's sync makes its new entries durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        sync(fd)
    finally:
        os.close(fd)


def sync_closing(sync: Callable[[int], None], fd: int) -> None:
    """Sync an archived file through the descriptor its writer kept open, then close it."""
    try:
        sync(fd)
    finally:
        os.close(fd)


@dataclass
class Round:
    """The syncs of one early round, and the mails (by hash) whose files it holds."""

    digests: set[str]
    syncs: list[Future]

    def done(self) -> None:
        """Until every sync of the round is done."""
        for sync in self.syncs:
            sync.exception()

    def wait(self) -> None:
        """Until every sync of the round is done; then the first OSError of any of them."""
        self.done()
        for sync in self.syncs:
            sync.result()


@dataclass
class Pending:
    """Archived files (their descriptors, kept open for the sync, and the mails' hashes)
    and folders written since the last round of syncs, the rounds started early and
    not yet waited for, and whether anything was committed since the log was last
    synced."""

    sync: Callable[[int], None]
    files: list[int] = field(default_factory=list)
    digests: set[str] = field(default_factory=set)
    folders: dict[Path, None] = field(default_factory=dict)  # an ordered set
    committed: bool = False
    rounds: list[Round] = field(default_factory=list)

    def add(self, digest: str, fd: int) -> None:
        self.files.append(fd)
        self.digests.add(digest)

    def _taken(self) -> tuple[list[int], set[str], list[Path]]:
        taken = self.files, self.digests, list(self.folders)
        self.files, self.digests, self.folders = [], set(), {}
        return taken

    def start_round(self) -> None:
        """Sync what was archived so far on the process's sync threads, every file and
        folder at once: the calls wait for the disk without holding the interpreter,
        and the filesystem commits syncs that wait together in one journal flush
        (docs/benchmarks.md, the first poll)."""
        if not (self.files or self.folders):
            return
        threads = shared("archive-sync", SYNC_THREADS)
        files, digests, folders = self._taken()
        syncs = [threads.submit(sync_closing, self.sync, fd) for fd in files]
        syncs += [threads.submit(sync_path, self.sync, path) for path in folders]
        self.rounds.append(Round(digests, syncs))

    def wait_for(self, digest: str) -> None:
        """The mail's file durable, if an early round holds it (its whole round, and
        every round started before it)."""
        held = next((n for n, done in enumerate(self.rounds) if digest in done.digests), None)
        if held is not None:
            self._wait(self.rounds[:held + 1])

    def sync_now(self) -> None:
        """What no round holds yet, synced here: the files, then their folders."""
        files, _, folders = self._taken()
        try:
            for fd in files:
                self.sync(fd)
            for path in folders:
                sync_path(self.sync, path)
        finally:
            for fd in files:
                os.close(fd)

    def finish(self) -> None:
        """Every archived file and folder durable: what is left synced here, and every
        round waited for. Raises the first OSError of any of them."""
        try:
            self.sync_now()
        finally:
            self._wait(list(self.rounds))

    def _wait(self, rounds: list[Round]) -> None:
        """Until every sync of `rounds` is done (none left running on the shared threads,
        whatever fails); then the first OSError of any of them."""
        try:
            for each in rounds:
                each.done()
            for each in rounds:
                each.wait()
        finally:
            self.rounds = [r for r in self.rounds if r not in rounds]
