"""The Excel fill-in form (填报表): written from the template declaration, read back as a Report.

`write_form` writes a workbook that agency staff fill in: 基本信息, 表二, 表三 and 表四 laid
out as the official tables print them (merged headers and rowspan labels included), and 正文
with the six sections. Input cells are light yellow and unlocked; labels, totals and checks
are locked (sheet protection without a password: the layout is safe, yet can be unprotected).
Totals are formulas; a check cell under each 表三 column shows whether the column balances.

`read_form` reads a filled form back. Writer and reader share one layout, `form_layout`,
derived from :mod:`nianbao.template.gov`: where every (table, row, column) cell stands, every
printed label and every total's parts. Nothing here lists rows, columns or labels of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .document import Ref, Source
from .model import TABLE_IDS, YEARS, Cell, Fact, Report, SectionText, figure_problem
from .template import SECTIONS, TEMPLATES, Group, Table, Template, template_for_year, template_of

FORM_ID = "nianbao-form"
FORM_VERSION = 1
META_SHEET = "_nianbao"
INFO_SHEET = "基本信息"
TEXT_SHEET = "正文"
TABLE_TOP = 2  # rows above each table: a title and a note

NOTE = "浅黄色单元格为填写项：没有发生的填 0，不要留空；灰色单元格由公式自动计算，不必填写。"
CHECK_LABEL = "勾稽关系核对（第一项＋第二项＝第三项＋第四项）"
CHECK_OK, CHECK_BAD = "✓", "✗ 不平衡"
INFO_FIELDS = (("agency", "机关名称"), ("year", "报告年度"), ("published", "发布日期"), ("template", "模板"))
INFO_TOP = 3

Key = tuple[str, str]  # (row key, column key)


# ── layout ───────────────────────────────────────────────────────────────────────────
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
    template: Template
    tables: dict[str, TableSheet]
    info: dict[str, tuple[int, int]]  # field → value cell (row, col), 0-based, on INFO_SHEET
    texts: dict[str, tuple[int, int]]  # section key → text cell on TEXT_SHEET (title one row above)

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return (INFO_SHEET, *(self.tables[t].name for t in TABLE_IDS), TEXT_SHEET, META_SHEET)

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
    return TableSheet(_sheet_name(table), table, _title(table), spans, slots, [26] + [18] * width, r - 1)


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
def _sum(values: Iterable[int | float | None]) -> int | float | None:
    """A total as the form computes it: blank when every part is blank."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    total = sum(present)
    return int(total) if isinstance(total, float) and total.is_integer() else total


def _fmt(value: int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _a1(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _refs(cells: Sequence[tuple[int, int]]) -> str:
    """Cell references for a formula: runs along one row or down one column become ranges."""
    out: list[str] = []
    i = 0
    while i < len(cells):
        j = i
        if i + 1 < len(cells):
            step = (cells[i + 1][0] - cells[i][0], cells[i + 1][1] - cells[i][1])
            if step in ((0, 1), (1, 0)):
                while (
                    j + 1 < len(cells)
                    and (
                        cells[j + 1][0] - cells[j][0],
                        cells[j + 1][1] - cells[j][1],
                    )
                    == step
                ):
                    j += 1
        out.append(_a1(*cells[i]) if j == i else f"{_a1(*cells[i])}:{_a1(*cells[j])}")
        i = j + 1
    return ",".join(out)


def _sum_formula(sheet: TableSheet, slot: Slot) -> str:
    refs = _refs([(sheet.slots[p].row, sheet.slots[p].col) for p in slot.parts])
    return f'=IF(COUNT({refs})=0,"",SUM({refs}))'


def _check_formula(sheet: TableSheet, check: Check) -> str:
    left = _refs([(sheet.slots[k].row, sheet.slots[k].col) for k in check.left])
    right = _refs([(sheet.slots[k].row, sheet.slots[k].col) for k in check.right])
    return (
        f'=IF(COUNT({left},{right})=0,"",IF(ROUND(SUM({left})-SUM({right}),6)=0,"{CHECK_OK}","{CHECK_BAD}"))'
    )


def _check_value(values: dict[Key, int | float | None], check: Check) -> str:
    left = [values.get(k) for k in check.left]
    right = [values.get(k) for k in check.right]
    if all(v is None for v in (*left, *right)):
        return ""
    ok = math.isclose(sum(v or 0 for v in left), sum(v or 0 for v in right), abs_tol=1e-6)
    return CHECK_OK if ok else CHECK_BAD


# ── writer ───────────────────────────────────────────────────────────────────────────
FONT = "宋体"  # office suites without it substitute a CJK serif (Noto Serif CJK, Source Han Serif)
TEXT_FONT = "仿宋"
INPUT_FILL = "#FFF2CC"
FORMULA_FILL = "#EDEDED"


def _choose_template(year: int | None, template: str | None, report: Report | None) -> Template:
    if template is not None:
        if template not in TEMPLATES:
            raise ValueError(f"未知的模板 {template!r}（可选：{'、'.join(TEMPLATES)}）")
        return TEMPLATES[template]
    if report is not None and report.template in TEMPLATES:
        return TEMPLATES[report.template]
    if report is not None and report.template == "hybrid":
        return template_of(report.template)
    return template_for_year(year) or TEMPLATES["2021"]


def write_form(
    path: str | Path,
    year: int | None,
    template: str | None = None,
    agency: str | None = None,
    report: Report | None = None,
) -> Path:
    """Write the fill-in form for one report year; prefill it from `report` when given.

    `template` is "2019" or "2021" (default: the report's, else the one due for `year`).
    `year` defaults to the report's. The publication date is prefilled only when the report
    is of the same year (a form regenerated from last year's report leaves it blank).
    """
    import xlsxwriter

    from . import __version__

    if year is None and report is not None:
        year = report.year
    tpl = _choose_template(year, template, report)
    layout = form_layout(tpl.id)
    if agency is None and report is not None:
        agency = report.agency
    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    fmt = _Formats(wb)
    values = _report_values(layout, report)
    published = report.published if report is not None and report.year == year else None

    _write_info(wb.add_worksheet(INFO_SHEET), fmt, layout, agency, year, published)
    for tid in TABLE_IDS:
        _write_table(wb.add_worksheet(layout.tables[tid].name), fmt, layout.tables[tid], values, report)
    _write_texts(wb.add_worksheet(TEXT_SHEET), fmt, layout, report)
    meta = wb.add_worksheet(META_SHEET)
    for i, (k, v) in enumerate(
        ((FORM_ID, FORM_VERSION), ("template", tpl.id), ("year", year or ""), ("nianbao", __version__))
    ):
        meta.write_string(i, 0, k)
        meta.write(i, 1, v)
    meta.hide()
    meta.protect()
    wb.set_properties(
        {
            "title": f"{agency or ''}{year or ''}年政府信息公开工作年度报告填报表",
            "subject": f"{tpl.name}（{tpl.document}）",
            "comments": "由 nianbao template 生成；填好后用 nianbao parse / nianbao check 读取。",
        }
    )
    wb.set_custom_property("nianbao_form", str(FORM_VERSION))
    wb.set_custom_property("nianbao_template", tpl.id)
    wb.close()
    return path


class _Formats:
    def __init__(self, wb) -> None:
        base = {"font_name": FONT, "font_size": 11, "font_charset": 134, "valign": "vcenter"}
        cell = {**base, "border": 1, "text_wrap": True}
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.note = wb.add_format({**base, "font_color": "#595959"})
        self.head = wb.add_format({**cell, "align": "center", "bold": True})
        self.caption = wb.add_format({**cell, "align": "left", "bold": True})
        self.label = wb.add_format({**cell, "align": "left"})
        self.group = wb.add_format({**cell, "align": "center"})
        self.input = wb.add_format({**cell, "align": "center", "bg_color": INPUT_FILL, "locked": False})
        self.formula = wb.add_format({**cell, "align": "center", "bg_color": FORMULA_FILL})
        self.check = wb.add_format({**base, "align": "center", "bold": True})
        self.check_label = wb.add_format({**base, "bold": True})
        self.bad = wb.add_format({"font_color": "#C00000"})
        self.good = wb.add_format({"font_color": "#007A33"})
        self.field = wb.add_format({**cell, "align": "left", "bold": True})
        self.text_input = wb.add_format({**cell, "align": "left", "bg_color": INPUT_FILL, "locked": False})
        self.date_input = wb.add_format(
            {**cell, "align": "left", "bg_color": INPUT_FILL, "locked": False, "num_format": "yyyy-mm-dd"}
        )
        self.year_input = wb.add_format(
            {**cell, "align": "left", "bg_color": INPUT_FILL, "locked": False, "num_format": "0"}
        )
        self.fixed = wb.add_format({**cell, "align": "left", "bg_color": FORMULA_FILL})
        self.section = wb.add_format({**base, "bold": True, "font_size": 12})
        self.body = wb.add_format(
            {
                **cell,
                "font_name": TEXT_FONT,
                "font_size": 12,
                "align": "left",
                "valign": "top",
                "bg_color": INPUT_FILL,
                "locked": False,
            }
        )


def _protect(ws) -> None:
    ws.protect("", {"format_columns": True, "format_rows": True})


def _text_width(text: str) -> float:
    from .render.terminal import width

    return width(text) * 1.1 + 1


def _lines(text: str, width: float) -> int:
    return sum(max(1, math.ceil(_text_width(p) / max(width, 1))) for p in text.split("\n"))


def _report_values(layout: FormLayout, report: Report | None) -> dict[str, dict[Key, int | float | None]]:
    out: dict[str, dict[Key, int | float | None]] = {}
    for tid, sheet in layout.tables.items():
        out[tid] = {k: (report.value(tid, *k) if report is not None else None) for k in sheet.slots}
    return out


def _write_info(ws, fmt: _Formats, layout: FormLayout, agency, year, published) -> None:
    tpl = layout.template
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 56)
    ws.write_string(0, 0, "政府信息公开工作年度报告填报表", fmt.title)
    ws.write_string(
        1, 0, "浅黄色单元格为填写项。填好各表和正文后，用 nianbao parse / nianbao check 读取。", fmt.note
    )
    labels = dict(INFO_FIELDS)
    for key, (row, col) in layout.info.items():
        ws.write_string(row, col - 1, labels[key], fmt.field)
    r, c = layout.info["agency"]
    ws.write_string(r, c, agency or "", fmt.text_input)
    r, c = layout.info["year"]
    if year is None:
        ws.write_blank(r, c, None, fmt.year_input)
    else:
        ws.write_number(r, c, year, fmt.year_input)
    ws.data_validation(
        r,
        c,
        r,
        c,
        {
            "validate": "integer",
            "criteria": "between",
            "minimum": 2008,
            "maximum": 2100,
            "error_title": "报告年度",
            "error_message": "请填写四位数的年度，如 2025。",
        },
    )
    r, c = layout.info["published"]
    date = _date(published)
    if date is None:
        ws.write_blank(r, c, None, fmt.date_input)
    else:
        ws.write_datetime(r, c, dt.datetime(date.year, date.month, date.day), fmt.date_input)
    ws.data_validation(
        r,
        c,
        r,
        c,
        {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(2008, 1, 1),
            "maximum": dt.date(2101, 12, 31),
            "error_title": "发布日期",
            "error_message": "请填写日期，如 2026-01-20。",
        },
    )
    r, c = layout.info["template"]
    ws.write_string(r, c, f"{tpl.id} 年格式（{tpl.document}）", fmt.fixed)
    notes = (
        "填写说明：",
        f"1. 模板由生成时选定，各表的结构随模板而定；要改用另一模板，请重新生成（nianbao template --template {'2019' if tpl.id == '2021' else '2021'}）。",
        "2. 表二、表三、表四只填浅黄色单元格；没有发生的填 0，不要留空，也不要填“/”或“无”。",
        "3. 表三每列下方的核对格显示“✓”时，该列第一项加第二项等于第三项（七）总计加第四项。",
        "4. 正文工作表按六个部分填写文字，段落之间用单元格内换行（Alt+Enter）。",
        "5. 工作表已保护（无密码），防止误改表格结构；如确需修改，可在“审阅”中撤销保护。",
    )
    for i, text in enumerate(notes):
        ws.write_string(INFO_TOP + len(INFO_FIELDS) + 1 + i, 0, text, fmt.note)
    ws.activate()
    ws.fit_to_pages(1, 0)
    _protect(ws)


def _write_table(ws, fmt: _Formats, sheet: TableSheet, values: dict, report: Report | None) -> None:
    for col, w in enumerate(sheet.widths):
        ws.set_column(col, col, w)
    ws.write_string(0, 0, sheet.title, fmt.title)
    ws.write_string(1, 0, NOTE, fmt.note)
    heights: dict[int, float] = {}
    for span in sheet.spans:
        style = {"caption": fmt.caption, "head": fmt.head, "corner": fmt.head}.get(span.role)
        if style is None:
            style = fmt.group if span.rows > 1 else fmt.label
        if span.merged:
            ws.merge_range(
                span.row, span.col, span.row + span.rows - 1, span.col + span.cols - 1, span.text, style
            )
        else:
            ws.write_string(span.row, span.col, span.text, style)
        if span.rows == 1:  # a label over several rows has their height; one row grows to fit
            need = 16.0 * _lines(span.text, sum(sheet.widths[span.col : span.col + span.cols])) + 4
            heights[span.row] = max(heights.get(span.row, 20.0), need)
    for row, h in heights.items():
        ws.set_row(row, h)
    tid = sheet.table.id
    vals = values[tid]
    for key, slot in sheet.slots.items():
        cell = report.cell(tid, *key) if report is not None else None
        _write_slot(ws, fmt, sheet, slot, cell, vals)
    if sheet.check_label is not None:
        ws.write_string(sheet.check_label.row, sheet.check_label.col, sheet.check_label.text, fmt.check_label)
        first = min(ch.col for ch in sheet.checks)
        last = max(ch.col for ch in sheet.checks)
        row = sheet.check_label.row
        for ch in sheet.checks:
            ws.write_formula(ch.row, ch.col, _check_formula(sheet, ch), fmt.check, _check_value(vals, ch))
        ws.conditional_format(
            row, first, row, last, {"type": "text", "criteria": "containing", "value": "✗", "format": fmt.bad}
        )
        ws.conditional_format(
            row,
            first,
            row,
            last,
            {"type": "text", "criteria": "containing", "value": CHECK_OK, "format": fmt.good},
        )
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    _protect(ws)


_VALIDATION = {
    "count": {
        "validate": "integer",
        "criteria": ">=",
        "value": 0,
        "error_title": "请填写整数",
        "error_message": "请填写不小于 0 的整数；没有发生的填 0。",
    },
    "amount": {
        "validate": "decimal",
        "criteria": ">=",
        "value": 0,
        "error_title": "请填写数字",
        "error_message": "请填写不小于 0 的数（单位见表头）；没有发生的填 0。",
    },
    "delta": {
        "validate": "integer",
        "criteria": "between",
        "minimum": -1_000_000_000,
        "maximum": 1_000_000_000,
        "error_title": "请填写整数",
        "error_message": "请填写整数，减少的填负数；没有变化的填 0。",
    },
}


def _write_slot(ws, fmt: _Formats, sheet: TableSheet, slot: Slot, cell: Cell | None, vals: dict) -> None:
    last = slot.col + slot.cols - 1
    value = None if cell is None else cell.value
    as_text = cell is not None and (cell.placeholder or cell.unit) and cell.raw
    if slot.parts:
        computed = _sum(vals.get(p) for p in slot.parts)
        if not as_text and (value == computed or (value is None and computed is None)):
            ws.write_formula(
                slot.row,
                slot.col,
                _sum_formula(sheet, slot),
                fmt.formula,
                "" if computed is None else computed,
            )
            return
        style = fmt.formula  # a total that does not agree with its parts: kept as the report has it
    else:
        style = fmt.input
        ws.data_validation(
            slot.row, slot.col, slot.row, last, dict(_VALIDATION.get(slot.kind, _VALIDATION["count"]))
        )
    if slot.cols > 1:
        ws.merge_range(slot.row, slot.col, slot.row, last, "", style)
    if as_text:
        ws.write_string(slot.row, slot.col, cell.raw, style)
    elif value is not None:
        ws.write_number(slot.row, slot.col, value, style)
    else:
        ws.write_blank(slot.row, slot.col, None, style)


def _write_texts(ws, fmt: _Formats, layout: FormLayout, report: Report | None) -> None:
    width = 110
    ws.set_column(0, 0, width)
    ws.write_string(0, 0, "正文：按六个部分填写（表二、表三、表四在各自的工作表中填写）", fmt.title)
    ws.write_string(
        1, 0, "每个浅黄色单元格填一个部分的全部文字；段落之间用单元格内换行（Alt+Enter）。", fmt.note
    )
    for section in layout.template.sections:
        row, col = layout.texts[section.key]
        sec = report.sections.get(section.key) if report is not None else None
        text = sec.text if sec is not None else ""
        ws.write_string(row - 1, col, section.printed, fmt.section)
        ws.set_row(row - 1, 24)
        ws.write_string(row, col, text, fmt.body)
        ws.set_row(row, min(409, max(150, 18 * _lines(text, width) + 6)))
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    _protect(ws)


# ── reader ───────────────────────────────────────────────────────────────────────────
def read_form(path: str | Path) -> Report:
    """Read a filled form (written by `write_form`) into a Report.

    Blank input cells are blank (value None), not 0. A total still holding its formula is
    the value the spreadsheet computed, or, when the file has no computed values (saved by a
    library), recomputed from its parts; a number typed over a formula is read as typed.
    """
    from .read import ReadError, read_file

    name = str(path)
    data = read_file(path)  # a ReadError in Chinese when it cannot be read
    formulas, cached = _open(name, data)
    meta = _form_meta(name, formulas)
    layout = form_layout(meta["template"])
    for sheet in layout.sheet_names[:-1]:
        if sheet not in formulas.sheetnames:
            raise ReadError(
                name, f"填报表缺少工作表“{sheet}”（表格结构被改动，请用 nianbao template 重新生成）"
            )
    index = {s: i for i, s in enumerate(formulas.sheetnames)}
    report = Report(
        source=Source(name, hashlib.sha256(data).hexdigest(), "xlsx"), template=layout.template.id
    )
    for tid in TABLE_IDS:
        sheet = layout.tables[tid]
        ws, wv = formulas[sheet.name], cached[sheet.name]
        _verify_labels(name, sheet, ws)
        report.tables[tid] = _read_table(name, sheet, ws, wv, index[sheet.name], report.notes)
    _read_info(report, layout, formulas[INFO_SHEET], index[INFO_SHEET])
    _read_texts(report, layout, formulas[TEXT_SHEET], index[TEXT_SHEET])
    return report


def _open(name: str, data: bytes):
    from .xlsx import open_workbook

    return open_workbook(data, name, data_only=False), open_workbook(data, name, data_only=True)


def _form_meta(name: str, wb) -> dict[str, str]:
    """The form's mark: the hidden sheet, or the workbook's custom properties."""
    from .read import ReadError

    meta: dict[str, str] = {}
    if META_SHEET in wb.sheetnames:
        ws = wb[META_SHEET]
        for row in ws.iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
            if row[0] is not None:
                value = row[1]
                meta[str(row[0]).strip()] = value if isinstance(value, str) else _fmt(value)
    if FORM_ID not in meta:
        props = {p.name: str(p.value) for p in getattr(getattr(wb, "custom_doc_props", None), "props", ())}
        if "nianbao_form" in props:
            meta = {FORM_ID: props["nianbao_form"], "template": props.get("nianbao_template", "")}
    if FORM_ID not in meta:
        raise ReadError(
            name,
            "不是 nianbao 生成的填报表（没有填报表标识）；请用 nianbao template 生成填报表后填写，"
            "或把报告另存为 PDF、网页或文本后再读取",
        )
    try:
        version = int(float(meta[FORM_ID]))
    except (ValueError, OverflowError):
        version = -1
    if version < 1 or version > FORM_VERSION:
        raise ReadError(
            name, f"填报表版本 {meta[FORM_ID]} 不受支持（本程序读取第 {FORM_VERSION} 版），请升级 nianbao"
        )
    if meta.get("template") not in TEMPLATES:
        raise ReadError(name, f"填报表的模板“{meta.get('template')}”无法识别（应为 {'、'.join(TEMPLATES)}）")
    return meta


def _same(a: object, b: str) -> bool:
    from .normalize import norm

    return norm("" if a is None else str(a)) == norm(b)


def _verify_labels(name: str, sheet: TableSheet, ws) -> None:
    """Every printed label where the layout puts it: a moved row would shift the figures."""
    from .read import ReadError

    for span in sheet.spans:
        found = ws.cell(span.row + 1, span.col + 1).value
        if not _same(found, span.text):
            raise ReadError(
                name,
                f"工作表“{sheet.name}”的 {_a1(span.row, span.col)} 应为“{span.text}”，实为“{found or ''}”："
                "表格结构被改动，请用 nianbao template 重新生成后填写",
            )


def _cell_of(value: object, ref: Ref) -> Cell:
    from .normalize import read_value

    if value is None:
        return Cell(None, "", ref)
    if isinstance(value, (bool, dt.date, dt.time, dt.timedelta)):
        return Cell(None, str(value), ref)
    if isinstance(value, (int, float)):
        number = int(value) if isinstance(value, float) and value.is_integer() else value
        return Cell(number, _fmt(number), ref)
    text = str(value)
    read = read_value(text)
    if read is None:
        return Cell(None, text, ref)
    return Cell(read.value, text, ref, read.unit, read.placeholder)


def _read_table(
    name: str, sheet: TableSheet, ws, wv, index: int, notes: list[str]
) -> dict[str, dict[str, Cell]]:
    from .read import ReadError

    done: dict[Key, Cell] = {}

    def read(key: Key) -> Cell:
        if key in done:
            return done[key]
        slot = sheet.slots[key]
        ref = Ref(table=index, row=slot.row + 1, col=slot.col + 1)
        value = ws.cell(slot.row + 1, slot.col + 1).value
        if isinstance(value, str) and value.startswith("="):
            cached = wv.cell(slot.row + 1, slot.col + 1).value
            if cached is not None:
                cell = _cell_of(cached, ref)
            elif slot.parts:
                total = _sum(read(p).value for p in slot.parts)
                cell = Cell(total, _fmt(total), ref)
            else:
                cell = Cell(None, value, ref)
                notes.append(
                    f"{sheet.name}!{_a1(slot.row, slot.col)} 是公式“{value}”，文件中没有计算结果，按空白处理"
                )
        else:
            cell = _cell_of(value, ref)
        problem = figure_problem(cell.value)
        if problem:  # 1e400 (infinity) or a figure of too many digits typed into a cell
            raise ReadError(name, f"工作表“{sheet.name}”的 {_a1(slot.row, slot.col)}：{problem}")
        done[key] = cell
        return cell

    out: dict[str, dict[str, Cell]] = {}
    for row in sheet.table.all_rows():
        out[row.key] = {c.key: read((row.key, c.key)) for c in sheet.table.cols_of(row.key)}
    return out


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def _date(value: object) -> dt.date | None:
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


def _read_info(report: Report, layout: FormLayout, ws, index: int) -> None:
    from .parse.meta import find_region

    def at(key: str) -> tuple[object, Ref]:
        r, c = layout.info[key]
        return ws.cell(r + 1, c + 1).value, Ref(table=index, row=r + 1, col=c + 1)

    agency, ref = at("agency")
    if agency is not None and str(agency).strip():
        report.agency = str(agency).strip()
        report.facts["agency"] = Fact(report.agency, str(agency), ref, "form")
    year, ref = at("year")
    if year is not None and str(year).strip():
        number = None
        whole = isinstance(year, int) or (isinstance(year, float) and year.is_integer())
        if whole and not isinstance(year, bool):
            number = int(year)
        elif isinstance(year, str) and (m := re.search(r"\d{4}", year)):
            number = int(m.group())
        if number is None or number not in YEARS:
            report.notes.append(f"{INFO_SHEET}的报告年度“{_fmt(year) if not isinstance(year, str) else year[:40]}”无法识别")
        else:
            report.year = number
            report.facts["year"] = Fact(
                number, _fmt(year) if not isinstance(year, str) else year, ref, "form"
            )
    published, ref = at("published")
    if published is not None and str(published).strip():
        date = _date(published)
        if date is None:
            report.notes.append(f"{INFO_SHEET}的发布日期“{published}”无法识别")
        else:
            report.published = date.isoformat()
            raw = published if isinstance(published, str) else report.published
            report.facts["published"] = Fact(report.published, raw, ref, "form")
    report.region = find_region(report.agency)


def _read_texts(report: Report, layout: FormLayout, ws, index: int) -> None:
    for order, section in enumerate(layout.template.sections):
        r, c = layout.texts[section.key]
        title = ws.cell(r, c + 1).value
        text = ws.cell(r + 1, c + 1).value
        text = "" if text is None else str(text).replace("\r\n", "\n").strip()
        if not text:
            report.sections[section.key] = None
            report.missing.append(f"sections.{section.key}")
            continue
        report.sections[section.key] = SectionText(
            str(title or section.printed).strip(),
            text,
            Ref(table=index, row=r + 1, col=c + 1),
            number=section.number,
            order=order,
        )


__all__ = ["FORM_VERSION", "FormLayout", "form_layout", "read_form", "write_form"]
