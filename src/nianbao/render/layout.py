"""The official tables as rows of merged cells, laid out from the template declaration.

HTML and DOCX draw the same layout: header cells with their rowspan/colspan as the format
prints them, label cells, and value cells that carry the contract path of their figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Cell, Report
from ..template import GOV2019, GOV2021, Table
from ..template.gov import T3_OTHER_ROW_2019


@dataclass(frozen=True)
class LCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    role: str = "label"  # header, label, value
    path: str = ""  # t3.granted.total for a value cell


Layout = list[list[LCell]]


def value_text(cell: Cell | None) -> str:
    """A figure as a report prints it: the number, or nothing for a blank."""
    if cell is None or cell.value is None:
        return "" if cell is None or not cell.placeholder else (cell.raw or "/")
    v = cell.value
    text = f"{v:.4f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)
    return text + (cell.unit or "")


def tables_for(report: Report) -> tuple[Table, Table, Table]:
    """The 表二, 表三 and 表四 the report prints (a hybrid keeps each table's own template)."""
    t2_cols = {c for r in report.tables.get("t2", {}).values() for c in r}
    t2 = (
        GOV2019.t2
        if (report.template == "2019" or t2_cols & {"new_made", "prev_items", "items"})
        else GOV2021.t2
    )
    t3 = GOV2019.t3 if report.has_row("t3", T3_OTHER_ROW_2019) else GOV2021.t3
    if report.template == "2019" and not report.tables.get("t3"):
        t3 = GOV2019.t3
    return t2, t3, GOV2021.t4


def _value(report: Report, table: str, row: str, col: str) -> LCell:
    return LCell(value_text(report.cell(table, row, col)), role="value", path=f"{table}.{row}.{col}")


def t2_layout(report: Report, table: Table) -> Layout:
    width = 1 + max(len(b.cols) for b in table.blocks)
    rows: Layout = []
    for block in table.blocks:
        rows.append([LCell(block.caption, colspan=width, role="header")])
        head = [LCell(table.corner, role="header")]
        head += [
            LCell(c.label, role="header", colspan=_span(i, len(block.cols), width))
            for i, c in enumerate(block.cols)
        ]
        rows.append(head)
        for r in block.rows:
            line = [LCell(r.label)]
            for i, c in enumerate(block.cols):
                v = _value(report, "t2", r.key, c.key)
                line.append(LCell(v.text, 1, _span(i, len(block.cols), width), "value", v.path))
            rows.append(line)
    return rows


def _span(i: int, n: int, width: int) -> int:
    """The last column of a narrow block spans the rest of the table width."""
    return width - n if i == n - 1 else 1


def t3_layout(report: Report, table: Table) -> Layout:
    cols = table.cols
    applicant, org = table.col_groups
    rows: Layout = [
        [LCell(table.annotation, 3, 3, "header"), LCell(applicant.label, colspan=len(cols), role="header")],
        [
            LCell(cols[0].label, 2, 1, "header"),
            LCell(org.label, colspan=len(cols) - 2, role="header"),
            LCell(cols[-1].label, 2, 1, "header"),
        ],
        [LCell(c.label, role="header") for c in cols[1:-1]],
    ]
    groups = {g.key: g for g in table.groups}
    in_results = [r for r in table.rows if r.group]
    size = {g: sum(1 for r in table.rows if r.group == g) for g in groups}
    started: set[str] = set()
    for r in table.rows:
        line: list[LCell] = []
        if not r.group:
            line.append(LCell(r.printed, colspan=3))
        else:
            if "results" not in started:
                started.add("results")
                line.append(LCell(groups["results"].printed, rowspan=len(in_results)))
            if r.group == "results":
                line.append(LCell(r.printed, colspan=2))
            else:
                if r.group not in started:
                    started.add(r.group)
                    line.append(LCell(groups[r.group].printed, rowspan=size[r.group]))
                line.append(LCell(r.printed))
        line += [_value(report, "t3", r.key, c.key) for c in cols]
        rows.append(line)
    return rows


def t4_layout(report: Report, table: Table) -> Layout:
    cols = table.cols
    n = len(cols)
    review, litigation = table.col_groups
    direct, after = (r.label for r in table.rows if r.group == "litigation")
    return [
        [
            LCell(review.label, colspan=n, role="header"),
            LCell(litigation.label, colspan=2 * n, role="header"),
        ],
        [
            *[LCell(c.label, 2, 1, "header") for c in cols],
            LCell(direct, colspan=n, role="header"),
            LCell(after, colspan=n, role="header"),
        ],
        [LCell(c.label, role="header") for _ in range(2) for c in cols],
        [_value(report, "t4", r.key, c.key) for r in table.rows for c in cols],
    ]


def layouts(report: Report) -> dict[str, tuple[Table, Layout]]:
    """Each table the report has, with its layout (keyed by the section that holds it)."""
    t2, t3, t4 = tables_for(report)
    return {
        t2.section: (t2, t2_layout(report, t2)),
        t3.section: (t3, t3_layout(report, t3)),
        t4.section: (t4, t4_layout(report, t4)),
    }


def width(layout: Layout) -> int:
    return max(sum(c.colspan for c in row) for row in layout[:1]) if layout else 0


__all__ = ["LCell", "Layout", "layouts", "tables_for", "value_text"]
