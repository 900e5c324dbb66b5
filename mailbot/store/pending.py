"""What a group commit still owes the disk (Store.group, docs/design.md, Durability).

A poll records many mails in a row. Waiting for the disk after each one costs more
than the mail itself (an fsync of the archived file, of its folder and of SQLite's
log: three waits a mail), so inside a group the store notes what it wrote and syncs
it in rounds: the archived files and their folders before the next commit (one
syncfs(2) where there is one), the log (whose one sync makes every commit before it
durable) when the group settles.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Pending:
    """Archived files (their descriptors, kept open for the sync) and folders written
    since the last round of syncs, and whether anything was committed since the log
    was last synced."""

    files: list[int] = field(default_factory=list)
    folders: dict[Path, None] = field(default_factory=dict)  # an ordered set
    committed: bool = False


@functools.cache
def filesystem_sync() -> Callable[[int], None] | None:
    """syncfs(2) where the system has it (Linux), else None (then each file is synced).

    One call writes every dirty file and folder of the descriptor's filesystem to the
    disk and flushes its cache: for a round of twenty archived mails in twenty folders,
    one wait instead of forty (PostgreSQL's recovery_init_sync_method=syncfs does the
    same). Linux reports a failed write-back to syncfs since 5.8."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "syncfs"):
        return None

    def syncfs(fd: int) -> None:
        if libc.syncfs(fd) != 0:
            error = ctypes.get_errno()
            raise OSError(error, os.strerror(error))

    return syncfs
