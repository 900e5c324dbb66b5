"""Scans and phone photos of generated forms, for the OCR tests and benchmark.

A form (mailbot.samples.form_docx) is printed to PDF by LibreOffice, rasterised
by pdftoppm, then degraded the way paper and scanners degrade it: paper tint,
a red seal stamped over the text, skew, a low resolution, JPEG compression, and
for a photo the perspective of a phone held over a desk with uneven light.
"""

from __future__ import annotations

import io
import math
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from mailbot.core.models import Campaign
from mailbot.app.samples import form_docx
from tests.forms import FONT, libreoffice
from tests.tools import need_tool

RED = (215, 40, 45)
BLUE = (40, 70, 200)
PAPER = (251, 248, 240)


def form_pdf(campaign: Campaign, unit: str, quarter: str,
             texts: dict[int, str] | None = None) -> bytes:
    """The unit's filled form printed to PDF by LibreOffice."""
    return libreoffice(form_docx(campaign, unit, quarter, texts), "docx", "pdf")


def rasterise(pdf: bytes, dpi: int) -> list[Image.Image]:
    """Every page of the PDF as an RGB image (pdftoppm, as a scanner driver would print)."""
    need_tool("pdftoppm")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "form.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source),
                        str(Path(folder) / "page")], check=True, timeout=120)
        return [Image.open(path).convert("RGB") for path in sorted(Path(folder).glob("page*"))]


def stamp(page: Image.Image, colour=RED, where=(0.62, 0.30), diameter: float = 0.2,
          name: str = "淄川区妇女联合会") -> Image.Image:
    """A round seal (ring, star, the unit's name) printed over the page: ink multiplies,
    so black text under it stays black, as under a real stamp."""
    ink = Image.new("RGB", page.size, "white")
    draw = ImageDraw.Draw(ink)
    radius = diameter * page.width / 2
    cx, cy = where[0] * page.width, where[1] * page.height
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=colour,
                 width=max(3, round(radius / 14)))
    star = _font(round(radius * 0.6))
    draw.text((cx, cy), "★", fill=colour, font=star, anchor="mm")
    letters = _font(round(radius * 0.22))
    for index, letter in enumerate(name):
        angle = math.radians(-150 + index * 120 / max(len(name) - 1, 1))
        x, y = cx + 0.75 * radius * math.cos(angle), cy + 0.75 * radius * math.sin(angle)
        draw.text((x, y), letter, fill=colour, font=letters, anchor="mm")
    return ImageChops.multiply(page, ink.filter(ImageFilter.GaussianBlur(1)))


def _font(size: int):
    from PIL import ImageFont
    return ImageFont.truetype(FONT, size)


def scanned(page: Image.Image, skew: float = 0.0, tint=PAPER) -> Image.Image:
    """A flatbed scan: paper tint, the page a little askew."""
    page = ImageChops.multiply(page, Image.new("RGB", page.size, tint))
    if skew:
        page = page.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=tint)
    return page


def photographed(page: Image.Image, tilt: float = 0.04) -> Image.Image:
    """A phone photo of the page lying on a desk: the far edge narrower (perspective),
    a grey desk around it, light falling off to one side."""
    width, height = page.size
    desk = Image.new("RGB", (round(width * 1.15), round(height * 1.12)), (120, 115, 105))
    margin_x, margin_y = (desk.width - width) // 2, (desk.height - height) // 2
    desk.paste(page, (margin_x, margin_y))
    inset = tilt * width
    quad = (-inset, 0, -inset * 0.3, desk.height, desk.width + inset * 0.3, desk.height,
            desk.width + inset, 0)  # where the output's corners come from (TL BL BR TR)
    photo = desk.transform(desk.size, Image.Transform.QUAD, quad,
                           Image.Resampling.BICUBIC, fillcolor=(120, 115, 105))
    light = Image.linear_gradient("L").rotate(90).resize(photo.size)
    shade = Image.merge("RGB", [light.point(lambda v: 255 - v // 6)] * 3)
    return ImageChops.multiply(photo, shade).rotate(0.8, resample=Image.Resampling.BICUBIC,
                                                    fillcolor=(120, 115, 105))


def encoded(page: Image.Image, fmt: str = "JPEG", quality: int = 60, dpi: int = 150) -> bytes:
    """The page as an image file; HEIF (an iPhone's HEIC) through pillow-heif."""
    if fmt == "HEIF":
        from pillow_heif import register_heif_opener
        register_heif_opener()
    out = io.BytesIO()
    options = {"quality": quality} if fmt in ("JPEG", "HEIF", "WEBP") else {}
    page.save(out, fmt, dpi=(dpi, dpi), **options)
    return out.getvalue()


def image_pdf(pages: list[Image.Image], dpi: int) -> bytes:
    """The pages as a PDF of images only (what a scanner's "scan to PDF" writes)."""
    out = io.BytesIO()
    first, *rest = pages
    first.save(out, "PDF", resolution=dpi, save_all=True, append_images=rest, quality=75)
    return out.getvalue()


DARK_RED = (70, 10, 15)     # a seal pressed hard with old ink, scanned dark
FAINT_RED = (240, 178, 178)  # a seal pressed lightly: pale pink, little saturation
WHITE = (255, 255, 255)


def seal_page(case: str) -> Image.Image:
    """A scanned letter page (red letterhead and remark) for each seal case the detector
    must tell apart: "red", "dark-red" (JPEG, skewed 1°), "faint" (pale, skewed 1.5° on
    untinted paper: nothing else shows the scan is in colour), "blue" (a received-date stamp,
    not a seal), "none" (a colour scan with red text but no seal), "grey"."""
    from tests.forms import scan_page
    page = scan_page(seal=False)
    if case == "red":
        return stamp(page, where=(0.7, 0.8))
    if case == "dark-red":
        return decoded(scanned(stamp(page, DARK_RED, where=(0.7, 0.8)), skew=1.0))
    if case == "faint":
        plain = scan_page(seal=False, letterhead=False, red_text=False, colour=False)
        return decoded(scanned(stamp(plain.convert("RGB"), FAINT_RED, where=(0.7, 0.8)),
                               skew=1.5, tint=WHITE))
    if case == "blue":
        return stamp(page, BLUE, where=(0.7, 0.8))
    if case == "grey":
        return stamp(page, where=(0.7, 0.8)).convert("L").convert("RGB")
    return page


def decoded(page: Image.Image, quality: int = 60) -> Image.Image:
    """The page after a round trip through JPEG, as a scanner's PDF holds it."""
    return Image.open(io.BytesIO(encoded(page, quality=quality))).convert("RGB")
