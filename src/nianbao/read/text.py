"""Reader for plain text and Markdown: lines become paragraphs, table layouts become grids.

Layouts recognised (each seen in real reports):
- tab-separated rows, one row a line;
- one cell a line, each cell line starting with a tab, blank lines between rows;
- pipe tables (Markdown, or `|`-separated rows wrapped over several lines);
- space-aligned columns as `pdftotext -layout` prints them;
- anything else: one paragraph a line (a table read as one cell a line stays that way and
  the parser reads it as a stream).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from ..document import Grid, GridCell, Paragraph, Ref
from ..normalize import is_value, norm

_HEADING = re.compile(r"^[#\s\u3000]*(?:[一二三四五六七八九十]{1,3}[、.．]|第[一二三四五六七八九十]+[部章])")
# matched against a stripped line; no two `\s*` meet, so a long run of spaces is scanned once
_MD_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
_PAGE_NUMBER = re.compile(
    r"^[\s\u3000]*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[，,/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})[\s\u3000]*$"
)
_GAP = re.compile(r"(?:[ \u00a0]{2,}|\u3000+)")
_WIDE = re.compile(r"[\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")
_PAD = " \t\u3000\u00a0\f"
_SENTENCE = re.compile(r"[，。；！？]")
_TOKEN = re.compile(r"[^ \u3000\u00a0\t]+(?:[ \u00a0][^ \u3000\u00a0\t]+)*")


class TooManyCells(Exception):
    """More paragraphs and cells than the limit given to read_text."""

    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


#: Tags an HTML page or a Word document part may hold for each paragraph or cell allowed. A
#: parsed tag costs some 300 bytes, so this bounds the parser's memory (a report has far fewer).
TAGS_PER_CELL = 4


def too_many_tags(markup: bytes | str, max_cells: int | None) -> str | None:
    """A reason (Chinese) when markup holds more tags than `max_cells` allows, counted unparsed."""
    if max_cells is None:
        return None
    tags = markup.count(b"<") if isinstance(markup, bytes) else markup.count("<")
    limit = TAGS_PER_CELL * max_cells
    if tags <= limit:
        return None
    return f"标签过多（{tags} 个，上限 {limit} 个），不像年度报告，未读取"


class Budget:
    """Paragraphs and cells still allowed; TooManyCells once they run out."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.left = limit

    def take(self, n: int) -> None:
        if self.left is not None:
            self.left -= n
            if self.left < 0:
                raise TooManyCells(self.limit or 0)


def read_text(text: str, max_cells: int | None = None) -> tuple[Paragraph | Grid, ...]:
    """Split decoded text into paragraphs and grids, each with line numbers. TooManyCells when
    there are more than `max_cells` paragraphs and cells (stopped as soon as they are)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    del text
    return tuple(_blocks(lines, Budget(max_cells)))


def line_count(text: str) -> int:
    """Lines of a text as read_text splits it (counted without splitting)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n") + 1


def is_page_number(line: str) -> bool:
    """A page-number line ("- 3 -", "第 3 页", "3/5") that may stand inside a table."""
    return bool(_PAGE_NUMBER.match(line))


def _kind(line: str) -> str:
    """Classify one line: blank, cell (leading tab, one cell), tabrow, pipe, spaced, text."""
    stripped = line.strip(" \u3000\u00a0\f")
    if not stripped:
        return "blank"
    if "\t" not in line and "|" not in line and "  " not in stripped and "\u3000" not in stripped:
        return "page" if is_page_number(line) else "text"
    if "\t" in line:
        body = line.rstrip("\n")
        if body.startswith("\t") and body.count("\t") == 1:
            return "cell"
        if body.strip(" \u3000").count("\t") >= 1:
            return "tabrow"
    if "|" in stripped and (stripped.startswith("|") or stripped.endswith("|") or stripped.count("|") >= 2):
        return "pipe"
    if is_page_number(line):
        return "page"
    if len(stripped) >= 300:  # a row of a space-aligned table is short
        return "text"
    parts = [p for p in _GAP.split(stripped) if p]
    if len(parts) >= 2:
        if any(is_value(p) for p in parts):
            return "spaced"
        if all(len(p) <= 24 and not _SENTENCE.search(p) for p in parts):
            return "spaced"  # a header row of a space-aligned table
    return "text"


def _blocks(lines: list[str], budget: Budget) -> Iterator[Paragraph | Grid]:
    kinds = [_kind(line) for line in lines]
    i = 0
    n = len(lines)
    while i < n:
        kind = kinds[i]
        if kind == "cell":
            grid, i = _cell_lines(lines, kinds, i, budget)
            yield grid
        elif kind == "tabrow":
            grid, i = _delimited(lines, kinds, i, "tabrow", budget)
            yield grid
        elif kind == "pipe":
            grid, i = _pipes(lines, kinds, i, budget)
            if grid.rows:
                yield grid
        elif kind == "spaced":
            grid, i = _spaced(lines, kinds, i, budget)
            yield grid
        else:
            if kind == "text":
                budget.take(1)
                yield Paragraph(lines[i].strip(" \u3000\t\f"), Ref(line=i + 1))
            i += 1


def _cell(text: str, line: int, col: int | None = None, x: tuple[int, int] | None = None) -> GridCell:
    if x is None:
        return GridCell(text.strip(_PAD), Ref(line, None, None, None, None, col))
    bbox = (float(x[0]), float(line), float(x[1]), float(line))
    return GridCell(text.strip(_PAD), Ref(line, None, bbox, None, None, col))


def _is_continuation(line: str) -> bool:
    """A line without a tab inside a one-cell-a-line table: the rest of a wrapped label."""
    s = line.strip(" \u3000\f")
    return not (_HEADING.match(s) or len(s) > 40 or s.endswith(("。", "；")))


def _cell_lines(lines: list[str], kinds: list[str], i: int, budget: Budget) -> tuple[Grid, int]:
    """One cell a line (leading tab), rows separated by blank lines; wrapped labels joined."""
    rows: list[tuple[GridCell, ...]] = []
    row: list[list] = []  # [pieces of text, line number] a cell; joined when the row ends
    n = len(lines)
    start = i

    def flush() -> None:
        rows.append(
            tuple(GridCell("".join(parts), Ref(line, None, None, None, None, col)) for col, (parts, line) in enumerate(row))
        )
        row.clear()

    while i < n:
        kind = kinds[i]
        if kind == "cell":
            budget.take(1)
            row.append([[lines[i].strip(_PAD)], i + 1])
            i += 1
        elif kind in ("blank", "page"):
            j = i
            while j < n and kinds[j] in ("blank", "page"):
                j += 1
            gap = j - i
            if j < n and kinds[j] == "text" and row and gap == 1 and _is_continuation(lines[j]):
                row[-1][0].append(lines[j].strip(" \u3000\f"))  # a wrapped label broken by an empty line
                i = j + 1
                continue
            if row:
                flush()
            if j < n and kinds[j] == "cell":
                i = j
                continue
            i = j
            break
        elif kind == "text" and row and _is_continuation(lines[i]):
            row[-1][0].append(lines[i].strip(" \u3000\f"))
            i += 1
        else:
            break
    if row:
        flush()
    return Grid(tuple(rows), Ref(line=start + 1)), i


def _delimited(lines: list[str], kinds: list[str], i: int, kind: str, budget: Budget) -> tuple[Grid, int]:
    """Tab-separated rows; blank lines inside the table are skipped."""
    rows: list[tuple[GridCell, ...]] = []
    start = i
    n = len(lines)
    while i < n:
        k = kinds[i]
        if k == kind:
            parts = lines[i].split("\t")
            budget.take(len(parts))
            rows.append(tuple(_cell(p, i + 1, c) for c, p in enumerate(parts)))
            i += 1
        elif k in ("blank", "page"):
            j = i
            while j < n and kinds[j] in ("blank", "page"):
                j += 1
            if j < n and kinds[j] == kind:
                i = j
                continue
            break
        else:
            break
    return Grid(tuple(rows), Ref(line=start + 1)), i


def _split_pipes(text: str) -> list[str]:
    body = text.strip(" \u3000\f")
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return body.split("|")


def _pipes(lines: list[str], kinds: list[str], i: int, budget: Budget) -> tuple[Grid, int]:
    """Pipe rows: one row a line, or rows opened by a line that starts with `|` and wrapped."""
    start = i
    n = len(lines)
    j = i
    while j < n and (
        kinds[j] == "pipe" or (kinds[j] in ("text", "blank") and _pipe_wrapped(lines, kinds, j))
    ):
        j += 1
    block = list(range(i, j))
    bare = any(lines[k].strip() == "|" for k in block)
    rows: list[tuple[GridCell, ...]] = []
    if bare:
        current: list[tuple[int, str]] = []
        for k in block:
            s = lines[k].strip(" \u3000\f")
            if s.startswith("|") and current:
                rows.append(_pipe_row(current))
                budget.take(len(rows[-1]))
                current = []
            if s:
                current.append((k + 1, s))
        if current:
            rows.append(_pipe_row(current))
            budget.take(len(rows[-1]))
    else:
        for k in block:
            s = lines[k]
            if kinds[k] != "pipe" or _MD_RULE.match(s.strip()):
                continue
            parts = _split_pipes(s)
            budget.take(len(parts))
            rows.append(tuple(_cell(p, k + 1, c) for c, p in enumerate(parts)))
    return Grid(tuple(r for r in rows if r), Ref(line=start + 1)), max(j, i + 1)


def _pipe_wrapped(lines: list[str], kinds: list[str], j: int) -> bool:
    """Inside a wrapped pipe table, a cell's text may sit on a line of its own."""
    if kinds[j] == "blank":
        return j + 1 < len(lines) and kinds[j + 1] == "pipe"
    s = lines[j].strip()
    return len(s) <= 40 and j + 1 < len(lines) and kinds[j + 1] == "pipe" and not _HEADING.match(s)


def _pipe_row(parts: list[tuple[int, str]]) -> tuple[GridCell, ...]:
    """Join a wrapped pipe row and split it into cells (each cell keeps its first line)."""
    pieces: list[str] = []
    starts: list[int] = []  # offset in the joined text where each source line begins
    lines: list[int] = []
    size = 0
    last = ""
    for line, s in parts:
        starts.append(size)
        lines.append(line)
        if pieces and not last.endswith("|") and not s.startswith("|"):
            pieces.append(" ")  # counted as the new line's
            size += 1
        pieces.append(s)
        size += len(s)
        last = s
    text = "".join(pieces)
    cells = []
    pos = 1 if text.startswith("|") else 0
    for c, piece in enumerate(_split_pipes(text)):
        k = bisect.bisect_right(starts, min(pos, max(size - 1, 0))) - 1
        cells.append(_cell(piece, lines[max(k, 0)] if lines else 0, c))
        pos += len(piece) + 1
    return tuple(cells)


def _spaced(lines: list[str], kinds: list[str], i: int, budget: Budget) -> tuple[Grid, int]:
    """Space-aligned rows (`pdftotext -layout`): cells split on runs of spaces, x kept."""
    rows: list[tuple[GridCell, ...]] = []
    start = i
    n = len(lines)
    while i < n and kinds[i] in ("spaced", "blank", "page", "text"):
        if kinds[i] == "text" and not _short_label_line(lines[i]):
            break
        if kinds[i] == "blank":
            j = i
            while j < n and kinds[j] in ("blank", "page"):
                j += 1
            if j < n and kinds[j] == "spaced" and j - i <= 2:
                i = j
                continue
            break
        if kinds[i] != "page":
            rows.append(_spaced_row(lines[i], i + 1))
            budget.take(len(rows[-1]))
        i += 1
    return Grid(tuple(rows), Ref(line=start + 1)), i


def _short_label_line(line: str) -> bool:
    s = line.strip(" \u3000\f")
    return bool(s) and len(s) <= 40 and not _HEADING.match(s) and not s.endswith("。")


def _display_width(text: str) -> int:
    """Terminal columns: CJK and full-width characters count twice."""
    return len(text) + len(_WIDE.findall(text))


def _spaced_row(line: str, number: int) -> tuple[GridCell, ...]:
    """Cells of a space-aligned line, each with its span in display columns as x."""
    cells: list[GridCell] = []
    text = line.rstrip()
    pos = 0
    x = 0
    for m in _TOKEN.finditer(text):
        x += _display_width(text[pos : m.start()])
        x_end = x + _display_width(m.group())
        cells.append(_cell(m.group(), number, len(cells), (x, x_end)))
        x, pos = x_end, m.end()
    return tuple(cells)


def looks_like_report(text: str) -> bool:
    """A cheap test that decoded text is an annual report at all."""
    head = text[:20000]
    hints: tuple[str, ...] = ("信息公开", "主动公开", "依申请公开", "年度报告", "第二十条")
    hints += ("資訊公開", "信息公開", "主動公開", "依申請公開", "年度報告", "第二十條")
    return any(h in head for h in hints) or any(h in norm(head) for h in hints)
