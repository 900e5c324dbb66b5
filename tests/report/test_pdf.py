"""The 2026Q3 demo report as LibreOffice prints it, read back from the PDF itself: every
row says which item it belongs to, nothing that must stay whole is broken over two
lines, and the fonts are the ones mailbot/templates/fonts.conf maps."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pdfplumber
import pytest

from mailbot.app.demo import run_demo
from mailbot.extract import soffice
from mailbot.report.content import build_report
from mailbot.report.docx import write_pdf
from mailbot.report.layout import CONTINUED, tokens
from tests import report_data as data
from tests.tools import require

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
FONTS = {"body": "LXGWWenKai", "title": "NotoSerifCJK", "heading": "NotoSansCJK"}
LATIN = ("NimbusRoman", "LiberationSerif")


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory) -> Path:
    require(soffice.soffice_path(), f"LibreOffice is not installed ({soffice.INSTALL_HINT})")
    folder = tmp_path_factory.mktemp("pdf") / "demo"
    run_demo(folder, None, lambda line: None)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("MAILBOT_NOW", None)
    subprocess.run([sys.executable, "-m", "mailbot", "--config", str(folder / "config.toml"),
                    "compile", "--quarter", "2026Q3", "--format", "pdf"], cwd=folder, env=env,
                   check=True, capture_output=True, timeout=300)
    [pdf] = folder.glob("*.pdf")
    assert pdf.name == "2026年第三季度为全区妇女儿童办实事工作进展情况汇总表.pdf"
    return pdf


def body_rows(pdf: Path):
    """(page number, [cell text lines] per column) for every body row of every page."""
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages, start=1):
            [table] = page.find_tables()
            for row in table.rows:
                cells = [[line["text"] for line in page.crop(box).extract_text_lines()]
                         for box in row.cells]
                if cells[0] != ["序号"]:
                    yield number, cells


def broken_between(upper: str, lower: str, names) -> list[str]:
    """What must stay whole but runs from the end of `upper` into `lower`."""
    joined, cut = upper + lower, len(upper)
    found = [piece for piece, whole in tokens(joined, names) if whole
             and joined.find(piece) < cut < joined.find(piece) + len(piece)]
    if upper[-1:].isdigit() and lower[:1] in set("0123456789%％"):
        found.append(upper[-3:] + "|" + lower[:3])
    return found


def check_rows(pdf: Path, names) -> list[tuple[int, list[list[str]]]]:
    rows = list(body_rows(pdf))
    assert rows
    for page, (seq, title, unit, progress, deadline) in rows:
        assert len(seq) == 1 and seq[0].isdigit() and 1 <= int(seq[0]) <= 10, (page, seq)
        assert title and unit and progress and deadline, (page, seq)
        if unit[-1] != CONTINUED:  # a unit's first row opens with its name
            assert progress[0].startswith(f"{''.join(unit)}："), (page, unit, progress[0])
        for column in (title, unit, progress, deadline):
            for upper, lower in zip(column, column[1:]):
                assert not broken_between(upper, lower, names), (page, upper, lower)
    return rows


def test_every_row_names_its_item_and_nothing_is_broken(demo_pdf):
    campaign = data.campaign()
    names = [unit.name for unit in campaign.units] + [campaign.federation]
    rows = check_rows(demo_pdf, names)
    units = [(int(seq[0]), "".join(unit)) for _, (seq, _, unit, _, _) in rows]
    assert units == [(item.seq, unit) for item in campaign.items for unit in item.units]
    assert len({page for page, _ in rows}) >= 3


def test_fonts_are_the_mapped_ones_and_embedded(demo_pdf):
    with pdfplumber.open(demo_pdf) as document:
        first = document.pages[0]
        title = first.within_bbox((0, 0, first.width, 90)).chars
        [table] = first.find_tables()
        heading = first.crop(table.rows[0].bbox).chars
        body = first.crop(table.rows[1].cells[3]).chars
        used = {c["fontname"].split("+")[-1] for page in document.pages for c in page.chars}
    cjk = lambda chars: {c["fontname"].split("+")[-1] for c in chars if ord(c["text"]) > 0x2e80}
    assert all(FONTS["title"] in f and "Bold" in f for f in cjk(title)), cjk(title)
    assert all(FONTS["heading"] in f for f in cjk(heading)), cjk(heading)
    assert all(FONTS["body"] in f for f in cjk(body)), cjk(body)
    assert all(any(name in f for name in (*FONTS.values(), *LATIN)) for f in used), used
    listing = subprocess.run(["pdffonts", str(demo_pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert listing and all(re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+\s*$", line)
                           for line in listing), listing  # embedded, as subsets


def test_a_text_longer_than_a_page_goes_on_under_its_item(tmp_path):
    require(soffice.soffice_path(), f"LibreOffice is not installed ({soffice.INSTALL_HINT})")
    campaign = data.campaign()
    long = "\n".join(f"{i}.组织开展专项活动12场，覆盖群众1500余人次，完成年度目标的60%，"
                     f"区人社局联合区妇联于2026年9月{i}日召开推进会。" * 3 for i in range(1, 10))
    record = data.record(campaign, "区人社局", text=lambda u, s: long)
    pdf = write_pdf(build_report(campaign, "2026Q3", [record]), tmp_path / "long.pdf",
                    compiled_on=date(2026, 10, 9))
    rows = check_rows(pdf, [unit.name for unit in campaign.units])
    continued = [(page, cells) for page, cells in rows if cells[2][-1] == CONTINUED]
    assert continued and all(cells[0] == ["1"] for _, cells in continued)
    assert len({page for page, _ in rows[:1 + len(continued)]}) >= 2
