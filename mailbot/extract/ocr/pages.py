"""Bytes of an image or a scanned PDF -> page images, within limits (Pillow, pdfium).

A page is decoded only after its size is known to be sane: a 30,000 x 30,000
PNG is a few kilobytes and 2.7 GB once decoded. Pages larger than a 200 dpi A4
are scaled down before anything else (OCR gains nothing beyond that); phone
photos are turned upright by their EXIF orientation.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from mailbot.extract.errors import ExtractError

MAX_PIXELS = 40_000_000   # an A4 page at 600 dpi is 35 million pixels
MAX_PAGES = 10            # a stamped copy is one to three pages
LONG_SIDE = 2400          # pixels: about A4 at 200 dpi
DPI = 200


def image_pages(data: bytes) -> list[Image.Image]:
    """The pages of a JPEG, PNG, HEIC or (multi-page) TIFF, upright, in RGB, at most
    LONG_SIDE."""
    _open_heif()
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ExtractError(f"图片过大（超过 {MAX_PIXELS // 10**6} 百万像素），未识别") from None
    except (OSError, ValueError):
        raise ExtractError("图片文件已损坏，无法打开") from None
    frames = getattr(image, "n_frames", 1)
    if frames > MAX_PAGES:
        raise ExtractError(f"图片共 {frames} 页，超过 {MAX_PAGES} 页的上限，未识别")
    pages = []
    for number in range(frames):
        image.seek(number)
        _check_size(*image.size)
        try:
            page = ImageOps.exif_transpose(image).convert("RGB")
        except (OSError, ValueError, SyntaxError):
            raise ExtractError(f"图片文件已损坏，第 {number + 1} 页无法读取") from None
        pages.append(fit(page))
    return pages


def _open_heif() -> None:
    """Teach Pillow HEIC (pillow-heif, part of the ocr extra), where it is installed."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return  # Pillow then cannot open a HEIC photo, and says the file cannot be opened
    register_heif_opener()


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise ExtractError(f"图片过大（{width}×{height} 像素，上限 {MAX_PIXELS // 10**6} 百万"
                           "像素），未识别")


def fit(page: Image.Image) -> Image.Image:
    """The page scaled down so that its long side is at most LONG_SIDE."""
    scale = LONG_SIDE / max(page.size)
    if scale >= 1:
        return page
    size = (round(page.width * scale), round(page.height * scale))
    return page.resize(size, Image.Resampling.LANCZOS)


def pdf_pages(data: bytes) -> list[Image.Image]:
    """The pages of a scanned PDF rendered at DPI (capped at LONG_SIDE)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        if len(document) > MAX_PAGES:
            raise ExtractError(f"扫描件共 {len(document)} 页，超过 {MAX_PAGES} 页的上限，"
                               "未做文字识别")
        pages = []
        for page in document:
            width, height = page.get_size()
            scale = min(DPI / 72, LONG_SIDE / max(width, height, 1.0))
            pages.append(page.render(scale=scale).to_pil().convert("RGB"))
        return pages
    finally:
        document.close()
