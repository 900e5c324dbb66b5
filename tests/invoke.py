"""The `mailbot` command run in process (click's CliRunner), as a user runs it from a folder.

Shared by every test that drives the command line; only a few smoke tests start a real
`python -m mailbot` process.
"""

import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailbot import cli
from mailbot.config import PACKAGED_CONFIG

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    """What a user sees of one `mailbot` command: exit status and the two streams."""

    returncode: int
    stdout: str
    stderr: str


def mailbot(*args, cwd, check=True):
    """Run `mailbot ARGS` in process from `cwd`, as a user would from that folder."""
    runner = CliRunner(env={"MAILBOT_NOW": None, "MAILBOT_CONFIG": None})
    with contextlib.chdir(cwd):
        result = runner.invoke(cli.main, [str(arg) for arg in args], prog_name="mailbot",
                               catch_exceptions=False)
    run = Run(result.exit_code, result.stdout, result.stderr)
    if check and run.returncode != 0:
        raise AssertionError(f"exit {run.returncode}\n{run.stdout}\n{run.stderr}")
    return run


@pytest.fixture
def site(tmp_path):
    """A campaign folder holding the packaged config.toml."""
    shutil.copyfile(PACKAGED_CONFIG, tmp_path / "config.toml")
    return tmp_path
