"""A Report as a Word document in the official layout (python-docx).

公文 styles with open fonts in place of the official ones, as the document itself states:
Noto Sans CJK SC for 方正小标宋/黑体 (title, first-level headings) and Noto Serif CJK SC for
仿宋_GB2312 (body). The three tables carry the merged header cells the format prints.
"""

from __future__ import annotations

import io
import re

from ..model import Report
from ..template import SECTIONS
from .html import title
from .layout import Layout, layouts

BODY_FONT = "Noto Serif CJK SC"  # in place of 仿宋_GB2312
HEAD_FONT = "Noto Sans CJK SC"  # in place of 方正小标宋简体 / 黑体
FONT_NOTE = (
    "字体说明：正文以 Noto Serif CJK SC 代替仿宋_GB2312，标题以 Noto Sans CJK SC 代替方正小标宋简体和黑体。"
)

# Characters XML 1.0 cannot hold (control characters, surrogates, U+FFFE/U+FFFF): python-docx refuses them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _font(run, name: str, size: float) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _para(doc, text: str, font: str = BODY_FONT, size: float = 16, align=None, indent: bool = True):
    from docx.shared import Pt

    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(p.add_run(_xml(text)), font, size)
    return p


def _table(doc, layout: Layout) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    width = sum(c.colspan for c in layout[0])
    table = doc.add_table(rows=len(layout), cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(layout):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            anchor = table.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                anchor = anchor.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            p = anchor.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if cell.role == "label" else WD_ALIGN_PARAGRAPH.CENTER
            _font(p.add_run(_xml(cell.text)), BODY_FONT, 10.5)
            c += cell.colspan


def render_docx(report: Report) -> bytes:
    """The report as .docx bytes."""
    try:
        import docx
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm
    except ImportError as exc:  # pragma: no cover - a base dependency
        raise RuntimeError(f"生成 Word 文档需要 python-docx：{exc}") from None
    doc = docx.Document()
    for section in doc.sections:
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    doc.core_properties.title = _xml(title(report))[:255]  # python-docx refuses longer properties
    doc.core_properties.comments = FONT_NOTE
    doc.core_properties.author = _xml(report.agency or "")[:255]
    _para(doc, title(report), HEAD_FONT, 22, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    if report.preamble:
        for line in report.preamble.split("\n"):
            if line.strip():
                _para(doc, line)
    tables = layouts(report)
    for spec in SECTIONS:
        sec = report.sections.get(spec.key)
        if sec is None:
            continue
        _para(doc, sec.title or spec.printed, HEAD_FONT, 16)
        if spec.key in tables and report.tables.get(tables[spec.key][0].id):
            _table(doc, tables[spec.key][1])
        for line in sec.text.split("\n"):
            if line.strip():
                _para(doc, line)
    if report.published:
        y, m, d = (int(x) for x in report.published.split("-"))
        _para(doc, report.agency or "", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        _para(doc, f"{y}年{m}月{d}日", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
