"""Long-lived, confined parser processes: a file is parsed without a fork of the worker.

A fork per file from the worker cost 6 ms at 81 MB RSS, 23 ms at 381 MB, plus
the child's copy-on-write faults (30-45 ms a mail, growing with the worker;
issue 15). So a few parser processes are started once, each by exec of a fresh
Python (nothing of the worker's memory, environment or descriptors), and each
one, before it takes its first file:

- has its address space capped for life (its class's memory limit: 1 GB for the
  parsers, 3 GB for OCR: one pool per limit);
- loads the parsers, then gives up its privileges (confine: no environment, no
  descriptor but its socket, no network, no writes, no new privileges, no other
  process's /proc entries).

Per file it gets a CPU limit (rlimit) and the caller's wall-clock deadline; a
file that runs over either is killed together with its process, and a new one
takes its place. A process is also retired after MAX_FILES files, after a
MemoryError, or once its address space has grown past half its limit, so one
file's heap does not shrink the next file's room for long.

Not multiprocessing or concurrent.futures: their workers inherit the worker's
environment (MAILBOT_*_PASSWORD in /proc/self/environ), a ProcessPoolExecutor
breaks as a whole when one worker dies, and neither can stop one task. Results
come back pickled from a process that read a hostile file, so they are unpickled
with only the plain data classes allowed (a crafted pickle must not run code in
the worker).
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import pickle
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection

from mailbot.extract.errors import ExtractError, Stopped

log = logging.getLogger(__name__)

STOP_POLL = 0.25  # seconds between looks at the stop request while a file is parsed
MAX_FILES = 64  # files one process parses before it is retired
READY_SECONDS = 30.0  # a new process loads the parsers and confines itself within this
SPAWN = ("import sys; from mailbot.extract.pool import serve; "
         "serve(*map(int, sys.argv[1:]))")
READY = b"ready"
PRELOAD = ("mailbot.extract.reader",)  # imported before confinement, before any file


class Pool:
    """Up to `size` processes with one memory limit; thread-safe (files of several mails
    may be parsed at once, one per process)."""

    def __init__(self, memory_mb: int, size: int, max_files: int = MAX_FILES) -> None:
        self.memory_mb, self.size, self.max_files = memory_mb, size, max_files
        self._idle: list[_Process] = []
        self._count = 0
        self._free = threading.Condition()

    def start(self) -> None:
        """Start the processes now (they load and confine themselves meanwhile)."""
        with self._free:
            while self._count < self.size:
                self._idle.append(_Process(self.memory_mb, self.max_files))
                self._count += 1

    def run(self, task, seconds: float, stop: threading.Event | None = None):
        """task() in one of the processes, within `seconds` and its CPU rlimit; its
        ExtractError re-raised, a crash or overrun turned into one (the process replaced);
        Stopped, with the process killed, when `stop` is set meanwhile."""
        process = self._checkout()
        kind, value, keep = "error", "", False
        try:
            kind, value, keep = process.run(task, seconds, stop)
        finally:
            self._checkin(process, keep)
        if kind == "error":
            raise ExtractError(value)
        return value

    def close(self) -> None:
        with self._free:
            for process in self._idle:
                process.end()
            self._count -= len(self._idle)
            self._idle.clear()

    def _checkout(self) -> _Process:
        with self._free:
            while not self._idle and self._count >= self.size:
                self._free.wait()
            if self._idle:
                return self._idle.pop()
            self._count += 1
        return _Process(self.memory_mb, self.max_files)

    def _checkin(self, process: _Process, keep: bool) -> None:
        """Back to the idle ones, or retired and replaced at once (the next file then
        finds a process that has loaded and confined itself meanwhile)."""
        if not keep:
            process.end()
            process = _Process(self.memory_mb, self.max_files)
        with self._free:
            self._idle.append(process)
            self._free.notify()


class _Process:
    """One parser process, seen from the worker."""

    def __init__(self, memory_mb: int, max_files: int) -> None:
        ours, theirs = socket.socketpair()
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                       "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.memory_mb = memory_mb
        self.process = subprocess.Popen(
            [sys.executable, "-c", SPAWN, *map(str, (theirs.fileno(), memory_mb, max_files))],
            env=environment, cwd="/", pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, start_new_session=True)
        theirs.close()
        self.channel = Connection(ours.detach())
        self.ready = False

    def run(self, task, seconds: float, stop: threading.Event | None):
        """("ok", value) or ("error", message), and whether the process may take
        another file; ExtractError when it dies or runs over, Stopped on `stop`."""
        if not self.ready:
            self._await_ready()
        try:
            self.channel.send((task, seconds))
        except OSError:
            raise ExtractError(self._death()) from None
        deadline = time.monotonic() + seconds
        while not self.channel.poll(min(STOP_POLL, max(deadline - time.monotonic(), 0))):
            if stop is not None and stop.is_set():
                raise Stopped("the worker is stopping")
            if time.monotonic() >= deadline:
                raise ExtractError(f"文件解析超过 {seconds:.3g} 秒，已停止")
        try:
            return _loads(self.channel.recv_bytes())
        except (EOFError, OSError):
            raise ExtractError(self._death()) from None

    def _await_ready(self) -> None:
        try:
            if self.channel.poll(READY_SECONDS) and self.channel.recv_bytes() == READY:
                self.ready = True
                return
        except (EOFError, OSError):
            pass
        raise ExtractError("解析进程未能启动，未读取")

    def _death(self) -> str:
        """How the process died, as the sender and staff read it (the signal goes to the log)."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "解析进程未作应答即停止"
        if code < 0:
            number = -code
            if number in (signal.SIGXCPU, signal.SIGKILL):
                return "文件解析超出 CPU 时间上限，已停止"
            log.warning("parser process killed by %s", signal.Signals(number).name)
            return "解析此文件时解析进程异常退出（可能超出内存上限）"
        return f"解析进程未作应答即停止（退出码 {code}）"

    def end(self) -> None:
        """Kill and reap (a retired process has exited or is about to)."""
        self.channel.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


class _DataOnly(pickle.Unpickler):
    """Unpickles what a parser returns (results, plain data), nothing that runs code."""

    ALLOWED = {"builtins": {"set", "frozenset", "bytearray", "complex"},
               "datetime": {"date", "datetime", "time", "timedelta", "timezone"}}
    MODELS = ("mailbot.core.models", "mailbot.core.mail", "mailbot.core.states")  # the values

    def find_class(self, module: str, name: str):
        if module in self.MODELS or name in self.ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not parser data")


def _loads(payload: bytes) -> tuple[str, object, bool]:
    """The child's (kind, value, more), or an error that retires it."""
    try:
        kind, value, more = _DataOnly(io.BytesIO(payload)).load()
        if kind in ("ok", "error") and isinstance(more, bool):
            return kind, value, more
        error = "not an answer"
    except Exception as refused:  # whatever a crafted pickle raises, it is refused
        error = f"{type(refused).__name__}: {refused}"
    log.warning("a parser process's answer was refused: %s", error[:300])
    return "error", "解析进程的应答不合规，已拒绝，此文件未读取", False


# --- inside the parser process ---------------------------------------------------


def serve(fd: int, memory_mb: int, max_files: int) -> None:
    """The parser process: limits, parsers, confinement, then one file at a time."""
    from mailbot.extract.confine import confine

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    for module in PRELOAD:
        __import__(module)
    confine(keep_fds=(fd,), hide_processes=True)
    channel = Connection(fd)
    channel.send_bytes(READY)
    for number in range(1, max_files + 1):
        try:
            task, seconds = channel.recv()
        except EOFError:
            return  # the worker closed the pool (or died)
        _limit_cpu(seconds)
        outcome, breached = _outcome(task, memory_mb)
        more = not breached and number < max_files and _address_space() < memory // 2
        channel.send_bytes(pickle.dumps((*outcome, more)))
        if not more:
            return


def _limit_cpu(seconds: float) -> None:
    """This file may use `seconds` (+1) of CPU beyond what the process used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))


def _outcome(task, memory_mb: int) -> tuple[tuple[str, object], bool]:
    """(("ok", value) or ("error", message)), and whether a limit was breached."""
    try:
        return ("ok", task()), False
    except ExtractError as error:
        return ("error", str(error)), False
    except MemoryError:
        return ("error", f"文件解析超出内存上限（{memory_mb} MB），未读取"), True
    except RecursionError:
        return ("error", "文件内容嵌套过深，未读取"), True
    except Exception as error:  # a parser bug on a hostile file: report, never raise
        log.warning("parser error: %s: %s", type(error).__name__, str(error)[:300])
        return ("error", "文件内容不符合其格式，无法读取"), True


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


# --- the worker's pools ----------------------------------------------------------

_pools: dict[int, Pool] = {}
_pools_lock = threading.Lock()


def pool(memory_mb: int, size: int) -> Pool:
    """The pool of processes with this memory limit (made on first use, of `size`)."""
    with _pools_lock:
        if memory_mb not in _pools:
            _pools[memory_mb] = Pool(memory_mb, size)
        return _pools[memory_mb]


@atexit.register
def _close_all() -> None:
    for each in list(_pools.values()):
        each.close()
