"""Readers: any input file → :class:`nianbao.document.Document`.

Only this package touches input files. Every failure is a :class:`ReadError` that names the
file and says what is wrong in Chinese, for the user.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..document import Document, Source
from ..mdtext import unescape as unescape_markdown
from .decode import decode_text
from .text import looks_like_report, read_text

MAX_BYTES = 200 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}


class ReadError(Exception):
    """An input that cannot be read as a report. `reason` is for the user (Chinese)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def sniff_format(path: Path, head: bytes) -> str:
    """The format of a file by its content first, its name second."""
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if head[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1") or head[:3] == b"\xff\xd8\xff":
        return "image"
    lowered = head[:2048].lower()
    if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered or b"<body" in lowered:
        return "html"
    suffix = path.suffix.lower()
    return "md" if suffix in (".md", ".markdown") else "txt"


def read_bytes(data: bytes, path: str = "<bytes>") -> Document:
    """Read a report held in memory."""
    fmt = sniff_format(Path(path), data[:4096])
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ReadError(path, "文件为空")
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
    if fmt not in ("txt", "md"):
        raise ReadError(
            path,
            f"暂不支持的格式（{fmt}），能读取的有：文本（.txt/.md）、HTML 网页、Word（.docx/.doc）、PDF 和图片",
        )
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(path, "二进制文件，不是文本报告")
    text, encoding = decode_text(data)
    if text is None:
        raise ReadError(path, "无法识别文本编码（试过 UTF-8、GB18030、Big5）")
    if fmt == "md":  # the escapes nianbao writes into Markdown (mdtext), undone
        text = unescape_markdown(text)
    if not looks_like_report(text):
        raise ReadError(path, "内容不像政府信息公开工作年度报告（未见“政府信息公开”等字样）")
    return Document(Source(path, digest, fmt, encoding), read_text(text))


def _read_html(data: bytes, path: str, digest: str) -> Document:
    from .html import HtmlError, read_html

    try:
        blocks, encoding = read_html(data)
    except HtmlError as exc:
        raise ReadError(path, str(exc)) from None
    text = "\n".join(b.text for b in blocks if hasattr(b, "text"))
    if not looks_like_report(
        text + "".join(c.text for b in blocks if hasattr(b, "rows") for r in b.rows for c in r)
    ):
        raise ReadError(path, "内容不像政府信息公开工作年度报告（未见“政府信息公开”等字样）")
    return Document(Source(path, digest, "html", encoding), blocks)


def _read_docx(data: bytes, path: str, digest: str, fmt: str = "docx") -> Document:
    from .docx import DocxError, read_docx

    try:
        blocks = read_docx(data)
    except DocxError as exc:
        raise ReadError(path, str(exc)) from None
    text = "\n".join(b.text for b in blocks if hasattr(b, "text"))
    if not looks_like_report(
        text + "".join(c.text for b in blocks if hasattr(b, "rows") for r in b.rows for c in r)
    ):
        raise ReadError(path, "内容不像政府信息公开工作年度报告（未见“政府信息公开”等字样）")
    return Document(Source(path, digest, fmt), blocks)


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
    if empty:
        blocks = _ocr_pages(data, path, blocks, empty)
    if not blocks:
        raise ReadError(path, f"PDF 没有文字层（{len(empty)} 页均为图像），OCR 也没有识别出文字")
    return Document(Source(path, digest, "pdf"), blocks)


def _ocr_pages(data: bytes, path: str, blocks: tuple, empty: tuple[int, ...]) -> tuple:
    """The pages without a text layer read by OCR and put in page order among the others.
    Without the extra `ocr`, a PDF with some text pages is read from those pages alone."""
    from .ocr import OcrError, OcrMissing, ocr_pdf_pages

    try:
        scanned = ocr_pdf_pages(data, empty)
    except OcrMissing as exc:
        if blocks:
            return blocks
        raise ReadError(path, f"PDF 没有文字层（{len(empty)} 页均为图像）。{exc}") from None
    except OcrError as exc:
        raise ReadError(path, str(exc)) from None
    return tuple(sorted((*blocks, *scanned), key=lambda b: b.ref.page or 0))


def _read_image(data: bytes, path: str, digest: str) -> Document:
    from .ocr import OcrError, read_image

    try:
        blocks = read_image(data)
    except OcrError as exc:
        raise ReadError(path, str(exc)) from None
    if not blocks:
        raise ReadError(path, "图片中没有识别出文字")
    if not looks_like_report("\n".join(_texts(blocks))):
        raise ReadError(path, "内容不像政府信息公开工作年度报告（未见“政府信息公开”等字样）")
    return Document(Source(path, digest, "image"), blocks)


def _texts(blocks) -> list[str]:
    return [b.text if hasattr(b, "text") else "\t".join(c.text for r in b.rows for c in r) for b in blocks]


def read_file(path: str | Path) -> bytes:
    """A file's bytes, or a ReadError that says in Chinese why it cannot be read."""
    p = Path(path)
    name = str(path)
    try:
        if p.is_dir():
            raise ReadError(name, "是目录，不是文件")
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ReadError(name, f"文件过大（{size // 1048576} MB，上限 {MAX_BYTES // 1048576} MB）")
        return p.read_bytes()
    except FileNotFoundError:
        raise ReadError(name, "文件不存在") from None
    except PermissionError:
        raise ReadError(name, "没有读取权限") from None
    except OSError as exc:
        raise ReadError(name, f"无法读取（{exc.strerror or exc}）") from None


def read_path(path: str | Path) -> Document:
    """Read one report file."""
    return read_bytes(read_file(path), str(path))


__all__ = ["ReadError", "read_bytes", "read_file", "read_path", "sniff_format"]
