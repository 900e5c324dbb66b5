"""A year of a whole city's mail: 10 districts x 20 units x 4 quarters = 800 mails.

    python benchmarks/bench_city.py [--districts N]

Each district runs its own mailbot (its own config with 20 units and ten items,
its own store); every unit sends, each quarter, the filled form (DOCX) and a
stamped scan (PDF), made by mailbot.samples. Each mail is made just before it is
ingested (not timed; never all 800 first, which made the worker measured a far
larger process than the real one), as the worker does (archive, claim, extract
both files in the parser pool, assess, record, queue the receipt), and the
receipts written to a folder outbox. Prints mails per second on this machine;
the goal is the whole year well inside a day.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.app import pipeline

from mailbot.app import samples  # noqa: E402
from mailbot.config import load  # noqa: E402
from mailbot.outgoing.outbox import FolderTransport  # noqa: E402
from mailbot.config import PACKAGED_CONFIG

UNITS, QUARTERS = 20, ("2026Q1", "2026Q2", "2026Q3", "2026Q4")
SENT = {"2026Q1": "2026-03-27", "2026Q2": "2026-06-26", "2026Q3": "2026-09-25",
        "2026Q4": "2026-12-25"}


def city_config(folder: Path, district: int) -> Path:
    """config.toml with the shipped campaign's items, owned two units each, of 20 units."""
    text = PACKAGED_CONFIG.read_text(encoding="utf-8")
    head = text[:text.index("[[units]]")]
    units = "".join(f'[[units]]\nname = "第{d}区单位{n}"\nemails = ["unit{n}@d{d}.example.org"]\n\n'
                    for d in (district,) for n in range(1, UNITS + 1))
    titles = re.findall(r'^title = "(.*)"$', text[text.index("[[items]]"):], re.MULTILINE)
    items = "".join(
        f'[[items]]\nseq = {seq}\ntitle = "{title}"\nunits = ["第{district}区单位{2 * seq - 1}", '
        f'"第{district}区单位{2 * seq}"]\ndeadline = "2026年12月底"\n\n'
        for seq, title in enumerate(titles, start=1))
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(head + units + items, encoding="utf-8")
    return folder / "config.toml"


def district_mails(config, stamped_pdf: bytes) -> Iterator[tuple[bytes, datetime]]:
    """The district's year of mail, one mail at a time."""
    campaign = config.campaign
    for quarter in QUARTERS:
        for number, unit in enumerate(campaign.units):
            sent = (datetime.fromisoformat(SENT[quarter]).replace(tzinfo=timezone.utc)
                    + timedelta(minutes=7 * number))
            files = [(f"{unit.name}进展情况.docx", samples.form_docx(campaign, unit.name, quarter)),
                     (f"{unit.name}进展情况（盖章）.pdf", stamped_pdf)]
            yield (samples.report_mail(unit.emails[0], campaign.federation_emails[0],
                                       f"{unit.name}{quarter[-1]}季度进展", sent, files), sent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=10)
    args = parser.parse_args()
    stamped = samples.scanned_pdf()
    total, size, seconds = args.districts * UNITS * len(QUARTERS), 0, 0.0
    print(f"{args.districts} districts x {UNITS} units x {len(QUARTERS)} quarters = "
          f"{total} mails (DOCX + stamped PDF each); {os.cpu_count()} CPUs; load average "
          f"{open('/proc/loadavg').read().split()[0]}")
    states: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="mailbot-city-") as scratch:
        for district in range(1, args.districts + 1):
            config = load(city_config(Path(scratch) / f"d{district}", district))
            ctx = pipeline.Context.open(config, lambda: datetime(2027, 1, 5, tzinfo=timezone.utc))
            for number, (raw, sent) in enumerate(district_mails(config, stamped)):
                size += len(raw)
                start = time.perf_counter()
                outcome = pipeline.ingest(ctx, raw, f"bench:{number}", sent)
                seconds += time.perf_counter() - start
                states[f"{outcome.state} {outcome.reason}"] = states.get(
                    f"{outcome.state} {outcome.reason}", 0) + 1
            start = time.perf_counter()
            pipeline.flush_outbox(ctx, FolderTransport(Path(config.smtp.local_path)))
            seconds += time.perf_counter() - start
            ctx.store.close()
    print(f"outcomes: {states}; {size / total / 1024:.0f} kB a mail")
    print(f"ingested {total} mails in {seconds:.1f} s: {total / seconds:.2f} mails/s, "
          f"{1000 * seconds / total:.0f} ms a mail (goal: a city's year well inside a day)")
    return 0 if states.get("done complete") == total else 1


if __name__ == "__main__":
    sys.exit(main())
