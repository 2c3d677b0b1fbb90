"""A Report as one self-contained, printable HTML page (also the source of the PDF)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from ..model import Report
from ..template import SECTIONS
from .fonts import CjkFont
from .layout import Layout, layouts

FONTS = '"WenQuanYi Micro Hei", "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif'
HEAD_FONTS = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "SimHei", sans-serif'


def css(font: CjkFont | None = None) -> str:
    """The page style; with `font` (PDF output) that CJK font is named first, and loaded from
    its file when fontconfig does not know it."""
    body, head = FONTS, HEAD_FONTS
    face = ""
    if font is not None:
        family = '"' + "".join(ch for ch in font.family if ch not in '"\\<>;{}') + '"'
        body, head = f"{family}, {FONTS}", f"{family}, {HEAD_FONTS}"
        if not font.fontconfig:
            face = f'@font-face {{ font-family: {family}; src: url("{Path(font.path).as_uri()}"); }}\n'
    return face + _CSS.replace("$FONTS", body).replace("$HEAD_FONTS", head)


_CSS = """
@page { size: A4; margin: 2.5cm 2.2cm; }
body { font-family: $FONTS; font-size: 12pt; line-height: 1.8; color: #000; max-width: 46em; margin: 2em auto; }
h1 { font-family: $HEAD_FONTS; font-weight: normal; font-size: 18pt; text-align: center; line-height: 1.5; margin: 0 0 1em; }
h2 { font-family: $HEAD_FONTS; font-weight: normal; font-size: 13pt; margin: 1.2em 0 0.4em; }
p { text-indent: 2em; margin: 0.2em 0; }
p.signature { text-align: right; text-indent: 0; margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; font-size: 9.5pt; line-height: 1.4;
        page-break-inside: auto; }
tr { page-break-inside: avoid; }
table.small { page-break-inside: avoid; }
h2 { page-break-after: avoid; }
td, th { border: 0.75pt solid #000; padding: 2pt 3pt; text-align: center; vertical-align: middle; }
td.label { text-align: left; }
th { font-weight: normal; }
td.value { font-variant-numeric: tabular-nums; }
@media print { body { margin: 0; max-width: none; } }
"""


def _table(layout: Layout) -> str:
    """A table; its header rows go into <thead>, which a printed page repeats and keeps whole."""
    heads = 0
    while heads < len(layout) and all(c.role == "header" for c in layout[heads]) and heads < 3:
        heads += 1
    out = ['<table class="small">' if len(layout) <= 16 else "<table>"]
    if heads and len(layout) > 16:
        out.append("<thead>")
    for i, row in enumerate(layout):
        if i == heads and heads and len(layout) > 16:
            out.append("</thead><tbody>")
        cells = []
        for c in row:
            tag = "th" if c.role == "header" else "td"
            attrs = ""
            if c.rowspan > 1:
                attrs += f' rowspan="{c.rowspan}"'
            if c.colspan > 1:
                attrs += f' colspan="{c.colspan}"'
            if c.role != "header":
                attrs += f' class="{c.role}"'
            if c.path:
                attrs += f' data-cell="{c.path}"'
            cells.append(f"<{tag}{attrs}>{escape(c.text)}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    if heads and len(layout) > 16:
        out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out)


def _paragraphs(text: str, css: str = "") -> list[str]:
    cls = f' class="{css}"' if css else ""
    return [f"<p{cls}>{escape(line)}</p>" for line in text.split("\n") if line.strip()]


def title(report: Report) -> str:
    return f"{report.agency or ''}{report.year or ''}年政府信息公开工作年度报告"


def render_html(report: Report, font: CjkFont | None = None) -> str:
    """The report as an HTML page: title, preamble, six sections with the official tables
    (`font`: the CJK font a PDF embeds)."""
    tables = layouts(report)
    body = [f"<h1>{escape(title(report))}</h1>"]
    if report.preamble:
        body += _paragraphs(report.preamble)
    for section in SECTIONS:
        sec = report.sections.get(section.key)
        if sec is None:
            continue
        body.append(f"<h2>{escape(sec.title or section.printed)}</h2>")
        if section.key in tables and report.tables.get(tables[section.key][0].id):
            body.append(_table(tables[section.key][1]))
        body += _paragraphs(sec.text)
    if report.published:
        y, m, d = (int(x) for x in report.published.split("-"))
        body += [
            f'<p class="signature">{escape(report.agency or "")}</p>',
            f'<p class="signature">{y}年{m}月{d}日</p>',
        ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title(report))}</title>\n"
        '<meta name="generator" content="nianbao">\n'
        f"<style>{css(font)}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
