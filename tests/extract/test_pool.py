"""The parser pool: processes reused, retired on any breach, confined from their start,
and an answer from a process that read a hostile file is data, never code."""

from __future__ import annotations

import os
import threading
import time
from functools import partial
from pathlib import Path

import pytest

from mailbot.extract.errors import ExtractError
from mailbot.extract.pool import Pool
from tests.extract import escapes

SECRET = "correct-horse-battery"


@pytest.fixture
def parsers():
    made = []

    def make(size=1, max_files=64, memory_mb=1024):
        made.append(Pool(memory_mb, size, max_files))
        return made[-1]
    yield make
    for pool in made:
        pool.close()


def test_a_process_is_reused_and_retired_after_its_files(parsers):
    pool = parsers(max_files=2)
    first, second, third = (pool.run(escapes.pid, 5) for _ in range(3))
    assert first == second != third
    assert os.getpid() not in (first, third)


def test_a_file_over_its_time_is_killed_with_its_process_and_the_next_file_is_read(parsers):
    pool = parsers()
    before = pool.run(escapes.pid, 5)
    start = time.monotonic()
    with pytest.raises(ExtractError, match="超过 0.5 秒"):
        pool.run(partial(escapes.sleep_then, 30, "late"), 0.5)
    assert time.monotonic() - start < 2
    with pytest.raises(ProcessLookupError):
        os.kill(before, 0)
    assert pool.run(partial(escapes.sleep_then, 0, "next"), 5) == "next"


def test_a_memory_breach_retires_the_process(parsers):
    pool = parsers(memory_mb=512)
    before = pool.run(escapes.pid, 5)
    with pytest.raises(ExtractError, match="内存上限（512 MB）"):
        pool.run(partial(bytearray, 1 << 30), 5)
    assert pool.run(escapes.pid, 5) != before


def test_a_crash_is_a_plain_error_and_the_next_file_gets_a_fresh_process(parsers, caplog):
    pool = parsers()
    before = pool.run(escapes.pid, 5)
    with pytest.raises(ExtractError, match="解析进程异常退出"):
        pool.run(os.abort, 5)
    assert "SIGABRT" in caplog.text  # the signal goes to the log
    assert pool.run(escapes.pid, 5) != before


def test_a_parser_error_keeps_the_process(parsers):
    pool = parsers()
    before = pool.run(escapes.pid, 5)
    with pytest.raises(ExtractError, match="not a report"):
        pool.run(partial(escapes.raise_extract_error, "not a report"), 5)
    assert pool.run(escapes.pid, 5) == before


def test_the_process_never_held_the_workers_secrets(parsers, monkeypatch):
    """Started by exec with a clean environment: not even its own /proc/self/environ (which
    a forked child shares with the worker's start) holds a password, from its first file."""
    monkeypatch.setenv("MAILBOT_IMAP_PASSWORD", SECRET)
    pool = parsers()
    own = pool.run(partial(escapes.guarded, escapes.read_text, "/proc/self/environ"), 5)
    assert SECRET not in own
    assert "PYTHONPATH" in own  # the file really was read
    parent = pool.run(partial(escapes.guarded, escapes.read_text,
                              f"/proc/{os.getpid()}/environ"), 5)
    assert parent.startswith("refused")


def test_a_crafted_answer_is_refused_and_runs_nothing(parsers):
    planted = Path("/tmp/mailbot-planted-by-a-parser")
    planted.unlink(missing_ok=True)
    pool = parsers()
    before = pool.run(escapes.pid, 5)
    with pytest.raises(ExtractError, match="应答不合规"):
        pool.run(escapes.crafted_answer, 5)
    assert not planted.exists()
    assert pool.run(escapes.pid, 5) != before  # a process that lies is not trusted again


def test_two_processes_parse_at_once(parsers):
    pool = parsers(size=2)
    pool.start()
    pool.run(escapes.pid, 5), pool.run(escapes.pid, 5)  # both loaded and confined
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(
        pool.run(partial(escapes.sleep_then, 1.0, escapes.pid()), 5))) for _ in range(2)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 2
    assert time.monotonic() - start < 1.8
