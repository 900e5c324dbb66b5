"""The OCR engine behind a small interface: an image in, text lines with their boxes out.

RapidOCR (PP-OCRv4 detection and recognition on onnxruntime) won on our own
forms: in a trial on generated scans it kept every character where Tesseract
chi_sim misread a line in ten, at a third of the time (docs/benchmarks.md).
Its wheel carries the models, so nothing is downloaded at run time. It is an
optional extra (`pip install "mailbot-*.whl[ocr]"`, or `pip install -e ".[ocr]"` in a
checkout); without it a scan is reported as
unreadable, never guessed at.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from mailbot.extract.errors import ExtractError

if TYPE_CHECKING:
    import numpy as np

THREADS = 2            # the machines this runs on have two cores
DET_SIDE = 1600        # pixels: the detector works on the page scaled to this long side
                       # (its cost goes with the pixels: 2000 cost 1.8x; lines are
                       # still cut for the recogniser from the page at up to 2000)
REC_BATCH = 1          # lines a recogniser call: a batch is padded to its widest line,
                       # and one at a time measured cheaper than 6 (2.2 vs 2.6 s a page)
TURN_LINES = 40        # long text lines whose orientation is classified
LONG_LINE = 3.0        # a line this many times longer than high is clearly a line
# how an administrator adds the OCR, in the words that follow "请由管理员安装："
OCR_INSTALL = "mailbot 的 ocr 组件（用 pip 安装 mailbot 的 wheel 文件时，在文件名后加上 [ocr]）"


@dataclass(frozen=True)
class TextLine:
    """One line of text found on the page: its box in page pixels and the engine's score."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    score: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


class OcrEngine(Protocol):
    def read(self, image: np.ndarray) -> list[TextLine]:
        """Every text line on a grey or BGR page image."""

    def quarter_turns(self, image: np.ndarray, lines: list[TextLine]) -> int:
        """How many quarter turns anticlockwise (np.rot90's k) make the page upright,
        judged from the text `lines` that `read` found on it."""


class RapidEngine:
    """RapidOCR with the models its wheel ships, loaded at the first page that has a
    table (in the sandboxed child; a scan with no form never loads them)."""

    def __init__(self) -> None:
        self._ocr = None

    def read(self, image: np.ndarray) -> list[TextLine]:
        if self._ocr is None:
            self._ocr = _load()
        found, _ = self._ocr(image, use_cls=False)  # the page was turned upright first
        return [_line(quad, text, score) for quad, text, score in found or ()]

    def quarter_turns(self, image: np.ndarray, lines: list[TextLine]) -> int:
        """If most long lines run down the page it lies on its side; the direction
        classifier (0 or 180°) on the longest lines, turned to run across, tells which
        side, or whether an upright-looking page is upside down."""
        import numpy as np

        across = [line for line in lines if line.width >= LONG_LINE * line.height]
        down = [line for line in lines if line.height >= LONG_LINE * line.width]
        sideways = len(down) > len(across)
        chosen = sorted(down if sideways else across,
                        key=lambda line: -max(line.width, line.height))[:TURN_LINES]
        if not chosen:
            return 0
        if self._ocr is None:
            self._ocr = _load()
        boxes = [np.float32([[line.left, line.top], [line.right, line.top],
                             [line.right, line.bottom], [line.left, line.bottom]])
                 for line in chosen]
        colour = image if image.ndim == 3 else _bgr(image)
        crops = self._ocr.get_crop_img_list(colour, boxes)  # down-running lines come out turned
        _, labels, _ = self._ocr.text_cls(crops)
        flipped = sum(label == "180" for label, _ in labels) > len(labels) / 2
        return (1 if sideways else 0) + (2 if flipped else 0)


def _bgr(grey: np.ndarray) -> np.ndarray:
    import cv2
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


def _load():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        raise ExtractError("本机未安装文字识别组件，扫描件无法识别"
                           f"（请由管理员安装：{OCR_INSTALL}）") from None
    return RapidOCR(intra_op_num_threads=THREADS, inter_op_num_threads=1,
                    det_limit_side_len=DET_SIDE, det_limit_type="max", rec_batch_num=REC_BATCH)


def _line(quad, text: str, score) -> TextLine:
    xs = [point[0] for point in quad]
    ys = [point[1] for point in quad]
    return TextLine(text=text, left=min(xs), top=min(ys), right=max(xs), bottom=max(ys),
                    score=float(score))


def available() -> bool:
    """Is the OCR extra installed? (Without it a scanned PDF keeps its seal check.)"""
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None
