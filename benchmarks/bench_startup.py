"""What the short commands cost to start: CPU and wall time of `status`, `poll --once` and
`remind --dry-run` on a fresh campaign (`mailbot init`, an empty Maildir), and whether
they load the heavy modules they do not use (issue 15: the report writers, the
scheduler, the web console).

Each command runs `--rounds` times as a fresh `python -m mailbot` process; CPU is the
children's user + system time (what /usr/bin/time reports), the median is printed.
The tree's bytecode is compiled first, as pip compiles an installed wheel
(installed.py). `--tree` measures another checkout (e.g. main before a change) the same way.

    python benchmarks/bench_startup.py [--rounds 10] [--tree PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from installed import compile_tree

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = (("status",), ("poll", "--once"), ("remind", "--dry-run"))
HEAVY = ("openpyxl", "docxtpl", "apscheduler", "flask", "mailbot.app.worker",
         "mailbot.app.scheduler", "mailbot.report.docx", "mailbot.report.xlsx", "mailbot.web",
         "pdfplumber", "docx")
# prints which of HEAVY a command left in sys.modules, after running it in this process
PROBE = ("import sys, runpy; sys.argv = ['mailbot', *sys.argv[1:]]\n"
         "try:\n    runpy.run_module('mailbot', run_name='__main__')\n"
         "except SystemExit:\n    pass\n"
         f"print('LOADED', [m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)")


def campaign(folder: Path, env: dict) -> Path:
    subprocess.run([sys.executable, "-m", "mailbot", "init", str(folder)], env=env, check=True,
                   capture_output=True, cwd=folder.parent)
    for sub in ("new", "cur", "tmp"):
        (folder / "var" / "mail" / sub).mkdir(parents=True, exist_ok=True)
    return folder / "config.toml"


def timed(argv: list[str], env: dict, config: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run, from the campaign folder (never from a
    checkout, whose mailbot/ would shadow `--tree`)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True, cwd=config.parent)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime), wall


def loaded(config: Path, command: tuple[str, ...], env: dict) -> str:
    run = subprocess.run([sys.executable, "-c", PROBE, "--config", str(config), *command],
                         env=env, capture_output=True, text=True, check=True, cwd=config.parent)
    return next(line for line in run.stderr.splitlines() if line.startswith("LOADED"))[7:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout to measure")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(args.tree.resolve()))
    compile_tree(args.tree.resolve())  # started as an installed mailbot starts (installed.py)
    check = subprocess.run([sys.executable, "-c", "import mailbot; print(mailbot.__file__)"],
                           env=env, cwd="/", capture_output=True, text=True, check=True)
    print(f"mailbot from {check.stdout.strip()}")
    print(f"tree {args.tree.resolve()}, {args.rounds} rounds, "
          f"load average {open('/proc/loadavg').read().split()[0]}")
    with tempfile.TemporaryDirectory() as scratch:
        config = campaign(Path(scratch) / "site", env)
        for command in COMMANDS:
            argv = [sys.executable, "-m", "mailbot", "--config", str(config), *command]
            runs = [timed(argv, env, config) for _ in range(args.rounds)]
            cpu = statistics.median(r[0] for r in runs)
            wall = statistics.median(r[1] for r in runs)
            print(f"mailbot {' '.join(command):<18} CPU {cpu:.2f} s  wall {wall:.2f} s  "
                  f"heavy modules loaded: {loaded(config, command, env)}")


if __name__ == "__main__":
    main()
