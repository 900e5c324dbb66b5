"""The seal check per page and per mail, against an earlier revision of the detector.

    PYTHONPATH=. python benchmarks/bench_seal.py [--before main] [-n 20]

The pages: every page of the golden PDFs (tests/golden/forms), of the public
corpus's PDFs (MAILBOT_CORPUS, where present) and the seal cases tests/scans.py
draws (red, dark red, faint, blue, none, grey). Each page is checked twice: as
the revision `--before` did it (its mailbot/extract/seal.py from git, the page
rendered with pdfium's image smoothing) and as this tree does it
(seal.page_image, seal.find_seal). Printed: CPU milliseconds a page for the
render and for the detector (best of three), and every page whose verdict
differs (there should be none but those this tree was changed to fix).

Per mail: a Word form and a stamped 150 dpi scan, read by extract_attachment as
the worker reads them (parser processes; the OCR one too where the ocr extra is
installed), -n times with this tree's code, the median milliseconds of wall time
(the parser processes are spawned, so the earlier detector cannot be swapped in:
run the script in the earlier tree for its figure).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
import types
from pathlib import Path

import pypdfium2

from mailbot.extract import extract_attachment
from mailbot.extract import seal as seals
from tests import scans
from tests.forms import load_campaign, make_form_docx, scan_page, scan_pdf

ROOT = Path(__file__).resolve().parent.parent
CASES = ("red", "dark-red", "faint", "blue", "none", "grey")


def earlier(revision: str) -> types.ModuleType:
    """mailbot/extract/seal.py as it was at `revision`, as a module of its own."""
    source = subprocess.run(["git", "show", f"{revision}:mailbot/extract/seal.py"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("seal_before")
    exec(compile(source, f"{revision}:seal.py", "exec"), module.__dict__)
    return module


def smoothed(page):
    """The render the earlier revisions made: 500 px wide, pdfium's smoothing on."""
    return page.render(scale=500 / max(page.get_width(), 1.0)).to_pil()


def pdfs() -> list[tuple[str, bytes]]:
    found = sorted((ROOT / "tests/golden/forms").glob("*.pdf"))
    corpus = Path(os.environ.get("MAILBOT_CORPUS", "")) / "pdf"
    if os.environ.get("MAILBOT_CORPUS") and corpus.is_dir():
        found += sorted(corpus.glob("*.pdf"))
    return [(path.name, path.read_bytes()) for path in found]


def cpu(function, repeat: int = 3):
    """(best CPU seconds of `repeat` calls, the last result)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = function()
        best = min(best, time.process_time() - start)
    return best, result


def check(render, find, page) -> tuple[float, float, object]:
    render_time, image = cpu(lambda: render(page))
    find_time, verdict = cpu(lambda: find(image))
    return render_time, find_time, verdict


def pages():
    """(name, render-able page or image) for every page of the set; pdfium pages first."""
    for name, data in pdfs():
        try:
            document = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError:
            continue
        for number in range(min(len(document), 20)):
            yield f"{name} p{number + 1}", document[number]
    for case in CASES:
        yield f"seal case {case}", scans.seal_page(case)


def per_page(before: types.ModuleType) -> None:
    totals = {"before": [0.0, 0.0], "after": [0.0, 0.0]}
    count, differ = 0, []
    for name, page in pages():
        is_image = not isinstance(page, pypdfium2.PdfPage)
        ways = {"before": (smoothed, before.find_seal), "after": (seals.page_image,
                                                                  seals.find_seal)}
        verdicts = {}
        for way, (render, find) in ways.items():
            render_time, find_time, verdicts[way] = check(
                (lambda image: image) if is_image else render, find, page)
            totals[way][0] += render_time
            totals[way][1] += find_time
        count += 1
        if verdicts["before"] != verdicts["after"]:
            differ.append(f"{name}: before {verdicts['before']}, after {verdicts['after']}")
    print(f"per page ({count} pages; CPU ms a page, best of 3):")
    for way, (render_time, find_time) in totals.items():
        total = render_time + find_time
        print(f"  {way:6s} render {1000 * render_time / count:6.1f}  detector "
              f"{1000 * find_time / count:6.1f}  total {1000 * total / count:6.1f}")
    print(f"  verdicts differ on {len(differ)} pages" + "".join(f"\n    {d}" for d in differ))


def per_mail(count: int) -> None:
    """This tree's cost of a mail; the parser processes are spawned, so an earlier
    detector cannot be swapped in here: run this script in that tree for its figure."""
    campaign = load_campaign()
    word = make_form_docx(campaign, {1: "开展专题活动3场。"})
    stamped = scan_pdf(scan_page(seal=True))
    times = []
    for _ in range(count):
        start = time.perf_counter()
        extract_attachment("进展表.docx", word, campaign)
        [scan] = extract_attachment("盖章版.pdf", stamped, campaign)
        times.append(time.perf_counter() - start)
    assert scan.seal is True, scan
    print(f"per mail (Word form + stamped 150 dpi scan, {count} mails, this tree): "
          f"median {1000 * statistics.median(times):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="main", help="git revision to compare with")
    parser.add_argument("-n", type=int, default=20, help="mails each way (0: pages only)")
    args = parser.parse_args()
    with open("/proc/loadavg") as load:
        print(f"load average {load.read().split()[0]}; before = {args.before}")
    before = earlier(args.before)
    per_page(before)
    if args.n:
        per_mail(args.n)


if __name__ == "__main__":
    main()
