"""Peak memory while ingesting one mail with a 25 MB attachment (goal: under 400 MB).

    python benchmarks/bench_memory.py [--mb 25]

The mail (a filled form whose DOCX carries 25 MB of scanned pages as images, plus
the stamped PDF) is written to a file first; then `mailbot ingest FILE` runs in a
fresh process against a fresh store. Its peak resident memory is read from
wait4(), which on Linux covers the process and every child it waited for, so the
forked extraction sandbox counts. A small mail is measured the same way for scale.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.app import samples  # noqa: E402
from mailbot.config import load  # noqa: E402
from mailbot.config import PACKAGED_CONFIG

GOAL_MB = 400
SENT = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)


def heavy_form(campaign, megabytes: int) -> bytes:
    """The unit's form with `megabytes` of incompressible 'scanned pages' in word/media."""
    form = samples.form_docx(campaign, "区人社局", "2026Q3")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(form)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        for page in range(megabytes):
            target.writestr(f"word/media/scan{page}.jpeg", os.urandom(1024 * 1024),
                            compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def peak_of_ingest(site: Path, mail: Path) -> tuple[float, str]:
    """Peak RSS in MB of `mailbot ingest` (with its children) and its last output line."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen([sys.executable, "-m", "mailbot", "--config",
                                str(site / "config.toml"), "ingest", str(mail)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    output = process.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"ingest failed:\n{output}")
    return usage.ru_maxrss / 1024, output.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=25)
    args = parser.parse_args()
    campaign = load(PACKAGED_CONFIG).campaign
    with tempfile.TemporaryDirectory(prefix="mailbot-memory-") as scratch:
        results = []
        for label, form in (("small mail (form + stamped PDF)",
                             samples.form_docx(campaign, "区人社局", "2026Q3")),
                            (f"{args.mb} MB attachment", heavy_form(campaign, args.mb))):
            site = Path(scratch) / str(len(results))
            site.mkdir()
            shutil.copyfile(PACKAGED_CONFIG, site / "config.toml")
            raw = samples.report_mail("rsj@zichuan.example.org",
                                      "fulian-office@zichuan.example.org", "区人社局三季度进展",
                                      SENT, [("报表.docx", form),
                                             ("盖章.pdf", samples.scanned_pdf())])
            mail = site / "mail.eml"
            mail.write_bytes(raw)
            peak, line = peak_of_ingest(site, mail)
            results.append(peak)
            print(f"{label:34} mail {len(raw) / 2**20:5.1f} MB  peak RSS {peak:6.1f} MB  ({line})")
    print(f"peak memory on a {args.mb} MB attachment: {results[-1]:.0f} MB, goal under {GOAL_MB} MB "
          f"(ratio {results[-1] / GOAL_MB:.2f} of the goal)")
    return 0 if results[-1] < GOAL_MB else 1


if __name__ == "__main__":
    sys.exit(main())
