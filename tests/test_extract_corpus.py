"""Robustness over the public corpus (../shared/public-corpus): every file is read or refused
with a plain error, never a traceback or a hang. The corpus lives beside the checkout, never in it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mailbot.extract import extract_path

CORPUS = Path(os.environ.get("MAILBOT_CORPUS")
              or Path(__file__).resolve().parent.parent.parent / "shared" / "public-corpus")


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for folder in ("docx", "pdf") for p in (CORPUS / folder).iterdir())


@pytest.mark.slow
def test_every_corpus_file_is_read_or_refused_plainly(campaign):
    files = corpus_files()
    if not files:
        if os.environ.get("CI"):
            pytest.fail(f"public corpus missing at {CORPUS}")
        pytest.skip(f"public corpus not found at {CORPUS}")
    slow = []
    for path in files:
        start = time.monotonic()
        for extraction in extract_path(path, campaign):
            assert extraction.error is None or (
                "Traceback" not in extraction.error and len(extraction.error) < 400), path
        if time.monotonic() - start > 30:
            slow.append(path.name)
    assert not slow
