"""Render a sample summary mail and photograph its HTML in headless Chromium.

Writes OUT/summary.html (the inline chart swapped for a data: URI, as a mail
client would show it), OUT/summary-desktop.png and OUT/summary-phone.png, and
the chart alone; look at the PNGs to check the matrix reads at a glance.

    python benchmarks/screenshot_summary.py [OUT_DIR]
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.outgoing.render import template_env  # noqa: E402
from mailbot.outgoing.summary_mail import render_summary  # noqa: E402
from mailbot.chase.summary import build_summary  # noqa: E402
from tests import report_data  # noqa: E402
from mailbot.outgoing.render import TEMPLATES

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--hide-scrollbars")


def browser() -> str | None:
    return next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)


def sample_html(out: Path) -> Path:
    campaign = report_data.campaign()
    now = datetime(2026, 10, 9, 17, 0, tzinfo=report_data.TZ)
    summary = build_summary(campaign, "2026Q3", report_data.sample_statuses(campaign),
                            report_data.sample_held(), now)
    mail = render_summary(campaign, summary, template_env(TEMPLATES), [])
    html = mail.html
    for image in mail.inline_images:
        (out / image.filename).write_bytes(image.data)
        data = base64.b64encode(image.data).decode("ascii")
        html = html.replace(f"cid:{image.filename}", f"data:{image.content_type};base64,{data}")
    path = out / "summary.html"
    path.write_text(html, encoding="utf-8")
    return path


def screenshot(html: Path, png: Path, width: int, height: int) -> None:
    chromium = browser()
    if chromium is None:
        raise SystemExit("chromium is not installed: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="mailbot-chromium-") as profile:
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                        f"--window-size={width},{height}", f"--screenshot={png}",
                        html.as_uri()], check=True, timeout=90, capture_output=True)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "var" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    html = sample_html(out)
    screenshot(html, out / "summary-desktop.png", 900, 2200)
    screenshot(html, out / "summary-phone.png", 390, 3000)
    for name in ("summary.html", "summary-desktop.png", "summary-phone.png"):
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
