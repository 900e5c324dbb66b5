"""Robustness over the public corpus (../shared/public-corpus): every file is read or refused
with a plain error, never a traceback or a hang. The corpus lives beside the checkout, never in it."""

from __future__ import annotations

import time

import pytest

from mailbot.extract import extract_path
from mailbot.extract.reader import LIMITS
from tests.tools import corpus


@pytest.mark.slow
def test_every_corpus_file_is_read_or_refused_plainly(campaign):
    files = corpus("docx", "pdf")
    slow = []
    for path in files:
        start = time.monotonic()
        for extraction in extract_path(path, campaign):
            assert extraction.error is None or (
                "Traceback" not in extraction.error and len(extraction.error) < 400), path
        # the sandbox stops a parse at its wall-clock limit; far past it, the parent hung
        if time.monotonic() - start > 2 * LIMITS.seconds + 30:
            slow.append(path.name)
    assert not slow
