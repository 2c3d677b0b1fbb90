"""Reader for Word documents (.docx, Office Open XML): paragraphs and tables in body order.

The package is checked through :mod:`zipfile` before anything is inflated (size, ratio,
encryption), then the main document part is parsed with lxml and walked directly: every
`w:p` becomes a paragraph (its runs joined, so CJK text split over runs reads whole) and
every `w:tbl` a grid with one cell per real cell, its `gridSpan` as colspan and its
`vMerge` continuation cells counted into its rowspan. A layout table that wraps other
tables, or a single-cell frame, is unwrapped and its content read in order. Text boxes are
read after the paragraph that anchors them; headers, footers, deleted text and field codes
are not read.

python-docx is not used for reading: it loads every part of the package and repeats merged
cells once per grid column; the grid walk here needs only the main part.
"""

from __future__ import annotations

import io
import itertools
import posixpath
import re
import zipfile

from ..document import Grid, GridCell, Paragraph, Ref
from .bounds import Refused, read_member
from .text import Budget, too_many_tags

MAX_COLUMNS = 63  # Word's own limit on table columns: larger spans are damage or malice

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_OFFICE_DOCUMENT = "/officeDocument"


def _q(name: str) -> str:
    return f"{{{W}}}{name}"


P, TBL, TR, TC, R, T = (_q(n) for n in ("p", "tbl", "tr", "tc", "r", "t"))
TAB, BR, CR, NB_HYPHEN = (_q(n) for n in ("tab", "br", "cr", "noBreakHyphen"))
SDT, SDT_CONTENT, CUSTOM_XML, TXBX = (_q(n) for n in ("sdt", "sdtContent", "customXml", "txbxContent"))
TC_PR, TR_PR, GRID_SPAN, V_MERGE, H_MERGE, GRID_BEFORE = (
    _q(n) for n in ("tcPr", "trPr", "gridSpan", "vMerge", "hMerge", "gridBefore")
)
RPR, VANISH, VAL = _q("rPr"), _q("vanish"), _q("val")
ALTERNATE, CHOICE = f"{{{_MC}}}AlternateContent", f"{{{_MC}}}Choice"
# Never read: deleted or moved-away text, field codes, properties, ruby guides, notes marks.
_SKIP = {
    _q(n)
    for n in (
        "del",
        "moveFrom",
        "delText",
        "instrText",
        "delInstrText",
        "pPr",
        "rPr",
        "sectPr",
        "rt",
        "footnoteReference",
        "endnoteReference",
        "commentReference",
        "annotationRef",
        "tblPr",
        "tblGrid",
        "trPr",
        "tcPr",
        "tblPrEx",
    )
}
_SPACE = re.compile(r"[\s\u00a0\u3000]+")
_BREAK = "\n"


class DocxError(Exception):
    """A DOCX file that cannot be read (the message is for the user, in Chinese)."""


# -- the package ----------------------------------------------------------------------------


def _other_kind(names: set[str], zf: zipfile.ZipFile) -> str:
    """What a zip without a Word main part is, for the message."""
    lower = {n.lower() for n in names}
    if "xl/workbook.xml" in lower:
        return "这是 Excel 工作簿（.xlsx），不是 Word 文档"
    if "ppt/presentation.xml" in lower:
        return "这是 PowerPoint 演示文稿（.pptx），不是 Word 文档"
    if "mimetype" in names:
        try:
            with zf.open("mimetype") as member:  # read no more than a line of it
                mime = member.read(100).decode("ascii", "replace")
        except Exception:
            mime = ""
        if "opendocument.text" in mime:
            return "这是 OpenDocument 文本（.odt），请用 Word 或 WPS 另存为 .docx"
        if "epub" in mime:
            return "这是 EPUB 电子书，不是 Word 文档"
    if "content.xml" in lower:
        return "这是 OpenDocument 文件，不是 Word 文档"
    if not names:
        return "ZIP 压缩包是空的，不是 DOCX 文件"
    return "ZIP 压缩包中没有 Word 文档正文（word/document.xml），不是 DOCX 文件"


def _main_part(zf: zipfile.ZipFile, by_lower: dict[str, str]) -> str | None:
    """The main document part named in the package relationships, or word/document.xml."""
    rels = by_lower.get("_rels/.rels")
    if rels is not None and zf.getinfo(rels).file_size < 1024 * 1024:
        try:
            text = zf.read(rels).decode("utf-8", "replace")
        except Exception:
            text = ""
        for m in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", text):
            tag = m.group(0)
            kind = re.search(r"""\bType\s*=\s*["']([^"']*)""", tag)
            target = re.search(r"""\bTarget\s*=\s*["']([^"']*)""", tag)
            if kind and target and kind.group(1).endswith(_OFFICE_DOCUMENT):
                name = posixpath.normpath(target.group(1).lstrip("/")).lower()
                if name in by_lower:
                    return by_lower[name]
    return by_lower.get("word/document.xml")


def main_part(data: bytes) -> bytes:
    """The XML of the main document part, after the package has been checked."""
    from .. import limits

    lim = limits.current()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except MemoryError:
        raise DocxError("DOCX 压缩包目录过大，内存不足，无法读取") from None
    except Exception:
        raise DocxError("DOCX 文件损坏或不完整（无法作为 ZIP 压缩包打开）") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > lim.archive_members:
            raise DocxError(
                f"DOCX 压缩包条目过多（{len(infos)} 个，上限 {lim.archive_members} 个），疑为恶意文件，未读取"
            )
        names = {i.filename for i in infos if not i.is_dir()}
        by_lower = {n.lower().replace("\\", "/"): n for n in names}
        name = _main_part(zf, by_lower)
        if name is None:
            raise DocxError(_other_kind(names, zf))
        if zf.getinfo(name).compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise DocxError("DOCX 正文的压缩方式不受支持（应为 Deflate）")
        try:
            return read_member(zf, zf.getinfo(name), lim)
        except Refused as exc:
            bomb = "，疑为压缩炸弹" if exc.bomb and "炸弹" not in exc.reason else ""
            raise DocxError(f"DOCX 正文{exc.reason}{bomb}，未读取") from None


def _where(exc) -> str:
    """Where an XML syntax error is, without libxml2's English message."""
    line, col = getattr(exc, "position", (None, None)) or (None, None)
    return f"第 {line} 行第 {col} 列有语法错误" if line else "XML 语法错误"


def _parse_xml(xml: bytes):
    from lxml import etree

    if _STRICT_W in xml[:4096]:  # ISO 29500 Strict: the same elements in another namespace
        xml = xml.replace(_STRICT_W, W.encode())
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise DocxError(f"DOCX 正文（word/document.xml）损坏，无法解析（{_where(exc)}）") from None
    if root.tag != _q("document"):
        raise DocxError("DOCX 正文不是 Word 文档（根元素不是 w:document）")
    body = root.find(_q("body"))
    if body is None:
        raise DocxError("DOCX 正文没有 w:body")
    return body


# -- text -----------------------------------------------------------------------------------


def _first(el, tag: str):
    """The properties element that leads `el` (w:rPr, w:tcPr, w:trPr), or nothing."""
    for child in el[:2]:  # w:tblPrEx may come before w:trPr
        if child.tag == tag:
            return child
    return ()


def _hidden(run) -> bool:
    for prop in _first(run, RPR):
        if prop.tag == VANISH:
            return prop.get(VAL, "true") not in ("0", "false", "off")
    return False


def _inline(el, out: list[str], boxes: list) -> None:
    """Text of a paragraph's content in order; text boxes are collected, not read here."""
    for child in el:
        tag = child.tag
        if tag == T:
            if child.text:
                out.append(child.text)
        elif tag == R:
            if not _hidden(child):
                _inline(child, out, boxes)
        elif tag in _SKIP or not isinstance(tag, str):
            continue
        elif tag == TAB:
            out.append(" ")
        elif tag in (BR, CR):
            out.append(_BREAK)
        elif tag == NB_HYPHEN:
            out.append("-")
        elif tag == TXBX:
            boxes.append(child)
        elif tag == ALTERNATE:
            choice = child.find(CHOICE)  # the fallback repeats the same content (VML)
            if choice is not None:
                _inline(choice, out, boxes)
        else:
            _inline(child, out, boxes)


def _join(pieces: list[str]) -> str:
    """Pieces (paragraphs or lines of one cell) as one text: CJK joined without a space."""
    text = ""
    for piece in pieces:
        piece = _SPACE.sub(" ", piece).strip()
        if not piece:
            continue
        if text and text[-1].isascii() and text[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            text += " "
        text += piece
    return text


# -- the walk -------------------------------------------------------------------------------


class _Cell:
    __slots__ = ("col", "colspan", "line", "row", "rowspan", "text")

    def __init__(self, text: str, line: int, row: int, col: int, colspan: int):
        self.text, self.line, self.row, self.col, self.colspan = text, line, row, col, colspan
        self.rowspan = 1


def _int_val(el, default: int = 1, low: int = 1) -> int:
    try:
        return max(low, min(int(el.get(VAL)), MAX_COLUMNS))
    except (TypeError, ValueError):
        return default


def _children(el, tag: str):
    """Children with this tag, looking through content controls and custom XML wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)
        elif child.tag == CUSTOM_XML:
            yield from _children(child, tag)


class _Walker:
    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.out: list[Paragraph | Grid] = []
        self.line = 0  # paragraphs seen, in document order, cells included
        self.tables = 0

    def blocks(self, container) -> None:
        """Paragraphs and tables of a body, a cell, a content control or a text box."""
        for child in container:
            tag = child.tag
            if tag == P:
                self.paragraph(child)
            elif tag == TBL:
                self.table(child)
            elif tag == SDT:
                content = child.find(SDT_CONTENT)
                if content is not None:
                    self.blocks(content)
            elif tag == CUSTOM_XML:
                self.blocks(child)
            elif tag == ALTERNATE:
                choice = child.find(CHOICE)
                if choice is not None:
                    self.blocks(choice)

    def paragraph(self, p) -> None:
        self.line += 1
        pieces: list[str] = []
        boxes: list = []
        _inline(p, pieces, boxes)
        ref = Ref(line=self.line)
        for part in "".join(pieces).split(_BREAK):
            text = _SPACE.sub(" ", part).strip()
            if text:
                self.budget.take(1)
                self.out.append(Paragraph(text, ref))
        for box in boxes:
            self.blocks(box)

    def cell_text(self, tc) -> tuple[str, int]:
        """A cell's text (its paragraphs joined) and the number of its first paragraph."""
        first = self.line + 1
        parts: list[str] = []
        boxes: list = []
        for p in _children(tc, P):
            self.line += 1
            pieces: list[str] = []
            _inline(p, pieces, boxes)
            parts.extend("".join(pieces).split(_BREAK))
        for box in boxes:
            for p in box.iter(P):
                pieces = []
                _inline(p, pieces, [])
                parts.append("".join(pieces))
        return _join(parts), first

    def table(self, tbl) -> None:
        rows = list(_children(tbl, TR))
        cells = [list(_children(tr, TC)) for tr in rows]
        nested = next(itertools.islice(tbl.iter(TBL), 1, None), None) is not None
        single = len(rows) == 1 and len(cells[0]) == 1
        if nested or single:  # a layout table or a frame: read what it holds
            for row in cells:
                for tc in row:
                    self.blocks(tc)
            return
        self.tables += 1
        grid: list[list[_Cell]] = []
        above: dict[int, _Cell] = {}  # grid column → the cell that covers it in the row above
        for r, (tr, tcs) in enumerate(zip(rows, cells, strict=True)):
            here: dict[int, _Cell] = {}
            line_cells: list[_Cell] = []
            c = 0
            for prop in _first(tr, TR_PR):
                if prop.tag == GRID_BEFORE:
                    c = _int_val(prop, 0, low=0)
            for tc in tcs:
                span, vmerge, hmerge = 1, None, None
                for prop in _first(tc, TC_PR):
                    tag = prop.tag
                    if tag == GRID_SPAN:
                        span = _int_val(prop)
                    elif tag == V_MERGE:
                        vmerge = prop.get(VAL, "continue")
                    elif tag == H_MERGE:
                        hmerge = prop.get(VAL, "continue")
                if vmerge == "continue" and c in above:
                    anchor = above[c]
                    anchor.rowspan += 1
                    self.line += sum(1 for _ in _children(tc, P))
                    for k in range(c, c + span):
                        here[k] = anchor
                    c += span
                    continue
                if hmerge == "continue" and line_cells:  # the legacy horizontal merge
                    left = line_cells[-1]
                    left.colspan += span
                    self.line += sum(1 for _ in _children(tc, P))
                    for k in range(c, c + span):
                        here[k] = left
                    c += span
                    continue
                text, first = self.cell_text(tc)
                cell = _Cell(text, first, r, c, span)
                line_cells.append(cell)
                for k in range(c, c + span):
                    here[k] = cell
                c += span
            above = here
            self.budget.take(len(line_cells))
            grid.append(line_cells)
        index = self.tables
        out_rows = tuple(
            tuple(
                GridCell(
                    x.text,
                    Ref(line=x.line, table=index, row=x.row, col=x.col),
                    x.rowspan,
                    x.colspan,
                )
                for x in line_cells
            )
            for line_cells in grid
            if line_cells
        )
        if out_rows:
            self.out.append(Grid(out_rows, Ref(line=out_rows[0][0].ref.line, table=index)))


def read_docx(data: bytes, max_cells: int | None = None) -> tuple[Paragraph | Grid, ...]:
    """Blocks of a .docx file in body order. TooManyCells past `max_cells` paragraphs and cells."""
    xml = main_part(data)
    reason = too_many_tags(xml, max_cells)
    if reason:
        raise DocxError(f"DOCX 正文{reason}")
    body = _parse_xml(xml)
    del xml
    walker = _Walker(Budget(max_cells))
    walker.blocks(body)
    return tuple(walker.out)
