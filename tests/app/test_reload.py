"""A config edit is used by the running `mailbot run` without a restart; a bad edit
(or a SIGHUP on one) is logged and the previous config stays in use."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

import pytest

from mailbot.app import samples
from mailbot.config import PACKAGED_CONFIG, load
from tests.pipeline import write_config
from tests.invoke import ROOT

pytestmark = pytest.mark.slow  # a real worker process for a few seconds
NEW_ADDRESS = "rsj-office@zichuan.example.org"
SENT = datetime(2026, 10, 8, 1, tzinfo=timezone.utc)


class Worker:
    """`mailbot run` in the site folder, its log collected line by line."""

    def __init__(self, site):
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.pop("MAILBOT_NOW", None)
        self.site = site
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mailbot", "--now", "2026-10-08T10:00", "run"], cwd=site,
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(
            target=lambda: self.lines.extend(iter(self.process.stderr.readline, "")))
        self.reader.start()

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert self.process.poll() is None and time.monotonic() < deadline, self.log
            time.sleep(0.1)

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.reader.join()
        return code


CAMPAIGN = load(PACKAGED_CONFIG).campaign


def deliver(site, name: str, sender: str) -> None:
    campaign = CAMPAIGN
    raw = samples.report_mail(sender, campaign.federation_emails[0], "区人社局三季度进展", SENT,
                              [("报表.docx", samples.form_docx(campaign, "区人社局", "2026Q3"))])
    new = site / "var" / "mail" / "new"
    (new / f"{name}.part").write_bytes(raw)
    os.rename(new / f"{name}.part", new / name)


def recorded(site) -> list[tuple[str, str | None]]:
    db = sqlite3.connect(site / "var" / "mailbot.sqlite3", timeout=30)
    try:
        return db.execute("SELECT state, unit FROM messages ORDER BY id").fetchall()
    finally:
        db.close()


def wait_until(predicate, worker: Worker, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, (recorded(worker.site), worker.log)
        time.sleep(0.2)


def idle(worker: Worker) -> None:
    """Wait until no job reads the mailbox: a job that read the config before an edit
    and lists new/ after a delivery would rightly use the config it read."""
    for line in ("job remind done", "job summary done", "waiting for new mail"):
        worker.wait_for(line)


def test_a_units_new_address_is_used_by_the_running_worker(tmp_path):
    path = write_config(tmp_path)
    worker = Worker(tmp_path)
    try:
        idle(worker)
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('emails = ["rsj@zichuan.example.org"]',
                                     f'emails = ["rsj@zichuan.example.org", "{NEW_ADDRESS}"]'),
                        encoding="utf-8")
        deliver(tmp_path, "1.eml", NEW_ADDRESS)
        wait_until(lambda: ("done", "区人社局") in recorded(tmp_path), worker)
        assert "re-read: now in use" in worker.log

        path.write_text("[federation\nname = 'broken", encoding="utf-8")  # a bad edit
        worker.process.send_signal(signal.SIGHUP)
        deliver(tmp_path, "2.eml", NEW_ADDRESS)
        wait_until(lambda: recorded(tmp_path).count(("done", "区人社局")) == 2, worker)
        assert "is not valid; the previous config stays in use" in worker.log
        assert "不是有效的 TOML 格式" in worker.log
    finally:
        assert worker.stop() == 0, worker.log
