"""OCR accuracy, speed and memory on a fresh set of scanned and photographed forms.

    PYTHONPATH=. python benchmarks/bench_ocr.py [-n 6] [--seed S] [--tesseract] [--stages]

Each run builds new forms (seeded by the clock unless --seed is given): a random
unit's form filled with random realistic progress texts (bench_accuracy's
generator), printed by LibreOffice, rasterised by pdftoppm, stamped with a red
seal over the text and degraded three ways, each page kept JPEG-compressed in a
PDF, as scanners and phone scanning apps (扫描全能王) send a form of two pages:
a colour scan at 200 dpi skewed 0.5-2°, a grey scan at 150 dpi, and phone
photos in perspective. Each is read by extract_attachment as mail would be
(sandbox, OCR, form logic; a row running over the page break is joined).

Printed: rows found under the right item; character accuracy of the progress
text (NFKC, whitespace ignored; 1 - edit distance / length); seconds a page on
this machine; the peak resident memory of the OCR child; and, for the stamped
check's threshold, the lowest similarity of a read text to its typed original
against the highest similarity of a typed text to another form's text for the
same item. Goals (issue 18): >= 97% characters at 200 dpi, >= 93% for photos,
<= 4 s a page on 2 cores. --tesseract also reads the 200 dpi scans' pages with
Tesseract chi_sim (whole page, order-insensitive) for the engine comparison.

The peak memory printed is the OCR process's own high-water mark (VmHWM, read
from /proc after each file, since a process is retired and replaced at times;
the pool starts it from a fresh interpreter, so it shares nothing with this
process; getrusage's children figure would be LibreOffice's, which printed the
forms). This process's own peak is beside it. --stages reads the first form's colour scan in
this process, the engine on one thread, and prints the CPU seconds a page of
each stage (render, geometry, orientation, detection, recognition): CPU time of
one thread is what a loaded machine still measures fairly.
"""

from __future__ import annotations

import argparse
import difflib
import os
import random
import resource
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_accuracy import progress_text  # noqa: E402
from mailbot.extract import extract_attachment, scan  # noqa: E402
from mailbot.intake.stamped import similar  # noqa: E402
from tests import scans  # noqa: E402
from tests.forms import load_campaign  # noqa: E402

QUARTER = "2026Q3"


def flat(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def errors(expected: str, found: str) -> int:
    """Edit distance (replace, insert, delete) between the two, by difflib's opcodes."""
    matcher = difflib.SequenceMatcher(None, expected, found, autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes()
               if op != "equal")


def make_forms(rng: random.Random, campaign, count: int):
    """(unit, texts by item, 200 dpi pages, 150 dpi pages) for `count` random units."""
    forms = []
    for unit in rng.sample([u.name for u in campaign.units], count):
        texts = {item.seq: progress_text(rng).strip() for item in campaign.items_of(unit)}
        pdf = scans.form_pdf(campaign, unit, QUARTER, texts)
        forms.append((unit, texts, scans.rasterise(pdf, 200), scans.rasterise(pdf, 150)))
    return forms


def variants(rng: random.Random, pages200, pages150):
    """name -> list of (filename, bytes, pages in it)."""
    sealed = [scans.stamp(page, where=(0.62, rng.uniform(0.25, 0.7))) for page in pages200]
    scan200 = [scans.scanned(page, skew=rng.choice((-1, 1)) * rng.uniform(0.5, 2))
               for page in sealed]
    grey150 = [scans.stamp(page).convert("L") for page in pages150]
    photos = [scans.photographed(page, tilt=rng.uniform(0.02, 0.05)) for page in sealed]
    return {name: [(f"{name}.pdf", scans.image_pdf(made, dpi), len(made))]
            for name, made, dpi in (("colour scan 200 dpi", scan200, 200),
                                    ("grey scan 150 dpi", grey150, 150),
                                    ("phone photos", photos, 200))}


def warm_up(campaign, rng: random.Random) -> float:
    """Seconds of a first scan of another form: a running worker pays this once, at its
    first scan, so the per-page figures below are what each later page costs."""
    [(_, _, pages200, _)] = make_forms(rng, campaign, 1)
    start = time.perf_counter()
    extract_attachment("warm-up.pdf", scans.image_pdf(pages200[:1], 200), campaign)
    return time.perf_counter() - start


def run(campaign, forms, rng):
    tally = {}
    same, other = [], []
    for index, (unit, texts, pages200, pages150) in enumerate(forms):
        for name, files in variants(rng, pages200, pages150).items():
            counts = tally.setdefault(name, {"rows": 0, "right": 0, "chars": 0, "errors": 0,
                                             "pages": 0, "seconds": 0.0, "peak": 0.0})
            found = {}
            for filename, data, pages in files:
                start = time.perf_counter()
                [extraction] = extract_attachment(filename, data, campaign)
                counts["seconds"] += time.perf_counter() - start
                counts["peak"] = max(counts["peak"], ocr_peak_mb())  # a retired process is gone
                counts["pages"] += pages
                for row in extraction.rows:
                    if row.progress and row.seq in texts:
                        found.setdefault(row.seq, "")
                        found[row.seq] += row.progress
            for seq, text in texts.items():
                counts["rows"] += 1
                counts["right"] += seq in found
                counts["chars"] += len(flat(text))
                counts["errors"] += min(len(flat(text)), errors(flat(text), flat(found.get(seq, ""))))
                if seq in found:
                    same.append(similar(text, found[seq]))
        for seq, text in texts.items():
            for other_unit, other_texts, _, _ in forms[index + 1:]:
                if seq in other_texts:
                    other.append(similar(text, other_texts[seq]))
    return tally, same, other


def stages(campaign, pages200, rng) -> None:
    """CPU seconds a page of each stage, in this process, the engine on one thread."""
    from mailbot.extract.ocr import document, engine, geometry, pages
    engine.THREADS = 1
    spent: dict[str, float] = {}
    inside = []  # only the outermost timed call counts (geometry calls itself)

    def timed(name, function):
        def run(*args, **kwargs):
            if inside:
                return function(*args, **kwargs)
            inside.append(name)
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - start
                inside.pop()
        return run

    data = scans.image_pdf([scans.scanned(scans.stamp(page), skew=1.2) for page in pages200], 200)
    ocr_engine = engine.RapidEngine()
    ocr = ocr_engine._ocr = engine._load()
    ocr.text_det = timed("detection", ocr.text_det)
    ocr.text_rec = timed("recognition", ocr.text_rec)
    ocr.text_cls = timed("direction", ocr.text_cls)
    ocr_engine.quarter_turns = timed("orientation (all of it)", ocr_engine.quarter_turns)
    for name in ("without_red", "outline", "straighten", "rule_mask", "tables", "erase"):
        setattr(geometry, name, timed("geometry", getattr(geometry, name)))
    start = time.process_time()
    rendered = timed("render", pages.pdf_pages)(data)
    document.read_pages(rendered, campaign, ocr_engine, "stages")
    total = time.process_time() - start
    print(f"  stages, CPU s a page on one thread ({len(rendered)} pages):")
    for name, seconds in spent.items():
        print(f"    {name:24s} {seconds / len(rendered):5.2f}")
    print(f"    {'total':24s} {total / len(rendered):5.2f}")


def tesseract(forms) -> tuple[int, int, float, int]:
    """(characters, errors, seconds, pages) of Tesseract chi_sim on the 200 dpi pages."""
    chars = wrong = pages = 0
    seconds = 0.0
    for _, texts, pages200, _ in forms:
        page_text = ""
        for page in pages200:
            start = time.perf_counter()
            page_text += subprocess.run(["tesseract", "-", "-", "-l", "chi_sim", "--psm", "6"],
                                        input=scans.encoded(page, "PNG"), capture_output=True,
                                        check=True).stdout.decode()
            seconds += time.perf_counter() - start
            pages += 1
        found = flat(page_text)
        for text in texts.values():
            want = flat(text)
            matcher = difflib.SequenceMatcher(None, want, found, autojunk=False)
            chars += len(want)
            wrong += len(want) - sum(block.size for block in matcher.get_matching_blocks())
    return chars, wrong, seconds, pages


def ocr_peak_mb() -> float:
    """The highest VmHWM among this process's descendants that serve the OCR pool (those
    started with its memory limit), in MB; 0 if none is running."""
    limit, peaks = str(scan.LIMITS.memory_mb).encode(), [0.0]
    for pid in descendants(os.getpid()):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue  # ended meanwhile
        if b"mailbot.extract.pool" in b" ".join(argv) and limit in argv:
            peaks.append(int(_field(status, "VmHWM").split()[0]) / 1024)
    return max(peaks)


def descendants(root: int) -> list[int]:
    """Every running process below `root`, by their parents in /proc."""
    parents = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            parents[int(status.parent.name)] = int(_field(status.read_text(), "PPid"))
        except (OSError, ValueError):
            continue
    below, found = {root}, True
    while found:
        found = {pid for pid, parent in parents.items() if parent in below} - below
        below |= found
    return sorted(below - {root})


def _field(status: str, name: str) -> str:
    return next(line.split(":", 1)[1].strip() for line in status.splitlines()
                if line.startswith(name + ":"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=6, help="forms (units) in the set")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--tesseract", action="store_true")
    parser.add_argument("--stages", action="store_true", help="CPU seconds a page by stage")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    campaign = load_campaign()
    print(f"seed {seed}: {args.n} forms, {QUARTER}")
    forms = make_forms(rng, campaign, args.n)
    print(f"  first scan (starts the OCR process and loads its models; not counted below): "
          f"{warm_up(campaign, rng):.1f} s")
    tally, same, other = run(campaign, forms, rng)
    for name, c in tally.items():
        print(f"  {name:18s} rows under the right item {c['right']}/{c['rows']}, "
              f"characters {100 * (1 - c['errors'] / max(c['chars'], 1)):.1f}% of {c['chars']}, "
              f"{c['seconds'] / max(c['pages'], 1):.1f} s a page ({c['pages']} pages)")
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak = max(c["peak"] for c in tally.values())
    print(f"  peak resident memory of the OCR process: {peak:.0f} MB (this process: "
          f"{parent:.0f} MB)")
    print(f"  stamped check: read vs typed, lowest similarity {min(same, default=0):.3f} "
          f"(median {sorted(same)[len(same) // 2] if same else 0:.3f}); typed vs another "
          f"form's text for the item, highest {max(other, default=0):.3f}")
    if args.stages:
        stages(campaign, forms[0][2], rng)
    if args.tesseract:
        chars, wrong, seconds, pages = tesseract(forms)
        print(f"  tesseract chi_sim, 200 dpi pages: characters {100 * (1 - wrong / chars):.1f}%"
              f" of {chars}, {seconds / pages:.1f} s a page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
