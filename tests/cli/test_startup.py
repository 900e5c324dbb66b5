"""The short commands load only what they use (issue 15): `status`, `poll --once` and
`remind` start without the report writers, the scheduler or the web console; a poll
that finds nothing new starts without the stages that only a mail needs."""

import json
import mailbox
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from mailbot.app import samples
from mailbot.config import PACKAGED_CONFIG, load

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("openpyxl", "docxtpl", "apscheduler", "flask", "mailbot.app.worker",
         "mailbot.app.scheduler", "mailbot.report.docx", "mailbot.report.xlsx", "mailbot.web")
READERS = ("pdfplumber", "pypdfium2", "docx", "mailbot.extract.reader")
# what only a new mail, or a mail to send, needs: parsing, rules, file readers, templates,
# the outbox and SMTP, the retry library, review, a mail's values and the store's records
STAGES = ("jinja2", "tenacity", "smtplib", "mailbot.outgoing.outbox", "mailbot.outgoing.smtp",
          "mailbot.outgoing.render", "mailbot.extract", "mailbot.intake.message",
          "mailbot.intake.rules", "mailbot.app.prefetch", "mailbot.app.review",
          "mailbot.core.mail", "mailbot.store.records")
# one fresh interpreter runs the commands in turn, then says which HEAVY modules it holds
COMMANDS = """
import json, sys
from mailbot.cli import main
codes = []
for argv in json.loads(sys.argv[1]):
    try:
        main.main(["--now", "2026-10-12T10:00+08:00", *argv], standalone_mode=False)
        codes.append(0)
    except SystemExit as stop:
        codes.append(stop.code)
print(json.dumps({"codes": codes, "loaded": [m for m in sys.argv[2:] if m in sys.modules]}))
"""


@pytest.mark.parametrize("commands, heavy", [
    ([["poll", "--once"], ["status"], ["status", "--json"], ["remind", "--dry-run"]], HEAVY),
    ([["status"], ["remind", "--dry-run"]], HEAVY + READERS),  # no file read: no reader
])
def test_short_commands_do_not_import_the_writers_scheduler_or_console(tmp_path, commands,
                                                                        heavy):
    inbox = campaign_folder(tmp_path)
    campaign = load(tmp_path / "config.toml").campaign
    sept = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)
    inbox.add(samples.report_mail(campaign.unit("区妇联").emails[0], campaign.federation_emails[0],
                                  "区妇联2026年三季度进展", sept,
                                  [("表.docx", samples.form_docx(campaign, "区妇联", "2026Q3"))]))
    run, result = run_commands(tmp_path, commands, heavy)
    if ["poll", "--once"] in commands:
        assert "区妇联" in run.stdout and "新邮件 1 封" in run.stdout  # the mail was read
        assert "发件队列：本次发出 1 封" in run.stdout  # and answered in the same run
    assert result["loaded"] == []


def test_a_poll_that_finds_nothing_new_loads_no_stage(tmp_path):
    """Issue 15: an empty `poll --once` is its start-up; what is only needed for a mail
    (or a mail to send) is loaded at the first one, never for nothing."""
    campaign_folder(tmp_path)
    run_commands(tmp_path, [["poll", "--once"]], ())  # the first start fixes the start point
    run, result = run_commands(tmp_path, [["poll", "--once"], ["poll", "--once"]],
                               HEAVY + READERS + STAGES)
    assert run.stdout.count("新邮件 0 封") == 2, run.stdout
    assert result["loaded"] == []


def campaign_folder(folder: Path) -> mailbox.Maildir:
    """The shipped config.toml in `folder`, and its empty Maildir."""
    shutil.copyfile(PACKAGED_CONFIG, folder / "config.toml")
    (folder / "var").mkdir()
    return mailbox.Maildir(folder / "var" / "mail")


def run_commands(folder: Path, commands: list[list[str]], modules: tuple[str, ...]):
    """The commands in turn in one fresh interpreter: (the run, {codes, loaded})."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), MAILBOT_CONFIG=str(folder / "config.toml"))
    env.pop("MAILBOT_NOW", None)
    run = subprocess.run([sys.executable, "-c", COMMANDS, json.dumps(commands), *modules],
                         cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["codes"] == [0] * len(commands), run.stderr
    return run, result
