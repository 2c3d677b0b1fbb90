"""PDF pages as pixels (pypdfium2, a dependency of pdfplumber), within the limits.

Before any page is rendered for OCR it is surveyed cheaply: a page with no objects at all,
or whose small render is all near-white, is blank and never OCR'd; a page holding an image
of more than ``limits.image_pixels`` pixels is never rendered (pdfium would decode the
image whole). A page is rendered at the DPI asked, scaled down to fit ``limits.page_pixels``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .. import limits

#: Pixels of the small render that tells a blank page (about 72 DPI for A4).
SURVEY_PIXELS = 1_000_000
#: A grey level darker than this is ink (0 black, 255 white).
INK = 200
_PAPER = bytes(range(INK, 256))


class RasterError(Exception):
    """A PDF that pdfium cannot open or render (the message is for the user, in Chinese)."""


@dataclass
class Survey:
    """The pages asked about, sorted: blank, holding an oversized image, or to be OCR'd."""

    blank: list[int] = field(default_factory=list)
    large: list[tuple[int, int, int]] = field(default_factory=list)  # page, width, height
    scan: list[int] = field(default_factory=list)


def open_pdf(data: bytes):
    """A pdfium document, or RasterError."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except Exception:
        if b"/Encrypt" in data[-65536:]:
            raise RasterError("PDF 已加密，无法读取") from None
        raise RasterError("PDF 文件损坏，无法渲染页面") from None


def page_count(data: bytes) -> int | None:
    """Pages of a PDF as pdfium counts them (fast), or None when pdfium cannot open it."""
    try:
        pdf = open_pdf(data)
    except RasterError:
        return None
    try:
        return len(pdf)
    finally:
        pdf.close()


def _largest_image(page) -> tuple[int, int]:
    """Width and height in pixels of the page's largest image (forms looked into)."""
    import pypdfium2.raw as pdfium_c

    best = (0, 0)
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=8):
        try:
            w, h = obj.get_px_size()
        except Exception:
            continue
        if w * h > best[0] * best[1]:
            best = (w, h)
    return best


def render_scale(width_pt: float, height_pt: float, dpi: float, max_pixels: int) -> float:
    """Pixels per point: `dpi`, lowered so that the page fits in `max_pixels`."""
    scale = dpi / 72
    area = max(width_pt, 1.0) * max(height_pt, 1.0)
    if area * scale * scale > max_pixels:
        scale = math.sqrt(max_pixels / area)
    for _ in range(100):  # pdfium rounds the bitmap up to whole pixels
        if math.ceil(width_pt * scale) * math.ceil(height_pt * scale) <= max_pixels:
            break
        scale *= 0.999
    return scale


def _inked(page) -> bool:
    """True when a small greyscale render of the page shows any ink."""
    w, h = page.get_size()
    bitmap = page.render(scale=render_scale(w, h, 72, SURVEY_PIXELS), grayscale=True)
    try:
        pixels = bytes(bitmap.buffer)
        if bitmap.stride != bitmap.width:  # row padding is not page
            pixels = b"".join(
                pixels[r * bitmap.stride : r * bitmap.stride + bitmap.width] for r in range(bitmap.height)
            )
        return bool(pixels.translate(None, _PAPER))  # anything left once paper is deleted
    finally:
        bitmap.close()


def survey(pdf, pages: list[int]) -> Survey:
    """Which of the given pages (numbered from 1) are blank, too large to render, or to OCR."""
    import pypdfium2.raw as pdfium_c

    lim = limits.current()
    out = Survey()
    for number in sorted(set(pages)):
        page = pdf[number - 1]
        try:
            if pdfium_c.FPDFPage_CountObjects(page.raw) <= 0:
                out.blank.append(number)
                continue
            w, h = _largest_image(page)
            if w * h > lim.image_pixels:
                out.large.append((number, w, h))
            elif _inked(page):
                out.scan.append(number)
            else:
                out.blank.append(number)
        except Exception:
            raise RasterError(f"第 {number} 页无法渲染（PDF 页面损坏）") from None
        finally:
            page.close()
    return out


def render(pdf, number: int, dpi: float):
    """Page `number` (from 1) as a BGR array and the points one pixel spans."""
    import numpy

    lim = limits.current()
    page = pdf[number - 1]
    try:
        w, h = page.get_size()
        scale = render_scale(w, h, dpi, lim.page_pixels)
        bitmap = page.render(scale=scale)
        try:
            image = bitmap.to_numpy()
            if image.ndim == 3 and image.shape[2] == 4:
                image = image[:, :, :3]  # BGRx → BGR
            image = numpy.ascontiguousarray(image)
        finally:
            bitmap.close()
    finally:
        page.close()
    return image, 1 / scale


def ranges(numbers: list[int]) -> str:
    """Page numbers for a message: 3、5–9、12."""
    parts: list[str] = []
    run: list[int] = []
    for n in sorted(numbers):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
        run = [n]
    if run:
        parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
    return "、".join(parts)


__all__ = ["RasterError", "Survey", "open_pdf", "page_count", "ranges", "render", "render_scale", "survey"]
