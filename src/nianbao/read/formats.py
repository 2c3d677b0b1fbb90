"""Every kind of input nianbao reads, declared once.

One table says, for each format, its name, the file names it goes by and what reading it gives:
a :class:`~nianbao.document.Document` for the parser, a Report the file already holds (the
Excel fill-in form, report JSON/YAML), or a register of applications. ``nianbao.parse``,
``ingest`` (which files of a folder or zip it takes) and the web upload (which files it accepts)
all ask this table; adding a format is adding a row here and its reader in ``read/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

Gives = Literal["document", "report", "register"]


@dataclass(frozen=True)
class Format:
    id: str
    label: str  # the format's name for users (Chinese)
    suffixes: tuple[str, ...]  # lower case, with the dot; "" is a file without a suffix
    gives: Gives
    by_name: bool = False  # known by its suffix before its content is looked at


FORMATS: tuple[Format, ...] = (
    Format("pdf", "PDF", (".pdf",), "document"),
    Format("html", "网页", (".html", ".htm"), "document"),
    Format("docx", "Word 文档", (".docx",), "document"),
    Format("doc", "Word 97-2003 文档", (".doc",), "document"),
    Format("image", "图片（扫描件）", (".png", ".jpg", ".jpeg"), "document"),
    Format("md", "Markdown 文本", (".md", ".markdown"), "document"),
    Format("txt", "文本", (".txt", ".text", ""), "document"),
    Format("form", "nianbao 填报表（Excel）", (".xlsx",), "report", by_name=True),
    Format("json", "报告数据 JSON", (".json",), "report", by_name=True),
    Format("yaml", "报告数据 YAML", (".yaml", ".yml"), "report", by_name=True),
    Format("register-csv", "申请登记台账（CSV）", (".csv", ".tsv", ".txt"), "register", by_name=True),
    Format("register-xlsx", "申请登记台账（Excel）", (".xlsx",), "register", by_name=True),
)
BY_ID = {f.id: f for f in FORMATS}
REPORT_GIVES: tuple[Gives, ...] = ("document", "report")  # what a report file may be


def suffixes(*gives: Gives) -> frozenset[str]:
    """The file suffixes of the formats that give any of `gives` (all formats when none)."""
    return frozenset(s for f in FORMATS if not gives or f.gives in gives for s in f.suffixes if s)


def suffix_of(name: str) -> str:
    return PurePath(name).suffix.lower()


def sniff(head: bytes, name: str = "") -> str:
    """The document format of a file by its content first, its name second (a format id)."""
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
    return "md" if suffix_of(name) in BY_ID["md"].suffixes else "txt"


def report_format(name: str, head: bytes) -> Format:
    """The format of a report file: a structured one by its name (the form, report JSON/YAML),
    else a document format by its content."""
    suffix = suffix_of(name)
    for fmt in FORMATS:
        if fmt.by_name and fmt.gives == "report" and suffix in fmt.suffixes:
            return fmt
    return BY_ID[sniff(head, name)]


def register_format(data: bytes) -> Format:
    """The format of a register of applications, by its content: a zip is an Excel workbook."""
    return BY_ID["register-xlsx" if data.startswith(b"PK\x03\x04") else "register-csv"]


__all__ = ["BY_ID", "FORMATS", "REPORT_GIVES", "Format", "register_format", "report_format", "sniff", "suffixes"]
