"""Is a red round official seal (公章) on this page image? True / False / None (cannot tell).

A colour mask for both ends of the red hue circle, then shape checks on each
connected red blob: about square, of a seal's size relative to the page, red
pixels found at the rim in most directions, and nothing in the bounding box's
corners (so a red header rule, red text or a red text block is not a seal).
Only red counts: a blue or violet stamp is a received-date or personal stamp,
not an official seal. A page with no colour at all (a black-and-white or grey
scan, whose three channels are equal) cannot be judged, so None; a colour scan
shows its colour even without anything saturated on it (the paper's tint, the
scanner's fringes), so no seal there is False. Pure Pillow: no numpy or OpenCV.
"""

from __future__ import annotations

import math

from PIL import Image, ImageChops, ImageFilter

WORK_WIDTH = 500          # pixels; a 4 cm seal on A4 is then about 95 px wide
MIN_DIAMETER = 0.07       # of page width (a 1.5 cm seal on A4)
MAX_DIAMETER = 0.40
MIN_COVERAGE = 0.75       # share of directions with red at the rim
MAX_CORNER = 0.04         # share of blob pixels outside the circle
COLOURLESS = 0.0002       # share of saturated pixels below which colour is absent
TINT = 5                  # channel spread (0-255) a colour scan's paper shows, grey never
TINTED = 0.05             # share of tinted pixels that makes a page a colour scan
ANGLES = 72


def red_mask(image: Image.Image) -> tuple[bytes, int, int, float]:
    """(mask bytes 0/255, width, height, share of colour: saturated pixels of any hue,
    or 1.0 where the paper is tinted as only a colour scan shows it)."""
    image = image.convert("RGB")
    if image.width > WORK_WIDTH:
        height = max(1, round(image.height * WORK_WIDTH / image.width))
        image = image.resize((WORK_WIDTH, height), Image.Resampling.BOX)
    hue, saturation, value = image.convert("HSV").split()
    red_hue = hue.point(lambda h: 255 if h <= 14 or h >= 236 else 0)
    strong = saturation.point(lambda s: 255 if s >= 80 else 0)
    bright = value.point(lambda v: 255 if v >= 70 else 0)
    colourful = Image.merge("RGB", (strong, bright, bright)).convert("L").point(
        lambda x: 255 if x >= 250 else 0)
    mask = Image.merge("RGB", (red_hue, strong, bright)).convert("L").point(
        lambda x: 255 if x >= 250 else 0)
    mask = mask.filter(ImageFilter.MaxFilter(3))  # close gaps of scan noise and overprint
    coloured = colourful.histogram()[255] / max(1, image.width * image.height)
    if _tinted(image) >= TINTED:
        coloured = 1.0
    return mask.tobytes(), image.width, image.height, coloured


def _tinted(image: Image.Image) -> float:
    """Share of pixels whose channels differ by TINT or more."""
    red, green, blue = image.split()
    spread = ImageChops.subtract(ImageChops.lighter(ImageChops.lighter(red, green), blue),
                                 ImageChops.darker(ImageChops.darker(red, green), blue))
    counts = spread.histogram()
    return sum(counts[TINT:]) / max(1, image.width * image.height)


def find_seal(image: Image.Image) -> bool | None:
    """True where a round red seal is found; None where the page carries no colour at all."""
    mask, width, height, coloured = red_mask(image)
    if coloured < COLOURLESS:
        return None
    return any(_is_seal(blob, width) for blob in _blobs(mask, width, height))


def _blobs(mask: bytes, width: int, height: int):
    """Connected red regions (8-neighbour) as lists of (x, y), big enough to be a seal."""
    seen = bytearray(len(mask))
    minimum = int(MIN_DIAMETER * width * 2)
    for start, value in enumerate(mask):
        if not value or seen[start]:
            continue
        seen[start] = 1
        stack, blob = [start], []
        while stack:
            index = stack.pop()
            y, x = divmod(index, width)
            blob.append((x, y))
            for dy in (-1, 0, 1):
                ny = y + dy
                if not 0 <= ny < height:
                    continue
                for dx in (-1, 0, 1):
                    nx = x + dx
                    if 0 <= nx < width:
                        other = ny * width + nx
                        if mask[other] and not seen[other]:
                            seen[other] = 1
                            stack.append(other)
        if len(blob) >= minimum:
            yield blob


def _is_seal(blob: list[tuple[int, int]], page_width: int) -> bool:
    xs = [x for x, _ in blob]
    ys = [y for _, y in blob]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    w, h = right - left + 1, bottom - top + 1
    if not (MIN_DIAMETER * page_width <= max(w, h) <= MAX_DIAMETER * page_width):
        return False
    if not 0.8 <= w / h <= 1.25:
        return False
    cx, cy, radius = (left + right) / 2, (top + bottom) / 2, (w + h) / 4
    rim = [False] * ANGLES
    outside = 0
    for x, y in blob:
        distance = math.hypot(x - cx, y - cy)
        if distance > radius * 1.12:
            outside += 1
        elif distance >= radius * 0.8:
            angle = math.atan2(y - cy, x - cx)
            rim[int((angle + math.pi) / (2 * math.pi) * ANGLES) % ANGLES] = True
    if outside > MAX_CORNER * len(blob):
        return False
    if sum(rim) < MIN_COVERAGE * ANGLES:
        return False
    return len(blob) < 0.7 * math.pi * radius * radius  # a ring, not a filled red disc
