"""OCR for what has no text layer: image attachments and scanned PDFs (the stamped copy).

OCR is slow (seconds a page) and memory-hungry (onnxruntime), so it runs in its
own sandboxed child with wider limits than the other parsers (measured: one 200
dpi page needs about 1.5 GB of address space, so 1 GB fails, and the second page
of a two-page scan failed at 2 GB in a test process that had read other files
before: the child's address space starts with its parent's), only for files
that need it, and once per file: results are kept by the file's SHA-256, so a
retried mail or a correction that re-sends the same scan is not read again.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from functools import cache, partial

from mailbot.core.models import Campaign, Extraction
from mailbot.extract import sandbox
from mailbot.extract.errors import ExtractError
from mailbot.extract.ocr import engine as engines
from mailbot.extract.ocr import pages
LIMITS = sandbox.Limits(seconds=30.0 + 15.0 * pages.MAX_PAGES, memory_mb=3072)
CACHED = 64
_cache: dict[tuple[str, str, Campaign], Extraction] = {}


def read_image(data: bytes, kind: str, campaign: Campaign) -> Extraction:
    """A photo or scan sent as an image: its pages read by OCR."""
    return _cached(data, kind, campaign)


def read_scanned(data: bytes, parsed: Extraction, campaign: Campaign) -> Extraction:
    """A PDF without a text layer, already parsed (seal, scanned flag): OCR added where
    the engine is installed; otherwise the parse as it was, saying why no rows."""
    if not engines.available():
        return replace(parsed, warnings=parsed.warnings + (
            "本机未安装文字识别组件（ocr），扫描件中的报表内容未识别",))
    try:
        read = _cached(data, "pdf", campaign)
    except ExtractError as error:
        return replace(parsed, warnings=parsed.warnings + (str(error),))
    if not read.has_form:  # nothing OCR could add, and it says so
        return replace(parsed, warnings=parsed.warnings + (
            "扫描页上未找到带表格线的报表，未识别出报表内容",))
    # the parse judged the seal on the same pages; OCR did not look again
    return replace(read, seal=parsed.seal,
                   warnings=read.warnings + ("扫描件：报表内容由文字识别读出",))


def _cached(data: bytes, kind: str, campaign: Campaign) -> Extraction:
    key = (hashlib.sha256(data).hexdigest(), kind, campaign)
    if key not in _cache:
        if len(_cache) >= CACHED:  # read-ahead threads may evict at once: never a KeyError
            _cache.pop(next(iter(_cache), None), None)
        _cache[key] = sandbox.run(partial(_read, data, kind, campaign), LIMITS)
    return _cache[key]


def _read(data: bytes, kind: str, campaign: Campaign) -> Extraction:
    """Runs in the OCR class's sandboxed process: the pages, read."""
    from mailbot.extract.ocr.document import read_pages  # OpenCV: in the child only
    load = pages.pdf_pages if kind == "pdf" else pages.image_pages
    return read_pages(load(data), campaign, _engine(), kind, seal=kind != "pdf")


@cache
def _engine() -> engines.RapidEngine:
    """The process's one engine: its models load once (a second or more), and the OCR
    process lives on for many files."""
    return engines.RapidEngine()
