"""A Report written as a text document, its tables in one of the layouts real reports use.

Layouts: `tabs` (one row a line, tab-separated), `cells` (one cell a line after a tab,
blank lines between rows), `markdown` (pipe tables), `spaced` (space-aligned columns, as
`pdftotext -layout` prints), `lines` (one cell a line, nothing else: blanks cannot show).
"""

from __future__ import annotations

from collections.abc import Callable

from .. import mdtext
from ..model import Report
from ..template import SECTIONS, Table
from .layout import tables_for, value_text
from .terminal import pad, width

LAYOUTS = ("tabs", "cells", "markdown", "spaced", "lines")

Row = list[str]


def t2_rows(report: Report, table: Table) -> list[Row]:
    data = report.tables.get("t2", {})
    width_ = max(len(b.cols) for b in table.blocks) + 1
    rows: list[Row] = []
    for block in table.blocks:
        if not any(r.key in data for r in block.rows):
            continue
        rows.append(_padded([block.caption], width_))
        rows.append(_padded([table.corner, *[c.label for c in block.cols]], width_))
        for r in block.rows:
            if r.key in data:
                rows.append(
                    _padded([r.label, *[value_text(data[r.key].get(c.key)) for c in block.cols]], width_)
                )
    return rows


def _padded(row: Row, size: int) -> Row:
    return row + [""] * (size - len(row))


def t3_rows(report: Report, table: Table) -> list[Row]:
    """表三 with the label columns of the official layout (rowspan labels on their first row)."""
    data = report.tables.get("t3", {})
    cols = [c.label for c in table.cols]
    applicant, org = (g.label for g in table.col_groups)
    rows: list[Row] = [
        [table.annotation, "", "", applicant, *[""] * (len(cols) - 1)],
        ["", "", "", cols[0], org, *[""] * (len(cols) - 3), cols[-1]],
        ["", "", "", "", *cols[1:-1], ""],
    ]
    groups = {g.key: g for g in table.groups}
    started: set[str] = set()
    for r in table.rows:
        if r.key not in data:
            continue
        values = [value_text(data[r.key].get(c.key)) for c in table.cols]
        if not r.group:
            rows.append([r.printed, "", "", *values])
            continue
        top = ""
        if "results" not in started:
            started.add("results")
            top = groups["results"].printed
        if r.group == "results":
            rows.append([top, r.printed, "", *values])
            continue
        mid = ""
        if r.group not in started:
            started.add(r.group)
            mid = groups[r.group].printed
        rows.append([top, mid, r.printed, *values])
    return rows


def t4_rows(report: Report, table: Table) -> list[Row]:
    data = report.tables.get("t4", {})
    cols = [c.label for c in table.cols]
    blank = [""] * (len(cols) - 1)
    review, litigation = (g.label for g in table.col_groups)
    direct, after = (r.label for r in table.rows if r.group == "litigation")
    rows: list[Row] = [
        [review, *blank, litigation, *blank, *[""] * len(cols)],
        [*cols, direct, *blank, after, *blank],
        [""] * len(cols) + cols + cols,
    ]
    values: Row = []
    for r in table.rows:
        values += [value_text(data.get(r.key, {}).get(c.key)) for c in table.cols]
    rows.append(values)
    return rows


def _strip_label_columns(rows: list[Row]) -> list[Row]:
    """For layouts without empty cells, drop the empties that only hold a rowspan place."""
    return [[c for c in r if c != ""] or [""] for r in rows]


def table_text(rows: list[Row], layout: str, label_cols: int = 1) -> str:
    if layout == "tabs":
        return "\n".join("\t".join(r) for r in rows)
    if layout == "cells":
        return "\n\n".join("\n".join("\t" + c for c in r) for r in rows)
    if layout == "markdown":
        size = max(len(r) for r in rows)
        head = ["| " + " | ".join(_padded(rows[0], size)) + " |", "|" + "---|" * size]
        return "\n".join(head + ["| " + " | ".join(_padded(r, size)) + " |" for r in rows[1:]])
    if layout == "lines":
        return "\n".join(c for r in _strip_label_columns(rows) for c in r if c)
    if layout == "spaced":
        return _spaced(rows, label_cols)
    raise ValueError(f"unknown layout {layout!r}")


def _spaced(rows: list[Row], numeric_from: int) -> str:
    """Columns centred on a common grid, at least four spaces apart (labels left-aligned)."""
    size = max(len(r) for r in rows)
    rows = [_padded(r, size) for r in rows]
    label = [" ".join(c for c in r[:numeric_from] if c) for r in rows]
    label_w = max(width(x) for x in label) + 4
    col_w = [max([width(r[i]) for r in rows] + [4]) + 4 for i in range(numeric_from, size)]
    lines = []
    for lab, r in zip(label, rows, strict=True):
        parts = [pad(lab, label_w)]
        for w, c in zip(col_w, r[numeric_from:], strict=True):
            gap = w - width(c)
            parts.append(" " * (gap // 2) + c + " " * (gap - gap // 2))
        lines.append("".join(parts).rstrip())
    return "\n".join(lines)


def render_text(
    report: Report,
    layout: str = "tabs",
    markdown_headings: bool | None = None,
    transform: Callable[[str, list[Row]], list[Row]] | None = None,
    escape: bool | None = None,
) -> str:
    """The whole report as a text document.

    `transform(table_id, rows)` may rewrite each table's rows before layout (tests use it
    to add the irregularities of real reports). `escape` (default: for the markdown layout)
    writes every text as Markdown that shows as that text: no HTML, no links (mdtext).
    """
    md = layout == "markdown" if markdown_headings is None else markdown_headings
    esc = mdtext.escape if (layout == "markdown" if escape is None else escape) else _same
    t2, t3, t4 = tables_for(report)
    tables = {
        "proactive": t2_rows(report, t2),
        "requests": t3_rows(report, t3),
        "appeals": t4_rows(report, t4),
    }
    year = report.year or ""
    out = [f"{'# ' if md else ''}{esc(report.agency or '')}{year}年政府信息公开工作年度报告", ""]
    out += [p for line in esc(report.preamble or "").split("\n") if line.strip() for p in (line, "")]
    for section in SECTIONS:
        sec = report.sections.get(section.key)
        if sec is None:
            continue
        out += ["", f"{'## ' if md else ''}{esc(sec.title or section.printed)}", ""]
        if section.key in tables and report.tables.get(_TABLE_OF[section.key]):
            rows = tables[section.key]
            if transform is not None:
                rows = transform(_TABLE_OF[section.key], rows)
            rows = [[esc(c) for c in r] for r in rows]
            out += [table_text(rows, layout, _LABEL_COLUMNS[section.key]), ""]
        if sec.text:
            out += [p for para in esc(sec.text).split("\n") for p in (para, "")]
    if report.published:
        y, m, d = report.published.split("-")
        out += ["", esc(report.agency or ""), f"{int(y)}年{int(m)}月{int(d)}日"]
    return "\n".join(out).rstrip() + "\n"


def _same(text: str) -> str:
    return text


_LABEL_COLUMNS = {"proactive": 1, "requests": 3, "appeals": 0}
_TABLE_OF = {"proactive": "t2", "requests": "t3", "appeals": "t4"}
