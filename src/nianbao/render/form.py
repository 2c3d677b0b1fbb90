"""The Excel fill-in form (填报表) writer: `write_form`, from the layout in :mod:`nianbao.template.form`.

The workbook that agency staff fill in: 基本信息, 表二, 表三 and 表四 laid out as the official
tables print them (merged headers and rowspan labels included), and 正文 with the six sections.
Input cells are light yellow and unlocked; labels, totals and checks are locked (sheet
protection without a password: the layout is safe, yet can be unprotected). Totals are
formulas; a check cell under each 表三 column shows whether the column balances. The form is
read back by :mod:`nianbao.read.form`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..model import TABLE_IDS, Cell, Report
from ..template import TEMPLATES, Template, template_for_year, template_of
from ..template.form import (
    FORM_ID,
    FORM_VERSION,
    INFO_FIELDS,
    INFO_SHEET,
    INFO_TOP,
    META_SHEET,
    TEXT_SHEET,
    Check,
    FormLayout,
    Key,
    Slot,
    TableSheet,
    a1,
    form_date,
    form_layout,
    form_sum,
)
from ..version import __version__
from .terminal import width as display_width

NOTE = "浅黄色单元格为填写项：没有发生的填 0，不要留空；灰色单元格由公式自动计算，不必填写。"
CHECK_OK, CHECK_BAD = "✓", "✗ 不平衡"
Values = dict[Key, int | float | None]  # one table's figures by (row, column) key
Sheet = Any  # an xlsxwriter worksheet (the library is untyped)
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
    """The workbook's cell formats, added once."""

    def __init__(self, wb: Any) -> None:
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


def _protect(ws: Sheet) -> None:
    ws.protect("", {"format_columns": True, "format_rows": True})


def _text_width(text: str) -> float:
    return display_width(text) * 1.1 + 1


def _lines(text: str, width: float) -> int:
    return sum(max(1, math.ceil(_text_width(p) / max(width, 1))) for p in text.split("\n"))


def _report_values(layout: FormLayout, report: Report | None) -> dict[str, Values]:
    out: dict[str, Values] = {}
    for tid, sheet in layout.tables.items():
        out[tid] = {k: (report.value(tid, *k) if report is not None else None) for k in sheet.slots}
    return out


def _write_info(
    ws: Sheet, fmt: _Formats, layout: FormLayout, agency: str | None, year: int | None, published: str | None
) -> None:
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
    date = form_date(published)
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


def _write_table(
    ws: Sheet, fmt: _Formats, sheet: TableSheet, values: dict[str, Values], report: Report | None
) -> None:
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


def _write_slot(
    ws: Sheet, fmt: _Formats, sheet: TableSheet, slot: Slot, cell: Cell | None, vals: Values
) -> None:
    last = slot.col + slot.cols - 1
    value = None if cell is None else cell.value
    # a placeholder ("/") or a figure with its unit is written as the report prints it
    text = cell.raw if cell is not None and (cell.placeholder or cell.unit) and cell.raw else None
    if slot.parts:
        computed = form_sum(vals.get(p) for p in slot.parts)
        if text is None and (value == computed or (value is None and computed is None)):
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
    if text is not None:
        ws.write_string(slot.row, slot.col, text, style)
    elif value is not None:
        ws.write_number(slot.row, slot.col, value, style)
    else:
        ws.write_blank(slot.row, slot.col, None, style)


def _write_texts(ws: Sheet, fmt: _Formats, layout: FormLayout, report: Report | None) -> None:
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


# ── formulas ─────────────────────────────────────────────────────────────────────────
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
        out.append(a1(*cells[i]) if j == i else f"{a1(*cells[i])}:{a1(*cells[j])}")
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


def _check_value(values: Values, check: Check) -> str:
    left = [values.get(k) for k in check.left]
    right = [values.get(k) for k in check.right]
    if all(v is None for v in (*left, *right)):
        return ""
    ok = math.isclose(sum(v or 0 for v in left), sum(v or 0 for v in right), abs_tol=1e-6)
    return CHECK_OK if ok else CHECK_BAD


__all__ = ["write_form"]
