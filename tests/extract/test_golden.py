"""Golden forms: every real shape of the form (tests/golden/forms/NAME) beside the
`extract --json` objects it must give (NAME.json), one case each.

Regenerate with tests/golden/make_golden.py; review every JSON it rewrites by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tools import need_tool
from tests.golden.make_golden import FORMS, actual

INPUTS = sorted(p for p in FORMS.iterdir() if p.suffix != ".json")
CONVERTED = {".doc", ".wps", ".odt", ".xls", ".et", ".ods"}  # read through LibreOffice


def case(path: Path):
    marks = [pytest.mark.slow] if path.suffix in CONVERTED else []
    return pytest.param(path, marks=marks, id=path.name)


@pytest.mark.parametrize("path", [case(p) for p in INPUTS])
def test_golden_form(path: Path):
    if path.suffix in CONVERTED:
        need_tool("soffice")
    expected = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
    assert actual(path) == expected


def test_every_golden_form_has_its_expectation():
    assert len(INPUTS) >= 20
    assert sorted(p.name + ".json" for p in INPUTS) == sorted(
        p.name for p in FORMS.glob("*.json"))
