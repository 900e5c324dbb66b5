"""Extraction overhead: mailbot.extract versus the raw libraries alone on the same files.

    PYTHONPATH=. python benchmarks/bench_extract.py [N]

Generates N filled forms (DOCX with python-docx, text PDF with LibreOffice when
installed), then times, best of three:
- the raw library opening the file and walking every table cell (python-docx;
  pdfplumber's extract_tables), and for PDF also pypdfium2 alone giving every
  page's text and objects (the floor of reading a text layer at all);
- mailbot's reader in this process (docx.read + read_form; pdf.read), which is
  what this package's code costs;
- extract_attachment, which adds sniffing and the sandboxed child process.
Prints milliseconds a file (and a page for PDF), the ratios, and the load average;
the target is extract_attachment under 1.5x the raw library for DOCX and text PDF.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import time

import docx
import pdfplumber
import pypdfium2

from mailbot.extract import docx as docx_reader, extract_attachment, pdf
from mailbot.extract.convert import convert
from mailbot.extract.form import read_form
from tests.forms import load_campaign, make_form_docx


def raw_docx(data: bytes) -> int:
    document = docx.Document(io.BytesIO(data))
    return sum(len(cell.text) for table in document.tables for row in table.rows
               for cell in row.cells)


def raw_pdf(data: bytes) -> int:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return sum(len(cell or "") for page in document.pages for table in page.extract_tables()
                   for row in table for cell in row)


def raw_pdfium(data: bytes) -> int:
    """pypdfium2 alone: every page's text and the count of its objects."""
    document = pypdfium2.PdfDocument(data)
    total = 0
    for page in document:
        textpage = page.get_textpage()
        total += len(textpage.get_text_range()) + len(list(page.get_objects()))
        textpage.close()
        page.close()
    document.close()
    return total


def timed(function, files) -> float:
    """Best of three runs over every file, after one warming run over two."""
    for data in files[:2]:
        function(data)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for data in files:
            function(data)
        best = min(best, time.perf_counter() - start)
    return best


def pages(data: bytes) -> int:
    document = pypdfium2.PdfDocument(data)
    count = len(document)
    document.close()
    return count


def main(count: int) -> None:
    campaign = load_campaign()
    docs = [make_form_docx(campaign, {1 + n % 10: f"第{n}份：开展活动{n}场。\n" * (1 + n % 4)})
            for n in range(count)]
    cases = [("docx", docs, [("python-docx", raw_docx)],
              lambda d: read_form(docx_reader.read(d), campaign))]
    if shutil.which("soffice"):
        pdfs = [convert(data, "docx", "pdf") for data in docs[: max(3, count // 5)]]
        cases.append(("pdf", pdfs, [("pdfplumber", raw_pdf), ("pypdfium2", raw_pdfium)],
                      lambda d: pdf.read(d, campaign)))
    else:
        print("soffice not installed: text PDF case skipped")
    print("load average " + " ".join(f"{load:.2f}" for load in os.getloadavg())
          + f" ({os.cpu_count()} cores)")
    for kind, files, raws, reader in cases:
        size = sum(pages(d) for d in files) if kind == "pdf" else len(files)
        unit = "page" if kind == "pdf" else "file"
        ours = timed(lambda d, name=f"x.{kind}": extract_attachment(name, d, campaign), files)
        inside = timed(reader, files)
        print(f"\n{kind}: {len(files)} files" + (f", {size} pages" if kind == "pdf" else ""))
        print(f"  {'mailbot extract_attachment':28} {1000 * ours / size:7.1f} ms a {unit}")
        print(f"  {'mailbot reader in process':28} {1000 * inside / size:7.1f} ms a {unit}")
        for library, raw in raws:
            base = timed(raw, files)
            print(f"  {library + ' alone':28} {1000 * base / size:7.1f} ms a {unit}"
                  f"   extract_attachment / {library} = {ours / base:.2f}x,"
                  f" reader / {library} = {inside / base:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
