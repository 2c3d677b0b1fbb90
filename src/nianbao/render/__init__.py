"""Renderers: a Report written as a document (docx, html, md, pdf, txt) or shown in a terminal."""

from __future__ import annotations

from ..model import Report

FORMATS = ("docx", "html", "md", "pdf", "txt")
BINARY = ("docx", "pdf")


def render(report: Report, fmt: str, layout: str | None = None) -> bytes:
    """The report in one of FORMATS, as bytes (text formats in UTF-8)."""
    if fmt == "docx":
        from .docx import render_docx

        return render_docx(report)
    if fmt == "pdf":
        from .pdf import render_pdf

        return render_pdf(report)
    if fmt == "html":
        from .html import render_html

        return render_html(report).encode("utf-8")
    if fmt in ("md", "txt"):
        from .text import render_text

        # a .md is escaped whatever its table layout (no HTML runs in a viewer); a .txt never is
        text = render_text(report, layout or ("markdown" if fmt == "md" else "tabs"), escape=fmt == "md")
        return text.encode("utf-8")
    raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


__all__ = ["BINARY", "FORMATS", "render"]
