"""Readers: any input file → :class:`nianbao.document.Document`.

Only this package touches input files. Every failure is a :class:`ReadError` that names the
file and says what is wrong in Chinese, for the user.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from .. import limits
from ..document import Document, Grid, Paragraph, Source
from ..mdtext import unescape as unescape_markdown
from ..model import Report
from .bounds import os_reason, too_big
from .decode import decode_text
from .formats import report_format, sniff
from .text import TooManyCells, line_count, looks_like_report, read_text

NOT_A_REPORT = "内容不像政府信息公开工作年度报告（未见“政府信息公开”等字样）"
_KIND = {"pdf": "PDF", "html": "网页", "docx": "Word 文档", "doc": "Word 文档", "image": "图片"}
_log = logging.getLogger(__name__)


class ReadError(Exception):
    """An input that cannot be read as a report. `reason` is for the user (Chinese)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def read_bytes(data: bytes, path: str = "<bytes>") -> Document:
    """Read a report held in memory. Any failure, a library's included, is a ReadError."""
    fmt = sniff(data[:4096], path)
    try:
        return _read(data, path, fmt)
    except ReadError:
        raise
    except MemoryError:
        raise ReadError(path, "内存不足，无法读取（文件过大或结构异常）") from None
    except RecursionError:
        raise ReadError(path, "文件结构嵌套过深，无法读取") from None
    except Exception:
        _log.debug("unexpected failure reading %s", path, exc_info=True)
        kind = _KIND.get(fmt, "文本")
        raise ReadError(path, f"{kind}文件损坏或结构异常，无法读取") from None


def _read(data: bytes, path: str, fmt: str) -> Document:
    if not data or data.isspace():
        raise ReadError(path, "文件为空")
    lim = limits.current()
    if len(data) > lim.file_bytes:
        raise ReadError(path, too_big(len(data), lim.file_bytes))
    digest = hashlib.sha256(data).hexdigest()
    if fmt == "pdf":
        return _read_pdf(data, path, digest)
    if fmt == "html":
        return _read_html(data, path, digest)
    if fmt == "docx":
        return _read_docx(data, path, digest)
    if fmt == "doc":
        return _read_doc(data, path, digest)
    if fmt == "image":
        return _read_image(data, path, digest)
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(path, "二进制文件，不是文本报告")
    text, encoding = decode_text(data)
    if text is None:
        raise ReadError(path, "无法识别文本编码（试过 UTF-8、GB18030、Big5）")
    del data
    _check_size(path, len(text), line_count(text))  # before the text is split into lines
    if fmt == "md":  # the escapes nianbao writes into Markdown (mdtext), undone
        text = unescape_markdown(text)
    if not looks_like_report(text):
        raise ReadError(path, NOT_A_REPORT)
    try:
        blocks = read_text(text, limits.current().text_cells)
    except TooManyCells as exc:
        raise ReadError(path, _too_many(f"超过 {exc.limit}", exc.limit)) from None
    return Document(Source(path, digest, fmt, encoding), blocks)


def _too_many(count: str, limit: int) -> str:
    return f"段落和表格单元格过多（{count} 个，上限 {limit} 个），不像年度报告，未读取"


def _check_size(path: str, chars: int, lines: int | None = None, cells: int | None = None) -> None:
    """ReadError when a document holds more text than limits.text_chars / text_cells allow."""
    lim = limits.current()
    if chars > lim.text_chars:
        raise ReadError(path, f"文字过多（{chars} 个字符，上限 {lim.text_chars} 个），不像年度报告，未读取")
    if lines is not None and lines > lim.text_cells:
        raise ReadError(path, f"行数过多（{lines} 行，上限 {lim.text_cells} 行），不像年度报告，未读取")
    if cells is not None and cells > lim.text_cells:
        raise ReadError(path, _too_many(str(cells), lim.text_cells))


def _head(blocks, size: int = 20000) -> str:
    """The first `size` characters of a document's text in reading order, table cells included."""
    parts: list[str] = []
    have = 0
    for block in blocks:
        rows = ((block.text,),) if isinstance(block, Paragraph) else ([c.text for c in r] for r in block.rows)
        for row in rows:
            line = "\t".join(row)[: size - have]
            parts.append(line)
            have += len(line) + 1
            if have >= size:
                return "\n".join(parts)
    return "\n".join(parts)


def _document(path: str, source: Source, blocks: tuple, notes: list[str] | tuple[str, ...] = ()) -> Document:
    """The document of a reader's blocks, once it holds no more text than the limits allow and
    looks like a report at all (the one test every format passes)."""
    chars = cells = 0
    for block in blocks:
        if isinstance(block, Grid):
            cells += sum(len(r) for r in block.rows)
            chars += sum(len(c.text) + 1 for r in block.rows for c in r)
        else:
            cells += 1
            chars += len(block.text) + 1
    _check_size(path, chars, cells=cells)
    head = _head(blocks)
    if not looks_like_report(head):
        if head.count("(cid:") >= 20:
            raise ReadError(path, "PDF 的文字层无法解码（字体缺少 Unicode 映射），也不像年度报告")
        raise ReadError(path, NOT_A_REPORT)
    return Document(source, tuple(blocks), tuple(notes))


def _read_html(data: bytes, path: str, digest: str) -> Document:
    from .html import HtmlError, read_html

    try:
        blocks, encoding = read_html(data, limits.current().text_cells)
    except HtmlError as exc:
        raise ReadError(path, str(exc)) from None
    except TooManyCells as exc:
        raise ReadError(path, _too_many(f"超过 {exc.limit}", exc.limit)) from None
    return _document(path, Source(path, digest, "html", encoding), blocks)


def _read_docx(data: bytes, path: str, digest: str, fmt: str = "docx") -> Document:
    from .docx import DocxError, read_docx

    try:
        blocks = read_docx(data, limits.current().text_cells)
    except DocxError as exc:
        raise ReadError(path, str(exc)) from None
    except TooManyCells as exc:
        raise ReadError(path, _too_many(f"超过 {exc.limit}", exc.limit)) from None
    return _document(path, Source(path, digest, fmt), blocks)


def _read_doc(data: bytes, path: str, digest: str) -> Document:
    from .office import OfficeError, doc_to_docx

    try:
        converted = doc_to_docx(data)
    except OfficeError as exc:
        raise ReadError(path, str(exc)) from None
    return _read_docx(converted, path, digest, "doc")


def _read_pdf(data: bytes, path: str, digest: str) -> Document:
    from .pdf import PdfError, read_pdf

    try:
        blocks, empty = read_pdf(data)
    except PdfError as exc:
        raise ReadError(path, str(exc)) from None
    notes: list[str] = []
    if empty:
        blocks = _ocr_pages(data, path, blocks, empty, notes)
    return _document(path, Source(path, digest, "pdf"), blocks, notes)


def _ocr_pages(data: bytes, path: str, blocks: tuple, empty: tuple[int, ...], notes: list[str]) -> tuple:
    """The pages without a text layer, blank ones skipped, read by OCR (at most
    limits.ocr_pages) and put in page order among the others. Pages left unread are said in
    `notes`, or in a ReadError when nothing at all could be read."""
    from . import raster
    from .ocr import OcrError, OcrMissing, ocr_pdf_pages

    lim = limits.current()
    try:
        pdf = raster.open_pdf(data)
        try:
            survey = raster.survey(pdf, list(empty))
        finally:
            pdf.close()
    except raster.RasterError as exc:
        raise ReadError(path, str(exc)) from None
    unread: list[str] = []
    if survey.large:
        pages = raster.ranges([n for n, _, _ in survey.large])
        w, h = max(((w, h) for _, w, h in survey.large), key=lambda s: s[0] * s[1])
        unread.append(
            f"第 {pages} 页的图像像素过多（最大 {w}×{h}，上限 {lim.image_pixels / 1e6:.0f} 百万像素），未做 OCR"
        )
    todo = survey.scan
    if len(todo) > lim.ocr_pages:
        rest = todo[lim.ocr_pages :]
        todo = todo[: lim.ocr_pages]
        unread.append(
            f"扫描页 {len(survey.scan)} 页，超过每份文档 OCR 的上限（{lim.ocr_pages} 页），"
            f"第 {raster.ranges(rest)} 页（{len(rest)} 页）未做 OCR，其中的数字未读取"
        )
    scanned: tuple = ()
    if todo:
        try:
            scanned = ocr_pdf_pages(data, todo)
        except OcrMissing as exc:
            if not blocks:
                raise ReadError(path, f"PDF 没有文字层（{len(todo)} 页为扫描图像）。{exc}") from None
            unread.append(f"第 {raster.ranges(todo)} 页为扫描图像，{exc}，这些页未读取")
        except OcrError as exc:
            raise ReadError(path, str(exc)) from None
    if not blocks and not scanned:
        if unread:
            raise ReadError(path, "PDF 没有可读的文字：" + "；".join(unread))
        if not todo:
            raise ReadError(path, f"PDF 没有文字（{len(survey.blank)} 页均为空白页）")
        raise ReadError(path, f"PDF 没有文字层（{len(empty)} 页为图像），OCR 也没有识别出文字")
    notes.extend(unread)
    return tuple(sorted((*blocks, *scanned), key=lambda b: b.ref.page or 0))


def _read_image(data: bytes, path: str, digest: str) -> Document:
    from .ocr import OcrError, read_image

    try:
        blocks = read_image(data)
    except OcrError as exc:
        raise ReadError(path, str(exc)) from None
    if not blocks:
        raise ReadError(path, "图片中没有识别出文字")
    return _document(path, Source(path, digest, "image"), blocks)


def read_file(path: str | Path) -> bytes:
    """A file's bytes, or a ReadError that says in Chinese why it cannot be read."""
    p = Path(path)
    name = str(path)
    try:
        if p.is_dir():
            raise ReadError(name, "是目录，不是文件")
        size = p.stat().st_size
        limit = limits.current().file_bytes
        if size > limit:
            raise ReadError(name, too_big(size, limit))
        # Opened without waiting: a named pipe nobody writes to would block open() for ever (it
        # reads as empty instead); then blocking again, so a pipe being written is read whole.
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(limit + 1)  # a file that grew since stat() is still bounded
        if len(data) > limit:
            raise ReadError(name, too_big(len(data), limit))
        return data
    except OSError as exc:
        raise ReadError(name, os_reason(exc)) from None


def read_path(path: str | Path) -> Document:
    """Read one report document file (a PDF, web page, Word file, scan or text)."""
    return read_bytes(read_file(path), str(path))


def read_source(data: bytes, name: str) -> Document | Report:
    """A report file's bytes read by its format (read.formats): a Document for the parser, or
    the Report the file already holds (the Excel fill-in form, report JSON/YAML)."""
    fmt = report_format(name, data[:4096])
    if fmt.id == "form":
        from .form import read_form_bytes

        return read_form_bytes(data, name)
    if fmt.gives == "report":
        from ..reportdata import ReportDataError, load_report_bytes

        try:
            return load_report_bytes(data, name, yaml=fmt.id == "yaml")
        except ReportDataError as exc:
            raise ReadError(name, f"不是有效的报告 JSON/YAML（{exc}）") from None
    return read_bytes(data, name)


def read_source_path(path: str | Path) -> Document | Report:
    """Read one report file of any format nianbao knows (read.formats.FORMATS)."""
    return read_source(read_file(path), str(path))


__all__ = ["ReadError", "read_bytes", "read_file", "read_path", "read_source", "read_source_path"]
