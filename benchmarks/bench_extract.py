"""Extraction overhead: mailbot.extract versus python-docx / pdfplumber alone on the same files.

    PYTHONPATH=. python benchmarks/bench_extract.py [N]

Generates N filled forms (DOCX with python-docx, text PDF with LibreOffice when
installed), then times (a) the raw library opening and walking every table cell
and (b) extract_attachment (sandboxed child, form finding, matching). Prints
both and the ratio; the target is under 1.5 for DOCX and text PDF.
"""

from __future__ import annotations

import io
import shutil
import sys
import time

import docx
import pdfplumber

from mailbot.extract import extract_attachment
from mailbot.extract.convert import convert
from tests.forms import load_campaign, make_form_docx


def raw_docx(data: bytes) -> int:
    document = docx.Document(io.BytesIO(data))
    return sum(len(cell.text) for table in document.tables for row in table.rows
               for cell in row.cells)


def raw_pdf(data: bytes) -> int:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return sum(len(cell or "") for page in document.pages for table in page.extract_tables()
                   for row in table for cell in row)


def timed(function, files) -> float:
    start = time.perf_counter()
    for data in files:
        function(data)
    return time.perf_counter() - start


def main(count: int) -> None:
    campaign = load_campaign()
    docs = [make_form_docx(campaign, {1 + n % 10: f"第{n}份：开展活动{n}场。\n" * (1 + n % 4)})
            for n in range(count)]
    cases = [("docx", docs, raw_docx, "python-docx")]
    if shutil.which("soffice"):
        pdfs = [convert(data, "docx", "pdf") for data in docs[: max(3, count // 5)]]
        cases.append(("pdf", pdfs, raw_pdf, "pdfplumber"))
    else:
        print("soffice not installed: text PDF case skipped")
    print(f"{'format':6} {'files':>5} {'library alone':>14} {'mailbot':>10} {'ratio':>6}")
    for kind, files, raw, library in cases:
        timed(raw, files[:2])  # warm imports and caches for both sides
        timed(lambda d: extract_attachment(f"x.{kind}", d, campaign), files[:2])
        base = min(timed(raw, files) for _ in range(3))
        ours = min(timed(lambda d: extract_attachment(f"x.{kind}", d, campaign), files)
                   for _ in range(3))
        print(f"{kind:6} {len(files):5} {base:11.3f} s {ours:8.3f} s {ours / base:6.2f}"
              f"   ({library}: {1000 * base / len(files):.1f} ms/file, "
              f"mailbot: {1000 * ours / len(files):.1f} ms/file)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
