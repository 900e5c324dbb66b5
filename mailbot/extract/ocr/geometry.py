"""A scanned or photographed page made straight, and its ruled tables found (OpenCV).

The form is always printed with its borders, so its ruling lines are the most
reliable thing on the page: they give the skew and the perspective of a phone
photo (the table's outline is warped back to a rectangle), and the cells.
The seal's red is dropped by reading the red channel only, where red ink is as
light as the paper and black text under it stays black.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

LINE_SHARE = 30          # a rule is at least 1/30 of the page width (or height) long
MIN_TABLE = 0.04         # of the page's area: smaller ruled boxes are not tables
MIN_CELL = 12            # pixels: narrower gaps between rules are not cells
CELL_PAD = 3             # pixels each cell grows by, to reach the middle of its rules
MIN_CELLS = 4            # a ruled outline with fewer cells is a frame (the paper's edge)
PAPER_WINDOW = 31        # pixels: wider than a character at 200 dpi
INK_LEVEL = 0.2          # of the paper's brightness: this dark or darker is black
PAPER_LEVEL = 0.8        # this light or lighter is paper (red ink is about 0.86)


@dataclass(frozen=True)
class Table:
    """A ruled table on the straightened page: its outline and its cells (x0, y0, x1, y1)."""

    box: tuple[int, int, int, int]
    cells: tuple[tuple[int, int, int, int], ...]


def without_red(rgb: np.ndarray) -> np.ndarray:
    """The page in grey with red ink (seal, red headings) turned to paper.

    The red channel is divided by the paper's own brightness around each point (a
    max filter over more than a character, smoothed), which evens out a photo's
    light; what is nearly as light as the paper there, red ink, becomes paper."""
    red = rgb[:, :, 0].astype(np.float32)
    paper = cv2.GaussianBlur(cv2.dilate(red, np.ones((PAPER_WINDOW, PAPER_WINDOW), np.uint8)),
                             (0, 0), PAPER_WINDOW / 2)
    flat = red / np.maximum(paper, 1.0)
    levels = (flat - INK_LEVEL) / (PAPER_LEVEL - INK_LEVEL)
    return np.clip(levels * 255, 0, 255).astype(np.uint8)


def rule_mask(grey: np.ndarray, thicken: int = 1) -> np.ndarray:
    """The long horizontal and vertical rules of the page (255 on them, else 0).

    `thicken` dilates the ink first, so that rules a degree or two off straight
    still make unbroken runs the opening keeps."""
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                cv2.THRESH_BINARY_INV, 25, 15)
    if thicken > 1:
        ink = cv2.dilate(ink, np.ones((thicken, thicken), np.uint8))
    height, width = grey.shape
    across = cv2.getStructuringElement(cv2.MORPH_RECT, (max(width // LINE_SHARE, 10), 1))
    down = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(height // LINE_SHARE, 10)))
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, across) | cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, down)
    return cv2.dilate(rules, np.ones((3, 3), np.uint8))


def outline(grey: np.ndarray) -> np.ndarray | None:
    """The outline of the page's largest ruled table, whichever way the page lies; None
    where there is no ruled table."""
    outlines = _outlines(rule_mask(grey, thicken=5))
    return max(outlines, key=cv2.contourArea) if outlines else None


def straighten(grey: np.ndarray, table: np.ndarray) -> np.ndarray:
    """The page with its largest table's `outline` warped to an upright rectangle (skew
    and phone-photo perspective alike)."""
    corners = _corners(table)
    top = np.linalg.norm(corners[1] - corners[0])
    bottom = np.linalg.norm(corners[2] - corners[3])
    left = np.linalg.norm(corners[3] - corners[0])
    right = np.linalg.norm(corners[2] - corners[1])
    width, height = max(top, bottom), max(left, right)
    x0, y0 = corners[0]
    target = np.float32([[x0, y0], [x0 + width, y0], [x0 + width, y0 + height],
                         [x0, y0 + height]])
    warp = cv2.getPerspectiveTransform(corners, target)
    size = (max(grey.shape[1], int(x0 + width) + 10), max(grey.shape[0], int(y0 + height) + 10))
    return cv2.warpPerspective(grey, warp, size, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def _outlines(rules: np.ndarray) -> list[np.ndarray]:
    """The outlines of ruled tables: big enough, with cells (holes) inside. The edge of
    a photographed sheet is a ruled outline too, with one hole: not a table."""
    contours, hierarchy = cv2.findContours(rules, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    links = hierarchy[0]
    found = []
    for index, contour in enumerate(contours):
        if _depth(links, index) % 2 or cv2.contourArea(contour) < MIN_TABLE * rules.size:
            continue
        holes, child = 0, links[index][2]
        while child >= 0:
            holes, child = holes + 1, links[child][0]
        if holes >= MIN_CELLS:
            found.append(contour)
    return found


def _depth(links: np.ndarray, index: int) -> int:
    depth = 0
    while links[index][3] >= 0:
        depth, index = depth + 1, links[index][3]
    return depth


def _corners(contour: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left corners of a table's outline:
    the outline's points nearest to the corners of its bounding box."""
    points = contour.reshape(-1, 2).astype(np.float32)
    total, difference = points.sum(axis=1), points[:, 0] - points[:, 1]
    return np.float32([points[np.argmin(total)], points[np.argmax(difference)],
                       points[np.argmax(total)], points[np.argmin(difference)]])


def tables(rules: np.ndarray) -> list[Table]:
    """Every ruled table of the straightened page (its `rule_mask`), top to bottom."""
    found = []
    for contour in _outlines(rules):
        x, y, w, h = cv2.boundingRect(contour)
        cells = _cells(rules[y:y + h, x:x + w], x, y)
        if cells:
            found.append(Table((x, y, x + w, y + h), cells))
    return sorted(found, key=lambda table: table.box[1])


def _cells(rules: np.ndarray, x: int, y: int) -> tuple[tuple[int, int, int, int], ...]:
    """The gaps enclosed by rules: connected regions of non-rule pixels not touching
    the table's bounding box (those lie outside the outline)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(255 - rules, connectivity=4)
    height, width = rules.shape
    cells = []
    for left, top, w, h, _area in stats[1:count]:
        if w < MIN_CELL or h < MIN_CELL:
            continue
        if left == 0 or top == 0 or left + w >= width or top + h >= height:
            continue
        cells.append((x + left - CELL_PAD, y + top - CELL_PAD,
                      x + left + w + CELL_PAD, y + top + h + CELL_PAD))
    return tuple(cells)


def erase(grey: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """The page with its rules painted over, so no text line is read as touching one."""
    clean = grey.copy()
    clean[rules > 0] = 255
    return clean
