"""A picture of the status matrix for the summary mail, drawn with Pillow.

One glance answers "who is missing": a bar split by status with the counts, and
a tile per unit in its status colour with the status written on it (colour is
never the only cue). Chinese needs a CJK font; where none is found the summary
goes out without the picture rather than with boxes for characters.
"""

from __future__ import annotations

import io
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from mailbot.chase.summary import COLOURS, Summary

FONT_PATHS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf")
WIDTH, PAD, COLUMNS, TILE_H, SCALE = 480, 16, 2, 56, 2
FILENAME = "summary-chart.png"


@lru_cache(maxsize=1)
def cjk_font_file() -> tuple[str, int] | None:
    """(path, face index) of a Simplified Chinese font, via fontconfig or known paths."""
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}\t%{index}", "Noto Sans CJK SC:lang=zh-cn"],
                               capture_output=True, text=True, timeout=10).stdout
        path, _, index = found.partition("\t")
        if path and _has_cjk(path, int(index or 0)):
            return path, int(index or 0)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    for path in FONT_PATHS:
        if Path(path).is_file() and _has_cjk(path, 2 if path.endswith(".ttc") else 0):
            return path, 2 if path.endswith(".ttc") else 0
    return None


def _has_cjk(path: str, index: int) -> bool:
    try:
        font = ImageFont.truetype(path, 20, index=index)
    except OSError:
        return False
    return font.getmask("报").getbbox() is not None and font.getlength("报") > 12


def status_chart(summary: Summary) -> bytes | None:
    """PNG bytes of the chart, or None when no CJK font is installed."""
    found = cjk_font_file()
    if found is None:
        return None
    tile_rows = -(-len(summary.rows) // COLUMNS)
    height = PAD * 2 + 40 + 34 + 36 + tile_rows * (TILE_H + 8)
    image = Image.new("RGB", (WIDTH * SCALE, height * SCALE), "white")
    draw = ImageDraw.Draw(image)
    font = _Fonts(*found)
    draw.text(_px(PAD, PAD), f"{summary.quarter_label}报送情况（截至{summary.as_of}）",
              fill="#222222", font=font(20))
    _bar(draw, summary, font, PAD + 40)
    top = PAD + 40 + 34 + 36
    tile_w = (WIDTH - 2 * PAD - (COLUMNS - 1) * 8) / COLUMNS
    for n, row in enumerate(summary.rows):
        x, y = PAD + (n % COLUMNS) * (tile_w + 8), top + (n // COLUMNS) * (TILE_H + 8)
        back, ink = COLOURS[row.state]
        draw.rounded_rectangle(_px(x, y, x + tile_w, y + TILE_H), radius=6 * SCALE,
                               fill=back, outline=ink, width=SCALE)
        draw.text(_px(x + 10, y + 6), row.unit, fill="#222222", font=font(16))
        draw.text(_px(x + 10, y + 30), row.label, fill=ink, font=font(14))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _px(*values: float) -> list[float]:
    """Layout is written at 1x; the picture is drawn at SCALE for sharp text on phones."""
    return [value * SCALE for value in values]


class _Fonts:
    """The CJK font at any (1x) size, loaded once per size."""

    def __init__(self, path: str, index: int):
        self.path, self.index, self.sizes = path, index, {}

    def __call__(self, size: int) -> ImageFont.FreeTypeFont:
        if size not in self.sizes:
            self.sizes[size] = ImageFont.truetype(self.path, size * SCALE, index=self.index)
        return self.sizes[size]


def _bar(draw, summary: Summary, font: _Fonts, top: int) -> None:
    """The units split by status with the counts, and a legend under it."""
    total = sum(count for _, _, count in summary.counts) or 1
    width, x = WIDTH - 2 * PAD, PAD
    for state, _label, count in summary.counts:
        if not count:
            continue
        w = width * count / total
        back, ink = COLOURS[state]
        draw.rectangle(_px(x, top, x + w, top + 28), fill=back, outline=ink, width=SCALE)
        draw.text(_px(x + 6, top + 4), str(count), fill=ink, font=font(14))
        x += w
    x = PAD
    for state, label, count in summary.counts:
        back, ink = COLOURS[state]
        draw.rectangle(_px(x, top + 42, x + 14, top + 56), fill=back, outline=ink, width=SCALE)
        text = f"{label} {count}"
        draw.text(_px(x + 20, top + 38), text, fill="#333333", font=font(14))
        x += 20 + font(14).getlength(text) / SCALE + 16
