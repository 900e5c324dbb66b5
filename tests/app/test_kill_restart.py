"""The real `mailbot run` on a Maildir: crashes lose nothing, stops finish the mail in hand.

The SIGKILL cycles are benchmarks/kill_restart.py (20 cycles there, 5 here); its
figures are checked one by one so a failure says which invariant broke.
"""

from __future__ import annotations

import json
import mailbox
import os
import shutil
import signal
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from mailbot.app import pipeline

from mailbot.app import samples
from mailbot.config import load
from mailbot.intake.message import parse
from tests.servers import mail_reaches
from tests.invoke import ROOT, mailbot
from mailbot.config import PACKAGED_CONFIG

NOW = datetime(2026, 10, 8, 2, tzinfo=timezone.utc)


def report(campaign, unit: str, number: int = 0) -> bytes:
    texts = {item.seq: f"第{number}稿" for item in campaign.items_of(unit)}
    return samples.report_mail(campaign.unit(unit).emails[0], campaign.federation_emails[0],
                               f"{unit}三季度进展（{number}）", NOW,
                               [("报表.docx", samples.form_docx(campaign, unit, "2026Q3", texts))])


def test_a_mail_left_claimed_by_a_crash_is_processed_at_its_next_sighting(tmp_path):
    shutil.copyfile(PACKAGED_CONFIG, tmp_path / "config.toml")
    ctx = pipeline.Context.open(load(tmp_path / "config.toml"), lambda: NOW)
    raw = report(ctx.config.campaign, "区人社局")
    message = parse(raw)
    with ctx.store.transaction() as tx:
        tx.claim(ctx.store.archive(raw), message.message_id, "maildir:1", NOW, NOW,
                 message.subject, message.from_addr)  # ... and the worker died here
    outcome = pipeline.ingest(ctx, raw, "maildir:1", NOW)
    assert (outcome.state, outcome.unit) == ("done", "区人社局")
    [record] = ctx.store.messages()
    assert record.state == "done" and record.attempts == 1  # counted: no endless crash loop
    assert len(ctx.store.outgoing("receipt")) == 1
    assert pipeline.ingest(ctx, raw, "maildir:1", NOW).state == "duplicate"
    ctx.store.close()


@pytest.mark.slow
def test_sigkill_cycles_lose_nothing_and_repeat_nothing(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "kill_restart.py"), "--cycles", "5",
         "--seed", "7", "--keep", str(tmp_path / "site"), "--json"],
        capture_output=True, text=True, timeout=300)
    assert result.stdout, result.stderr[-4000:]  # the script died before its figures
    figures = json.loads(result.stdout)
    assert figures["cycles"] == 5 and figures["mails"] == 10
    assert figures["recorded"] == figures["submissions"] == 10  # every mail recorded once
    assert figures["states"] == {"done": 10} and figures["recorded_twice"] == 0
    assert figures["receipts"] == figures["receipts_queued"] == 10  # no receipt lost
    assert figures["reminders"] == 18 and figures["reminder_stages_twice"] == 0
    assert figures["duplicates"] == 0 and figures["clean_exit"]
    assert figures["ok"] and result.returncode == 0


def start_run(site, now: str = "2026-10-08T10:00") -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("MAILBOT_NOW", None)
    return subprocess.Popen([sys.executable, "-m", "mailbot", "--now", now, "run"],
                            cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def wait_for_a_recorded_mail(site, worker: subprocess.Popen, timeout: float = 60) -> None:
    if mail_reaches(site / "var" / "mailbot.sqlite3", "done", timeout):
        return
    os.killpg(worker.pid, signal.SIGKILL)
    raise AssertionError(f"no mail recorded after {timeout} s:\n{worker.communicate()[1]}")


@pytest.mark.slow
def test_run_refuses_a_second_instance_and_stops_on_sigterm_losing_nothing(tmp_path):
    shutil.copyfile(PACKAGED_CONFIG, tmp_path / "config.toml")
    campaign = load(tmp_path / "config.toml").campaign
    (tmp_path / "var").mkdir()
    box = mailbox.Maildir(tmp_path / "var" / "mail", create=True)
    first = start_run(tmp_path)
    try:
        for number, unit in enumerate(campaign.units[:8]):
            box.add(report(campaign, unit.name, number))
        wait_for_a_recorded_mail(tmp_path, first)
        second = mailbot("--now", "2026-10-08T10:00", "run", cwd=tmp_path, check=False)
        assert second.returncode == 1
        assert f"another mailbot worker is already running (pid {first.pid}" in second.stderr
        first.send_signal(signal.SIGTERM)
        _, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    assert first.returncode == 0, err
    assert "received SIGTERM" in err and "worker stopped" in err
    mailbot("--now", "2026-10-08T10:00", "poll", "--once", cwd=tmp_path)  # the next start
    ctx = pipeline.Context.open(load(tmp_path / "config.toml"), lambda: NOW)
    states = [m.state for m in ctx.store.messages()]
    assert len(states) == 8 and set(states) == {"done"}  # a mail stopped mid-parse is redone
    assert len(ctx.store.outgoing("receipt")) == len(states)
    ctx.store.close()
