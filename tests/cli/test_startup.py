"""The short commands load only what they use (issue 15): `status`, `poll --once` and
`remind` start without the report writers, the scheduler or the web console."""

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
    shutil.copyfile(PACKAGED_CONFIG, tmp_path / "config.toml")
    campaign = load(tmp_path / "config.toml").campaign
    (tmp_path / "var").mkdir()
    inbox = mailbox.Maildir(tmp_path / "var" / "mail")
    sept = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)
    inbox.add(samples.report_mail(campaign.unit("区妇联").emails[0], campaign.federation_emails[0],
                                  "区妇联2026年三季度进展", sept,
                                  [("表.docx", samples.form_docx(campaign, "区妇联", "2026Q3"))]))
    env = dict(os.environ, PYTHONPATH=str(ROOT), MAILBOT_CONFIG=str(tmp_path / "config.toml"))
    env.pop("MAILBOT_NOW", None)
    run = subprocess.run([sys.executable, "-c", COMMANDS, json.dumps(commands), *heavy], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["codes"] == [0] * len(commands), run.stderr
    if ["poll", "--once"] in commands:
        assert "区妇联" in run.stdout and "新邮件 1 封" in run.stdout  # the mail was read
    assert result["loaded"] == []
