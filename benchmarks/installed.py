"""The tree as pip leaves an installed package: its bytecode compiled.

The command benchmarks run this tree in fresh processes (PYTHONPATH). Where
PYTHONDONTWRITEBYTECODE is set (the machine of docs/benchmarks.md sets it) Python
never writes __pycache__, so every start compiled all of mailbot again: 25 ms of a 131 ms
empty `poll --once` on the 2-core machine of docs/benchmarks.md, a cost no
installed mailbot pays (pip compiles the wheel at install).
"""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_tree(tree: Path) -> None:
    """Write the bytecode of `tree`'s mailbot package (what pip install does)."""
    if not compileall.compile_dir(str(tree / "mailbot"), quiet=1):
        raise SystemExit(f"could not compile {tree / 'mailbot'}")
