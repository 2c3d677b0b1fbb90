"""How findings name cells: as the report prints them (表三“（七）总计”行“总计”列).

A report's own template labels its cells, so every naming function takes the template of
the report being checked (`Report.template`: "2019", "2021", "hybrid", "legacy" or None);
rules call them through their context (`ctx.cell_name(...)`).
"""

from __future__ import annotations

from ..model import Cell, Report
from ..normalize import read_value
from ..template import GOV2019, GOV2021, Item, Table

TABLE_NUMBER = {t.id: t.number for t in GOV2021.tables}


def _t4_group_name(row: Item) -> str:
    """行政复议, or 行政诉讼（未经复议直接起诉） for a row under the 行政诉讼 header."""
    group = GOV2021.t4.group(row.group)
    return row.label if group.label == row.label else f"{group.label}（{row.label}）"


T4_GROUP = {r.key: _t4_group_name(r) for r in GOV2021.t4.rows}


def tables_of(template: str | None, table_id: str) -> tuple[Table, ...]:
    """The layouts of a table to look labels up in: the report's own template first."""
    order = (GOV2019, GOV2021) if template == "2019" else (GOV2021, GOV2019)
    return tuple(t.table(table_id) for t in order)


def row_item(template: str | None, table_id: str, row: str) -> Item | None:
    for table in tables_of(template, table_id):
        for item in table.all_rows():
            if item.key == row:
                return item
    return None


def col_item(template: str | None, table_id: str, row: str, col: str) -> Item | None:
    for table in tables_of(template, table_id):
        for item in table.cols_of(row):
            if item.key == col:
                return item
    return None


def row_name(template: str | None, table_id: str, row: str) -> str:
    if table_id == "t4":
        return T4_GROUP.get(row, row)
    item = row_item(template, table_id, row)
    return f"{item.enum}{item.label}" if item else row


def col_name(template: str | None, table_id: str, row: str, col: str) -> str:
    item = col_item(template, table_id, row, col)
    return item.label if item else col


def cell_name(template: str | None, table_id: str, row: str, col: str) -> str:
    row_label, col_label = row_name(template, table_id, row), col_name(template, table_id, row, col)
    return f"{TABLE_NUMBER[table_id]}“{row_label}”行“{col_label}”列"


def path(table_id: str, row: str, col: str) -> str:
    return f"{table_id}.{row}.{col}"


def number(report: Report, table_id: str, row: str, col: str) -> tuple[float, bool]:
    """A cell's value for arithmetic: a blank counts as 0 (second item says it was blank)."""
    cell = report.cell(table_id, row, col)
    if cell is None or cell.value is None:
        return 0, True
    return cell.value, False


def line(report: Report, table_id: str, row: str, col: str) -> int | None:
    cell = report.cell(table_id, row, col)
    return None if cell is None else cell.ref.line


def fmt(value: float | int | None) -> str:
    if value is None:
        return "空白"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def blank_note(blanks: list[str]) -> str:
    """The sentence telling that blank cells were counted as 0."""
    if not blanks:
        return ""
    shown = "、".join(blanks[:4]) + ("等" if len(blanks) > 4 else "")
    return f"（{shown}为空白，按 0 计）"


def is_text(cell: Cell) -> bool:
    """A cell holding words where a figure belongs (e.g. “十二”), not a blank or a placeholder."""
    return cell.value is None and bool(cell.raw.strip()) and read_value(cell.raw) is None
