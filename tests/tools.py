"""What the tests need from the machine, and one rule for when it is missing.

Locally a missing tool skips the test with the command that installs it; under
CI (the CI variable set) it fails the run, so a green CI never hides a skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# ../shared/public-corpus beside the checkout (as in CI), or $MAILBOT_CORPUS
CORPUS = Path(os.environ.get("MAILBOT_CORPUS") or ROOT.parent / "shared" / "public-corpus")
INSTALL = {
    "dovecot": "apt-get install dovecot-imapd",
    "doveadm": "apt-get install dovecot-imapd",
    "soffice": "apt-get install libreoffice-writer-nogui fonts-noto-cjk",
    "pdftoppm": "apt-get install poppler-utils",
    "chromium": "apt-get install chromium",
    "chromedriver": "apt-get install chromium-driver",
}


def require(available: object, message: str) -> None:
    """Skip (locally) or fail (CI) the calling test unless `available` is true."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{message} (required in CI)")
    pytest.skip(message)


def need_tool(name: str) -> str:
    """The tool's path, or skip/fail saying how to install it."""
    path = shutil.which(name) or next(
        (f"{folder}/{name}" for folder in ("/usr/sbin", "/sbin")
         if os.path.exists(f"{folder}/{name}")), None)
    require(path, f"{name} is not installed ({INSTALL.get(name, 'apt-get install ' + name)})")
    return path


def corpus(*folders: str) -> list[Path]:
    """The public corpus files in the named folders (skip/fail when the corpus is absent)."""
    require(CORPUS.is_dir(), f"public corpus not found at {CORPUS} (set MAILBOT_CORPUS)")
    return sorted(p for folder in folders for p in (CORPUS / folder).iterdir())
