"""Reading a filled Excel fill-in form (填报表, written by :mod:`nianbao.render.form`) into a Report.

The cells are found through the layout the writer used, :func:`nianbao.template.form.form_layout`;
every printed label is checked in place first, so a moved row cannot shift the figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

from ..document import Ref, Source
from ..model import TABLE_IDS, YEARS, Cell, Fact, Report, SectionText, figure_problem
from ..normalize import norm, read_value
from ..regions import find_region
from ..template import TEMPLATES
from ..template.form import (
    FORM_ID,
    FORM_VERSION,
    INFO_SHEET,
    META_SHEET,
    TEXT_SHEET,
    FormLayout,
    Key,
    TableSheet,
    a1,
    form_date,
    form_layout,
    form_sum,
    number_text,
)
from . import ReadError, read_file

Workbook = Any  # an openpyxl workbook or worksheet (the library is untyped)


def read_form(path: str | Path) -> Report:
    """Read a filled form (written by `write_form`) into a Report.

    Blank input cells are blank (value None), not 0. A total still holding its formula is
    the value the spreadsheet computed, or, when the file has no computed values (saved by a
    library), recomputed from its parts; a number typed over a formula is read as typed.
    """
    return read_form_bytes(read_file(path), str(path))  # a ReadError in Chinese when unreadable


def read_form_bytes(data: bytes, name: str) -> Report:
    """Read a filled form held in memory; `name` is the file name errors and the source carry."""
    formulas, cached = _open(name, data)
    meta = _form_meta(name, formulas)
    layout = form_layout(meta["template"])
    for sheet_name in layout.sheet_names[:-1]:
        if sheet_name not in formulas.sheetnames:
            raise ReadError(
                name, f"填报表缺少工作表“{sheet_name}”（表格结构被改动，请用 nianbao template 重新生成）"
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


def _open(name: str, data: bytes) -> tuple[Workbook, Workbook]:
    """The workbook twice: with its formulas, and with the values a spreadsheet computed."""
    from .xlsx import open_workbook  # loads openpyxl

    return open_workbook(data, name, data_only=False), open_workbook(data, name, data_only=True)


def _form_meta(name: str, wb: Workbook) -> dict[str, str]:
    """The form's mark: the hidden sheet, or the workbook's custom properties."""
    meta: dict[str, str] = {}
    if META_SHEET in wb.sheetnames:
        ws = wb[META_SHEET]
        for row in ws.iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
            if row[0] is not None:
                value = row[1]
                meta[str(row[0]).strip()] = value if isinstance(value, str) else number_text(value)
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
    return norm("" if a is None else str(a)) == norm(b)


def _verify_labels(name: str, sheet: TableSheet, ws: Workbook) -> None:
    """Every printed label where the layout puts it: a moved row would shift the figures."""
    for span in sheet.spans:
        found = ws.cell(span.row + 1, span.col + 1).value
        if not _same(found, span.text):
            raise ReadError(
                name,
                f"工作表“{sheet.name}”的 {a1(span.row, span.col)} 应为“{span.text}”，实为“{found or ''}”："
                "表格结构被改动，请用 nianbao template 重新生成后填写",
            )


def _cell_of(value: object, ref: Ref) -> Cell:
    if value is None:
        return Cell(None, "", ref)
    if isinstance(value, (bool, dt.date, dt.time, dt.timedelta)):
        return Cell(None, str(value), ref)
    if isinstance(value, (int, float)):
        number = int(value) if isinstance(value, float) and value.is_integer() else value
        return Cell(number, number_text(number), ref)
    text = str(value)
    read = read_value(text)
    if read is None:
        return Cell(None, text, ref)
    return Cell(read.value, text, ref, read.unit, read.placeholder)


def _read_table(
    name: str, sheet: TableSheet, ws: Workbook, wv: Workbook, index: int, notes: list[str]
) -> dict[str, dict[str, Cell]]:
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
                total = form_sum(read(p).value for p in slot.parts)
                cell = Cell(total, number_text(total), ref)
            else:
                cell = Cell(None, value, ref)
                notes.append(
                    f"{sheet.name}!{a1(slot.row, slot.col)} 是公式“{value}”，文件中没有计算结果，按空白处理"
                )
        else:
            cell = _cell_of(value, ref)
        problem = figure_problem(cell.value)
        if problem:  # 1e400 (infinity) or a figure of too many digits typed into a cell
            raise ReadError(name, f"工作表“{sheet.name}”的 {a1(slot.row, slot.col)}：{problem}")
        done[key] = cell
        return cell

    out: dict[str, dict[str, Cell]] = {}
    for row in sheet.table.all_rows():
        out[row.key] = {c.key: read((row.key, c.key)) for c in sheet.table.cols_of(row.key)}
    return out


def _read_info(report: Report, layout: FormLayout, ws: Workbook, index: int) -> None:
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
        if isinstance(year, (int, float)) and not isinstance(year, bool):
            if isinstance(year, int) or year.is_integer():
                number = int(year)
        elif isinstance(year, str) and (m := re.search(r"\d{4}", year)):
            number = int(m.group())
        # as typed: the text as it stands, a number without its ".0"
        printed = number_text(year) if isinstance(year, (int, float)) else str(year)
        if number is None or number not in YEARS:
            shown = year[:40] if isinstance(year, str) else printed
            report.notes.append(f"{INFO_SHEET}的报告年度“{shown}”无法识别")
        else:
            report.year = number
            report.facts["year"] = Fact(number, printed, ref, "form")
    published, ref = at("published")
    if published is not None and str(published).strip():
        date = form_date(published)
        if date is None:
            report.notes.append(f"{INFO_SHEET}的发布日期“{published}”无法识别")
        else:
            report.published = date.isoformat()
            raw = published if isinstance(published, str) else report.published
            report.facts["published"] = Fact(report.published, raw, ref, "form")
    report.region = find_region(report.agency)


def _read_texts(report: Report, layout: FormLayout, ws: Workbook, index: int) -> None:
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


__all__ = ["read_form", "read_form_bytes"]
