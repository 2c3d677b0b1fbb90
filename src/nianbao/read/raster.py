"""PDF pages and image files as pixels (pypdfium2, a dependency of pdfplumber; Pillow), within
the limits.

Before any page is rendered for OCR it is surveyed cheaply: a page with no objects at all,
or whose small render is all near-white, is blank and never OCR'd; a page holding an image
of more than ``limits.image_pixels`` pixels is never rendered (pdfium would decode the
image whole). A page is rendered at the DPI asked, scaled down to fit ``limits.page_pixels``.
An image file's size is read from its header and checked before it is decoded.
"""

from __future__ import annotations

import io
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


# ── image files ──────────────────────────────────────────────────────────────────────
def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG or JPEG header, read before anything is decoded."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if not data.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            i += 2
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start of frame
            return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def _too_large(width: int, height: int, limit: int) -> RasterError:
    return RasterError(
        f"图片像素过多（{width}×{height}，约 {width * height / 1e6:.0f} 百万像素，"
        f"上限 {limit / 1e6:.0f} 百万像素），疑为解压炸弹，未读取"
    )


def decode_image(data: bytes):
    """A PNG or JPEG file as a BGR array (EXIF rotation applied, scaled down to fit
    limits.page_pixels) and the original pixels one array pixel spans; or RasterError.
    More than limits.image_pixels is refused from the header, before anything is decoded."""
    import numpy
    from PIL import Image, ImageOps

    lim = limits.current()
    size = image_size(data)
    if size is not None and size[0] * size[1] > lim.image_pixels:
        raise _too_large(*size, lim.image_pixels)
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if width * height > lim.image_pixels:
                raise _too_large(width, height, lim.image_pixels)
            shrink = math.sqrt(lim.page_pixels / (width * height)) if width * height > lim.page_pixels else 1.0
            if shrink < 1.0 and img.format == "JPEG":  # libjpeg decodes at 1/2, 1/4, 1/8 directly
                img.draft("RGB", (math.ceil(width * shrink), math.ceil(height * shrink)))
            rgb = ImageOps.exif_transpose(img).convert("RGB")
            if rgb.width * rgb.height > lim.page_pixels:
                fit = math.sqrt(lim.page_pixels / (rgb.width * rgb.height))
                size = (max(1, int(rgb.width * fit)), max(1, int(rgb.height * fit)))
                rgb = rgb.resize(size, Image.Resampling.LANCZOS)
            array = numpy.asarray(rgb)[:, :, ::-1].copy()
    except RasterError:
        raise
    except Image.DecompressionBombError:
        raise RasterError("图片像素过多，疑为解压炸弹，未读取") from None
    except MemoryError:
        raise RasterError("图片过大，内存不足，无法解码") from None
    except Exception:
        raise RasterError("图片无法解码（文件损坏或不是 PNG/JPEG 图片）") from None
    return array, max(width, height) / max(array.shape[0], array.shape[1])


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


__all__ = [
    "RasterError",
    "Survey",
    "decode_image",
    "image_size",
    "open_pdf",
    "page_count",
    "ranges",
    "render",
    "render_scale",
    "survey",
]
