"""OCR of pages without a text layer: scanned PDFs and image attachments.

    document.read_pages(pages, campaign, engine) -> Extraction   (the whole file)
    page.read_page(rgb, engine, refs) -> PageText                (one page)
    geometry: upright, straight, the ruled cells (OpenCV); engine: RapidOCR behind a
    Protocol; pages: bytes -> page images within limits.

Nothing here is imported until a file needs OCR (extract.scan imports it in the
sandboxed child): OpenCV and onnxruntime would add hundreds of megabytes to the
worker and to every parser child's address space.
"""
