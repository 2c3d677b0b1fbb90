"""Reader for images and scanned PDF pages: the RapidOCR engine and the page images.

Needs the optional extra `ocr` (rapidocr, onnxruntime, opencv-python-headless, pypdfium2).
The PP-OCR models are the ones inside the rapidocr wheel, given to it by path, so nothing
is downloaded at run time; `result.vis()` (which fetches a font) is never called.

A page scanned askew is first turned level (the tilt of its long text boxes); its boxes
are then rebuilt into lines, cells and blocks by read/ocr_layout.py.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..document import Grid, Paragraph
from . import raster
from .ocr_layout import Box, page_blocks, page_rules

MISSING = "扫描件/图片需要 OCR：pip install 'nianbao[ocr]'"
DPI = 200

_MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
}


class OcrError(Exception):
    """An image or scanned page that cannot be read (the message is for the user, in Chinese)."""


class OcrMissing(OcrError):
    """The optional extra `ocr` is not installed."""

    def __init__(self, detail: str = ""):
        super().__init__(MISSING)
        self.detail = detail


def _require():
    """The OCR modules, or OcrMissing naming the extra to install."""
    try:
        import cv2  # noqa: F401  (rapidocr needs it; import errors show here, not later)
        import numpy
        import onnxruntime  # noqa: F401
        import rapidocr
    except ImportError as exc:
        raise OcrMissing(str(exc)) from None
    return numpy, rapidocr


def available() -> bool:
    """True when the extra `ocr` is installed."""
    try:
        _require()
    except OcrMissing:
        return False
    return True


@lru_cache(maxsize=1)
def _engine():
    _, rapidocr = _require()
    models = Path(rapidocr.__file__).resolve().parent / "models"
    # no angle classifier: it turns lone digits upside down (9 read as 6), and pages are upright
    params: dict[str, object] = {"Global.log_level": "error", "Global.use_cls": False}
    for key, name in _MODELS.items():
        path = models / name
        if not path.is_file():
            raise OcrError(f"rapidocr 安装不完整：缺少模型文件 {name}（请重新安装 nianbao[ocr]）")
        params[key] = str(path)  # a path given: rapidocr never looks for a download
    return rapidocr.RapidOCR(params=params)


Quad = tuple[tuple[float, float], ...]


def _recognise(image) -> list[tuple[Quad, str, float]]:
    """Text boxes of one page image (BGR array): corner points (clockwise from top left,
    in pixels), text and confidence."""
    result = _engine()(image)
    if getattr(result, "boxes", None) is None or getattr(result, "txts", None) is None:
        return []
    out = []
    for points, text, score in zip(result.boxes, result.txts, result.scores, strict=False):
        if text.strip():
            quad = tuple((float(p[0]), float(p[1])) for p in points)
            out.append((quad, text.strip(), float(score)))
    return out


def _skew(found: list[tuple[Quad, str, float]]) -> float:
    """The page's tilt in radians, from the top edges of long text boxes (0 when level)."""
    angles = []
    for quad, _, _ in found:
        (x0, y0), (x1, y1) = quad[0], quad[1]
        height = math.dist(quad[0], quad[3])
        if x1 - x0 > 3 * max(height, 1.0):
            angles.append(math.atan2(y1 - y0, x1 - x0))
    if len(angles) < 3:
        return 0.0
    angle = statistics.median(angles)
    return angle if 0.0015 < abs(angle) < 0.2 else 0.0  # under 0.1° is level; over 11° is not skew


def _level(image, found: list[tuple[Quad, str, float]]):
    """The page image and its boxes turned level (a scan fed in askew), boxes axis-aligned."""
    angle = _skew(found)
    transform = None
    if angle:
        import cv2

        h, w = image.shape[:2]
        cos, sin = math.cos(angle), math.sin(angle)
        cx, cy = w / 2, h / 2
        transform = ((cos, sin, (1 - cos) * cx - sin * cy), (-sin, cos, sin * cx + (1 - cos) * cy))
        numpy, _ = _require()
        matrix = numpy.array(transform, dtype=numpy.float64)
        image = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    boxes = []
    for quad, text, score in found:
        points = quad
        if transform is not None:
            (a, b, c), (d, e, f) = transform
            points = tuple((a * x + b * y + c, d * x + e * y + f) for x, y in quad)
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        boxes.append(Box(min(xs), min(ys), max(xs), max(ys), text, score))
    return image, boxes


def _read_page(image, page: int, scale: float) -> list[Paragraph | Grid]:
    """Blocks of one page image; `scale` turns pixels into page units."""
    image, boxes = _level(image, _recognise(image))
    return page_blocks(boxes, page, scale, page_rules(image, boxes))


# ── entry points ─────────────────────────────────────────────────────────────────────
def read_image(data: bytes, page: int = 1) -> tuple[Paragraph | Grid, ...]:
    """Blocks of a PNG or JPEG image of a page (boxes in the image's pixels)."""
    _require()
    try:
        image, scale = raster.decode_image(data)
    except raster.RasterError as exc:
        raise OcrError(str(exc)) from None
    try:
        return tuple(_read_page(image, page, scale))
    except OcrError:
        raise
    except MemoryError:
        raise OcrError("图片过大，OCR 时内存不足") from None
    except Exception:
        raise OcrError("OCR 识别失败（图片内容无法处理）") from None


def ocr_pdf_pages(data: bytes, pages: Iterable[int], dpi: int = DPI) -> tuple[Paragraph | Grid, ...]:
    """Blocks of the given PDF pages (numbered from 1), rendered at `dpi` (lower for a page too
    large for limits.page_pixels) and read by OCR; boxes in PDF points, as the text-layer
    reader gives them. The pages are taken as given: survey them first (raster.survey)."""
    _require()
    try:
        pdf = raster.open_pdf(data)
    except raster.RasterError as exc:
        raise OcrError(str(exc)) from None
    blocks: list[Paragraph | Grid] = []
    try:
        for number in sorted(set(pages)):
            try:
                image, scale = raster.render(pdf, number, dpi)
                blocks.extend(_read_page(image, number, scale))
            except OcrError:
                raise
            except MemoryError:
                raise OcrError(f"第 {number} 页 OCR 时内存不足") from None
            except Exception:
                raise OcrError(f"第 {number} 页 OCR 识别失败（页面无法渲染或识别）") from None
    finally:
        pdf.close()
    return tuple(blocks)


__all__ = [
    "MISSING",
    "OcrError",
    "OcrMissing",
    "available",
    "ocr_pdf_pages",
    "read_image",
]
