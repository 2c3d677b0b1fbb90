"""Reader for saved web pages and HTML fragments from government CMSs (lxml).

Page chrome (navigation, headers, footers, scripts) is dropped; every block of text becomes a
paragraph and every data table a grid whose cells keep their rowspan and colspan and their
place in the expanded grid. Text split over `<span>`/`<font>` pieces is joined back.
"""

from __future__ import annotations

import re

from ..document import Grid, GridCell, Paragraph, Ref
from .decode import decode_text
from .text import Budget, too_many_tags

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
_CHROME = re.compile(
    r"nav|menu|footer|header|breadcrumb|share|sidebar|copyright|toolbar|banner|crumb|login", re.I
)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "select",
    "button",
    "iframe",
    "svg",
    "template",
)
_INLINE = {
    "span",
    "font",
    "a",
    "b",
    "strong",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "small",
    "big",
    "label",
    "abbr",
    "code",
    "mark",
    "o:p",
    "ins",
    "del",
    "time",
    "publishtime",
    "nobr",
    "wbr",
    "img",
}
_SPACE = re.compile(r"[\s\u00a0\u3000]+")


class HtmlError(Exception):
    """An HTML file that cannot be read (the message is for the user, in Chinese)."""


def decode_html(data: bytes) -> tuple[str | None, str | None]:
    """Text of a page and its encoding: BOM, then the meta charset (GB labels read as GB18030),
    then detection; (None, None) when no encoding fits."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data)
    m = _CHARSET.search(data[:4096])
    if m:
        name = m.group(1).decode("ascii", "ignore").lower()
        name = "gb18030" if name in _GB else name
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _text(el) -> str:
    """An element's text, pieces joined without spaces (CJK split over spans), white space folded."""
    parts = []
    for piece in el.itertext():
        parts.append(piece)
    return _SPACE.sub(" ", "".join(parts)).strip()


def _is_chrome(el) -> bool:
    ident = f"{el.get('id', '')} {el.get('class', '')}"
    return bool(ident.strip()) and bool(_CHROME.search(ident))


def _data_table(table) -> bool:
    """A table of data rather than a layout table that wraps the whole page."""
    return not table.xpath(".//table")


def _grid(table, index: int, budget: Budget) -> Grid:
    """A table as rows of cells, each with its span and its column in the expanded grid."""
    rows = []
    busy: dict[int, int] = {}  # column → the last row a rowspan above covers it to
    for r, tr in enumerate(table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")):
        cells = []
        c = 0
        for td in tr.iterchildren("td", "th"):
            while busy.get(c, -1) >= r:
                c += 1
            rowspan = _int(td.get("rowspan"))
            colspan = _int(td.get("colspan"))
            if rowspan > 1:
                for dc in range(colspan):
                    busy[c + dc] = max(busy.get(c + dc, -1), r + rowspan - 1)
            ref = Ref(line=td.sourceline, table=index, row=r, col=c)
            cells.append(GridCell(_text(td), ref, rowspan, colspan))
            c += colspan
        if cells:
            budget.take(len(cells))
            rows.append(tuple(cells))
    return Grid(tuple(rows), Ref(line=table.sourceline, table=index))


def _int(value: str | None) -> int:
    if value is None:
        return 1
    try:
        return max(1, min(int(str(value).strip()), 100))
    except (TypeError, ValueError):
        return 1


def _walk(el, out: list, tables: list[int], budget: Budget) -> None:
    """Blocks in document order: data tables as grids, text blocks as paragraphs."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "table" and _data_table(el):
        tables[0] += 1
        grid = _grid(el, tables[0], budget)
        if grid.rows:
            out.append(grid)
        return
    text_here = []
    if el.text and el.text.strip():
        text_here.append(el.text)
    for child in el:
        ctag = child.tag if isinstance(child.tag, str) else ""
        inline = ctag.lower() in _INLINE and not child.xpath(".//p|.//div|.//table|.//br|.//li|.//tr")
        if not inline:
            _flush(text_here, el, out, budget)
            if ctag != "br":
                _walk(child, out, tables, budget)
        else:
            text_here.append(_text(child))
        if child.tail and child.tail.strip():
            text_here.append(child.tail)
    _flush(text_here, el, out, budget)


def _flush(pieces: list[str], el, out: list, budget: Budget) -> None:
    text = _SPACE.sub(" ", "".join(pieces)).strip()
    pieces.clear()
    if text:
        budget.take(1)
        out.append(Paragraph(text, Ref(line=el.sourceline)))


def read_html(data: bytes, max_cells: int | None = None) -> tuple[tuple[Paragraph | Grid, ...], str | None]:
    """Blocks of an HTML page and the encoding it was read in. TooManyCells past `max_cells`
    paragraphs and table cells."""
    try:
        import lxml.html
    except ImportError:  # pragma: no cover - a base dependency
        raise HtmlError("读取 HTML 需要 lxml（pip install lxml）") from None
    reason = too_many_tags(data, max_cells)
    if reason:
        raise HtmlError(f"网页{reason}")
    text, encoding = decode_html(data)
    if text is None:
        raise HtmlError("无法识别网页编码")
    text = re.sub(r"^<\?xml[^>]*\?>", "", text.lstrip())
    try:
        root = lxml.html.document_fromstring(text)
    except MemoryError:
        raise HtmlError("网页过大，内存不足，无法解析") from None
    except Exception:
        raise HtmlError("网页无法解析（内容为空或结构损坏）") from None
    for bad in root.xpath("|".join(f"//{t}" for t in _DROP_TAGS)):
        bad.drop_tree()
    for el in root.xpath("//*[@id or @class]"):
        if (
            el.getparent() is not None
            and el.tag not in ("body", "html", "table", "td", "tr")
            and _is_chrome(el)
        ):
            el.drop_tree()
    out: list = []
    title = root.find(".//title")
    if title is not None and _text(title):
        out.append(Paragraph(_text(title), Ref(line=title.sourceline)))
    body = root.find(".//body")
    _walk(body if body is not None else root, out, [0], Budget(max_cells))
    return tuple(out), encoding
