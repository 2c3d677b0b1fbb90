"""A Report as PDF: the HTML page typeset by WeasyPrint with an embedded CJK font.

The font is found before anything is typeset (render.fonts); without one the PDF is refused
with a message naming what to install, never written with empty boxes for every character.
"""

from __future__ import annotations

import warnings

from ..errors import UserError
from ..model import Report
from .fonts import ENV, CjkFont, cjk_font
from .html import render_html

NO_FONT = (
    "生成 PDF 需要中文字体，本机未找到：请安装文泉驿微米黑（Debian/Ubuntu：apt-get install "
    f"fonts-wqy-microhei，或运行 scripts/system-deps），或用环境变量 {ENV} 指定中文字体所在的目录"
)
NO_WEASYPRINT = "生成 PDF 需要 WeasyPrint：pip install 'nianbao[pdf]'"
NO_PANGO = (
    "生成 PDF 需要 Pango 排版库，本机未找到：Debian/Ubuntu 请 apt-get install libpango-1.0-0 "
    "libpangoft2-1.0-0（或运行 scripts/system-deps）"
)


class RenderError(UserError):
    """A rendering that cannot be done here; the message is for the user, in Chinese.

    A command that does not catch it (e.g. `nianbao generate`) still ends with the message
    and exit code 2 (the command line's guard), never a traceback.
    """


class FontMissing(RenderError):
    """No CJK font could be found for PDF output."""


def require_cjk_font() -> CjkFont:
    """The CJK font PDF output embeds; FontMissing when there is none (cheap, cached)."""
    font = cjk_font()
    if font is None:
        raise FontMissing(NO_FONT)
    return font


def render_pdf(report: Report) -> bytes:
    """PDF bytes; the text stays extractable (fonts are embedded as CID fonts)."""
    font = require_cjk_font()
    # WeasyPrint warns "No fonts configured in FontConfig" (in English) when fontconfig knows
    # no font; the CJK font is then loaded from its file, so the warning is not for the user.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            from weasyprint import HTML
        except ImportError:  # pragma: no cover - depends on the optional extra
            raise RenderError(NO_WEASYPRINT) from None
        except OSError:  # pragma: no cover - WeasyPrint installed, the Pango library missing
            raise RenderError(NO_PANGO) from None
        return HTML(string=render_html(report, font)).write_pdf()

__all__ = ["NO_FONT", "FontMissing", "RenderError", "render_pdf", "require_cjk_font"]
