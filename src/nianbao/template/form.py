"""The Excel fill-in form's layout (填报表), derived from the template declaration.

Writer (:mod:`nianbao.render.form`) and reader (:mod:`nianbao.read.form`) share one layout,
`form_layout`, derived from :mod:`nianbao.template.gov`: where every (table, row, column) cell
stands, every printed label and every total's parts. Nothing here lists rows, columns or labels
of its own. The few values both sides compute (a total, a number's text, an A1 reference, a
date cell) are here too, so that writer and reader agree on them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from .gov import SECTIONS, TEMPLATES
from .spec import Group, Table, Template

FORM_ID = "nianbao-form"
FORM_VERSION = 1
META_SHEET = "_nianbao"
INFO_SHEET = "基本信息"
TEXT_SHEET = "正文"
TABLE_TOP = 2  # rows above each table: a title and a note

CHECK_LABEL = "勾稽关系核对（第一项＋第二项＝第三项＋第四项）"
INFO_FIELDS = (("agency", "机关名称"), ("year", "报告年度"), ("published", "发布日期"), ("template", "模板"))
INFO_TOP = 3

Key = tuple[str, str]  # (row key, column key)


@dataclass(frozen=True)
class Span:
    """A printed label: its top-left cell (0-based) and the rows and columns it covers."""

    row: int
    col: int
    text: str
    rows: int = 1
    cols: int = 1
    role: str = "label"  # caption, corner, head, label

    @property
    def merged(self) -> bool:
        return self.rows > 1 or self.cols > 1


@dataclass(frozen=True)
class Slot:
    """A data cell of a table. A total lists the (row, column) keys it sums."""

    table: str
    key: Key
    row: int
    col: int
    cols: int = 1  # 表二 value cells stretch over the block's unused columns
    kind: str = "count"
    parts: tuple[Key, ...] = ()


@dataclass(frozen=True)
class Check:
    """A cell showing whether one 表三 column balances: sum(left) == sum(right)."""

    row: int
    col: int
    left: tuple[Key, ...]
    right: tuple[Key, ...]


@dataclass
class TableSheet:
    """One table's worksheet: its labels, data cells, column widths and balance checks."""

    name: str
    table: Table
    title: str
    spans: list[Span]
    slots: dict[Key, Slot]
    widths: list[float]
    bottom: int  # last row of the table (0-based)
    checks: list[Check] = field(default_factory=list)
    check_label: Span | None = None


@dataclass
class FormLayout:
    """Where everything stands in the form of one template."""

    template: Template
    tables: dict[str, TableSheet]  # t2, t3, t4 in this order
    info: dict[str, tuple[int, int]]  # field → value cell (row, col), 0-based, on INFO_SHEET
    texts: dict[str, tuple[int, int]]  # section key → text cell on TEXT_SHEET (title one row above)

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return (INFO_SHEET, *(t.name for t in self.tables.values()), TEXT_SHEET, META_SHEET)

    def address(self, table: str, row: str, col: str) -> tuple[str, int, int]:
        """(sheet name, row, column) of one data cell, 0-based."""
        sheet = self.tables[table]
        slot = sheet.slots[(row, col)]
        return sheet.name, slot.row, slot.col


Node = tuple[str, str]  # (identity, printed text)


def _tree(paths: Sequence[Sequence[Node]], depth: int) -> list[tuple[int, int, int, int, str]]:
    """Header spans of leaves given their paths from the top node down.

    Returns (level, first leaf, leaves covered, levels covered, text): consecutive leaves
    under the same node share its span; a leaf shallower than `depth` reaches to the bottom.
    """
    spans = []
    for level in range(depth):
        i = 0
        while i < len(paths):
            path = paths[i]
            if len(path) <= level:
                i += 1
                continue
            j = i + 1
            while j < len(paths) and len(paths[j]) > level and paths[j][: level + 1] == path[: level + 1]:
                j += 1
            down = depth - level if level == len(path) - 1 else 1
            spans.append((level, i, j - i, down, path[level][1]))
            i = j
    return spans


def _chain(groups: Sequence[Group], key: str) -> list[Node]:
    """The groups above an item, top first."""
    by_key = {g.key: g for g in groups}
    out: list[Node] = []
    while key:
        g = by_key[key]
        out.insert(0, (f"g:{g.key}", g.printed))
        key = g.parent
    return out


def _col_chain(table: Table, index: int) -> list[Node]:
    col = table.cols[index]
    if col.group:
        return _chain(table.col_groups, col.group)
    # 表三's columns do not name their group: the top group (申请人情况) heads them all, a
    # nested one (法人或其他组织) the columns between the first and the last, as printed.
    out: list[Node] = []
    for g in table.col_groups:
        if not g.parent or 0 < index < len(table.cols) - 1:
            out.append((f"g:{g.key}", g.printed))
    return out


def _sums(table: Table) -> dict[Key, tuple[Key, ...]]:
    """Every total cell of a table and the cells it sums.

    The cell where a total row meets a total column (表三（七）总计 × 总计) sums its row, as
    every other cell of the 总计 column does.
    """
    out: dict[Key, tuple[Key, ...]] = {}
    rows = [r.key for r in table.all_rows()]
    for total, parts in table.row_sums:
        for c in table.cols:
            out[(total, c.key)] = tuple((p, c.key) for p in parts)
    for total, parts in table.col_sums:
        for r in rows:
            out[(r, total)] = tuple((r, p) for p in parts)
    return out


def _stretch(j: int, n: int, width: int) -> int:
    return width - n + 1 if j == n - 1 else 1


def _t2_sheet(table: Table) -> TableSheet:
    width = max(len(b.cols) for b in table.blocks)
    spans: list[Span] = []
    slots: dict[Key, Slot] = {}
    r = TABLE_TOP
    for block in table.blocks:
        spans.append(Span(r, 0, block.caption, cols=width + 1, role="caption"))
        r += 1
        spans.append(Span(r, 0, table.corner, role="corner"))
        n = len(block.cols)
        for j, c in enumerate(block.cols):
            spans.append(Span(r, 1 + j, c.printed, cols=_stretch(j, n, width), role="head"))
        r += 1
        for item in block.rows:
            spans.append(Span(r, 0, item.printed))
            for j, c in enumerate(block.cols):
                slots[(item.key, c.key)] = Slot(
                    "t2", (item.key, c.key), r, 1 + j, _stretch(j, n, width), c.kind
                )
            r += 1
    widths: list[float] = [26, *[18] * width]
    return TableSheet(_sheet_name(table), table, _title(table), spans, slots, widths, r - 1)


def _t3_sheet(table: Table) -> TableSheet:
    row_paths = [[*_chain(table.groups, r.group), (f"r:{r.key}", r.printed)] for r in table.rows]
    col_paths = [[*_col_chain(table, j), (f"c:{c.key}", c.printed)] for j, c in enumerate(table.cols)]
    head = max(len(p) for p in col_paths)
    label = max(len(p) for p in row_paths)
    top = TABLE_TOP + head
    spans = [Span(TABLE_TOP, 0, table.annotation, rows=head, cols=label, role="corner")]
    for level, start, n, down, text in _tree(col_paths, head):
        spans.append(Span(TABLE_TOP + level, label + start, text, rows=down, cols=n, role="head"))
    for level, start, n, across, text in _tree(row_paths, label):
        spans.append(Span(top + start, level, text, rows=n, cols=across))
    sums = _sums(table)
    slots = {
        (r.key, c.key): Slot(
            "t3", (r.key, c.key), top + i, label + j, kind=c.kind, parts=sums.get((r.key, c.key), ())
        )
        for i, r in enumerate(table.rows)
        for j, c in enumerate(table.cols)
    }
    widths = [8.0] * label
    widths[-1] = 46.0  # the innermost labels are the long ones
    if label > 1:
        widths[-2] = 13.0
    widths += [10.0] * len(table.cols)
    sheet = TableSheet(
        _sheet_name(table), table, _title(table), spans, slots, widths, top + len(table.rows) - 1
    )
    # the annotation's identity: 一 + 二 (the plain rows before the results) == the results'
    # total + 四 (the plain rows after them)
    if table.annotation and table.row_sums:
        grouped = [i for i, r in enumerate(table.rows) if r.group]
        before = tuple(r.key for i, r in enumerate(table.rows) if not r.group and i < grouped[0])
        after = tuple(r.key for i, r in enumerate(table.rows) if not r.group and i > grouped[-1])
        right_rows = (table.row_sums[0][0], *after)
        row = sheet.bottom + 1
        sheet.check_label = Span(row, 0, CHECK_LABEL, role="check")
        for j, c in enumerate(table.cols):
            sheet.checks.append(
                Check(
                    row, label + j, tuple((k, c.key) for k in before), tuple((k, c.key) for k in right_rows)
                )
            )
    return sheet


def _t4_sheet(table: Table) -> TableSheet:
    paths: list[list[Node]] = []
    leaves: list[Key] = []
    for r in table.rows:
        group = table.group(r.group)
        chain = [(f"g:{group.key}", group.printed)]
        if r.label != group.label:  # 行政复议 is both group and row: printed once
            chain.append((f"r:{r.key}", r.printed))
        for c in table.cols:
            paths.append([*chain, (f"c:{c.key}", c.printed)])
            leaves.append((r.key, c.key))
    head = max(len(p) for p in paths)
    spans = [
        Span(TABLE_TOP + level, start, text, rows=down, cols=n, role="head")
        for level, start, n, down, text in _tree(paths, head)
    ]
    sums = _sums(table)
    row = TABLE_TOP + head
    kinds = {c.key: c.kind for c in table.cols}
    slots = {
        key: Slot("t4", key, row, j, kind=kinds[key[1]], parts=sums.get(key, ()))
        for j, key in enumerate(leaves)
    }
    return TableSheet(_sheet_name(table), table, _title(table), spans, slots, [9.5] * len(leaves), row)


def _sheet_name(table: Table) -> str:
    return table.number


def _title(table: Table) -> str:
    section = next(s for s in SECTIONS if s.key == table.section)
    return f"{section.printed}　{table.number} {table.title}"


@cache
def form_layout(template_id: str) -> FormLayout:
    """Where everything stands in the form of one template (writer and reader both use it)."""
    tpl = TEMPLATES[template_id]
    tables = {"t2": _t2_sheet(tpl.t2), "t3": _t3_sheet(tpl.t3), "t4": _t4_sheet(tpl.t4)}
    info = {key: (INFO_TOP + i, 1) for i, (key, _) in enumerate(INFO_FIELDS)}
    texts = {s.key: (3 + 2 * i, 0) for i, s in enumerate(tpl.sections)}
    return FormLayout(tpl, tables, info, texts)


# ── values shared by writer and reader ───────────────────────────────────────────────
def form_sum(values: Iterable[int | float | None]) -> int | float | None:
    """A total as the form computes it: blank when every part is blank."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    total = sum(present)
    return int(total) if isinstance(total, float) and total.is_integer() else total


def number_text(value: int | float | None) -> str:
    """A figure as printed: a whole float without its ".0", blank for None."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def a1(row: int, col: int) -> str:
    """The A1 reference of a 0-based (row, column)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def form_date(value: object) -> dt.date | None:
    """The date a cell holds: a date, an Excel serial day, or text such as 2026-01-20 or 2026年1月20日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        return (dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))).date()
    if isinstance(value, str):
        m = _DATE.search(value)
        if m:
            try:
                return dt.date(*map(int, m.groups()))
            except ValueError:
                return None
    return None


__all__ = [
    "CHECK_LABEL",
    "FORM_ID",
    "FORM_VERSION",
    "INFO_FIELDS",
    "INFO_SHEET",
    "INFO_TOP",
    "META_SHEET",
    "TABLE_TOP",
    "TEXT_SHEET",
    "Check",
    "FormLayout",
    "Key",
    "Slot",
    "Span",
    "TableSheet",
    "a1",
    "form_date",
    "form_layout",
    "form_sum",
    "number_text",
]
