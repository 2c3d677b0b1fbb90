"""Reader for PDF files with a text layer (pdfplumber): ruled tables as grids, the rest as lines.

Each table row whose cells are really separate (two or more cells) becomes a grid row with
the page and box of every cell; everything else on the page, including text that a
decorative frame makes look like a one-column table, is read as text lines. The parser
matches rows by label, so a table that runs over a page break, or is printed twice, needs
no stitching here.
"""

from __future__ import annotations

import io
import itertools
import logging
from dataclasses import dataclass

from ..document import Grid, GridCell, Paragraph, Ref
from .bounds import size_text
from .text import is_page_number

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3}
# pdfminer logs what it skips in a damaged file (in English); unconfigured logging would print
# it to stderr. A damaged page is said in Chinese by the reader instead.
for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


class PdfError(Exception):
    """A PDF that cannot be read (the message is for the user, in Chinese)."""


@dataclass
class _Row:
    top: float
    bottom: float
    x0: float
    x1: float
    cells: tuple[GridCell, ...]


def _cell_text(text: str | None) -> str:
    return " ".join(part.strip() for part in (text or "").split("\n") if part.strip())


def _grid_rows(page, number: int) -> list[_Row]:
    """Rows of ruled tables whose cells are really separate."""
    rows: list[_Row] = []
    for t_index, table in enumerate(page.find_tables(TABLE_SETTINGS)):
        texts = table.extract()
        for r_index, (row, row_text) in enumerate(zip(table.rows, texts, strict=False)):
            boxes = row.cells
            present = [i for i, box in enumerate(boxes) if box is not None]
            if len(present) < 2:
                continue
            cells = []
            for i in present:
                span = 1
                while i + span < len(boxes) and boxes[i + span] is None:
                    span += 1
                x0, top, x1, bottom = boxes[i]
                ref = Ref(
                    page=number,
                    bbox=(round(x0, 1), round(top, 1), round(x1, 1), round(bottom, 1)),
                    table=t_index,
                    row=r_index,
                    col=i,
                )
                cells.append(GridCell(_cell_text(row_text[i]), ref, 1, span))
            x0, top, x1, bottom = row.bbox
            rows.append(_Row(top, bottom, x0, x1, tuple(cells)))
    return rows


def _covered(line: dict, rows: list[_Row]) -> bool:
    mid = (line["top"] + line["bottom"]) / 2
    center = (line["x0"] + line["x1"]) / 2
    return any(r.top <= mid <= r.bottom and r.x0 - 2 <= center <= r.x1 + 2 for r in rows)


_END = ("。", "：", ":", "；", "！", "？", "）", ")")


def paragraphs(lines: list[dict]) -> list[list[dict]]:
    """Text lines joined into paragraphs: a line that reaches the right margin continues
    on the next one, unless the next is indented (a new paragraph) or far below."""
    if not lines:
        return []
    left = min(x["x0"] for x in lines)
    right = max(x["x1"] for x in lines)
    height = sorted(x["bottom"] - x["top"] for x in lines)[len(lines) // 2]
    paras: list[list[dict]] = [[lines[0]]]
    for prev, line in itertools.pairwise(lines):
        full = prev["x1"] >= right - 2 * height and not prev["text"].rstrip().endswith(_END[:1])
        indented = line["x0"] > left + 1.5 * height
        near = line["top"] - prev["bottom"] < 1.8 * height
        if full and not indented and near:
            paras[-1].append(line)
        else:
            paras.append([line])
    return paras


def _page_blocks(page, number: int) -> list[tuple[float, Paragraph | Grid]]:
    page = page.dedupe_chars()
    rows = _grid_rows(page, number)
    blocks: list[tuple[float, Paragraph | Grid]] = []
    lines = [
        line
        for line in page.extract_text_lines(return_chars=False)
        if line["text"].strip() and not _covered(line, rows) and not is_page_number(line["text"].strip())
    ]
    for para in paragraphs(lines):
        first, last = para[0], para[-1]
        text = "".join(line["text"].strip() for line in para)
        bbox = (
            round(min(x["x0"] for x in para), 1),
            round(first["top"], 1),
            round(max(x["x1"] for x in para), 1),
            round(last["bottom"], 1),
        )
        blocks.append((first["top"], Paragraph(text, Ref(page=number, bbox=bbox))))
    for row in rows:
        blocks.append((row.top, Grid((row.cells,), Ref(page=number))))
    blocks.sort(key=lambda b: b[0])
    return blocks


#: Bytes of drawing instructions (page and form content, decoded) read from a PDF for each of
#: limits.pdf_objects: pdfminer reads some 0.2 MB of them a second, whatever they draw.
CONTENT_BYTES_PER_OBJECT = 16
#: What a path costs beside its points, in characters: pdfminer and pdfplumber take some five
#: times the time and memory for a path as for a character.
PATH_WEIGHT = 4


class _TooManyObjects(Exception):
    """The budget of a PDF ran out: `what` says which part (for the message)."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


class _Budget:
    """What is left to lay out of one PDF: objects (characters, path segments, images) and
    bytes of content streams (checked before pdfminer decodes or reads them)."""

    def __init__(self, objects: int):
        self.limit = objects
        self.objects = objects
        self.content = objects * CONTENT_BYTES_PER_OBJECT

    def take(self, n: int) -> None:
        self.objects -= n
        if self.objects < 0:
            raise _TooManyObjects(f"文字和图形超过 {self.limit} 个")

    def take_stream(self, stream) -> None:
        self.content -= _decoded_size(stream, max(self.content, 0))
        if self.content < 0:
            raise _TooManyObjects(f"绘制指令解压后超过 {size_text(self.limit * CONTENT_BYTES_PER_OBJECT)}")


def _decoded_size(obj, cap: int) -> int:
    """The decoded size of a PDF stream, at most cap + 1: a Flate bomb is never inflated whole."""
    import zlib

    from pdfminer import pdftypes

    stream = pdftypes.stream_value(obj)
    if stream.data is not None:
        return len(stream.data)
    data = stream.rawdata or b""
    if stream.decipher and stream.objid is not None and stream.genno is not None:
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    for f, _ in stream.get_filters():
        if len(data) > cap:
            break
        if f in pdftypes.LITERALS_FLATE_DECODE:
            inflater = zlib.decompressobj()
            try:
                data = inflater.decompress(data, cap + 1)
            except zlib.error:
                break  # pdfminer reads what it can of a damaged stream: no more than this
        elif f in pdftypes.LITERALS_LZW_DECODE:
            data = pdftypes.lzwdecode(data)
        elif f in pdftypes.LITERALS_ASCII85_DECODE:
            data = pdftypes.ascii85decode(data)
        elif f in pdftypes.LITERALS_ASCIIHEX_DECODE:
            data = pdftypes.asciihexdecode(data)
        elif f in pdftypes.LITERALS_RUNLENGTH_DECODE:
            data = pdftypes.rldecode(data)
        else:
            break  # image filters: not content
    return len(data)


def _lay_out(page, budget: _Budget) -> None:
    """Lay the page out (what pdfplumber would do on first use), counting characters, path
    segments, images and content bytes against `budget` (shared by the pages of a document):
    _TooManyObjects as soon as it runs out, before pdfminer holds or reads them all."""
    from pdfminer import pdftypes
    from pdfminer.pdfinterp import LITERAL_FORM, PDFPageInterpreter
    from pdfminer.psparser import literal_name

    try:
        from pdfplumber.page import PDFPageAggregatorWithMarkedContent
    except ImportError:  # pragma: no cover - another pdfplumber: it lays the page out itself
        return

    class Counting(PDFPageAggregatorWithMarkedContent):
        def _take(self, n: int) -> None:
            budget.take(n)

        def render_char(self, *args, **kwargs):
            self._take(1)
            return super().render_char(*args, **kwargs)

        def render_image(self, *args, **kwargs):
            self._take(1)
            return super().render_image(*args, **kwargs)

        def paint_path(self, gstate, stroke, fill, evenodd, path):
            self._take(PATH_WEIGHT + len(path))
            return super().paint_path(gstate, stroke, fill, evenodd, path)

    class Interpreter(PDFPageInterpreter):
        def do_Do(self, xobjid_arg):  # one argument: pdfminer counts them
            xobj = self.xobjmap.get(literal_name(xobjid_arg))
            if xobj is not None and pdftypes.stream_value(xobj).get("Subtype") is LITERAL_FORM:
                budget.take_stream(xobj)  # a form is read again each time it is drawn
            return super().do_Do(xobjid_arg)

    for stream in pdftypes.list_value(page.page_obj.contents):
        budget.take_stream(stream)
    device = Counting(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    Interpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()  # pdfplumber's own cache: it lays the page out no more


def _scanned(page) -> bool:
    """A page without a text layer: no characters, or a page-sized image under a few
    (a page number or a stamp printed over a scan)."""
    if not page.chars:
        return True
    if len(page.chars) > 40:
        return False
    area = float(page.width * page.height) or 1.0
    return any(float(im["width"] * im["height"]) > 0.5 * area for im in page.images)


def _count_pages(pdf, data: bytes, max_pages: int) -> None:
    """PdfError when the PDF has more than `max_pages` pages (counted before any is read)."""
    from pdfminer.pdfpage import PDFPage

    from .raster import page_count

    total = page_count(data)  # pdfium: fast, and the whole count for the message
    if total is not None and total > max_pages:
        raise PdfError(f"PDF 页数过多（{total} 页，上限 {max_pages} 页），未读取")
    seen = sum(1 for _ in itertools.islice(PDFPage.create_pages(pdf.doc), max_pages + 1))
    if seen > max_pages:  # pdfminer finds more pages than pdfium (a damaged page tree)
        raise PdfError(f"PDF 页数过多（超过 {max_pages} 页），未读取")


def read_pdf(
    data: bytes, max_pages: int | None = None
) -> tuple[tuple[Paragraph | Grid, ...], tuple[int, ...]]:
    """Blocks of a text-layer PDF and the numbers (from 1) of the pages without text.
    More than `max_pages` pages (default limits.pdf_pages) is refused."""
    from .. import limits

    if max_pages is None:
        max_pages = limits.current().pdf_pages
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError:  # pragma: no cover - a base dependency
        raise PdfError("读取 PDF 需要 pdfplumber（pip install pdfplumber）") from None
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise PdfError("PDF 已加密，无法读取") from None
    except MemoryError:
        raise PdfError("PDF 结构过大，内存不足，无法读取") from None
    except Exception as exc:
        inner = exc.args[0] if exc.args else None
        if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)) or b"/Encrypt" in data[-65536:]:
            raise PdfError("PDF 已加密，无法读取") from None
        raise PdfError("PDF 文件损坏或无法解析（文件结构无效或不完整）") from None
    blocks: list[Paragraph | Grid] = []
    empty: list[int] = []
    with pdf:
        try:
            _count_pages(pdf, data, max_pages)
            pages = pdf.pages
        except PdfError:
            raise
        except MemoryError:
            raise PdfError("PDF 结构过大，内存不足，无法读取") from None
        except Exception:
            raise PdfError("PDF 文件损坏或无法解析（页面目录无效）") from None
        budget = _Budget(limits.current().pdf_objects)
        for number, page in enumerate(pages, start=1):
            try:
                _lay_out(page, budget)
                if _scanned(page):
                    empty.append(number)
                    continue
                blocks.extend(b for _, b in _page_blocks(page, number))
            except _TooManyObjects as exc:
                raise PdfError(f"PDF 内容过多（读到第 {number} 页时{exc.what}），不像年度报告，未读取") from None
            except MemoryError:
                raise PdfError(f"第 {number} 页内容过大，内存不足，无法解析") from None
            except Exception:
                raise PdfError(f"第 {number} 页无法解析（页面内容损坏）") from None
            finally:
                page.close()  # pdfplumber keeps every page's objects until closed
    return tuple(blocks), tuple(empty)
