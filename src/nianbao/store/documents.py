"""A stored report's source document, for the workbench's source view.

The bytes come from the ``sources`` table (kept there by an upload) or else from the file that
was ingested, when it still exists and its sha256 is still the report's. A PDF's pages (and a
scanned image) are rendered as PNG images within the limits, a box drawn on request; every
other document is shown as its lines, numbered as the reader numbered them (``Ref.line``), so a
cell's line is an anchor in the view. The sentences that X- findings quote and that Y-COPY
finds copied are located in the six sections, to be marked.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .. import limits
from ..document import Grid, Paragraph
from ..model import Report
from ..template import SECTIONS
from .schema import findings, sources
from .series import load

#: Pixels of one page image shown (about 130 DPI for A4): sharp enough to read, small to send.
PAGE_PIXELS = 2_400_000
#: Documents (verified bytes) and page images kept in memory between requests.
DOCUMENTS_KEPT = 3
PAGES_KEPT = 48
#: The formats shown as pages, and those shown as lines of text.
PAGED = ("pdf", "image")
#: Why there is nothing to show (Chinese, for the page).
UNAVAILABLE = (
    "原文不可用：语料库中没有保存这份报告的原文，导入时的文件已不存在或已被修改。表格和问题不受影响。"
)
NOT_SHOWN = "这种格式（{fmt}）的原文无法在此显示。"


class _Kept(OrderedDict):
    """A small least-recently-used cache shared by the server's threads."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size
        self.lock = threading.Lock()

    def get_kept(self, key: Any) -> Any:
        with self.lock:
            if key not in self:
                return None
            self.move_to_end(key)
            return self[key]

    def keep(self, key: Any, value: Any) -> None:
        with self.lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self.size:
                self.popitem(last=False)


_documents = _Kept(DOCUMENTS_KEPT)
_pages = _Kept(PAGES_KEPT)


# ── the bytes ────────────────────────────────────────────────────────────────────────
def source_bytes(conn: sa.Connection, sha256: str, path: str | None) -> bytes | None:
    """The source document of a report: kept in the corpus, or the ingested file (a zip member
    too) while its sha256 is still `sha256`; None when neither is there. Bytes already read are
    reused while their origin is unchanged (the row still there, the file's size and time)."""
    kept = _documents.get_kept(sha256)
    if kept is not None:
        data, origin = kept
        if origin == _origin(conn, sha256, path, kept_in_db=origin == "db"):
            return data
    exists = conn.execute(sa.select(sources.c.size).where(sources.c.sha256 == sha256)).first()
    if exists is not None:
        data = conn.execute(sa.select(sources.c.data).where(sources.c.sha256 == sha256)).scalar()
        if data is not None:
            data = bytes(data)
            _documents.keep(sha256, (data, "db"))
            return data
    if not path:
        return None
    origin = _origin(conn, sha256, path, kept_in_db=False)
    data = _from_file(path) if origin is not None else None
    if data is None or hashlib.sha256(data).hexdigest() != sha256:
        return None
    _documents.keep(sha256, (data, origin))
    return data


def _origin(conn: sa.Connection, sha256: str, path: str | None, kept_in_db: bool) -> Any:
    """Where bytes come from, to tell whether bytes kept in memory still hold: "db" while the
    row is there, else the file's path, size and modification time (None when it is gone)."""
    if kept_in_db:
        there = conn.execute(sa.select(sources.c.size).where(sources.c.sha256 == sha256)).first()
        return "db" if there is not None else None
    if not path:
        return None
    try:
        st = Path(path.partition("!")[0] if not Path(path).exists() else path).stat()
    except (OSError, ValueError):
        return None
    return (path, st.st_size, st.st_mtime_ns)


def _from_file(path: str) -> bytes | None:
    """The bytes of the file at `path` (or of the member that ``archive.zip!member`` names),
    None when it is missing or larger than limits.file_bytes."""
    lim = limits.current()
    try:
        file = Path(path)
        if file.is_file():
            if file.stat().st_size > lim.file_bytes:
                return None
            return file.read_bytes()
        archive, sep, member = path.partition("!")
        if not sep or not Path(archive).is_file():
            return None
        from ..read.bounds import Refused, read_member
        from .sources import member_name

        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if member_name(info) == member:
                    return read_member(zf, info, lim)
    except (OSError, ValueError, zipfile.BadZipFile, Refused):
        return None
    return None


# ── the view ─────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Page:
    """A page of a paged source: its number (from 1) and its size in the units of Ref.bbox
    (points for a PDF, pixels for an image), origin at the top left."""

    number: int
    width: float
    height: float


@dataclass(frozen=True)
class Line:
    """A line of a text source, or a paragraph of a document (its Ref.line). `anchor` is true
    for the first entry of a line number (the one that carries ``id="L<n>"``)."""

    number: int | None
    text: str
    anchor: bool = False


@dataclass(frozen=True)
class Cell:
    """A cell of a document's table: its text, line and place (Ref.table, row, col)."""

    text: str
    number: int | None
    place: str
    anchor: bool = False
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]


@dataclass
class SourceView:
    """What the source pane shows: pages, lines and tables, or a note why nothing."""

    kind: str  # "pages", "lines" or "none"
    format: str = ""
    pages: list[Page] = field(default_factory=list)
    lines: list[Line | Table] = field(default_factory=list)
    note: str = ""


def view(data: bytes | None, fmt: str | None, path: str = "<bytes>") -> SourceView:
    """The source pane of a document (`fmt` as the corpus records it)."""
    fmt = fmt or ""
    if data is None:
        return SourceView("none", fmt, note=UNAVAILABLE)
    try:
        if fmt == "pdf":
            return SourceView("pages", fmt, pages=_pdf_pages(data))
        if fmt == "image":
            return SourceView("pages", fmt, pages=[_image_page(data)])
        if fmt in ("txt", "md", "json", "yaml"):
            return SourceView("lines", fmt, lines=_text_lines(data, fmt))
        if fmt in ("html", "docx", "doc"):
            return SourceView("lines", fmt, lines=_document_lines(data, path))
    except PageError as exc:
        return SourceView("none", fmt, note=str(exc))
    return SourceView("none", fmt, note=NOT_SHOWN.format(fmt=fmt or "未知"))


class PageError(Exception):
    """A source that cannot be shown (the message is for the user, in Chinese)."""


def _pdf_pages(data: bytes) -> list[Page]:
    from ..read.raster import RasterError, open_pdf

    try:
        pdf = open_pdf(data)
    except RasterError as exc:
        raise PageError(str(exc)) from None
    try:
        count = min(len(pdf), limits.current().pdf_pages)
        return [Page(n + 1, *(round(v, 1) for v in pdf.get_page_size(n))) for n in range(count)]
    finally:
        pdf.close()


def _image_page(data: bytes) -> Page:
    from ..read.raster import image_size

    size = image_size(data)
    if size is None:
        raise PageError("图片无法显示（不是 PNG/JPEG 图片）")
    return Page(1, float(size[0]), float(size[1]))


def _text_lines(data: bytes, fmt: str) -> list[Line | Table]:
    """A text file's lines as the text reader numbers them (line 1 is the first)."""
    from ..mdtext import unescape
    from ..read.decode import decode_text

    text, _ = decode_text(data)
    if text is None:
        raise PageError("无法识别文本编码，原文无法显示")
    if len(text) > limits.current().text_chars:
        raise PageError("文字过多，原文无法显示")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "md":
        text = unescape(text)
    return [Line(i + 1, line, True) for i, line in enumerate(text.split("\n"))]


def _document_lines(data: bytes, path: str) -> list[Line | Table]:
    """An HTML or Word document as its reader gives it: paragraphs and tables, in order, each
    with the line the reader gave it (its source line in HTML, its paragraph in Word)."""
    from ..read import ReadError, read_bytes

    try:
        document = read_bytes(data, path)
    except ReadError as exc:
        raise PageError(f"原文无法显示：{exc.reason}") from None
    seen: set[int] = set()

    def first(number: int | None) -> bool:
        if number is None or number in seen:
            return False
        seen.add(number)
        return True

    out: list[Line | Table] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            out.append(Line(block.ref.line, block.text, first(block.ref.line)))
        elif isinstance(block, Grid):
            rows = tuple(
                tuple(
                    Cell(c.text, c.ref.line, place(c.ref), first(c.ref.line), c.colspan, c.rowspan)
                    for c in row
                )
                for row in block.rows
            )
            out.append(Table(rows))
    return out


def place(ref: Any) -> str:
    """A source table cell's place, ``table-row-col`` ("" when the reference has none)."""
    table, row, col = getattr(ref, "table", None), getattr(ref, "row", None), getattr(ref, "col", None)
    if table is None or row is None or col is None:
        return ""
    return f"{table}-{row}-{col}"


# ── page images ──────────────────────────────────────────────────────────────────────
def parse_box(text: str | None) -> tuple[float, float, float, float] | None:
    """``x0,top,x1,bottom`` (page units) from a query string; None when absent or malformed."""
    if not text:
        return None
    parts = text.split(",")
    if len(parts) != 4:
        return None
    try:
        x0, top, x1, bottom = (float(p) for p in parts)
    except ValueError:
        return None
    if not all(0 <= v < 100_000 for v in (x0, top, x1, bottom)) or x1 < x0 or bottom < top:
        return None
    return x0, top, x1, bottom


def page_png(
    data: bytes, fmt: str, sha256: str, number: int, box: tuple[float, float, float, float] | None = None
) -> bytes:
    """Page `number` (from 1) of a PDF, or the image of a scan, as a PNG of at most PAGE_PIXELS,
    with `box` (page units, origin top left) drawn on it. LookupError for a page that is not
    there; PageError when it cannot be rendered."""
    key = (sha256, number, box)
    kept = _pages.get_kept(key)
    if kept is not None:
        return kept
    if fmt == "pdf":
        image, scale = _render_pdf_page(data, number)
    elif fmt == "image" and number == 1:
        image, scale = _render_image(data)
    else:
        raise LookupError(number)
    if box is not None:
        from PIL import ImageDraw

        x0, top, x1, bottom = (v * scale for v in box)
        pad = 3
        ImageDraw.Draw(image).rectangle(
            (x0 - pad, top - pad, x1 + pad, bottom + pad), outline=(196, 30, 30), width=3
        )
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    png = out.getvalue()
    _pages.keep(key, png)
    return png


def _render_pdf_page(data: bytes, number: int) -> tuple[Any, float]:
    """The page as an RGB image and the pixels one point spans."""
    from ..read.raster import RasterError, open_pdf, render_scale

    try:
        pdf = open_pdf(data)
    except RasterError as exc:
        raise PageError(str(exc)) from None
    try:
        if not 1 <= number <= min(len(pdf), limits.current().pdf_pages):
            raise LookupError(number)
        page = pdf[number - 1]
        try:
            width, height = page.get_size()
            scale = render_scale(width, height, 150, PAGE_PIXELS)
            bitmap = page.render(scale=scale)
            try:
                image = bitmap.to_pil().convert("RGB")
            finally:
                bitmap.close()
        except LookupError:
            raise
        except Exception:
            raise PageError(f"第 {number} 页无法渲染（PDF 页面损坏）") from None
        finally:
            page.close()
    finally:
        pdf.close()
    return image, scale


def _render_image(data: bytes) -> tuple[Any, float]:
    """A scanned image, scaled to fit PAGE_PIXELS, and the shown pixels one original pixel spans."""
    import math

    from PIL import Image

    from ..read.raster import RasterError, decode_image

    try:
        array, original = decode_image(data)  # BGR, at most limits.page_pixels
    except RasterError as exc:
        raise PageError(str(exc)) from None
    image = Image.fromarray(array[:, :, ::-1].copy())
    scale = 1 / original
    if image.width * image.height > PAGE_PIXELS:
        fit = math.sqrt(PAGE_PIXELS / (image.width * image.height))
        image = image.resize((max(1, int(image.width * fit)), max(1, int(image.height * fit))))
        scale *= fit
    return image, scale


# ── the sentences findings quote ─────────────────────────────────────────────────────
#: What an X- finding quotes: 正文“…”称 (check/rules/text.py).
_QUOTE = re.compile(r"正文“(.+)”称")
#: Rules whose findings name sentences of the sections.
QUOTING = ("X-", "Y-COPY")


@dataclass(frozen=True)
class Part:
    """A piece of a section's text; `rule` and `note` set when it is a marked sentence."""

    text: str
    rule: str = ""
    note: str = ""


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where `quote` stands in `text` (every occurrence)."""
    out: list[tuple[int, int]] = []
    quote = quote.strip()
    if len(quote) < 2:
        return out
    start = text.find(quote)
    while start >= 0:
        out.append((start, start + len(quote)))
        start = text.find(quote, start + len(quote))
    return out


def split_marked(text: str, marks: list[tuple[int, int, str, str]]) -> list[Part]:
    """`text` cut into parts, the marked spans (start, end, rule, note) as marked parts;
    overlapping spans are merged (the first one's rule and note kept)."""
    parts: list[Part] = []
    at = 0
    for start, end, rule, note in sorted(marks):
        start = max(start, at)
        if end <= start:
            continue
        if start > at:
            parts.append(Part(text[at:start]))
        parts.append(Part(text[start:end], rule, note))
        at = end
    if at < len(text) or not parts:
        parts.append(Part(text[at:]))
    return parts


def section_marks(
    conn: sa.Connection, version_id: int, report: Report | None = None
) -> dict[str, list[Part]]:
    """The six sections of a version cut into parts, the sentences that its X- findings quote
    and the sentences that Y-COPY found copied from the year before marked. Only sections with
    a mark are given."""
    rows = conn.execute(
        sa.select(findings.c.rule, findings.c.message, findings.c.cells, findings.c.prev_version_id).where(
            findings.c.version_id == version_id
        )
    ).all()
    rows = [r for r in rows if r.rule.startswith(QUOTING)]
    if not rows:
        return {}
    if report is None:
        report = load(conn, [version_id])[version_id]
    previous_ids = sorted({r.prev_version_id for r in rows if r.rule == "Y-COPY" and r.prev_version_id})
    previous = load(conn, previous_ids) if previous_ids else {}
    out: dict[str, list[Part]] = {}
    for spec in SECTIONS:
        sec = report.sections.get(spec.key)
        if sec is None or not sec.text:
            continue
        spans = [
            (a, b, r.rule, note)
            for r in rows
            for quote, note in _quotes(r, spec.key, sec.text, previous)
            for a, b in _spans(sec.text, quote)
        ]
        if spans:
            out[spec.key] = split_marked(sec.text, spans)
    return out


def _quotes(row: Any, key: str, text: str, previous: dict[int, Report]) -> list[tuple[str, str]]:
    """The sentences a finding names in section `key` (whose text is `text`), each with a note
    for the mark. Y-COPY's copied sentences are found again against the previous year's section
    when it is in the corpus (the message quotes only two), else taken from the message."""
    if row.rule.startswith("X-"):
        m = _QUOTE.search(row.message or "")
        return [(m.group(1), row.message)] if m else []
    if f"sections.{key}" not in (row.cells or []):
        return []
    prev = previous.get(row.prev_version_id)
    note = f"与 {prev.year} 年报告相同" if prev is not None and prev.year else "与上一年度报告相同"
    before = prev.sections.get(key) if prev is not None else None
    if before is not None:
        from ..check.rules.years import copied_share

        return [(s, note) for s in copied_share(text, before.text)[1]]
    samples = (row.message or "").partition("如：")[2]
    return [(s, note) for s in samples.split("；") if s.strip()]


__all__ = [
    "DOCUMENTS_KEPT",
    "PAGED",
    "PAGE_PIXELS",
    "UNAVAILABLE",
    "Cell",
    "Line",
    "Page",
    "PageError",
    "Part",
    "SourceView",
    "Table",
    "page_png",
    "parse_box",
    "place",
    "section_marks",
    "source_bytes",
    "split_marked",
    "view",
]
