"""Building blocks of a statutory template: items, groups, tables, sections.

A template (2019 or 2021) is pure data built from these classes in
:mod:`nianbao.template.gov`. The parser, checker, JSON Schema and renderers all read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    """One statutory row or column: its contract key, printed label and accepted variants."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    unit: str = "件"
    kind: str = "count"  # "count" (non-negative integer), "delta" (signed integer), "amount"
    enum: str = ""  # printed enumerator, e.g. "1." or "（一）" or "一、"
    group: str = ""  # key of the rowspan group this row sits under
    note: str = ""  # printed note after the label, e.g. "（区分处理的，…）"

    @property
    def printed(self) -> str:
        """The label as the official table prints it, enumerator and note included."""
        return f"{self.enum}{self.label}{self.note}"

    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Group:
    """A label that spans several rows (表三 rowspan) or columns (表四 header)."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    enum: str = ""
    parent: str = ""

    @property
    def printed(self) -> str:
        return f"{self.enum}{self.label}"

    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Block:
    """A captioned block of 表二: caption row, header row, rows sharing the same columns."""

    key: str
    caption: str
    cols: tuple[Item, ...]
    rows: tuple[Item, ...]
    caption_aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One statutory table. 表二 is made of blocks; 表三 and 表四 have one column set."""

    id: str  # "t2", "t3", "t4"
    number: str  # 表二
    title: str
    section: str  # key of the section that holds it
    blocks: tuple[Block, ...] = ()
    rows: tuple[Item, ...] = ()
    cols: tuple[Item, ...] = ()
    groups: tuple[Group, ...] = ()
    col_groups: tuple[Group, ...] = ()
    annotation: str = ""
    corner: str = ""  # the header cell above the row labels (表二: 信息内容)
    # (total key, part keys): sums that must hold over rows (表三) or columns (表三, 表四)
    row_sums: tuple[tuple[str, tuple[str, ...]], ...] = ()
    col_sums: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def all_rows(self) -> tuple[Item, ...]:
        if self.blocks:
            return tuple(r for b in self.blocks for r in b.rows)
        return self.rows

    def cols_of(self, row_key: str) -> tuple[Item, ...]:
        """The columns of one row (表二 rows differ by block)."""
        for block in self.blocks:
            if any(r.key == row_key for r in block.rows):
                return block.cols
        return self.cols

    def row(self, key: str) -> Item:
        for r in self.all_rows():
            if r.key == key:
                return r
        raise KeyError(f"{self.id} has no row {key!r}")

    def col(self, row_key: str, col_key: str) -> Item:
        for c in self.cols_of(row_key):
            if c.key == col_key:
                return c
        raise KeyError(f"{self.id}.{row_key} has no column {col_key!r}")

    def group(self, key: str) -> Group:
        for g in (*self.groups, *self.col_groups):
            if g.key == key:
                return g
        raise KeyError(f"{self.id} has no group {key!r}")

    def cells(self) -> tuple[tuple[str, str], ...]:
        """Every (row key, column key) data cell in printed order."""
        return tuple((r.key, c.key) for r in self.all_rows() for c in self.cols_of(r.key))


@dataclass(frozen=True)
class Section:
    """One of the six statutory sections."""

    key: str
    number: str  # 一 … 六
    title: str
    aliases: tuple[str, ...] = ()

    @property
    def printed(self) -> str:
        return f"{self.number}、{self.title}"


@dataclass(frozen=True)
class Template:
    """A statutory report format: its documents, sections and three tables."""

    id: str  # "2019" or "2021"
    name: str
    document: str
    first_year: int
    last_year: int | None
    sections: tuple[Section, ...]
    t2: Table
    t3: Table
    t4: Table
    fingerprints: tuple[str, ...] = field(default=())

    @property
    def tables(self) -> tuple[Table, Table, Table]:
        return (self.t2, self.t3, self.t4)

    def table(self, table_id: str) -> Table:
        return {"t2": self.t2, "t3": self.t3, "t4": self.t4}[table_id]
