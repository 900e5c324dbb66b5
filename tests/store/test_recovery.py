"""Issue 12, finding 5: a lost, damaged or newer store is refused, never silently
replaced by an empty one; the worker stops with the reason; `mailbot rebuild`
restores the store from the raw-mail archive without sending anything."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from mailbot.app import pipeline
from mailbot.store import Store, StoreUnusable
from mailbot.store.schema import MIGRATIONS
from tests.pipeline import open_context, sent_mails, unit_mail
from tests.invoke import ROOT, mailbot

NOW = "2026-10-12T10:00"
UNITS = ["区人社局", "区教体局", "区卫健局"]


def fill(tmp_path):
    """Three units' reports ingested and answered; the store closed."""
    ctx = open_context(tmp_path)
    for number, unit in enumerate(UNITS):
        pipeline.ingest(ctx, unit_mail(ctx, unit), f"test:{number}", ctx.clock())
    sent = len(sent_mails(ctx, tmp_path / "var" / "outbox"))
    ctx.store.close()
    return ctx.config, sent


def test_a_deleted_store_is_refused_not_recreated_empty(tmp_path):
    config, _ = fill(tmp_path)
    config.store_path.unlink()
    with pytest.raises(StoreUnusable, match="mailbot rebuild"):
        Store(config.store_path, config.archive_path)
    assert not config.store_path.exists()


def test_a_first_start_creates_the_store_and_its_marker(tmp_path):
    store = Store(tmp_path / "var" / "db.sqlite3", tmp_path / "var" / "archive")
    store.close()
    marker = tmp_path / "var" / "archive" / "STORE"
    assert marker.exists()
    marker.unlink()  # a store made before markers existed gets one at its next start
    Store(store.path, store.archive_dir).close()  # reopening the real file is fine
    assert marker.exists()


def test_a_garbage_store_file_is_a_clear_error(tmp_path):
    path = tmp_path / "var" / "db.sqlite3"
    path.parent.mkdir()
    path.write_bytes(b"this is not a database, just words " * 200)
    with pytest.raises(StoreUnusable, match="已损坏或不是 mailbot 的数据库"):
        Store(path, tmp_path / "var" / "archive")


def test_a_store_from_a_newer_mailbot_is_refused_and_left_as_it_was(tmp_path):
    store = Store(tmp_path / "db.sqlite3", tmp_path / "archive")
    store.db.execute("INSERT INTO schema_version VALUES (?)", (len(MIGRATIONS) + 1,))
    store.close()
    before = (tmp_path / "db.sqlite3").read_bytes()
    with pytest.raises(StoreUnusable, match=f"结构版本为 {len(MIGRATIONS) + 1}"):
        Store(tmp_path / "db.sqlite3", tmp_path / "archive")
    assert (tmp_path / "db.sqlite3").read_bytes() == before


def test_other_commands_say_the_store_is_gone_without_a_traceback(tmp_path):
    config, _ = fill(tmp_path)
    config.store_path.unlink()
    run = mailbot("--now", NOW, "status", "--quarter", "2026Q3", cwd=tmp_path, check=False)
    assert run.returncode == 1
    assert "数据库文件" in run.stderr and "Traceback" not in run.stderr


def worker(tmp_path) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if key != "MAILBOT_NOW"}
    env["PYTHONPATH"] = str(ROOT)  # this checkout's mailbot, wherever the venv points
    return subprocess.Popen([sys.executable, "-m", "mailbot", "--config",
                             str(tmp_path / "config.toml"), "run"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_the_worker_stops_non_zero_when_the_store_is_deleted_at_start(tmp_path):
    config, _ = fill(tmp_path)
    config.store_path.unlink()
    process = worker(tmp_path)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "不存在" in stderr and "mailbot rebuild" in stderr
    assert "Traceback" not in stderr
    assert not config.store_path.exists()


@pytest.mark.slow
def test_the_worker_stops_non_zero_when_the_store_is_deleted_while_it_runs(tmp_path):
    config, _ = fill(tmp_path)
    process = worker(tmp_path)
    time.sleep(3)  # the jobs' first runs
    assert process.poll() is None
    for suffix in ("", "-wal", "-shm"):
        config.store_path.with_name(config.store_path.name + suffix).unlink(missing_ok=True)
    started = time.monotonic()
    _, stderr = process.communicate(timeout=150)  # at the next job run (outbox: every 60 s)
    assert process.returncode == 1, stderr
    assert "不存在" in stderr
    took = time.monotonic() - started
    assert took < 150
    assert not config.store_path.exists()
    print(f"\nstore deleted under a running worker: it exited 1 after {took:.0f} s")


def test_rebuild_restores_status_from_the_archive_and_sends_nothing(tmp_path):
    config, sent = fill(tmp_path)
    status = mailbot("--now", NOW, "status", "--quarter", "2026Q3", "--json", cwd=tmp_path)
    config.store_path.unlink()
    for suffix in ("-wal", "-shm"):
        config.store_path.with_name(config.store_path.name + suffix).unlink(missing_ok=True)

    rebuilt = mailbot("--now", NOW, "rebuild", cwd=tmp_path)

    assert "共 3 封邮件" in rebuilt.stdout and "未发送任何邮件" in rebuilt.stdout
    after = mailbot("--now", NOW, "status", "--quarter", "2026Q3", "--json", cwd=tmp_path)
    assert json.loads(after.stdout) == json.loads(status.stdout)
    with sqlite3.connect(config.store_path) as db:
        assert db.execute("SELECT count(*) FROM outgoing").fetchone()[0] == 0
    assert len(list((tmp_path / "var" / "outbox").glob("*.eml"))) == sent == 3


def test_rebuild_keeps_a_damaged_store_aside(tmp_path):
    config, _ = fill(tmp_path)
    config.store_path.write_bytes(b"garbage " * 100)
    rebuilt = mailbot("--now", NOW, "rebuild", cwd=tmp_path)
    kept = list(config.store_path.parent.glob("*.before-rebuild-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"garbage " * 100
    assert str(kept[0]) in rebuilt.stdout
    assert len(Store(config.store_path, config.archive_path).messages()) == 3
