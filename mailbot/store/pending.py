"""What a group commit still owes the disk (Store.group, docs/design.md, Durability).

A poll records many mails in a row. Waiting for the disk after each one costs more
than the mail itself (an fsync of the archived file, of its folder and of SQLite's
log: three waits a mail), so inside a group the store notes what it wrote and syncs
it in rounds: the archived files and their folders before the next commit, the log
(whose one sync makes every commit before it durable) when the group settles.

A round may start early, on threads of its own (`start_round`), so that the disk
works while the poll parses the mails it just archived; the next commit still waits
for it (`finish`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

SYNC_THREADS = 16  # syncs of one round in flight together (8 did as well as 64 here)

if TYPE_CHECKING:  # the threads start at the first early round: a poll that finds
    from concurrent.futures import Future, ThreadPoolExecutor  # nothing never loads them


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
class Pending:
    """Archived files (their descriptors, kept open for the sync) and folders written
    since the last round of syncs, the syncs started and not yet waited for, and
    whether anything was committed since the log was last synced."""

    sync: Callable[[int], None]
    files: list[int] = field(default_factory=list)
    folders: dict[Path, None] = field(default_factory=dict)  # an ordered set
    committed: bool = False
    started: list[Future] = field(default_factory=list)
    _threads: ThreadPoolExecutor | None = None

    def _taken(self) -> tuple[list[int], list[Path]]:
        files, folders = self.files, list(self.folders)
        self.files, self.folders = [], {}
        return files, folders

    def start_round(self) -> None:
        """Sync what was archived so far on the group's sync threads, every file and
        folder at once: the calls wait for the disk without holding the interpreter,
        and the filesystem commits syncs that wait together in one journal flush
        (a round of 20 mails: 3.5 s instead of 4.7-5.3 s for a first poll of 5,000,
        docs/benchmarks.md)."""
        if not (self.files or self.folders):
            return
        if self._threads is None:
            from concurrent.futures import ThreadPoolExecutor

            self._threads = ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="archive-sync")
        files, folders = self._taken()
        self.started += [self._threads.submit(sync_closing, self.sync, fd) for fd in files]
        self.started += [self._threads.submit(sync_path, self.sync, path) for path in folders]

    def finish(self) -> None:
        """Every archived file and folder durable: what is left synced here, and every
        sync started waited for. Raises the first OSError of any of them."""
        started, self.started = self.started, []
        files, folders = self._taken()
        try:
            for fd in files:
                self.sync(fd)
            for path in folders:
                sync_path(self.sync, path)
        finally:
            for fd in files:
                os.close(fd)
            for sync in started:
                sync.exception()  # waits for it: every descriptor is closed on return
        for sync in started:
            sync.result()

    def close(self) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=True)
            self._threads = None
