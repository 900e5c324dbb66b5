"""Per-mail ingest time as one store grows to 5,000 mails: does a mail cost more later?

    python benchmarks/bench_ingest_slope.py [--mails 5000] [--every 20]

One store, one campaign clock advancing a minute a mail (each unit's address gets
a few an hour, under the reply limit), mails made one at a time as they arrive: units' mails without
files (held, a held notice queued: parse, claim, classify, rate limit, queue,
commit) and, every `--every`-th, a unit's filled form (done, a receipt with the
unit's quarter as it stands: read files in the sandbox, assess, record). Every
100 mails the outbox is flushed to a folder transport, as the worker's outbox job
does (a new transport each time). Prints the median per mail of each kind around
100, 1,000 and 5,000 mails, the least-squares slope over all of them (goal: under
0.5 ms per 1,000 mails), and the flush's cost per sent mail. Only public
pipeline functions are used, so the same script runs against another checkout:
`PYTHONPATH=/path/to/checkout python benchmarks/bench_ingest_slope.py --tree /path/to/checkout`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--mails", type=int, default=5000)
parser.add_argument("--every", type=int, default=20, help="one report mail in this many")
parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parent.parent,
                    help="the mailbot checkout to measure (default: this one)")
ARGS = parser.parse_args()
sys.path.insert(0, str(ARGS.tree))

from mailbot.app import pipeline, samples  # noqa: E402
from mailbot.config import PACKAGED_CONFIG, load  # noqa: E402
from mailbot.outgoing.outbox import FolderTransport  # noqa: E402

START = datetime(2026, 9, 25, 1, tzinfo=timezone.utc)
STEP = timedelta(minutes=1)  # 5,000 mails end inside the quarter's window
MARKS = (100, 1000, 5000)


class Clock:
    """The campaign clock, moved by the benchmark: each mail arrives at its own moment."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def make_mail(ctx: pipeline.Context, n: int, report: bool, when: datetime) -> bytes:
    campaign = ctx.config.campaign
    unit = campaign.units[n % len(campaign.units)]
    files = [("报表.docx", samples.form_docx(campaign, unit.name, "2026Q3"))] if report else []
    return samples.report_mail(unit.emails[0], campaign.federation_emails[0],
                               f"{unit.name}三季度进展", when, files,  # a number could read as a year
                               message_id=f"<slope-{n}@bench>")


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of (mail number, seconds): seconds per mail of store size."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return (sum((x - mx) * (y - my) for x, y in points)
            / sum((x - mx) ** 2 for x in xs))


def around(points: list[tuple[int, float]], mark: int, width: int) -> float:
    near = [y for x, y in points if mark - width < x <= mark]
    return statistics.median(near) if near else float("nan")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="mailbot-bench-slope-"))
    (folder / "config.toml").write_text(PACKAGED_CONFIG.read_text(encoding="utf-8"),
                                        encoding="utf-8")
    clock = Clock()
    ctx = pipeline.Context.open(load(folder / "config.toml"), clock)
    ctx.since()
    kinds: dict[str, list[tuple[int, float]]] = {"held": [], "report": []}
    flushes: list[float] = []
    for n in range(1, ARGS.mails + 1):
        clock.now = START + STEP * n
        report = n % ARGS.every == 0
        raw = make_mail(ctx, n, report, clock.now)
        started = time.perf_counter()
        outcome = pipeline.ingest(ctx, raw, f"bench:{n}", clock.now)
        kinds["report" if report else "held"].append((n, time.perf_counter() - started))
        if outcome.state != ("done" if report else "held"):  # another path: say so
            print(f"  mail {n}: {outcome.state} ({outcome.reason})")
        if n % 100 == 0:
            began = time.perf_counter()
            sent, _ = pipeline.flush_outbox(ctx, FolderTransport(folder / "outbox"))
            flushes.append((time.perf_counter() - began) / max(sent, 1))
    ctx.store.close()
    print(f"per-mail ingest in one store of {ARGS.mails} mails ({ARGS.tree}); "
          f"load average {Path('/proc/loadavg').read_text().split()[0]}")
    for kind, points in kinds.items():
        width = 100 if kind == "held" else 100 * ARGS.every // 10
        marks = "   ".join(f"@{mark:>5}: {around(points, mark, width) * 1000:7.2f} ms"
                           for mark in MARKS if mark <= ARGS.mails)
        print(f"  {kind:<7} {marks}   slope {slope(points) * 1e6:+6.3f} ms per 1,000 mails"
              "   (goal < 0.5)")
    print(f"  outbox flush per sent mail: first {flushes[0] * 1000:.2f} ms, "
          f"last {flushes[-1] * 1000:.2f} ms ({len(flushes)} flushes)")
    print(f"  store: {os.path.getsize(folder / 'var' / 'mailbot.sqlite3') / 1e6:.1f} MB; "
          f"command: python benchmarks/bench_ingest_slope.py --mails {ARGS.mails} "
          f"--every {ARGS.every}")


if __name__ == "__main__":
    main()
