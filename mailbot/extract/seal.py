"""Is a red round official seal (公章) on this page image? True / False / None (cannot tell).

A colour mask for both ends of the red hue circle, then shape checks on each
connected red blob: about square, of a seal's size relative to the page, red
pixels found at the rim in most directions, and nothing in the bounding box's
corners (so a red header rule, red text or a red text block is not a seal).
Only red counts: a blue or violet stamp is a received-date or personal stamp,
not an official seal. A page with no colour at all (a black-and-white or grey
scan, whose three channels are equal) cannot be judged, so None; a colour scan
shows its colour even without anything saturated on it (the paper's tint, the
scanner's fringes), so no seal there is False.

Array operations on numpy (a dependency of its own: the seal is checked on every
stamped PDF, with or without the OCR extra that brings OpenCV). Connected
regions are found from the mask's row runs, joined row to row; only a region
whose size passes is expanded to its pixels for the rim test.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

WORK_WIDTH = 500          # pixels; a 4 cm seal on A4 is then about 95 px wide
MIN_DIAMETER = 0.07       # of page width (a 1.5 cm seal on A4)
MAX_DIAMETER = 0.40
MIN_COVERAGE = 0.75       # share of directions with red at the rim
MAX_CORNER = 0.04         # share of blob pixels outside the circle
COLOURLESS = 0.0002       # share of saturated pixels below which colour is absent
TINT = 5                  # channel spread (0-255) a colour scan's paper shows, grey never
TINTED = 0.05             # share of tinted pixels that makes a page a colour scan
ANGLES = 72
INK_MARGIN = 20           # levels the red channel of a dark or faint seal stands above
                          # green and blue (black text's JPEG noise stays below)


def page_image(page) -> Image.Image:
    """A pdfium page rendered at the detector's width, without image smoothing: the scan
    is sampled, not filtered, to WORK_WIDTH (a third of the time; the same verdicts)."""
    scale = WORK_WIDTH / max(page.get_width(), 1.0)
    return page.render(scale=scale, no_smoothimage=True).to_pil()


def find_seal(image: Image.Image) -> bool | None:
    """True where a round red seal is found; else None where the page carries no colour
    at all (a faint seal on untinted paper may be all the colour there is: found, True)."""
    mask, coloured = red_mask(image)
    if any(_is_seal(rows, columns, mask.shape[1]) for rows, columns in _blobs(mask)):
        return True
    return None if coloured < COLOURLESS else False


def red_mask(image: Image.Image) -> tuple[np.ndarray, float]:
    """(the red mask, closed over scan noise, as a boolean array; share of colour:
    saturated pixels of any hue, or 1.0 where the paper is tinted as only a colour scan
    shows it)."""
    image = image.convert("RGB")
    if image.width > WORK_WIDTH:
        height = max(1, round(image.height * WORK_WIDTH / image.width))
        image = image.resize((WORK_WIDTH, height), Image.Resampling.BOX)
    colourful, red, spread = colour_masks(np.asarray(image))
    coloured = np.count_nonzero(colourful) / max(1, colourful.size)
    if np.count_nonzero(spread >= TINT) >= TINTED * spread.size:
        coloured = 1.0
    return _dilated(red), coloured


def colour_masks(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(colourful: saturation >= 80 and value >= 70 on Pillow's HSV scale; red ink: a red
    hue, and colourful or, for a dark or a faint seal, saturation and value >= 40 with
    the red channel INK_MARGIN above both others; the spread between the highest and
    lowest channel) of an RGB array."""
    top = np.maximum(np.maximum(rgb[:, :, 0], rgb[:, :, 1]), rgb[:, :, 2])
    spread = top - np.minimum(np.minimum(rgb[:, :, 0], rgb[:, :, 1]), rgb[:, :, 2])
    saturation = _saturation(spread, top)
    colourful = (saturation >= 80) & (top >= 70)
    margin = top - np.maximum(rgb[:, :, 1], rgb[:, :, 2])
    ink = colourful | ((saturation >= 40) & (top >= 40) & (rgb[:, :, 0] == top)
                       & (margin >= INK_MARGIN))
    return colourful, _red(rgb, ink, top, spread), spread


def _saturation(spread: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Saturation on Pillow's HSV scale (0-255), computed as Pillow does (float32
    division, truncated), so the masks are Pillow's to the pixel; its HSV conversion of
    the whole page would cost four times as much."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (spread.astype(np.float32) / top.astype(np.float32)).astype(np.float64)
    return np.where(spread > 0, ratio * 255.0, 0.0).astype(np.int64)


def _red(rgb: np.ndarray, ink: np.ndarray, top: np.ndarray,
         spread: np.ndarray) -> np.ndarray:
    """The ink pixels whose hue (Pillow's, 0-255) is at most 14 or at least 236.
    Only a pixel whose red channel is the highest can have a red hue, so the hue is
    computed for those alone, with Pillow's float32 steps."""
    where = np.nonzero(ink & (rgb[:, :, 0] == top))
    span = spread[where].astype(np.float32)
    green = (top[where] - rgb[:, :, 1][where]).astype(np.float32) / span
    blue = (top[where] - rgb[:, :, 2][where]).astype(np.float32) / span
    hue = np.fmod((blue - green).astype(np.float64) / 6.0 + 1.0, 1.0).astype(np.float32)
    level = (hue.astype(np.float64) * 255.0).astype(np.int64)
    red = np.zeros(top.shape, bool)
    red[where] = (level <= 14) | (level >= 236)
    return red


def _dilated(mask: np.ndarray) -> np.ndarray:
    """The mask grown by one pixel each way (a 3x3 max filter): closes the gaps that scan
    noise and overprinted text leave in a seal's ring."""
    grown = mask.copy()
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    across = grown.copy()
    grown[1:] |= across[:-1]
    grown[:-1] |= across[1:]
    return grown


def _blobs(mask: np.ndarray):
    """Connected red regions (8-neighbour) big enough to be a seal, as (rows, columns)
    of their pixels."""
    height, width = mask.shape
    run_row, starts, ends = _runs(mask)
    if not len(starts):
        return
    labels = _components(run_row, starts, ends, width)
    lengths = ends - starts
    sizes = np.bincount(labels, weights=lengths)
    for label in np.flatnonzero(sizes >= int(MIN_DIAMETER * width * 2)):
        mine = labels == label
        yield _pixels(run_row[mine], starts[mine], lengths[mine])


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every horizontal run of the mask: its row, first column and end (exclusive), in
    reading order."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps == 1)
    _, ends = np.nonzero(steps == -1)
    return rows, starts, ends


def _components(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                width: int) -> np.ndarray:
    """A label for every run, equal for runs that touch (8-neighbour) through any chain:
    pairs of touching runs in adjacent rows by binary search, then roots hooked onto
    the smaller root and paths halved until every pair agrees."""
    stride = width + 2
    start_keys, end_keys = rows * stride + starts, rows * stride + ends
    below = (rows + 1) * stride
    first = np.searchsorted(end_keys, below + starts, "left")   # ends at or after my start
    last = np.searchsorted(start_keys, below + ends, "right")  # starts at or before my end
    counts = np.maximum(last - first, 0)
    upper = np.repeat(np.arange(len(rows)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    lower = np.repeat(first, counts) + offsets
    labels = np.arange(len(rows))
    while True:
        a, b = labels[upper], labels[lower]
        if np.array_equal(a, b):
            return labels
        np.minimum.at(labels, np.maximum(a, b), np.minimum(a, b))
        while True:
            parents = labels[labels]
            if np.array_equal(parents, labels):
                break
            labels = parents


def _pixels(rows: np.ndarray, starts: np.ndarray, lengths: np.ndarray):
    """The runs' pixels as (rows, columns)."""
    pixel_rows = np.repeat(rows, lengths)
    columns = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return pixel_rows, columns + np.repeat(starts, lengths)


def _is_seal(ys: np.ndarray, xs: np.ndarray, page_width: int) -> bool:
    left, right, top, bottom = xs.min(), xs.max(), ys.min(), ys.max()
    w, h = right - left + 1, bottom - top + 1
    if not (MIN_DIAMETER * page_width <= max(w, h) <= MAX_DIAMETER * page_width):
        return False
    if not 0.8 <= w / h <= 1.25:
        return False
    cx, cy, radius = (left + right) / 2, (top + bottom) / 2, (w + h) / 4
    dx, dy = xs - cx, ys - cy
    distance = np.hypot(dx, dy)
    if np.count_nonzero(distance > radius * 1.12) > MAX_CORNER * len(xs):
        return False
    on_rim = (distance >= radius * 0.8) & (distance <= radius * 1.12)
    angles = np.arctan2(dy[on_rim], dx[on_rim])
    bins = ((angles + np.pi) / (2 * np.pi) * ANGLES).astype(int) % ANGLES
    if len(np.unique(bins)) < MIN_COVERAGE * ANGLES:
        return False
    return len(xs) < 0.7 * np.pi * radius * radius  # a ring, not a filled red disc
