"""Recognised text boxes rebuilt into lines, cells and Paragraph/Grid blocks.

OCR gives text boxes, not tables. The boxes (already turned level, see read/ocr.py) are
grouped into lines by their vertical centre, and each line into cells at horizontal gaps
or at a ruled line between two boxes. Text wrapped inside one ruled cell (lines above,
below and on both sides, none between) is joined into the cell's first line. A line of
several cells with a figure in it, or with ruled lines between its cells, becomes a
one-row Grid, so that the parser reads the label and its values as it does for any other
layout; any other line is text, and lines of text are joined into paragraphs as for
text-layer PDFs. Every cell keeps its box in page coordinates (PDF points for PDF pages,
pixels for images) and the OCR confidence.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass

from ..document import Grid, GridCell, Paragraph, Ref
from ..normalize import read_value
from .pdf import paragraphs
from .text import is_page_number


# ── OCR boxes ────────────────────────────────────────────────────────────────────────
@dataclass
class Box:
    """One recognised piece of text: its box in pixels, text and confidence."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def h(self) -> float:
        return self.y1 - self.y0


# ── numbers ──────────────────────────────────────────────────────────────────────────
_NUMERIC_LIKE = re.compile(r"[0-9０-９OoIl|丨,，.。．%％]+")
_CONFUSED = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "丨": "1", "。": "."})


def fix_number(text: str) -> str:
    """Common OCR confusions (O→0, l/I→1, 。→.) corrected in a cell that is otherwise a number."""
    t = text.strip()
    if not _NUMERIC_LIKE.fullmatch(t) or not re.search(r"[0-9０-９]", t):
        return text
    fixed = t.translate(_CONFUSED)
    if fixed == t:
        return text
    value = read_value(fixed)
    return fixed if value is not None and value.value is not None else text


def _is_number(text: str) -> bool:
    value = read_value(text)
    return value is not None and value.value is not None


# ── ruled lines ──────────────────────────────────────────────────────────────────────
COVER = 0.9  # share of a span a ruled line must cover (scans are a little askew or broken)


class Rules:
    """The ruled lines of a page image: dark runs longer than any stroke of text."""

    def __init__(self, image, height: float):
        import cv2

        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        dark = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12)

        def runs(size: tuple[int, int], bridge: tuple[int, int], widen: tuple[int, int]):
            closed = cv2.morphologyEx(
                dark, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge)
            )
            found = cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, size))
            return cv2.dilate(found, cv2.getStructuringElement(cv2.MORPH_RECT, widen)) > 0

        tall = max(12, int(1.2 * height))  # taller than a character
        wide = max(24, int(2.5 * height))  # wider than a dash
        self.v = runs((1, tall), (1, 5), (3, 1))
        self.h = runs((wide, 1), (5, 1), (1, 5))

    @staticmethod
    def _clip(mask, x0: float, x1: float, y0: float, y1: float):
        h, w = mask.shape
        xa, xb = max(0, int(x0)), min(w, int(x1) + 1)
        ya, yb = max(0, int(y0)), min(h, int(y1) + 1)
        return None if xb <= xa or yb <= ya else mask[ya:yb, xa:xb]

    def v_cols(self, x0: float, x1: float, y0: float, y1: float) -> list[int]:
        """Columns x0..x1 (absolute) where a vertical line crosses the band y0..y1."""
        part = self._clip(self.v, x0, x1, y0, y1)
        if part is None:
            return []
        start = max(0, int(x0))
        return [start + i for i, ok in enumerate(part.mean(axis=0) >= COVER) if ok]

    def h_rows(self, x0: float, x1: float, y0: float, y1: float) -> list[int]:
        """Rows y0..y1 (absolute) where a horizontal line crosses the span x0..x1."""
        part = self._clip(self.h, x0, x1, y0, y1)
        if part is None:
            return []
        start = max(0, int(y0))
        return [start + i for i, ok in enumerate(part.mean(axis=1) >= COVER) if ok]


def page_rules(image, boxes: list[Box]) -> Rules | None:
    """The ruled lines of a page image (None for a page without text)."""
    if not boxes:
        return None
    return Rules(image, statistics.median(b.h for b in boxes))


# ── lines and cells ──────────────────────────────────────────────────────────────────
def _width_units(text: str) -> float:
    """Text width in em: CJK and full-width characters one, others half."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.5 for ch in text)


def _em_ratio(boxes: list[Box]) -> float:
    """Width of one CJK character as a share of the box height, from the page's text."""
    ratios = [
        (b.x1 - b.x0) / _width_units(b.text) / b.h
        for b in boxes
        if b.h > 0 and _width_units(b.text) >= 3 and sum(ord(c) >= 0x2E80 for c in b.text) >= 2
    ]
    return statistics.median(ratios) if ratios else 0.8


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _lines(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into lines by vertical centre; a box joins the line whose nearest box
    on its left or right is level with it, within half the page's median box height."""
    if not boxes:
        return []
    tol = 0.5 * statistics.median(b.h for b in boxes)
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        best, best_d = None, None
        for line in lines[-8:]:
            if any(_collide(box, o) for o in line):
                continue
            # level with its neighbour on either side (a wrapped label's first line may sit
            # higher than the figures of its row)
            left = [o for o in line if o.x1 <= box.x1]
            right = [o for o in line if o.x1 > box.x1]
            near = [
                *([max(left, key=lambda o: o.x1)] if left else []),
                *([min(right, key=lambda o: o.x0)] if right else []),
            ]
            d = min(abs(o.cy - box.cy) for o in near)
            if d <= tol and (best_d is None or d < best_d):
                best, best_d = line, d
        if best is None:
            lines.append([box])
        else:
            best.append(box)
    lines.sort(key=lambda line: statistics.median(b.cy for b in line))
    # a line begun twice (its right end first, a little higher) is put back together
    i = 0
    while i + 1 < len(lines):
        a, b = lines[i], lines[i + 1]
        level = abs(statistics.median(x.cy for x in a) - statistics.median(x.cy for x in b)) <= tol
        if level and not any(_collide(x, y) for x in a for y in b):
            a.extend(lines.pop(i + 1))
        else:
            i += 1
    for line in lines:
        line.sort(key=lambda b: b.x0)
    return lines


def _collide(a: Box, b: Box) -> bool:
    """Two boxes overlapping in x: one stands above the other, they are not one line."""
    return _overlap(a.x0, a.x1, b.x0, b.x1) > 0.3 * min(a.x1 - a.x0, b.x1 - b.x0)


def _ruled_between(prev: Box, box: Box, rules: Rules | None) -> bool:
    """A vertical rule between two neighbouring boxes (boxes reach a little past their text)."""
    if rules is None:
        return False
    h = min(prev.h, box.h)
    x0 = max(prev.x1 - 0.3 * h, (prev.x0 + prev.x1) / 2)
    x1 = min(box.x0 + 0.3 * h, (box.x0 + box.x1) / 2)
    cy = (max(prev.y0, box.y0) + min(prev.y1, box.y1)) / 2
    return bool(rules.v_cols(x0, x1, cy - 0.25 * h, cy + 0.25 * h))


def _split(line: list[Box], em: float, rules: Rules | None = None) -> list[list[Box]]:
    """A line split into cells at ruled lines and at gaps wider than 1.5 characters (half a
    character between two numbers, which never share a cell)."""
    cells: list[list[Box]] = [[line[0]]]
    for prev, box in itertools.pairwise(line):
        gap = box.x0 - prev.x1
        numbers = _is_number(fix_number(prev.text)) and _is_number(fix_number(box.text))
        if gap > (0.5 if numbers else 1.5) * em or _ruled_between(prev, box, rules):
            cells.append([box])
        else:
            cells[-1].append(box)
    return cells


def _join(texts: list[str]) -> str:
    out = ""
    for text in texts:
        if out and out[-1].isascii() and out[-1].isalnum() and text[0].isascii() and text[0].isalnum():
            out += " "
        out += text
    return out


class _Cell:
    """The boxes of one cell: one part a printed line (more once wrapped lines are joined)."""

    def __init__(self, boxes: list[Box]):
        self.parts = [boxes]

    @property
    def boxes(self) -> list[Box]:
        return [b for part in self.parts for b in part]

    @property
    def text(self) -> str:
        return _join([fix_number(_join([b.text for b in part])) for part in self.parts])

    @property
    def x0(self) -> float:
        return min(b.x0 for b in self.boxes)

    @property
    def x1(self) -> float:
        return max(b.x1 for b in self.boxes)

    @property
    def y0(self) -> float:
        return min(b.y0 for b in self.boxes)

    @property
    def y1(self) -> float:
        return max(b.y1 for b in self.boxes)

    @property
    def h(self) -> float:
        return statistics.median(b.h for b in self.parts[-1])

    def numeric(self) -> bool:
        return _is_number(self.text)


def _enclosed(chain: list[_Cell], rules: Rules, boxes: list[Box]) -> bool:
    """Stacked pieces of text that make one ruled cell: a line above the first and below the
    last with no other text between, a line left and right, and the cell not a page frame."""
    h = min(c.h for c in chain)
    x0 = min(c.x0 for c in chain) + 0.2 * h
    x1 = max(c.x1 for c in chain) - 0.2 * h
    inner0 = max(c.x0 for c in chain) + 0.2 * h
    inner1 = min(c.x1 for c in chain) - 0.2 * h
    if inner1 - inner0 < 0.5 * h:
        return False
    first, last = chain[0], chain[-1]
    above = rules.h_rows(inner0, inner1, 0, first.y0 + 0.3 * h)
    below = rules.h_rows(inner0, inner1, last.y1 - 0.3 * h, rules.h.shape[0])
    if not above or not below:
        return False
    top, bottom = above[-1], below[0]
    mine = {id(b) for c in chain for b in c.boxes}
    for b in boxes:
        reach = _overlap(b.x0, b.x1, x0, x1)  # a neighbour's box may poke in a little
        if id(b) not in mine and reach > min(0.5 * h, 0.3 * (b.x1 - b.x0)) and top < b.cy < bottom:
            return False
    y0, y1 = (first.y0 + first.y1) / 2, (last.y0 + last.y1) / 2
    left = rules.v_cols(0, x0 + 0.1 * h, y0, y1)
    right = rules.v_cols(x1 - 0.1 * h, rules.v.shape[1], y0, y1)
    return bool(left and right) and right[0] - left[-1] < 0.6 * rules.v.shape[1]


def _below(cell: _Cell, rows: list[list[_Cell]], start: int) -> tuple[list[_Cell], _Cell] | None:
    """The nearest piece of text under a cell, in the same column, within a few lines."""
    best = None
    for row in rows[start : start + 6]:
        for other in row:
            if other.y0 <= (cell.y0 + cell.y1) / 2:
                continue
            if _overlap(cell.x0, cell.x1, other.x0, other.x1) < 0.5 * min(
                cell.x1 - cell.x0, other.x1 - other.x0
            ):
                continue
            if best is None or other.y0 < best[1].y0:
                best = (row, other)
    return best


def _join_wrapped(rows: list[list[_Cell]], rules: Rules, boxes: list[Box]) -> None:
    """Text wrapped inside a ruled table cell joined into the cell's first line (the line of
    figures in between, as a cell centred on its row prints them, stays a row of figures)."""
    for i, row in enumerate(rows):
        for cell in list(row):
            if cell not in row or cell.numeric():
                continue
            chain: list[tuple[list[_Cell], _Cell]] = []
            current, at = cell, i + 1
            while True:
                found = _below(current, rows, at)
                if found is None:
                    break
                other = found[1]
                if other.numeric() or other.y0 - current.y1 > 0.8 * current.h:
                    break
                h = min(current.h, other.h)
                x0 = max(current.x0, other.x0) + 0.2 * h
                x1 = min(current.x1, other.x1) - 0.2 * h
                if rules.h_rows(x0, x1, (current.y0 + current.y1) / 2, (other.y0 + other.y1) / 2):
                    break
                chain.append(found)
                current, at = other, rows.index(found[0]) + 1
            if chain and _enclosed([cell, *(c for _, c in chain)], rules, boxes):
                for later, other in chain:
                    cell.parts.extend(other.parts)
                    later.remove(other)


def _table_row(row: list[_Cell], rules: Rules | None) -> bool:
    """A row of a table rather than a line of text: it holds a figure, or ruled lines part
    its cells (text spaced out without lines, such as a letter-spaced heading, is text)."""
    if any(read_value(cell.text) is not None for cell in row):
        return True
    return len(row) > 1 and any(
        _ruled_between(a.parts[0][-1], b.parts[0][0], rules) for a, b in itertools.pairwise(row)
    )


def page_blocks(
    boxes: list[Box], page: int, scale: float, rules: Rules | None = None
) -> list[Paragraph | Grid]:
    """Blocks of one page from its OCR boxes; `scale` turns pixels into page units."""
    if not boxes:
        return []
    ratio = _em_ratio(boxes)

    def bbox(group: list[Box]) -> tuple[float, float, float, float]:
        return (
            round(min(b.x0 for b in group) * scale, 1),
            round(min(b.y0 for b in group) * scale, 1),
            round(max(b.x1 for b in group) * scale, 1),
            round(max(b.y1 for b in group) * scale, 1),
        )

    def confidence(group: list[Box]) -> float:
        return round(min(b.score for b in group), 3)

    rows: list[list[_Cell]] = []
    for line in _lines(boxes):
        if is_page_number(" ".join(b.text for b in line)):
            continue
        em = ratio * statistics.median(b.h for b in line)
        parts = _split(line, em, rules)
        rows.append([_Cell(part) for part in parts])
    if rules is not None:
        _join_wrapped(rows, rules, boxes)

    placed: list[tuple[float, Paragraph | Grid]] = []
    text_lines: list[dict] = []
    for row in rows:
        if not row:
            continue
        line = [b for cell in row for b in cell.parts[0]]
        if not _table_row(row, rules):
            every = [b for cell in row for b in cell.boxes]
            x0, top, x1, bottom = bbox(every)
            text_lines.append(
                {
                    "x0": x0,
                    "x1": x1,
                    "top": top,
                    "bottom": bottom,
                    "text": " ".join(cell.text for cell in row),
                    "score": confidence(every),
                    "at": statistics.median(b.cy for b in line) * scale,
                }
            )
            continue
        cells = tuple(
            GridCell(
                cell.text, Ref(page=page, bbox=bbox(cell.boxes), col=i, confidence=confidence(cell.boxes))
            )
            for i, cell in enumerate(row)
        )
        placed.append((statistics.median(b.cy for b in line) * scale, Grid((cells,), Ref(page=page))))
    text_lines.sort(key=lambda x: x["top"])
    for para in paragraphs(text_lines):
        text = "".join(x["text"] for x in para)
        box = (
            min(x["x0"] for x in para),
            para[0]["top"],
            max(x["x1"] for x in para),
            para[-1]["bottom"],
        )
        ref = Ref(page=page, bbox=box, confidence=min(x["score"] for x in para))
        placed.append((para[0]["at"], Paragraph(text, ref)))
    placed.sort(key=lambda b: b[0])
    return [b for _, b in placed]


__all__ = ["Box", "Rules", "fix_number", "page_blocks", "page_rules"]
