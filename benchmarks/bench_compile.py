"""How long compiling the consolidated report takes: 18 units x 10 items.

Goal: the DOCX in under 2 s. Texts are long (several paragraphs each) to be on
the heavy side of what units send. Prints one line per step; the PDF step is
timed only where LibreOffice is installed.

    python benchmarks/bench_compile.py [--rounds N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.extract import soffice  # noqa: E402
from mailbot.report.content import build_report  # noqa: E402
from mailbot.report.docx import write_docx, write_pdf  # noqa: E402
from mailbot.report.xlsx import write_xlsx  # noqa: E402
from tests import report_data  # noqa: E402

DAY = date(2026, 10, 9)


def long_text(unit: str, seq: int) -> str:
    return report_data.progress(unit, seq, paragraphs=24)


def timed(label: str, rounds: int, step) -> None:
    best = min(_once(step) for _ in range(rounds))
    print(f"{label:<28} best of {rounds}: {best * 1000:8.1f} ms")


def _once(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    campaign = report_data.campaign()
    records = [report_data.record(campaign, unit.name, ident=n, text=long_text)
               for n, unit in enumerate(campaign.units, start=1)]
    chars = sum(len(row.progress) for record in records for row in record.rows)
    print(f"{len(campaign.units)} units, {len(campaign.items)} items, {chars} characters of progress")
    report = build_report(campaign, "2026Q3", records)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        timed("build_report (pure)", args.rounds,
              lambda: build_report(campaign, "2026Q3", records))
        timed("content + DOCX (goal < 2 s)", args.rounds,
              lambda: write_docx(build_report(campaign, "2026Q3", records),
                                 out / "r.docx", compiled_on=DAY))
        timed("XLSX", args.rounds, lambda: write_xlsx(report, out / "r.xlsx", compiled_on=DAY))
        if soffice.soffice_path():
            timed("DOCX + PDF (LibreOffice)", 1,
                  lambda: write_pdf(report, out / "r.pdf", compiled_on=DAY))
        else:
            print(f"PDF: skipped, LibreOffice not installed ({soffice.INSTALL_HINT})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
