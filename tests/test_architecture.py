"""The house keeps its shape: import-linter's contracts (pyproject.toml) hold on the tree."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold():
    linter = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_every_package_says_what_it_is_for():
    for init in sorted((ROOT / "mailbot").glob("*/__init__.py")):
        text = init.read_text(encoding="utf-8")
        assert text.startswith('"""') and len(text.split('"""')[1]) > 40, init.parent.name
