"""Run a parser on untrusted bytes in a confined process with time, CPU and memory limits.

The processes are long-lived and started once (pool): each gave up, before its
first file, what a hostile file could abuse (confine: no environment, no
inherited descriptors, no network, no writes, no new privileges). The file's
bytes travel to it and the (small) result back through a socket. A hung or
exploding parser is killed with its process; the caller gets a plain message.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, replace
from typing import Callable, TypeVar

from mailbot.extract import pool
from mailbot.extract.errors import ExtractError, Stopped

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    seconds: float = 30.0
    memory_mb: int = 1024  # address space; pdfium and lxml need headroom beyond resident size


@dataclass(frozen=True)
class Budget:
    """What one mail may still spend on parsing, all its files together: a deadline
    (time.monotonic()) `seconds` after it was given, and the worker's stop request,
    honoured within a quarter second."""

    deadline: float = float("inf")
    stop: threading.Event | None = None
    seconds: float = float("inf")

    @classmethod
    def of(cls, seconds: float, stop: threading.Event | None = None) -> Budget:
        return cls(time.monotonic() + seconds, stop, seconds)

    def limits(self, base: Limits) -> Limits:
        """`base` with its time cut to what is left; Stopped or ExtractError when nothing is."""
        if self.stop is not None and self.stop.is_set():
            raise Stopped("the worker is stopping")
        left = self.deadline - time.monotonic()
        if left < MIN_SECONDS:
            raise ExtractError(BUDGET_SPENT)
        return replace(base, seconds=min(base.seconds, left))


MIN_SECONDS = 0.5  # less than this is not worth starting a file
BUDGET_SPENT = "本邮件（或同一发件人本小时内）的文件解析时间已用完，此文件未读取"


def run(task: Callable[[], T], limits: Limits = Limits(),
        stop: threading.Event | None = None) -> T:
    """task() in a confined parser process of the pool with `limits.memory_mb`, within
    `limits.seconds`; its ExtractError re-raised, any crash or overrun turned into one;
    Stopped (and the process killed) when `stop` is set meanwhile. `task` travels
    pickled: a module-level function, or a functools.partial of one."""
    return _pool(limits).run(task, limits.seconds, stop)


def start() -> None:
    """Start the parser processes now, so the first mail does not wait for them."""
    _pool(Limits()).start()


PARSERS = max(1, min(2, os.cpu_count() or 1))  # processes of the parsers' own limits


def _pool(limits: Limits) -> pool.Pool:
    """One pool per memory limit: two processes for the parsers (both cores on a backlog),
    one for any other class (OCR's 3 GB, a test's)."""
    return pool.pool(limits.memory_mb, PARSERS if limits.memory_mb == Limits.memory_mb else 1)
