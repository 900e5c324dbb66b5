"""How fast the console's pages render on a big store, and whether it slows the receipts.

A campaign of 50 units (the notice's 18 plus 32 more, each with an item) and a store of
5,000 recorded mails over the year (submissions with two documents and three rows,
a receipt for each), written straight into the store. Goal: the overview and a unit's
page each under 200 ms (each page's CPU time is printed too: on a shared machine the wall
time says more about the neighbours). Then the receipt latency (ingest one real unit mail and hand
its receipt to the outbox) alone, and while a thread of the same process (as in
`mailbot run` with [web] listen) loads the overview once a second, and in a tight loop.

    python benchmarks/bench_web.py [--mails N] [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.app import pipeline  # noqa: E402
from mailbot.config import load  # noqa: E402
from mailbot.core.models import Assessment, Extraction, FormRow  # noqa: E402
from mailbot.outgoing.outbox import FolderTransport  # noqa: E402
from mailbot.web.app import create_app  # noqa: E402
from mailbot.web.settings import web_settings  # noqa: E402
from tests.console import PASSWORD, STAFF, console_toml  # noqa: E402
from tests.pipeline import NOW, unit_mail, write_config  # noqa: E402

EXTRA_UNITS = 32
QUARTERS = ("2026Q1", "2026Q2", "2026Q3", "2026Q4")


def big_campaign(folder: Path) -> Path:
    """The packaged config with 32 more units, each owning a new item (seq 11...)."""
    more = "".join(f'\n[[units]]\nname = "测试单位{n:02d}"\nemails = ["unit{n:02d}@zichuan.example.org"]\n'
                   f'\n[[items]]\nseq = {10 + n}\ntitle = "测试事项{n:02d}"\n'
                   f'units = ["测试单位{n:02d}"]\ndeadline = "2026年12月底"\n'
                   for n in range(1, EXTRA_UNITS + 1))
    return write_config(folder, console_toml() + more)


def fill(ctx: pipeline.Context, mails: int) -> None:
    """`mails` recorded reports spread over the units and quarters, in one transaction."""
    units = ctx.config.campaign.units
    start = datetime(2026, 1, 5, 1, tzinfo=timezone.utc)
    with ctx.store.transaction() as tx:
        db = tx.db
        for n in range(mails):
            unit, quarter = units[n % len(units)], QUARTERS[(n // len(units)) % 4]
            when = start + timedelta(minutes=97 * n)
            message = db.execute(
                "INSERT INTO messages (sha256, message_id, source_key, received_at, subject,"
                " sender, state, unit, quarter, created_at) VALUES (?, ?, ?, ?, ?, ?, 'done',"
                " ?, ?, ?)", (f"{n:064x}", f"<{n}@bench>", f"bench:{n}", when.isoformat(),
                              f"{unit.name}进展报送{n}", unit.emails[0], unit.name, quarter,
                              when.isoformat())).lastrowid
            items = tuple(item.seq for item in ctx.config.campaign.items_of(unit.name))
            rows = tuple(FormRow(seq, f"事项{seq}", (unit.name,), unit.name, "进展情况" * 60,
                                 "2026年12月底") for seq in items[:3])
            assessment = Assessment(unit.name, quarter, True, n % 3 != 0, items, rows,
                                    () if n % 3 else ("未收到加盖公章的 PDF 版",))
            documents = [Extraction("报表.docx", "docx", has_form=True),
                         Extraction("盖章.pdf", "pdf", scanned=True, seal=True)]
            tx.add_submission(message, f"<{n}@bench>", when, assessment, documents)
            tx.queue_mail("receipt", f"receipt:{message}", ctx.sender, unit.emails,
                          f"回执：{unit.name}进展已收到", b"x" * 2000, when, unit.name, quarter)
        # sent long ago: nothing waits in the outbox, and no rate limit is reached
        db.execute("UPDATE outgoing SET state = 'sent', created_at = ?, sent_at = ?",
                   (start.isoformat(), start.isoformat()))
        db.execute("UPDATE outgoing_to SET created_at = ?", (start.isoformat(),))


def render_times(client, path: str, rounds: int) -> tuple[list[float], float]:
    times = []
    cpu = time.thread_time()
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    # CPU time of this thread: what a page costs whatever else the machine runs
    return times, (time.thread_time() - cpu) * 1000 / rounds


def logged_in(app):
    client = app.test_client()
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"username": STAFF, "password": PASSWORD, "csrf_token": token})
    return client


def receipt_latency(ctx: pipeline.Context, outbox: Path, count: int, offset: int) -> list[float]:
    """Milliseconds from a unit mail's bytes to its receipt handed to the outbox."""
    units = ctx.config.campaign.units
    times = []
    for n in range(count):
        raw = unit_mail(ctx, units[n].name, subject=f"{units[n].name}三季度进展 {offset + n}")
        started = time.perf_counter()
        pipeline.ingest(ctx, raw, f"latency:{offset + n}", NOW)
        pipeline.flush_outbox(ctx, FolderTransport(outbox))
        times.append((time.perf_counter() - started) * 1000)
    return times


def statements(ctx: pipeline.Context, outbox: Path) -> int:
    """SQL statements one receipt runs: each releases and retakes the GIL, so with the
    console rendering in another thread each may wait out a switch interval (5 ms)."""
    count = [0]
    ctx.store.db.set_trace_callback(lambda _sql: count.__setitem__(0, count[0] + 1))
    try:
        receipt_latency(ctx, outbox, 1, 900)
    finally:
        ctx.store.db.set_trace_callback(None)
    return count[0]


def line(label: str, times: list[float], goal: float | None = None,
         cpu: float | None = None) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    verdict = "" if goal is None else ("  ok" if p95 < goal else f"  OVER the {goal:g} ms goal")
    spent = "" if cpu is None else f"  cpu {cpu:6.1f} ms"
    print(f"{label:<50} median {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms"
          f"{spent}{verdict}")


def page(client, label: str, path: str, rounds: int, goal: float | None = None) -> None:
    times, cpu = render_times(client, path, rounds)
    line(label, times, goal, cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as scratch:
        config = load(big_campaign(Path(scratch)))
        ctx = pipeline.Context.open(config, lambda: NOW)
        started = time.perf_counter()
        fill(ctx, args.mails)
        print(f"{len(config.campaign.units)} units, {args.mails} mails written in "
              f"{time.perf_counter() - started:.1f} s")
        app = create_app(config, lambda: NOW, web_settings(config))
        client = logged_in(app)
        client.get("/")  # the first request opens the thread's store
        page(client, "overview 总览 (goal < 200 ms)", "/?quarter=2026Q3", args.rounds, 200)
        page(client, "unit page (goal < 200 ms)", "/unit/区妇联?quarter=2026Q3", args.rounds, 200)
        page(client, "review 待处理", "/review", args.rounds)
        page(client, "remind 催报 (dry run)", "/remind", args.rounds)
        outbox = Path(scratch) / "sent"
        print(f"store statements for one receipt (ingest + outbox): {statements(ctx, outbox)}")
        line("receipt latency, console idle", receipt_latency(ctx, outbox, 8, 0))
        for label, pause, offset in (("overview loaded once a second", 1.0, 100),
                                     ("overview loaded in a tight loop", 0.0, 200)):
            stop = threading.Event()
            busy = threading.Thread(target=_keep_loading, args=(app, stop, pause), daemon=True)
            busy.start()
            line(f"receipt latency, {label}", receipt_latency(ctx, outbox, 8, offset))
            stop.set()
            busy.join()
    return 0


def _keep_loading(app, stop: threading.Event, pause: float) -> None:
    """A staff member's browser, or (pause 0) the worst a console can be asked to do."""
    client = logged_in(app)
    while not stop.is_set():
        client.get("/?quarter=2026Q3")
        stop.wait(pause)


if __name__ == "__main__":
    sys.exit(main())
