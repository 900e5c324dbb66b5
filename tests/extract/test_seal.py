"""The seal detector: the cases issue 14 found wrong, and its array code against Pillow,
whose HSV rules it was written from.

Each case is a scanned letter page drawn by tests/scans.py (red letterhead and red
remark on every colour page, so red text alone is never taken for a seal), judged
as an image and as the scanned PDF a unit sends (rendered as the parse renders it).
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from mailbot.extract import pdf
from mailbot.extract.seal import INK_MARGIN, colour_masks, find_seal
from tests import scans
from tests.forms import scan_pdf

CASES = {"red": True, "dark-red": True, "faint": True, "blue": False, "none": False,
         "grey": None}


@pytest.mark.parametrize("case", CASES)
def test_seal_verdicts(case, campaign):
    page = scans.seal_page(case)
    assert find_seal(page) is CASES[case]
    assert pdf.read(scan_pdf(page), campaign).seal is CASES[case]


def test_colour_masks_are_pillows_hsv_rules_to_the_pixel():
    """Saturation and hue computed as Pillow computes them (float32 steps, truncation):
    every colour near a threshold and a random sample of the rest give Pillow's masks."""
    rng = np.random.default_rng(15)
    levels = np.arange(256, dtype=np.uint8)
    grid = np.stack(np.meshgrid(levels, levels[::5], levels[::5], indexing="ij"), axis=-1)
    rgb = np.concatenate([grid.reshape(-1, 3),
                          rng.integers(0, 256, (300_000, 3), dtype=np.uint8)]).reshape(1, -1, 3)
    colourful, red, spread = colour_masks(rgb)
    hue, saturation, value = np.moveaxis(
        np.asarray(Image.fromarray(rgb).convert("HSV")).astype(int), 2, 0)
    margin = rgb[:, :, 0].astype(int) - rgb[:, :, 1:].max(axis=2)
    ink = ((saturation >= 80) & (value >= 70)) | (
        (saturation >= 40) & (value >= 40) & (margin >= INK_MARGIN))
    assert np.array_equal(colourful, (saturation >= 80) & (value >= 70))
    assert np.array_equal(red, ink & ((hue <= 14) | (hue >= 236)))
    assert np.array_equal(spread, rgb.max(axis=2) - rgb.min(axis=2))
    assert 1000 < np.count_nonzero(red & ~colourful) < np.count_nonzero(red) < red.size / 2
