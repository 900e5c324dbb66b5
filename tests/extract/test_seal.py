"""The seal detector's array code against Pillow, whose HSV rules it was written from."""

from __future__ import annotations

import numpy as np
from PIL import Image

from mailbot.extract.seal import colour_masks


def test_colour_masks_are_pillows_hsv_rules_to_the_pixel():
    """Saturation and hue computed as Pillow computes them (float32 steps, truncation):
    every colour near a threshold and a random sample of the rest give Pillow's masks."""
    rng = np.random.default_rng(15)
    levels = np.arange(256, dtype=np.uint8)
    grid = np.stack(np.meshgrid(levels, levels[::5], levels[::5], indexing="ij"), axis=-1)
    rgb = np.concatenate([grid.reshape(-1, 3),
                          rng.integers(0, 256, (300_000, 3), dtype=np.uint8)]).reshape(1, -1, 3)
    colourful, red, spread = colour_masks(rgb)
    hue, saturation, value = np.moveaxis(np.asarray(Image.fromarray(rgb).convert("HSV")), 2, 0)
    pillow_colourful = (saturation >= 80) & (value >= 70)
    assert np.array_equal(colourful, pillow_colourful)
    assert np.array_equal(red, pillow_colourful & ((hue <= 14) | (hue >= 236)))
    assert np.array_equal(spread, rgb.max(axis=2) - rgb.min(axis=2))
    assert 1000 < np.count_nonzero(red) < red.size / 2
