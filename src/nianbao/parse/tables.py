"""Finding 表二, 表三 and 表四 in a document: rows by their labels, values by position.

The document is walked as a stream of rows (a paragraph is a row of one cell). A row whose
cell is a known row label opens that statutory row; its values are the cells after the
label, or, when the label stands alone (one cell a line), the value-only rows that follow.
Columns are never guessed from reading order across rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..document import Grid, GridCell, Paragraph, Ref
from ..model import Cell, ExtraRow
from ..normalize import label_key, read_value
from ..template import GOV2019, GOV2021, Table
from .labels import Label, candidates

T4_WIDTH = 15
#: A cell is looked into for several labels side by side only up to this length (labels are short).
SPLIT_CHARS = 200
#: Windows of an over-long row tried for a holding sum (a row of thousands of cells is not a report's).
SUM_WINDOWS = 1000


@dataclass
class RawRow:
    """A statutory row as found: its label cell and its value cells, not yet in columns."""

    table: str
    key: str
    label: GridCell
    values: list[GridCell]
    own_row: bool  # values came in the label's own row (a delimited layout)
    kind: str = "row"  # "row"; "group", a printed subtotal of a rowspan group; "local", a row
    # outside the template (e.g. 其他主动公开文件)
    block: str = ""  # the 表二 block it was read in
    filled: int = field(default=0, init=False)  # values with text, kept as values are added

    def __post_init__(self) -> None:
        self.filled = sum(1 for c in self.values if c.text.strip())


@dataclass
class Found:
    """Everything the walk collected."""

    rows: dict[tuple[str, str], RawRow] = field(default_factory=dict)
    groups: list[RawRow] = field(default_factory=list)
    local: list[RawRow] = field(default_factory=list)
    t2_cols: dict[str, int] = field(default_factory=dict)  # column key → times seen
    t2_templates: dict[str, int] = field(default_factory=dict)  # template id → header hits
    t4_runs: list[tuple[str, list[GridCell]]] = field(default_factory=list)
    t4_x: list[float] = field(default_factory=list)
    col_x: dict[str, list[float]] = field(default_factory=dict)
    col_index: dict[str, int] = field(default_factory=dict)  # header column → cell index
    duplicates: int = 0
    consumed: set[int] = field(default_factory=set)  # id() of paragraphs read as table content
    seen_t3: bool = False
    seen_t4: bool = False


def _rows(blocks) -> Iterator[tuple[tuple[GridCell, ...], Paragraph | None]]:
    """Every row of the document in order; a paragraph is a row of one cell."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield (GridCell(block.text, block.ref),), block
        elif isinstance(block, Grid):
            yield from ((r, None) for r in block.rows if r)


def _row_label(text: str, match, fuzzy: bool = True) -> Label | None:
    for label in match(text, fuzzy):
        if label.kind in ("row", "group"):
            return label
    return None


def _label_in(row: tuple[GridCell, ...], match) -> tuple[int, Label] | None:
    """The last cell of the row that is a row or group label (the most specific one).

    Exact labels win over close spellings. A cell that holds several labels side by side
    ("三、本年度办理结果 （一）予以公开", as layout text merges rowspan columns) is read by
    its last label; a label split over cells by a gap inside it is read joined.
    """
    texts = [(i, c.text) for i, c in enumerate(row) if read_value(c.text) is None]
    for fuzzy in (False, True):
        hit = None
        for i, text in texts:
            label = _row_label(text, match, fuzzy)
            if label is None and len(text) <= SPLIT_CHARS and " " in text.strip():
                for part in reversed(text.split()):
                    label = _row_label(part, match, fuzzy)
                    if label is not None:
                        break
            if label is not None:
                hit = (i, label)
        if hit is None:
            hit = _joined_label(row, match, fuzzy)
        if hit is not None:
            return hit
    return None


def _joined_label(row: tuple[GridCell, ...], match, fuzzy: bool) -> tuple[int, Label] | None:
    """A label split into several cells by a gap inside it ("行  政许可")."""
    texts: list[str] = []
    last = -1
    for i, cell in enumerate(row):
        if read_value(cell.text) is not None:
            if texts:
                break
            continue
        texts.append(cell.text)
        last = i
    if len(texts) < 2:
        return None
    label = _row_label("".join(texts), match, fuzzy)
    return None if label is None else (last, label)


_T4_GROUP_NAMES = sorted(
    ((label_key(n).core, r.key) for r in GOV2021.t4.rows for n in r.names()),
    key=lambda x: -len(x[0]),
)


def _split_header_line(row: tuple[GridCell, ...], match) -> tuple[GridCell, ...]:
    """A text line holding several header labels side by side ("未经复议直接起诉 复议后起诉"),
    as PDF text gives a header row, read as one cell a label."""
    if len(row) != 1 or len(row[0].text) > SPLIT_CHARS or " " not in row[0].text.strip() or match(row[0].text):
        return row
    parts = row[0].text.split()
    if len(parts) < 2 or not all(match(p) for p in parts):
        return row
    return tuple(GridCell(p, row[0].ref) for p in parts)


def _block_of(row_key: str) -> str:
    for table in (GOV2021.t2, GOV2019.t2):
        for block in table.blocks:
            if any(r.key == row_key for r in block.rows):
                return block.key
    return ""


def _has_values(raw: RawRow) -> bool:
    return any(c.text.strip() for c in raw.values)


def _center(cell: GridCell) -> float | None:
    b = cell.ref.bbox
    return None if b is None else (b[0] + b[2]) / 2


class Walker:
    """One pass over the rows of a document."""

    def __init__(self, match=candidates):
        self.match = match
        self.found = Found()
        self.pending: RawRow | None = None
        self.t4_group = ""
        self.in_t4 = False
        self.context = ""  # the table being read: t2, t3, t4
        self.block = ""  # the 表二 block being read

    def walk(self, blocks) -> Found:
        for row, para in _rows(blocks):
            if self._row(row) and para is not None:
                self.found.consumed.add(id(para))
        self._close()
        return self.found

    # ── one row ─────────────────────────────────────────────────────────────────
    def _row(self, row: tuple[GridCell, ...]) -> bool:
        """Take one row; True when it was table content."""
        if all(read_value(c.text) is not None for c in row):
            return self._values(list(row))
        hit = _label_in(row, self.match)
        if hit is not None:
            i, label = hit
            if not self.in_t4 or label.table != "t4":
                self._open(label, row[i], list(row[i + 1 :]))
                return True
        return self._header(row)

    def _values(self, cells: list[GridCell]) -> bool:
        if self.in_t4 and (self.pending is None or self._full(self.pending)):
            self._close()
            if any(c.text.strip() for c in cells):
                if self.found.t4_runs and self.found.t4_runs[-1][0] == self.t4_group:
                    self.found.t4_runs[-1][1].extend(cells)
                else:
                    self.found.t4_runs.append((self.t4_group, list(cells)))
            return True
        p = self.pending
        if p is None or p.own_row or self._full(p):
            return False
        added = [c for c in cells if c.text.strip() or len(cells) > 1]
        p.values.extend(added)
        p.filled += sum(1 for c in added if c.text.strip())
        return True

    def _full(self, raw: RawRow) -> bool:
        return raw.filled >= self._width(raw)

    def _width(self, raw: RawRow) -> int:
        if raw.table == "t2":
            return max(len(GOV2021.t2.cols_of(raw.key)), len(GOV2019.t2.cols_of(raw.key)))
        return len(GOV2021.t3.cols)

    def _open(self, label: Label, cell: GridCell, rest: list[GridCell]) -> None:
        self._close()
        self.context = label.table
        if label.table == "t2":
            self.block = _block_of(label.key)
        if label.table == "t3":
            self.found.seen_t3 = True
        self.in_t4 = False
        rest_values = [c for c in rest if read_value(c.text) is not None]
        own = bool(rest) and any(c.text.strip() for c in rest_values)
        self.pending = RawRow(label.table, label.key, cell, rest_values, own, label.kind)

    def _close(self) -> None:
        p = self.pending
        self.pending = None
        if p is None:
            return
        if p.kind == "group":
            filled = any(c.text.strip() for c in p.values)
            whole_row = len(p.values) >= len(GOV2021.t3.cols)  # a row of cells, even if blank
            if p.key == "other" and (filled or whole_row):
                # （六）其他处理 printed as one row with its own cells: the 2019 layout
                p = RawRow("t3", "other_total", p.label, p.values, p.own_row)
            elif filled:
                self.found.groups.append(p)
                return
            else:
                return
        slot = (p.table, p.key)
        earlier = self.found.rows.get(slot)
        if earlier is not None and _has_values(earlier):
            self.found.duplicates += _has_values(p)
            return
        self.found.rows[slot] = p  # a label standing alone (a heading) gives way to its row

    def _header(self, row: tuple[GridCell, ...]) -> bool:
        """Captions and column headers: they set the context and show the template."""
        row = _split_header_line(row, self.match)
        labels = [(c, () if read_value(c.text) is not None else self.match(c.text)) for c in row]
        prose = len(row) == 1 and len(row[0].text.strip()) > 12
        if self.in_t4 and self.found.t4_runs and prose and not any(x.kind == "t4group" for x in labels[0][1]):
            self.in_t4 = False  # running text after the table
            return False
        t4_cols = [c for c, ls in labels if any(x.table == "t4" and x.kind == "col" for x in ls)]
        t4_groups = [ls for _, ls in labels if any(x.kind == "t4group" for x in ls)]
        only_t4 = any(ls and all(x.table == "t4" for x in ls) for _, ls in labels)
        if only_t4 and (t4_cols or t4_groups):
            self._close()
            self.in_t4 = True
            self.context = "t4"
            self.found.seen_t4 = True
            for c in t4_cols:
                x = _center(c)
                if x is not None:
                    self.found.t4_x.append(x)
            if t4_groups and not t4_cols:
                self._t4_group_row(row)
            return True
        known = False
        for _cell, ls in labels:
            for x in ls:
                known = known or x.kind != "t4group"
                if x.table == "t2" and x.kind == "col":
                    self.found.t2_cols[x.key] = self.found.t2_cols.get(x.key, 0) + 1
                    if x.template:
                        t = self.found.t2_templates
                        t[x.template] = t.get(x.template, 0) + 1
                    break
                if x.table == "t2" and x.kind == "caption":
                    self._close()
                    self.context, self.block = "t2", x.key
                    if x.key == "art20_9":
                        t = self.found.t2_templates
                        t["2019"] = t.get("2019", 0) + 1
                    break
                if x.table == "t3" and x.kind in ("annotation", "t3head", "col"):
                    self.found.seen_t3 = True
                    self.context = "t3"
                    break
        if not known:
            return self._local_row(row)
        self._remember_x(row)
        return known

    def _local_row(self, row: tuple[GridCell, ...]) -> bool:
        """A row outside the template inside 表二 or 表三: a short label, then figures."""
        if self.context not in ("t2", "t3") or len(row) < 2:
            return False
        first = next((i for i, c in enumerate(row) if c.text.strip()), None)
        if first is None or read_value(row[first].text) is not None:
            return False
        label = row[first].text.strip()
        rest = list(row[first + 1 :])
        if len(label) > 30 or any(read_value(c.text) is None for c in rest):
            return False
        if not any(c.text.strip() for c in rest):
            return False
        self._close()
        self.found.local.append(RawRow(self.context, "", row[first], rest, True, "local", self.block))
        return True

    def _t4_group_row(self, row: tuple[GridCell, ...]) -> None:
        """A group label of 表四 alone (a caption) or, in a transposed table, before its figures."""
        last = max(i for i, c in enumerate(row) if read_value(c.text) is None)
        group = self._t4_group("".join(c.text for c in row[: last + 1]))
        values = list(row[last + 1 :])
        if any(c.text.strip() for c in values):
            self.found.t4_runs.append((group, values))
            self.t4_group = ""
        else:
            self.t4_group = group

    def _t4_group(self, text: str) -> str:
        """The 表四 group a caption names (the longest name found wins: 复议后起诉 over 行政复议)."""
        key = label_key(text).full
        for name, group in _T4_GROUP_NAMES:
            if name in key:
                return group
        return self.t4_group

    def _remember_x(self, row: tuple[GridCell, ...]) -> None:
        """Where column headers stand (x centre, or cell index in a delimited grid)."""
        for cell in row:
            for label in self.match(cell.text):
                if label.kind == "col" and label.table in ("t2", "t3"):
                    name = f"{label.table}.{label.key}"
                    x = _center(cell)
                    if x is not None:
                        self.found.col_x.setdefault(name, []).append(x)
                    elif cell.ref.col is not None:
                        self.found.col_index[name] = cell.ref.col
                    break


# ── values into columns ─────────────────────────────────────────────────────────────
def fit(values: list[GridCell], width: int, sums_ok=None) -> tuple[Sequence[GridCell | None], str]:
    """Values of one row laid into `width` columns; a note when the count was off.

    With too many cells, the window is chosen among those that leave only empty cells
    out: the one where the row's sum holds, else the rightmost (empty cells before the
    values usually hold the place of rowspan labels).
    """
    vals = list(values)
    if len(vals) > width:
        filled = [0]  # filled[i]: cells with text among vals[:i]
        for c in vals:
            filled.append(filled[-1] + bool(c.text.strip()))
        starts = range(len(vals) - width + 1)
        # windows that leave only empty cells out: all of them when every cell is empty (and
        # then none can hold a sum), else at most `width` around the filled cells
        whole = [i for i in starts if filled[i + width] - filled[i] == filled[-1]]
        if whole:
            tried = whole if sums_ok is not None and filled[-1] else []
            good = next((i for i in tried if sums_ok(vals[i : i + width])), None)
            i = whole[-1] if good is None else good
            return vals[i : i + width], ""
        window_starts: Sequence[int] = starts[:SUM_WINDOWS] if sums_ok is not None else []
        good = next((i for i in window_starts if sums_ok(vals[i : i + width])), None)
        chosen = vals[:width] if good is None else vals[good : good + width]
        how = "从左到右" if good is None else "合计关系"
        return chosen, f"多出 {len(vals) - width} 个单元格，已按{how}取 {width} 个"
    if len(vals) < width:
        note = f"只有 {len(vals)} 个单元格（应为 {width} 个）"
        return [*vals, *([None] * (width - len(vals)))], note
    return vals, ""


def place_by_x(values: list[GridCell], centers: list[float]) -> list[GridCell | None] | None:
    """Values placed under the nearest column header, when the layout kept x positions."""
    if not centers:
        return None
    slots: list[GridCell | None] = [None] * len(centers)
    for v in values:
        x = _center(v)
        if x is None:  # the layout kept no position
            return None
        i = min(range(len(centers)), key=lambda k: abs(centers[k] - x))
        if slots[i] is not None:
            return None
        slots[i] = v
    return slots


def place_by_index(values: list[GridCell], indices: list[int]) -> list[GridCell | None] | None:
    """Values placed by their cell index under the header's, when the grid is regular."""
    by_index = {v.ref.col: v for v in values}
    if None in by_index or any(i not in by_index for i in indices):
        return None
    wanted = set(indices)
    if any(v.text.strip() and v.ref.col not in wanted for v in values):
        return None
    return [by_index[i] for i in indices]


def to_cell(grid_cell: GridCell | None) -> Cell:
    if grid_cell is None:
        return Cell(None, "", Ref())
    v = read_value(grid_cell.text)
    if v is None:
        return Cell(None, grid_cell.text, grid_cell.ref, placeholder=True)
    return Cell(v.value, grid_cell.text, grid_cell.ref, v.unit, v.placeholder)


def sum_holds(table: Table):
    """A test that a window of values keeps the table's column sum (总计 = parts)."""
    if not table.col_sums:
        return None
    keys = [c.key for c in table.cols]
    total_key, parts = table.col_sums[0]

    def ok(window: list[GridCell]) -> bool:
        vals = dict(zip(keys, (read_value(c.text) for c in window), strict=False))
        total = vals.get(total_key)
        if total is None or total.value is None:
            return False
        return sum((v.value or 0) for p in parts if (v := vals.get(p))) == total.value

    return ok


def extra_row(raw: RawRow, cols: tuple, label_text: str) -> ExtraRow:
    """A row outside the statutory rows, its values laid into the given columns."""
    cells, _ = fit(raw.values, len(cols))
    return ExtraRow(
        raw.table,
        label_text,
        {c.key: to_cell(v) for c, v in zip(cols, cells, strict=True)},
        group=raw.key,
    )
