"""The document model every reader produces: paragraphs and cell grids with provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Ref(NamedTuple):
    """Where a piece of text was read: a line, a page position, or a source table cell."""

    line: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    confidence: float | None = None

    def to_json(self) -> dict:
        out: dict[str, object] = {}
        for name, value in zip(self._fields, self, strict=True):
            if value is not None:
                out[name] = list(value) if isinstance(value, tuple) else value  # the bbox
        return out


class Paragraph(NamedTuple):
    """A line or paragraph of running text."""

    text: str
    ref: Ref


class GridCell(NamedTuple):
    """One cell of a source table; merged cells keep their span."""

    text: str
    ref: Ref
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Grid:
    """A table as rows of cells, in reading order."""

    rows: tuple[tuple[GridCell, ...], ...]
    ref: Ref = field(default_factory=Ref)


Block = Paragraph | Grid


@dataclass(frozen=True)
class Source:
    path: str
    sha256: str
    format: str  # txt, md, html, docx, doc, pdf, image
    encoding: str | None = None


@dataclass(frozen=True)
class Document:
    """What a reader hands to the parser."""

    source: Source
    blocks: tuple[Block, ...]
    #: What the reader could not read and the user must know (pages not OCR'd …), in Chinese.
    notes: tuple[str, ...] = ()

    def text(self) -> str:
        """All text, paragraphs and table cells, in reading order."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            else:
                parts.extend("\t".join(c.text for c in row) for row in block.rows)
        return "\n".join(parts)
