"""`mailbot run` killed with SIGKILL at random moments, restarted each time.

While the worker runs on a Maildir and a folder outbox, with the clock fixed on a
day reminders are due, report mails arrive; the worker is killed at a random
moment and started again, `--cycles` times. At the end one clean run drains
what is left and stops on SIGTERM. Then the store and the outbox folder are
checked: every mail recorded once, every recorded report answered by exactly one
receipt, no reminder stage delivered twice, no mail delivered twice.

    python benchmarks/kill_restart.py [--cycles 20] [--seed 1] [--keep DIR] [--json]

Prints the figures; exit status 1 when an invariant does not hold.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import mailbox
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.app import samples  # noqa: E402
from mailbot.app.pipeline import MAX_ATTEMPTS  # noqa: E402
from mailbot.config import load  # noqa: E402
from mailbot.config import PACKAGED_CONFIG

NOW = "2026-10-08T10:00"  # the first 催报 of 2026Q3 is due
QUARTER = "2026Q3"


def start_worker(site: Path, log) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("MAILBOT_NOW", None)
    return subprocess.Popen([sys.executable, "-m", "mailbot", "--now", NOW, "run"], cwd=site,
                            env=env, stdout=log, stderr=log, start_new_session=True)


def kill(worker: subprocess.Popen, signum: int = signal.SIGKILL) -> None:
    """Kill the worker and the children it started (its own process group)."""
    try:
        os.killpg(worker.pid, signum)
    except ProcessLookupError:
        pass
    worker.wait(timeout=60)


def deliver(box: mailbox.Maildir, campaign, number: int) -> None:
    """One report mail (the Word form only), from the units in turn."""
    unit = campaign.units[number % len(campaign.units)].name
    texts = {item.seq: f"第{number}次报送：{unit}第{item.seq}项进展。"
             for item in campaign.items_of(unit)}
    raw = samples.report_mail(campaign.unit(unit).emails[0], campaign.federation_emails[0],
                              f"{unit}三季度进展情况（{number}）", datetime.now(timezone.utc),
                              [("报表.docx", samples.form_docx(campaign, unit, QUARTER, texts))])
    box.add(raw)  # Maildir: written into tmp/, then renamed into new/


def query(site: Path, sql: str) -> list[tuple]:
    path = site / "var" / "mailbot.sqlite3"
    if not path.exists():
        return []
    db = sqlite3.connect(path, timeout=30)
    try:
        return db.execute(sql).fetchall()
    except sqlite3.OperationalError:  # the schema is not there yet
        return []
    finally:
        db.close()


def drained(site: Path, written: int) -> bool:
    """Every mail settled and everything sent. A mail the worker died on is marked failed
    (its attempt counted) just before it is taken again, so a failed one with tries left
    is still in hand, not settled."""
    recorded = query(site, "SELECT count(*) FROM messages WHERE state NOT IN ('claimed', 'failed')"
                           f" OR attempts >= {MAX_ATTEMPTS}")
    queued = query(site, "SELECT count(*) FROM outgoing WHERE state = 'queued'")
    reminders = query(site, "SELECT count(*) FROM outgoing WHERE kind = 'reminder'")
    return bool(recorded and recorded[0][0] == written and queued[0][0] == 0
                and reminders[0][0] > 0)


def stop_when_drained(site: Path, worker: subprocess.Popen, written: int) -> bool:
    """Wait until the worker has recorded and sent everything, SIGTERM it; True on exit 0."""
    deadline = time.monotonic() + 120
    started = f"worker started (pid {worker.pid})".encode()
    while time.monotonic() < deadline and not (
            started in (site / "worker.log").read_bytes() and drained(site, written)):
        time.sleep(0.2)
    worker.send_signal(signal.SIGTERM)
    return worker.wait(timeout=60) == 0


def figures(site: Path, written: int, cycles: int, seconds: float, clean_exit: bool) -> dict:
    states = dict(query(site, "SELECT state, count(*) FROM messages GROUP BY state"))
    per_message = query(site, "SELECT message, count(*) FROM submissions GROUP BY message")
    receipts_queued = query(site, "SELECT count(*) FROM outgoing WHERE kind = 'receipt'")[0][0]
    delivered = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                 for p in sorted((site / "var" / "outbox").glob("*.eml"))]
    ids = Counter(m["Message-ID"] for m in delivered)
    reminders = Counter((m["To"], m["Subject"]) for m in delivered
                        if m["Subject"].startswith(("【提醒】", "【催报】", "【补报提醒】")))
    receipts = [m for m in delivered if m["Auto-Submitted"] == "auto-replied"]
    return {
        "cycles": cycles,
        "seconds": round(seconds, 1),
        "mails": written,
        "recorded": sum(states.values()),
        "states": states,
        "retaken_after_kill": query(site, "SELECT count(*) FROM messages"
                                          " WHERE attempts > 0")[0][0],
        "submissions": sum(count for _, count in per_message),
        "recorded_twice": sum(1 for _, count in per_message if count > 1),
        "receipts": len(receipts),
        "receipts_queued": receipts_queued,
        "reminders": sum(reminders.values()),
        "reminder_stages_twice": sum(1 for count in reminders.values() if count > 1),
        "duplicates": sum(count - 1 for count in ids.values()),
        "clean_exit": clean_exit,
    }


def holds(f: dict) -> bool:
    return (f["recorded"] == f["mails"] == f["states"].get("done", 0) == f["submissions"]
            and f["recorded_twice"] == 0 and f["receipts"] == f["receipts_queued"] == f["mails"]
            and f["reminder_stages_twice"] == 0 and f["duplicates"] == 0 and f["reminders"] > 0
            and f["clean_exit"])


def run(site: Path, cycles: int, seed: int, mails_per_cycle: int = 2) -> dict:
    rng = random.Random(seed)
    shutil.copyfile(PACKAGED_CONFIG, site / "config.toml")
    campaign = load(site / "config.toml").campaign
    (site / "var").mkdir(exist_ok=True)
    box = mailbox.Maildir(site / "var" / "mail", create=True)
    began, written, worker = time.monotonic(), 0, None
    with open(site / "worker.log", "ab") as log:
        try:
            for _ in range(cycles):
                worker = start_worker(site, log)
                for _ in range(mails_per_cycle):
                    time.sleep(rng.uniform(0.0, 0.8))
                    deliver(box, campaign, written)
                    written += 1
                # often while the last mail is in hand, else at any moment
                time.sleep(rng.choice([rng.uniform(0.0, 0.3), rng.uniform(0.3, 2.0)]))
                kill(worker)
            worker = start_worker(site, log)  # the clean run: drain, then SIGTERM
            clean_exit = stop_when_drained(site, worker, written)
        finally:
            if worker.poll() is None:
                kill(worker)
    return figures(site, written, cycles, time.monotonic() - began, clean_exit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    site = args.keep or Path(tempfile.mkdtemp(prefix="mailbot-kill-"))
    site.mkdir(parents=True, exist_ok=True)
    try:
        result = run(site, args.cycles, args.seed)
    finally:
        if not args.keep:
            shutil.rmtree(site, ignore_errors=True)
    result["ok"] = holds(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
