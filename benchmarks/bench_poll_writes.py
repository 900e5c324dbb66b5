"""What the store's writes cost a polled mail, here and in another checkout, in one run.

    python benchmarks/bench_poll_writes.py [--mails 300] [--rounds 2] [--tree DIR ...]

Each tree (default: this checkout, and /work/main where it exists) ingests the same small mails
(bench_poll_cost.plain_mail: chatter and auto-replies, no files, so nothing but
parsing, the archive and the store is timed) into a fresh store, with the IMAP
position stored after each, the way `poll` does in that tree (committed with the
outcome where ingest takes a position, else a write of its own). Each tree runs in
its own process, alternating, `--rounds` times. Prints wall and CPU milliseconds a
mail: the wall time beyond the CPU time is waiting for the disk (fsync).
"""

from __future__ import annotations

import argparse
import inspect
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(tree: Path, mails: int) -> str:
    """Run in the child: ingest `mails` plain mails with `tree`'s mailbot."""
    sys.path[:0] = [str(tree), str(HERE)]
    from mailbot.app import pipeline
    from mailbot.config import PACKAGED_CONFIG, load

    from bench_poll_cost import plain_mail  # after mailbot: it would import its own tree's
    assert Path(pipeline.__file__).is_relative_to(tree), pipeline.__file__

    folder = Path(tempfile.mkdtemp(prefix="mailbot-bench-writes-"))
    (folder / "config.toml").write_text(PACKAGED_CONFIG.read_text(encoding="utf-8"),
                                        encoding="utf-8")
    now = datetime(2026, 12, 2, tzinfo=UTC)
    ctx = pipeline.Context.open(load(folder / "config.toml"), lambda: now)
    since = ctx.since()
    together = "position" in inspect.signature(pipeline.ingest).parameters
    raws = [plain_mail(n) for n in range(mails)]
    wall, cpu = time.perf_counter(), time.process_time()
    for n, raw in enumerate(raws):
        position = {"uidvalidity": 1, "last_uid": n + 1}
        if together:
            pipeline.ingest(ctx, raw, f"imap:1:{n + 1}", now, since, position)
        else:
            pipeline.ingest(ctx, raw, f"imap:1:{n + 1}", now, since)
            ctx.store.put_state(pipeline.MAILBOX_STATE, position)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return f"{wall / mails * 1000:.2f} {cpu / mails * 1000:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tree", type=Path, action="append",
                        help="a mailbot checkout (repeat; default: this one, and /work/main "
                             "where it exists)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(measure(args.child, args.mails))
        return
    main_tree = Path("/work/main")
    trees = args.tree or [HERE.parent, *([main_tree] if (main_tree / "mailbot").is_dir()
                                         and main_tree != HERE.parent else [])]
    figures: dict[Path, list[tuple[float, float]]] = {tree: [] for tree in trees}
    for _ in range(args.rounds):
        for tree in trees:
            out = subprocess.run([sys.executable, __file__, "--child", str(tree), "--mails",
                                  str(args.mails)], capture_output=True, text=True, check=True,
                                 cwd=tempfile.gettempdir()).stdout.split()
            figures[tree].append((float(out[0]), float(out[1])))
    load = Path("/proc/loadavg").read_text().split()[0]
    print(f"{args.mails} small mails ingested with the position stored; load average {load}; "
          f"command: python benchmarks/bench_poll_writes.py --mails {args.mails} "
          f"--rounds {args.rounds}")
    for tree, runs in figures.items():
        walls = ", ".join(f"{wall:.2f}" for wall, _ in runs)
        cpus = ", ".join(f"{cpu:.2f}" for _, cpu in runs)
        print(f"  {str(tree):<24} wall ms a mail: {walls}   cpu ms a mail: {cpus}")


if __name__ == "__main__":
    main()
