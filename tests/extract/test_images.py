"""Image attachments without OCR work: seal colour rules and hostile images refused.

The seal is judged on the page as scanned: red counts, blue does not, and a colour
scan without a seal is False where a grey one cannot be judged (None). An image
bomb is refused from its header, before anything is decoded.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

from mailbot.extract import extract_attachment
from mailbot.extract.seal import find_seal
from tests import scans
from tests.forms import scan_page


def test_seal_colour_rules():
    page = scan_page(seal=False, letterhead=False, red_text=False)  # tinted paper, no red
    assert find_seal(scans.stamp(page)) is True
    assert find_seal(scans.stamp(page, colour=scans.BLUE)) is False
    assert find_seal(page) is False
    assert find_seal(scans.stamp(page).convert("L").convert("RGB")) is None


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height (what a bomb is), with one tiny data chunk."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_image_bombs_are_refused_from_the_header(campaign):
    for width in (30_000, 7_000):  # past Pillow's own bomb limit, and past ours only
        [extraction] = extract_attachment("大图.png", png_header_only(width, width), campaign)
        assert extraction.format == "png" and "图片过大" in extraction.error


def test_a_thousand_page_tiff_is_refused(campaign):
    frames = [Image.new("L", (8, 8), 255) for _ in range(1000)]
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:])
    [extraction] = extract_attachment("扫描.tif", out.getvalue(), campaign)
    assert extraction.format == "tiff" and "1000 页" in extraction.error


def test_gif_is_still_not_a_document(campaign):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "GIF")
    [extraction] = extract_attachment("图.gif", out.getvalue(), campaign)
    assert "GIF" in extraction.error


def test_a_thousand_page_scan_is_not_read_by_ocr(campaign):
    data = scans.image_pdf([Image.new("RGB", (60, 85), (250, 248, 240))] * 1000, 10)
    [extraction] = extract_attachment("扫描件.pdf", data, campaign)
    assert extraction.error is None and extraction.scanned and extraction.rows == ()
    assert any("1000 页" in warning for warning in extraction.warnings)
