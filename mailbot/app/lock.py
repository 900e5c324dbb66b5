"""One reader of the mailbox at a time: the fcntl lock `run`, `poll` and `ingest` hold.

Apart from the scheduler so that a command taking the lock (`poll --once`,
`ingest`, `rebuild`) does not load APScheduler.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class AlreadyRunning(Exception):
    """Another worker holds the lock; the message tells the operator what to do."""


def worker_lock(store_path: Path) -> Path:
    """The lock the worker holds for its life; `poll` and `ingest` take it too, so two
    processes never read the same mail at once."""
    return Path(store_path).parent / "mailbot.lock"


@contextmanager
def single_instance(lock_path: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (with our pid in it) for the block.

    The kernel drops an fcntl lock when the process dies, even by SIGKILL, so a
    crash never leaves a stale lock behind.
    """
    path = Path(lock_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="ascii")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise AlreadyRunning(
            f"another mailbot worker is already running (pid {holder}, lock {path}); "
            "only one may run at a time: stop it first (e.g. systemctl stop mailbot)") from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()
