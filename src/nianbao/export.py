"""Exports of the corpus: reports (one row each, one column per cell), cells (long form, with
provenance) and findings, as CSV (UTF-8 with BOM), XLSX (Chinese headers), Parquet or JSON Lines.

Cell columns and their Chinese headers come from the templates (template/gov.py): the 2021
cells first, then those only the 2019 template has.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from .csvsafe import SafeWriter
from .errors import UserError
from .model import TABLE_IDS
from .store import Corpus, Filters
from .store.query import current, narrowed
from .store.schema import cells as cells_table
from .template import GOV2019, GOV2021, Table

FORMATS = ("csv", "xlsx", "parquet", "jsonl")
WHAT = ("reports", "cells", "findings")
XLSX_MAX_ROWS = 1_048_575  # one header row


class ExportError(UserError):
    """An export that cannot be written (the message is for the user)."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the XLSX header
    type: str = "str"  # str | int | float | json


def _row_label(table: Table, row_key: str) -> str:
    row = table.row(row_key)
    parts = [table.number]
    group = next((g for g in (*table.groups, *table.col_groups) if g.key == row.group), None)
    if group is not None and (group.parent or table.id == "t4") and group.label != row.label:
        parts.append(group.printed)
    parts.append(f"{row.enum}{row.label}")
    return "·".join(parts)


def cell_columns() -> tuple[Column, ...]:
    """One column per statutory cell, e.g. t3.new_received.total, 表三·一、本年新收…·总计."""
    out: dict[str, Column] = {}
    for tid in TABLE_IDS:
        for tpl in (GOV2021, GOV2019):
            table = tpl.table(tid)
            for row, col in table.cells():
                key = f"{tid}.{row}.{col}"
                if key not in out:
                    label = f"{_row_label(table, row)}·{table.col(row, col).label}"
                    out[key] = Column(key, label, "float")
    return tuple(out.values())


CELL_LABELS = {c.key: c.label for c in cell_columns()}

REPORT_COLUMNS = (
    Column("report_id", "报告编号", "int"),
    Column("version", "版本", "int"),
    Column("sha256", "SHA-256"),
    Column("path", "文件"),
    Column("format", "格式"),
    Column("agency", "机关"),
    Column("kind", "机关类型"),
    Column("region", "地区"),
    Column("province", "省级"),
    Column("city", "地级"),
    Column("county", "县级"),
    Column("region_code", "行政区划代码"),
    Column("year", "年度", "int"),
    Column("template", "模板"),
    Column("published", "发布日期"),
)
_SHORT = ("report_id", "version", "agency", "kind", "region", "year")
CELL_ROW_COLUMNS = (
    *(c for c in REPORT_COLUMNS if c.key in _SHORT),
    Column("cell", "单元格"),
    Column("label", "项目"),
    Column("value", "数值", "float"),
    Column("raw", "原文"),
    Column("blank", "空白"),
    Column("unit", "单位"),
    Column("provenance", "出处", "json"),
)
FINDING_COLUMNS = (
    *(c for c in REPORT_COLUMNS if c.key in (*_SHORT, "path")),
    Column("scope", "范围"),
    Column("rule", "规则"),
    Column("severity", "严重程度"),
    Column("message", "说明"),
    Column("cells", "单元格", "json"),
    Column("expected", "应为", "json"),
    Column("actual", "实为", "json"),
    Column("line", "行", "int"),
    Column("page", "页", "int"),
)


def _num(value: float | None) -> int | float | None:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _meta(row: sa.Row, cols: Sequence[Column]) -> list:
    m = row._mapping
    return [m[c.key] for c in cols]


def report_rows(corpus: Corpus, filters: Filters, chunk: int = 500) -> Iterator[list]:
    """One row per current report: its columns, then the value of every statutory cell."""
    keys = {c.key: i for i, c in enumerate(cell_columns())}
    heads = corpus.current(filters)
    with corpus.engine.connect() as conn:
        for i in range(0, len(heads), chunk):
            part = heads[i : i + chunk]
            values: dict[int, list] = {r.version_id: [None] * len(keys) for r in part}
            query = sa.select(
                cells_table.c.version_id,
                cells_table.c.tbl,
                cells_table.c.row,
                cells_table.c.col,
                cells_table.c.value,
            ).where(cells_table.c.version_id.in_(list(values)))
            for vid, tbl, row, col, value in conn.execute(query):
                at = keys.get(f"{tbl}.{row}.{col}")
                if at is not None:
                    values[vid][at] = _num(value)
            for r in part:
                yield _meta(r, REPORT_COLUMNS) + values[r.version_id]


def cell_rows(corpus: Corpus, filters: Filters) -> Iterator[list]:
    """Every cell of every current report, with its raw text and provenance."""
    cur = narrowed(current(), filters).subquery("cur")
    c = cells_table.c
    query = (
        sa.select(cur, c.tbl, c.row, c.col, c.value, c.raw, c.blank, c.unit, c.provenance)
        .join(cells_table, c.version_id == cur.c.version_id)
        .order_by(c.version_id, c.id)
    )
    head = [col for col in CELL_ROW_COLUMNS if col.key in _SHORT]
    with corpus.engine.connect().execution_options(stream_results=True, yield_per=5000) as conn:
        for r in conn.execute(query):
            key = f"{r.tbl}.{r.row}.{r.col}"
            yield [
                *_meta(r, head),
                key,
                CELL_LABELS.get(key, key),
                _num(r.value),
                r.raw,
                r.blank,
                r.unit,
                r.provenance,
            ]


def finding_rows(corpus: Corpus, filters: Filters) -> Iterator[list]:
    with corpus.engine.connect().execution_options(stream_results=True, yield_per=5000) as conn:
        for r in conn.execute(corpus.findings_query(filters)):
            yield _meta(r, FINDING_COLUMNS)


def export(corpus: Corpus, what: str, fmt: str, out: str, filters: Filters | None = None) -> int:
    """Write one export; returns the number of data rows."""
    filters = filters or Filters()
    columns, rows = {
        "reports": (REPORT_COLUMNS + cell_columns(), report_rows),
        "cells": (CELL_ROW_COLUMNS, cell_rows),
        "findings": (FINDING_COLUMNS, finding_rows),
    }[what]
    writer = {"csv": write_csv, "xlsx": write_xlsx, "parquet": write_parquet, "jsonl": write_jsonl}[fmt]
    return writer(out, columns, rows(corpus, filters), sheet=what)


def _text(value: object, col: Column) -> object:
    if value is None:
        return ""
    if col.type == "json":
        return json.dumps(value, ensure_ascii=False, allow_nan=False) if not isinstance(value, str) else value
    return value


def write_csv(out: str, columns: Sequence[Column], rows: Iterable[list], sheet: str = "") -> int:
    """CSV in UTF-8 with a BOM (Excel on Chinese Windows needs it); headers are the keys.
    Text cells that a spreadsheet would run as a formula are neutralised (csvsafe)."""
    n = 0
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        w = SafeWriter(fh)
        w.writerow([c.key for c in columns])
        for row in rows:
            w.writerow([_text(v, c) for v, c in zip(row, columns, strict=True)])
            n += 1
    return n


def write_jsonl(out: str, columns: Sequence[Column], rows: Iterable[list], sheet: str = "") -> int:
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for row in rows:
            obj = {c.key: v for c, v in zip(columns, row, strict=True)}
            fh.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n")
            n += 1
    return n


def write_xlsx(out: str, columns: Sequence[Column], rows: Iterable[list], sheet: str = "data") -> int:
    """XLSX with the Chinese headers (a new sheet every 1,048,575 rows). Text is written as
    text cells, never as formulas or numbers."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        out, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    n, at, page, ws = 0, 0, 0, None
    try:
        for row in rows:
            if ws is None or at >= XLSX_MAX_ROWS:
                page += 1
                ws = book.add_worksheet(sheet if page == 1 else f"{sheet} ({page})")
                ws.freeze_panes(1, 0)
                for j, c in enumerate(columns):
                    ws.write_string(0, j, c.label, bold)
                at = 0
            at += 1
            for j, (v, c) in enumerate(zip(row, columns, strict=True)):
                v = _text(v, c)
                if isinstance(v, str):
                    if v:
                        ws.write_string(at, j, v[:32767])  # never read as a formula
                else:
                    ws.write_number(at, j, v)
            n += 1
        if ws is None:
            ws = book.add_worksheet(sheet)
            for j, c in enumerate(columns):
                ws.write_string(0, j, c.label, bold)
    finally:
        book.close()
    return n


_ARROW = {"str": "string", "int": "int64", "float": "float64", "json": "string"}


def write_parquet(out: str, columns: Sequence[Column], rows: Iterable[list], sheet: str = "") -> int:
    """Parquet (zstd); needs the optional pyarrow: pip install 'nianbao[parquet]'."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError("导出 Parquet 需要 pyarrow：pip install 'nianbao[parquet]'") from None
    schema = pa.schema([(c.key, getattr(pa, _ARROW[c.type])()) for c in columns])
    n = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[list] = []
        for row in rows:
            batch.append(
                [
                    v if c.type != "json" or v is None else _text(v, c)
                    for v, c in zip(row, columns, strict=True)
                ]
            )
            if len(batch) >= 5000:
                writer.write_table(
                    pa.Table.from_pylist([dict(zip(schema.names, b, strict=True)) for b in batch], schema)
                )
                n += len(batch)
                batch = []
        if batch or not n:
            writer.write_table(
                pa.Table.from_pylist([dict(zip(schema.names, b, strict=True)) for b in batch], schema)
            )
            n += len(batch)
    return n
