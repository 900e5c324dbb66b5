"""A backlog of 80 mails: read in order, then with read-ahead; cores used, and the same store.

    PYTHONPATH=. python benchmarks/bench_backlog.py [--units 20]

One district of bench_city (its units x 4 quarters, the form and the stamped
scan in each mail) is written into a Maildir one mail at a time. Then a fresh
process polls it with `pipeline.poll` twice, each time into a new store: read in
order (no ReadAhead), and as the worker does (the next mails' files parsed on
the second parser process while one is recorded). Prints wall time, CPU time
(the process and every child it reaped: the parser processes are closed before
the figure is taken) and their ratio (goal: CPU / wall >= 1.6 with read-ahead on
an idle machine), and whether both stores recorded the same outcomes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bench_city  # noqa: E402
from mailbot.app import pipeline, samples  # noqa: E402
from mailbot.config import load  # noqa: E402
from mailbot.extract import pool  # noqa: E402
from mailbot.mailbox.maildir import MaildirSource  # noqa: E402

NOW = datetime(2027, 1, 5, tzinfo=timezone.utc)


def write_backlog(config, box: Path) -> int:
    """The district's mails into box/new, one at a time, dated as sent."""
    for sub in ("tmp", "new", "cur"):
        (box / sub).mkdir(parents=True, exist_ok=True)
    count = 0
    for count, (raw, sent) in enumerate(bench_city.district_mails(config,
                                                                  samples.scanned_pdf()), 1):
        path = box / "new" / f"{count:04d}.eml"
        path.write_bytes(raw)
        os.utime(path, (sent.timestamp(), sent.timestamp()))
    return count


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds of this process, and of the children it reaped (the parser processes)."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def poll_once(site: Path, box: Path, ahead: bool) -> dict:
    """In this process: poll the box into a new store; figures and recorded outcomes."""
    config = load(site / "config.toml")
    ctx = pipeline.Context.open(config, lambda: NOW)
    if not ahead:
        ctx.ahead = None
    (own, children), start = cpu_seconds(), time.perf_counter()
    outcomes = pipeline.poll(ctx, MaildirSource(box), since=datetime(2026, 1, 1).date())
    pool._close_all()  # reaped, so their CPU time is counted
    wall = time.perf_counter() - start
    own, children = (after - before for after, before in zip(cpu_seconds(), (own, children)))
    recorded = [[m.source_key, m.state, m.reason, m.unit, m.quarter]
                for m in ctx.store.messages()]
    current = [[r.unit, r.quarter, r.message_id, r.electronic, r.stamped_pdf, list(r.problems)]
               for quarter in bench_city.QUARTERS for r in ctx.current(quarter)]
    taken = ctx.ahead.taken if ctx.ahead else 0
    ctx.store.close()
    return {"mails": len(outcomes), "wall": wall, "cpu": own + children, "parsers": children,
            "taken": taken,
            "store": [recorded, current]}


def run_mode(scratch: Path, box: Path, mode: str) -> dict:
    """poll_once in a fresh process (nothing of the mails' making in its memory)."""
    site = scratch / mode
    (site / "config.toml").parent.mkdir(parents=True)
    (site / "config.toml").write_text((scratch / "site" / "config.toml").read_text("utf-8"),
                                      encoding="utf-8")
    shutil.copytree(box, site / "box")  # poll moves what it recorded out of new/
    done = subprocess.run([sys.executable, __file__, "--poll", str(site), str(site / "box"),
                           mode],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--poll", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.poll:
        site, box, mode = args.poll
        print(json.dumps(poll_once(Path(site), Path(box), mode == "ahead")))
        return 0
    with tempfile.TemporaryDirectory(prefix="mailbot-backlog-") as folder:
        scratch = Path(folder)
        config = load(bench_city.city_config(scratch / "site", 1))
        total = write_backlog(config, scratch / "box")
        print(f"{total} mails (DOCX + stamped scan each) waiting in a Maildir; "
              f"{os.cpu_count()} CPUs; load average {open('/proc/loadavg').read().split()[0]}")
        runs = {mode: run_mode(scratch, scratch / "box", mode) for mode in ("serial", "ahead")}
    for mode, run in runs.items():
        print(f"{mode:7} {run['mails']} mails in {run['wall']:.1f} s wall, {run['cpu']:.1f} s "
              f"CPU ({run['parsers']:.1f} s of it in the parser processes): CPU / wall = "
              f"{run['cpu'] / run['wall']:.2f}  (mails read ahead: {run['taken']})")
    same = runs["serial"]["store"] == runs["ahead"]["store"]
    print(f"goal CPU / wall >= 1.6 with read-ahead; stores record the same outcomes: {same}; "
          f"load average at end {open('/proc/loadavg').read().split()[0]}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
