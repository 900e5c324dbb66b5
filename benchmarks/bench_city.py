"""A year of a whole city's mail: 10 districts x 20 units x 4 quarters = 800 mails.

    python benchmarks/bench_city.py [--districts N]

Each district runs its own mailbot (its own config with 20 units and ten items,
its own store); every unit sends, each quarter, the filled form (DOCX) and a
stamped scan (PDF), made by mailbot.samples. The mails are made first and not
timed; then each district's mails are ingested one after the other, as the
worker does (archive, claim, extract both files in the sandbox, assess, record,
queue the receipt), and the receipts written to a folder outbox. Prints mails
per second on this machine; the goal is the whole year well inside a day.
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


def district_mails(config, stamped_pdf: bytes) -> list[tuple[bytes, datetime]]:
    campaign = config.campaign
    mails = []
    for quarter in QUARTERS:
        for number, unit in enumerate(campaign.units):
            sent = (datetime.fromisoformat(SENT[quarter]).replace(tzinfo=timezone.utc)
                    + timedelta(minutes=7 * number))
            files = [(f"{unit.name}进展情况.docx", samples.form_docx(campaign, unit.name, quarter)),
                     (f"{unit.name}进展情况（盖章）.pdf", stamped_pdf)]
            mails.append((samples.report_mail(unit.emails[0], campaign.federation_emails[0],
                                              f"{unit.name}{quarter[-1]}季度进展", sent, files),
                          sent))
    return mails


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=10)
    args = parser.parse_args()
    stamped = samples.scanned_pdf()
    with tempfile.TemporaryDirectory(prefix="mailbot-city-") as scratch:
        sites = []
        for district in range(1, args.districts + 1):
            config = load(city_config(Path(scratch) / f"d{district}", district))
            sites.append((config, district_mails(config, stamped)))
        total = sum(len(mails) for _, mails in sites)
        size = sum(len(raw) for _, mails in sites for raw, _ in mails) / total / 1024
        print(f"{args.districts} districts x {UNITS} units x {len(QUARTERS)} quarters = "
              f"{total} mails (DOCX + stamped PDF each, {size:.0f} kB a mail); "
              f"{os.cpu_count()} CPUs")
        states: dict[str, int] = {}
        start = time.perf_counter()
        for config, mails in sites:
            ctx = pipeline.Context.open(config, lambda: datetime(2027, 1, 5, tzinfo=timezone.utc))
            for number, (raw, sent) in enumerate(mails):
                outcome = pipeline.ingest(ctx, raw, f"bench:{number}", sent)
                states[f"{outcome.state} {outcome.reason}"] = states.get(
                    f"{outcome.state} {outcome.reason}", 0) + 1
            pipeline.flush_outbox(ctx, FolderTransport(Path(config.smtp.local_path)))
            ctx.store.close()
        seconds = time.perf_counter() - start
    print(f"outcomes: {states}")
    print(f"ingested {total} mails in {seconds:.1f} s: {total / seconds:.2f} mails/s, "
          f"{1000 * seconds / total:.0f} ms a mail (goal: a city's year well inside a day)")
    return 0 if states.get("done complete") == total else 1


if __name__ == "__main__":
    sys.exit(main())
