"""What an exploited parser would try, as module-level functions: the sandbox's tasks
travel pickled to its processes, so they are named, not lambdas."""

from __future__ import annotations

import os
import socket
import sqlite3
import time


def guarded(action, *args):
    """`action(*args)`'s value, or "refused: <error name>"."""
    try:
        return action(*args)
    except (OSError, sqlite3.Error) as error:
        return f"refused: {type(error).__name__}"


def environment() -> dict:
    return dict(os.environ)


def read_text(path: str) -> str:
    with open(path, "rb") as file:
        return file.read().decode("latin-1")


def overwrite(path: str, mode: str) -> int:
    with open(path, mode) as file:
        return file.write(b"planted")


def descriptors() -> list[int]:
    return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))


def connect(port: int) -> str:
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    return "connected"


def datagram(port: int) -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"ping", ("127.0.0.1", port))
    return "sent"


def divide_by_zero() -> float:
    return 1 / 0


def spin() -> None:
    while True:
        pass


def sleep_then(seconds: float, value):
    time.sleep(seconds)
    return value


class Planted:
    """An answer whose unpickling would run a command in the worker."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/mailbot-planted-by-a-parser",))


def crafted_answer() -> Planted:
    return Planted()


def pid() -> int:
    return os.getpid()


def raise_extract_error(message: str):
    from mailbot.extract.errors import ExtractError
    raise ExtractError(message)
