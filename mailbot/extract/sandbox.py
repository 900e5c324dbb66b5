"""Run a parser on untrusted bytes in a forked child with time, CPU and memory limits.

The child inherits the already imported parsers and the file's bytes without
pickling; only the (small) result travels back through a pipe. Before it reads a
byte it gives up what a hostile file could abuse (confine: no environment, no
inherited descriptors, no network, no writes, no new privileges). A hung or
exploding parser is killed; the caller gets a plain message.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import threading
import time
from dataclasses import dataclass, replace
from typing import Callable, TypeVar

from mailbot.extract.confine import confine
from mailbot.extract.errors import ExtractError, Stopped

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    seconds: float = 30.0
    memory_mb: int = 1024  # address space; pdfium and lxml need headroom beyond resident size


@dataclass(frozen=True)
class Budget:
    """What one mail may still spend on parsing, all its files together: a deadline
    (time.monotonic()), and the worker's stop request, honoured within a quarter second."""

    deadline: float = float("inf")
    stop: threading.Event | None = None

    @classmethod
    def of(cls, seconds: float, stop: threading.Event | None = None) -> Budget:
        return cls(time.monotonic() + seconds, stop)

    def limits(self, base: Limits) -> Limits:
        """`base` with its time cut to what is left; Stopped or ExtractError when nothing is."""
        if self.stop is not None and self.stop.is_set():
            raise Stopped("the worker is stopping")
        left = self.deadline - time.monotonic()
        if left < MIN_SECONDS:
            raise ExtractError(BUDGET_SPENT)
        return replace(base, seconds=min(base.seconds, left))


MIN_SECONDS = 0.5  # less than this is not worth a fork
BUDGET_SPENT = "本邮件（或同一发件人本小时内）的文件解析时间已用完，此文件未读取"
STOP_POLL = 0.25  # seconds between looks at the stop request while a child parses


def run(task: Callable[[], T], limits: Limits = Limits(),
        stop: threading.Event | None = None) -> T:
    """task() in a child process; its ExtractError re-raised, any crash turned into one;
    Stopped (and the child killed) when `stop` is set meanwhile."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(task, write_end, limits)
    os.close(write_end)
    try:
        payload = _collect(read_end, time.monotonic() + limits.seconds, stop)
    except BaseException:
        _kill(pid)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(read_end)
    if payload is None:
        _kill(pid)
    _, status = os.waitpid(pid, 0)
    if payload is None:
        raise ExtractError(f"parsing took longer than {limits.seconds:.3g} s and was stopped")
    return _decode(payload, status)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _decode(payload: bytes, status: int):
    """The child's answer, or an ExtractError saying how it died."""
    if not payload:
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            if number in (signal.SIGXCPU, signal.SIGKILL):
                raise ExtractError("parsing exceeded its CPU time limit and was stopped")
            raise ExtractError(f"the parser crashed on this file ({signal.Signals(number).name}, "
                               "probably its memory limit)")
        raise ExtractError(f"the parser stopped without an answer (exit status "
                           f"{os.waitstatus_to_exitcode(status)})")
    kind, value = pickle.loads(payload)
    if kind == "error":
        raise ExtractError(value)
    return value


def _child(task, write_end: int, limits: Limits) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        cpu = int(limits.seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        memory = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        confine(keep_fds=(write_end,), hide_processes=True)
        try:
            outcome = ("ok", task())
        except ExtractError as error:
            outcome = ("error", str(error))
        except MemoryError:
            outcome = ("error", f"memory limit of {limits.memory_mb} MB exceeded")
        except RecursionError:
            outcome = ("error", "document nested too deeply")
        except Exception as error:  # a parser bug on a hostile file: report, never raise
            outcome = ("error", f"unreadable file ({type(error).__name__}: {error})"[:300])
        data = pickle.dumps(outcome)
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view):]
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def _collect(fd: int, deadline: float, stop: threading.Event | None = None) -> bytes | None:
    """All bytes the child writes, or None when the deadline passes first."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        if stop is not None and stop.is_set():
            raise Stopped("the worker is stopping")
        ready, _, _ = select.select([fd], [], [], min(remaining, STOP_POLL))
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
