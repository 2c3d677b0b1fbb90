"""A Report as aligned terminal tables, blanks made visible (`nianbao parse --format text`)."""

from __future__ import annotations

import unicodedata

from ..model import Cell, Report
from ..template import SECTIONS, Table
from .layout import tables_for

BLANK = "·"  # an empty cell
PLACEHOLDER = "∅"  # a placeholder such as "/" or "—"


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(0, size - width(text))
    return gap + text if right else text + gap


def show(cell: Cell | None) -> str:
    if cell is None:
        return ""
    if cell.value is None:
        return PLACEHOLDER if cell.placeholder else BLANK
    return f"{cell.value}{cell.unit or ''}"


def grid(rows: list[list[str]]) -> list[str]:
    sizes = [max(width(r[i]) for r in rows if i < len(r)) for i in range(max(len(r) for r in rows))]
    return ["  ".join(pad(c, sizes[i], right=i > 0) for i, c in enumerate(r)).rstrip() for r in rows]


def _table_lines(report: Report, table: Table) -> list[str]:
    data = report.tables.get(table.id, {})
    if not data:
        return [f"{table.number}：未找到"]
    lines = [f"{table.number} {table.title}"]
    if table.blocks:
        for block in table.blocks:
            present = [r for r in block.rows if r.key in data]
            if not present:
                continue
            rows = [[block.caption, *[c.label for c in block.cols]]]
            rows += [[r.label, *[show(data[r.key].get(c.key)) for c in block.cols]] for r in present]
            lines += grid(rows)
        return lines
    rows = [["", *[c.label for c in table.cols]]]
    for r in table.rows:
        if r.key in data:
            rows.append(
                [r.printed if len(r.printed) <= 24 else r.printed[:23] + "…"]
                + [show(data[r.key].get(c.key)) for c in table.cols]
            )
    return lines + grid(rows)


def report_text(report: Report) -> str:
    t2, t3, t4 = tables_for(report)
    head = [
        f"文件：{report.source.path}",
        f"机关：{report.agency or '（未识别）'}    地区：{report.region or '—'}",
        f"年度：{report.year or '（未识别）'}    模板：{report.template or '（未识别）'}"
        f"    发布日期：{report.published or '—'}",
        "章节：" + "  ".join(f"{s.number}{'✓' if report.sections.get(s.key) else '✗'}" for s in SECTIONS),
        f"（{BLANK} 空白单元格，{PLACEHOLDER} 占位符）",
    ]
    body: list[str] = []
    for table in (t2, t3, t4):
        body += ["", *_table_lines(report, table)]
    if report.missing:
        body += ["", "缺失：" + "、".join(report.missing)]
    if report.notes:
        body += ["", *("注意：" + n for n in report.notes)]
    return "\n".join(head + body)
