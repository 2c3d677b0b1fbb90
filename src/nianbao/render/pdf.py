"""A Report as PDF: the HTML page typeset by WeasyPrint with an embedded CJK font."""

from __future__ import annotations

from ..model import Report
from .html import render_html


class RenderError(Exception):
    """A rendering that cannot be done here (the message is for the user, in Chinese)."""


def render_pdf(report: Report) -> bytes:
    """PDF bytes; the text stays extractable (fonts are embedded as CID fonts)."""
    try:
        from weasyprint import HTML
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise RenderError(f"生成 PDF 需要 WeasyPrint（pip install 'nianbao[pdf]'）：{exc}") from None
    return HTML(string=render_html(report)).write_pdf()
