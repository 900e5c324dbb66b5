"""The process's pools of waiting threads, one per name, started at first use and kept.

The worker opens a context for every job, and a poll may bring one mail: threads
started for a poll and joined at its end were half a millisecond of such a poll.
So the threads that wait on parser processes (extract/ahead) and on the disk's
syncs (store/pending) are the process's, shared by every context and store. A
thread here only waits (on a process, on the disk), never works.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded at the first pool: a poll that finds nothing never loads it
    from concurrent.futures import ThreadPoolExecutor

_lock = threading.Lock()
_pools: dict[str, ThreadPoolExecutor] = {}


def shared(name: str, size: int) -> ThreadPoolExecutor:
    """The pool of `size` threads called `name` (its threads are `name_0`, `name_1`...)."""
    with _lock:
        if name not in _pools:
            from concurrent.futures import ThreadPoolExecutor

            _pools[name] = ThreadPoolExecutor(size, thread_name_prefix=name)
        return _pools[name]
