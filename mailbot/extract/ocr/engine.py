"""The OCR engine behind a small interface: an image in, text lines with their boxes out.

RapidOCR (PP-OCRv4 detection and recognition on onnxruntime) won on our own
forms: in a trial on generated scans it kept every character where Tesseract
chi_sim misread a line in ten, at a third of the time (docs/benchmarks.md).
Its wheel carries the models, so nothing is downloaded at run time. It is an
optional extra (`pip install -e ".[ocr]"`); without it a scan is reported as
unreadable, never guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from mailbot.extract.errors import ExtractError

THREADS = 2            # the machines this runs on have two cores
DET_SIDE = 2000        # pixels: the detector works on the page scaled to this long side


@dataclass(frozen=True)
class TextLine:
    """One line of text found on the page: its box in page pixels and the engine's score."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    score: float


class OcrEngine(Protocol):
    def read(self, image: np.ndarray) -> list[TextLine]:
        """Every text line on a grey or BGR page image."""


class RapidEngine:
    """RapidOCR with the models its wheel ships, loaded at the first page that has a
    table (in the sandboxed child; a scan with no form never loads them)."""

    def __init__(self) -> None:
        self._ocr = None

    def read(self, image: np.ndarray) -> list[TextLine]:
        if self._ocr is None:
            self._ocr = _load()
        found, _ = self._ocr(image)
        return [_line(quad, text, score) for quad, text, score in found or ()]


def _load():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        raise ExtractError("本机未安装文字识别组件，扫描件无法识别"
                           "（请运行 pip install -e \".[ocr]\"）") from None
    return RapidOCR(intra_op_num_threads=THREADS, inter_op_num_threads=1,
                    det_limit_side_len=DET_SIDE, det_limit_type="max")


def _line(quad, text: str, score) -> TextLine:
    xs = [point[0] for point in quad]
    ys = [point[1] for point in quad]
    return TextLine(text=text, left=min(xs), top=min(ys), right=max(xs), bottom=max(ys),
                    score=float(score))


def available() -> bool:
    """Is the OCR extra installed (for `mailbot check` and the tests)?"""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True
