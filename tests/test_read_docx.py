"""Word documents: .docx read as paragraphs and exact grids (merged cells kept), .doc through
LibreOffice, and every kind of broken or hostile package refused quickly with a reason."""

from __future__ import annotations

import io
import json
import os
import random
import re
import struct
import sys
import time
import zipfile
from pathlib import Path

import docx  # python-docx builds the test documents
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao.document import Grid, GridCell, Paragraph
from nianbao.generate import random_report
from nianbao.model import Report
from nianbao.parse import parse_document
from nianbao.read import ReadError, read_bytes, read_path
from nianbao.read.docx import DocxError, read_docx
from nianbao.read.office import (
    NEED_LIBREOFFICE,
    NEED_WRITER,
    OfficeError,
    check_word,
    convert_docs,
    find_soffice,
    has_writer,
    soffice_command,
)
from nianbao.render.text import Row, t2_rows, t3_rows, t4_rows
from nianbao.template import GOV2019, GOV2021, SECTIONS
from nianbao.template.gov import T3_OTHER_ROW_2019

CORPUS_TEMPLATE = (
    Path(__file__).resolve().parent.parent.parent / "shared/corpus/real/template-2021-blank.docx"
)
CJK = re.compile(r"[\u4e00-\u9fff]")


# -- writing reports as .docx with python-docx ----------------------------------------------

Merge = tuple[int, int, int, int]  # first row, first column, last row, last column


def _runs(paragraph, text: str, rng: random.Random) -> None:
    """Text split over several runs at random places, as Word saves edited text."""
    cuts = (
        sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(0, 3))))
        if len(text) > 1
        else []
    )
    for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True):
        paragraph.add_run(text[a:b])


def add_table(document, rows: list[Row], merges: list[Merge], rng: random.Random):
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    anchors = {(m[0], m[1]) for m in merges}
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    cells = table._cells  # table.cell() walks the whole table on every call
    for r, row in enumerate(rows):
        for c, text in enumerate(row + [""] * (width - len(row))):
            if text and ((r, c) not in covered or (r, c) in anchors):
                _runs(cells[r * width + c].paragraphs[0], text, rng)
    for r0, c0, r1, c1 in merges:  # merge() joins the text of every cell: the others are blank
        cells[r0 * width + c0].merge(cells[r1 * width + c1])
    return table


def t2_merges(rows: list[Row]) -> list[Merge]:
    """表二: the padding after a row's last cell belongs to that cell (captions, one-column blocks)."""
    out = []
    for r, row in enumerate(rows):
        last = max(i for i, c in enumerate(row) if c)
        if last < len(row) - 1:
            out.append((r, last, r, len(row) - 1))
    return out


def label_merges(rows: list[Row], label_cols: int, first: int) -> list[Merge]:
    """Label columns of body rows: an empty cell continues the label on its left in the same
    row when that label is its own, else the label above it."""
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for r in range(first, len(rows)):
        for c in range(label_cols):
            if rows[r][c]:
                owner[(r, c)] = (r, c)
            elif c > 0 and owner.get((r, c - 1), (-1, -1))[0] == r:
                owner[(r, c)] = owner[(r, c - 1)]
            else:
                owner[(r, c)] = owner[(r - 1, c)]
    extent: dict[tuple[int, int], list[int]] = {}
    for (r, c), a in owner.items():
        e = extent.setdefault(a, [r, c])
        e[0], e[1] = max(e[0], r), max(e[1], c)
    return [(a[0], a[1], e[0], e[1]) for a, e in extent.items() if (e[0], e[1]) != a]


def t3_header_merges(n: int) -> list[Merge]:
    return [(0, 0, 2, 2), (0, 3, 0, 2 + n), (1, 3, 2, 3), (1, 4, 1, 1 + n), (1, 2 + n, 2, 2 + n)]


def t4_header_merges(n: int) -> list[Merge]:
    return [
        (0, 0, 0, n - 1),
        (0, n, 0, 3 * n - 1),
        *[(1, c, 2, c) for c in range(n)],
        (1, n, 1, 2 * n - 1),
        (1, 2 * n, 1, 3 * n - 1),
    ]


def report_docx(report: Report, seed: int = 0) -> bytes:
    """A report as Word writes it: title and sections as paragraphs, tables with merged cells."""
    rng = random.Random(seed)
    document = docx.Document()
    t2 = GOV2019.t2 if report.template == "2019" else GOV2021.t2
    t3 = GOV2019.t3 if T3_OTHER_ROW_2019 in report.tables.get("t3", {}) else GOV2021.t3

    def para(text: str) -> None:
        _runs(document.add_paragraph(), text, rng)

    year = report.year or ""
    para(f"{report.agency or ''}{year}年政府信息公开工作年度报告")
    para(
        "本报告根据《中华人民共和国政府信息公开条例》编制。"
        f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    )
    for section in SECTIONS:
        sec = report.sections.get(section.key)
        if sec is None:
            continue
        para(sec.title or section.printed)
        if section.key == "proactive":
            rows = t2_rows(report, t2)
            add_table(document, rows, t2_merges(rows), rng)
        elif section.key == "requests":
            rows = t3_rows(report, t3)
            add_table(document, rows, t3_header_merges(len(t3.cols)) + label_merges(rows, 3, 3), rng)
        elif section.key == "appeals":
            rows = t4_rows(report, GOV2021.t4)
            add_table(document, rows, t4_header_merges(len(GOV2021.t4.cols)), rng)
        for text in (sec.text or "").split("\n"):
            if text:
                para(text)
    if report.published:
        y, m, d = report.published.split("-")
        para(report.agency or "")
        para(f"{int(y)}年{int(m)}月{int(d)}日")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def values(report: Report) -> dict:
    return {
        t: {r: {c: cell.value for c, cell in cols.items()} for r, cols in rows.items()}
        for t, rows in report.tables.items()
    }


def grids(blocks) -> list[Grid]:
    return [b for b in blocks if isinstance(b, Grid)]


def tiling(grid: Grid) -> tuple[int, int]:
    """Rows × columns of a grid whose cells cover every place exactly once."""
    seen: dict[tuple[int, int], GridCell] = {}
    for row in grid.rows:
        for cell in row:
            for r in range(cell.ref.row, cell.ref.row + cell.rowspan):
                for c in range(cell.ref.col, cell.ref.col + cell.colspan):
                    assert (r, c) not in seen, f"{cell} overlaps {seen[(r, c)]}"
                    seen[(r, c)] = cell
    n_rows = 1 + max(r for r, _ in seen)
    n_cols = 1 + max(c for _, c in seen)
    assert len(seen) == n_rows * n_cols, "the cells leave holes in the grid"
    return n_rows, n_cols


def shape(row: tuple[GridCell, ...]) -> list[tuple[str, int, int, int, int]]:
    return [(c.text, c.ref.row, c.ref.col, c.rowspan, c.colspan) for c in row]


# -- the exact grid of 表三 -------------------------------------------------------------------


def test_t3_grid_is_read_exactly_with_its_merged_cells():
    report = random_report(3, "2021")
    blocks = read_docx(report_docx(report, 3))
    t2, t3, t4 = grids(blocks)
    assert [g.ref.table for g in (t2, t3, t4)] == [1, 2, 3]
    annotation = GOV2021.t3.annotation
    assert tiling(t3) == (28, 10)
    assert len(t3.rows) == 28
    assert shape(t3.rows[0]) == [(annotation, 0, 0, 3, 3), ("申请人情况", 0, 3, 1, 7)]
    assert shape(t3.rows[1]) == [
        ("自然人", 1, 3, 2, 1),
        ("法人或其他组织", 1, 4, 1, 5),
        ("总计", 1, 9, 2, 1),
    ]
    assert shape(t3.rows[2]) == [
        (name, 2, c, 1, 1)
        for c, name in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"], start=4)
    ]
    data = report.tables["t3"]
    keys = [c.key for c in GOV2021.t3.cols]

    def vals(key: str, r: int) -> list:
        return [(str(data[key][k].value), r, c, 1, 1) for c, k in enumerate(keys, start=3)]

    assert shape(t3.rows[3]) == [("一、本年新收政府信息公开申请数量", 3, 0, 1, 3), *vals("new_received", 3)]
    assert shape(t3.rows[5])[:2] == [("三、本年度办理结果", 5, 0, 22, 1), ("（一）予以公开", 5, 1, 1, 2)]
    assert shape(t3.rows[7])[:2] == [("（三）不予公开", 7, 1, 8, 1), ("1.属于国家秘密", 7, 2, 1, 1)]
    assert shape(t3.rows[8])[0] == ("2.其他法律行政法规禁止公开", 8, 2, 1, 1)
    assert [shape(t3.rows[r])[0][:2] for r in (15, 18, 23)] == [
        ("（四）无法提供", 15),
        ("（五）不予处理", 18),
        ("（六）其他处理", 23),
    ]
    assert [t3.rows[r][0].rowspan for r in (15, 18, 23)] == [3, 5, 3]
    assert shape(t3.rows[26])[0] == ("（七）总计", 26, 1, 1, 2)
    assert shape(t3.rows[27]) == [("四、结转下年度继续办理", 27, 0, 1, 3), *vals("carried_forward", 27)]
    assert [len(row) for row in t3.rows[3:]] == [9 if r in (5, 7, 15, 18, 23) else 8 for r in range(3, 28)]
    assert tiling(t4) == (4, 15)
    assert shape(t4.rows[1])[5:] == [("未经复议直接起诉", 1, 5, 1, 5), ("复议后起诉", 1, 10, 1, 5)]
    assert [c.rowspan for c in t4.rows[1][:5]] == [2] * 5
    assert [c.ref.col for c in t4.rows[2]] == list(range(5, 15))
    parsed = parse_document(read_bytes(report_docx(report, 3), "report.docx"))
    assert values(parsed)["t3"] == values(report)["t3"]
    assert values(parsed) == values(report)


# -- round trip --------------------------------------------------------------------------------


@settings(
    max_examples=int(os.environ.get("NB_DOCX_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(seed=st.integers(0, 10**9), template=st.sampled_from(["2019", "2021"]))
def test_generated_reports_round_trip_through_docx(seed, template):
    report = random_report(seed, template)
    doc = read_bytes(report_docx(report, seed), "report.docx")
    assert doc.source.format == "docx"
    for grid in grids(doc.blocks):
        tiling(grid)
    parsed = parse_document(doc)
    assert values(parsed) == values(report)
    assert (parsed.agency, parsed.year, parsed.template, parsed.published) == (
        report.agency,
        report.year,
        report.template,
        report.published,
    )
    for key, sec in report.sections.items():
        got = parsed.sections.get(key)
        assert got is not None, key
        assert got.title == sec.title
        assert got.text == sec.text


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_nianbao_render_docx_reads_back(seed):
    from nianbao.render import render

    report = random_report(seed)
    parsed = parse_document(read_bytes(render(report, "docx"), "rendered.docx"))
    assert values(parsed) == values(report)
    assert (parsed.agency, parsed.year, parsed.template) == (report.agency, report.year, report.template)


# -- what Word writes that python-docx does not --------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="{target}"/></Relationships>'
)


def raw_docx(body: str, target: str = "word/document.xml", ns: str = _W) -> bytes:
    """A minimal package around a hand-written body."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("_rels/.rels", _RELS.format(target=target))
        zf.writestr(target, xml)
    return out.getvalue()


def p(*runs: str) -> str:
    return "<w:p>" + "".join(f"<w:r><w:t xml:space='preserve'>{r}</w:t></w:r>" for r in runs) + "</w:p>"


def tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{p(text) if text else '<w:p/>'}</w:tc>"


def test_runs_breaks_deletions_fields_and_hidden_text():
    body = (
        p("政府", "信息", "公开")
        + "<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>"
        + "<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>插入</w:t></w:r></w:ins>"
        "<w:r><w:fldChar w:fldCharType='begin'/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>"
        "<w:r><w:fldChar w:fldCharType='separate'/></w:r><w:r><w:t>3</w:t></w:r>"
        "<w:r><w:fldChar w:fldCharType='end'/></w:r>"
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>"
        "<w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink></w:p>"
        + "<w:p><w:r><w:t>\u3000\u3000缩进  文字 </w:t></w:r></w:p><w:p/>"
    )
    blocks = read_docx(raw_docx(body))
    assert [(b.text, b.ref.line) for b in blocks] == [
        ("政府信息公开", 1),
        ("第一行", 2),
        ("第二行", 2),
        ("保留插入3链接", 3),
        ("缩进 文字", 4),
    ]


def test_grid_before_hmerge_and_content_controls():
    span2, span3 = "<w:gridSpan w:val='2'/>", "<w:gridSpan w:val='3'/>"
    restart, cont = "<w:vMerge w:val='restart'/>", "<w:vMerge/>"
    h_restart, h_cont = "<w:hMerge w:val='restart'/>", "<w:hMerge/>"
    body = (
        "<w:tbl><w:tblGrid/>"
        f"<w:tr><w:trPr><w:gridBefore w:val='0'/></w:trPr>{tc('甲', span2)}{tc('乙')}{tc('丙')}</w:tr>"
        f"<w:tr><w:trPr><w:gridBefore w:val='1'/></w:trPr>{tc('丁')}"
        f"<w:sdt><w:sdtContent>{tc('戊', h_restart)}</w:sdtContent></w:sdt>{tc('', h_cont)}</w:tr>"
        f"<w:tr>{tc('己', restart)}{tc('庚', span3)}</w:tr>"
        f"<w:tr>{tc('', cont)}{tc('辛')}{tc('', cont)}{tc('壬')}</w:tr>"
        "</w:tbl>"
    )
    (grid,) = read_docx(raw_docx(body))
    assert [shape(r) for r in grid.rows] == [
        [("甲", 0, 0, 1, 2), ("乙", 0, 2, 1, 1), ("丙", 0, 3, 1, 1)],
        [("丁", 1, 1, 1, 1), ("戊", 1, 2, 1, 2)],
        [("己", 2, 0, 2, 1), ("庚", 2, 1, 2, 3)],
        [("辛", 3, 1, 1, 1), ("壬", 3, 3, 1, 1)],
    ]


def test_layout_table_and_frame_are_unwrapped_text_boxes_read_once():
    inner = f"<w:tbl><w:tr>{tc('行政复议')}{tc('行政诉讼')}</w:tr><w:tr>{tc('1')}{tc('2')}</w:tr></w:tbl>"
    box = (
        "<w:p><w:r><w:t>锚</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing>"
        "<wps:wsp><wps:txbx><w:txbxContent>" + p("框内文字") + "</w:txbxContent></wps:txbx></wps:wsp>"
        "</w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>"
        + p("框内文字")
        + "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    body = (
        f"<w:tbl><w:tr><w:tc>{p('外层说明')}{inner}{p('外层结尾')}</w:tc></w:tr></w:tbl>"
        f"<w:tbl><w:tr><w:tc>{p('框中一段')}{p('框中二段')}</w:tc></w:tr></w:tbl>" + box
    )
    blocks = read_docx(raw_docx(body))
    assert [b.text if isinstance(b, Paragraph) else "grid" for b in blocks] == [
        "外层说明",
        "grid",
        "外层结尾",
        "框中一段",
        "框中二段",
        "锚",
        "框内文字",
    ]
    (grid,) = grids(blocks)
    assert grid.ref.table == 1
    assert [[c.text for c in r] for r in grid.rows] == [["行政复议", "行政诉讼"], ["1", "2"]]


def test_cell_paragraphs_join_without_spaces_between_cjk():
    body = (
        "<w:tbl><w:tr><w:tc>" + p("三、本年度") + p("办理结果") + "</w:tc>"
        "<w:tc>" + p("Item 1") + p("2 more") + "</w:tc></w:tr></w:tbl>"
    )
    (grid,) = read_docx(raw_docx(body))
    assert [c.text for c in grid.rows[0]] == ["三、本年度办理结果", "Item 1 2 more"]


def test_main_part_found_through_relationships_and_strict_namespace():
    blocks = read_docx(raw_docx(p("政府信息公开"), target="word/document2.xml"))
    assert [b.text for b in blocks] == ["政府信息公开"]
    strict = raw_docx(p("严格", "格式"), ns="http://purl.oclc.org/ooxml/wordprocessingml/main")
    assert [b.text for b in read_docx(strict)] == ["严格格式"]


# -- refusals ----------------------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> bytes:
    """A tiny zip whose document.xml inflates to 210 MB (written in chunks)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    chunk = b"<w:p/>" * (1024 * 1024 // 6)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("_rels/.rels", _RELS.format(target="word/document.xml"))
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(210):
                f.write(chunk)
    return path.read_bytes()


def _refused(data: bytes, name: str = "x.docx") -> str:
    start = time.perf_counter()
    with pytest.raises(ReadError) as info:
        read_bytes(data, name)
    assert time.perf_counter() - start < 2.0
    reason = info.value.reason
    assert CJK.search(reason), reason
    return reason


def test_bad_packages_are_refused_with_a_reason(bomb):
    good = raw_docx(p("政府信息公开"))
    assert len(bomb) < 2 * 1024 * 1024
    assert "压缩炸弹" in _refused(bomb)
    ratio_bomb = _zip({"word/document.xml": b"<w:p/>" * 400_000})  # 2.4 MB inflated, ratio > 100
    assert "压缩比" in _refused(ratio_bomb)
    assert "没有 Word 文档正文" in _refused(_zip({"readme.txt": b"hello"}))
    assert "Excel" in _refused(_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"}))
    assert "损坏" in _refused(good[: len(good) // 2])
    assert "损坏" in _refused(_zip({"word/document.xml": b"<w:document><w:body>"}))
    assert "根元素" in _refused(_zip({"word/document.xml": b"<html/>"}))
    # the central directory intact, the deflated document part damaged
    info = zipfile.ZipFile(io.BytesIO(good)).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(good)
    for i in range(start + 5, start + info.compress_size - 5):
        damaged[i] ^= 0x5A
    assert "损坏" in _refused(bytes(damaged))
    empty_zip = _zip({})
    _refused(empty_zip, "empty.docx")  # an empty archive does not start with a local header
    with pytest.raises(DocxError, match="空"):
        read_docx(empty_zip)
    with pytest.raises(ReadError, match="不像"):
        read_bytes(raw_docx(p("会议纪要")), "minutes.docx")


# -- OLE files and .doc ------------------------------------------------------------------------

_END, _FREE = 0xFFFFFFFE, 0xFFFFFFFF


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (v3, 512-byte sectors) with these streams at its root."""
    names = list(streams)
    n_dir = (len(names) + 1 + 3) // 4
    fat = [0xFFFFFFFD] + [i + 2 if i + 1 < n_dir else _END for i in range(n_dir)]
    data_sectors = b""
    starts = []
    for name in names:
        body = streams[name]
        count = (len(body) + 511) // 512
        first = len(fat)
        starts.append(first if count else _END)
        fat += [first + k + 1 for k in range(count - 1)] + ([_END] if count else [])
        data_sectors += body.ljust(count * 512, b"\0")
    fat += [_FREE] * (128 - len(fat))

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", left, right, child)
            + b"\0" * 36
            + struct.pack("<IQ", start, size)
        )

    entries = [entry("Root Entry", 5, _FREE, _FREE, 1 if names else _FREE, _END, 0)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else _FREE
        entries.append(entry(name, 2, _FREE, right, _FREE, starts[i], len(streams[name])))
    directory = b"".join(entries).ljust(n_dir * 512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<109I", 0, *[_FREE] * 108)
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + data_sectors


def word_stream(encrypted: bool = False) -> bytes:
    fib = struct.pack("<HHHHHH", 0xA5EC, 0xC1, 0, 0x0804, 0, 0x0100 if encrypted else 0)
    return fib.ljust(4096, b"\0")


def test_ole_files_are_told_apart_before_libreoffice(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no LibreOffice whatever the machine has
    assert "Excel" in _refused(cfb({"Workbook": b"x" * 100}), "a.doc")
    assert "PowerPoint" in _refused(cfb({"PowerPoint Document": b"x"}), "a.doc")
    assert "加密" in _refused(cfb({"EncryptionInfo": b"x", "EncryptedPackage": b"y" * 600}), "a.docx")
    assert "加密" in _refused(cfb({"WordDocument": word_stream(encrypted=True)}), "a.doc")
    assert "不是 Word" in _refused(cfb({"Contents": b"x"}), "a.doc")
    assert "损坏" in _refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600, "a.doc")
    assert "损坏" in _refused(cfb({"WordDocument": word_stream()})[:520], "a.doc")
    check_word(cfb({"1Table": b"t", "WordDocument": word_stream(), "\x05SummaryInformation": b"s"}))
    assert _refused(cfb({"WordDocument": word_stream()}), "a.doc") == NEED_LIBREOFFICE


FAKE_SOFFICE = """#!{python}
import json, os, subprocess, sys, time
args = sys.argv[1:]
out = args[args.index("--outdir") + 1]
files = args[args.index("--outdir") + 2:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({{"args": args, "home": os.environ["HOME"]}}) + "\\n")
if os.environ.get("FAKE_SLEEP"):
    child = subprocess.Popen(["sleep", "30"])
    open(os.environ["FAKE_SLEEP"], "w").write(str(child.pid))
    time.sleep(30)
for f in files:
    stem = os.path.splitext(os.path.basename(f))[0]
    with open(os.path.join(out, stem + ".docx"), "wb") as dst, open(os.environ["FAKE_DOCX"], "rb") as src:
        dst.write(src.read())
"""


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    """A stand-in `soffice` on PATH that 'converts' every file to one prepared .docx."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "soffice"
    script.write_text(FAKE_SOFFICE.format(python=sys.executable))
    script.chmod(0o755)
    report = random_report(11, "2021")
    (tmp_path / "fake.docx").write_bytes(report_docx(report, 11))
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("FAKE_DOCX", str(tmp_path / "fake.docx"))
    monkeypatch.setenv("FAKE_LOG", str(tmp_path / "log.jsonl"))
    return report, tmp_path / "log.jsonl"


def test_doc_files_are_converted_in_one_batched_call(fake_soffice, tmp_path):
    report, log = fake_soffice
    word = cfb({"WordDocument": word_stream()})
    path = tmp_path / "b.doc"
    path.write_bytes(word)
    results = convert_docs([word, path, cfb({"Workbook": b"x"}), tmp_path / "missing.doc"])
    assert isinstance(results[0], bytes) and results[0] == results[1]
    assert isinstance(results[2], OfficeError) and "Excel" in str(results[2])
    assert isinstance(results[3], OfficeError) and "无法读取" in str(results[3])
    (call,) = [json.loads(line) for line in log.read_text().splitlines()]
    profile = next(a for a in call["args"] if a.startswith("-env:UserInstallation=file://"))
    assert call["home"] != os.path.expanduser("~") and call["home"] in profile.replace("profile", "home")
    assert [Path(a).name for a in call["args"][-2:]] == ["0.doc", "1.doc"]
    doc = read_bytes(word, "report.doc")
    assert doc.source.format == "doc"
    assert values(parse_document(doc)) == values(report)


def test_conversion_time_limit_ends_the_whole_process_group(fake_soffice, tmp_path, monkeypatch):
    pidfile = tmp_path / "child.pid"
    monkeypatch.setenv("FAKE_SLEEP", str(pidfile))
    start = time.perf_counter()
    (result,) = convert_docs([cfb({"WordDocument": word_stream()})], timeout=1.5)
    assert time.perf_counter() - start < 5
    assert isinstance(result, OfficeError) and "超时" in str(result)
    child = int(pidfile.read_text())
    for _ in range(50):
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            break
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the converter's child {child} outlived the time limit")


def test_soffice_command_has_its_own_profile(tmp_path):
    cmd = soffice_command("soffice", tmp_path / "p", tmp_path / "o", [tmp_path / "a.doc"])
    assert "--headless" in cmd and cmd[-1].endswith("a.doc")
    assert f"-env:UserInstallation={(tmp_path / 'p').as_uri()}" in cmd


def test_libreoffice_without_writer_is_named(tmp_path, monkeypatch):
    program = tmp_path / "program"
    program.mkdir()
    for name in ("soffice", "soffice.bin", "libsclo.so"):
        (program / name).write_text("#!/bin/sh\nexit 1\n")
        (program / name).chmod(0o755)
    assert not has_writer(str(program / "soffice"))
    monkeypatch.setenv("PATH", str(program))
    assert _refused(cfb({"WordDocument": word_stream()}), "a.doc") == NEED_WRITER
    (program / "libswlo.so").write_text("")
    assert has_writer(str(program / "soffice"))
    assert has_writer("/nonexistent/soffice")


_SOFFICE = find_soffice()


@pytest.mark.skipif(
    _SOFFICE is None or not has_writer(_SOFFICE),
    reason="LibreOffice Writer (soffice) is not installed: real .doc conversion untested",
)
def test_real_doc_files_through_libreoffice(tmp_path):
    import subprocess

    reports = [random_report(seed, "2021") for seed in (1, 2)]
    for i, report in enumerate(reports):
        (tmp_path / f"r{i}.docx").write_bytes(report_docx(report, i))
    cmd = soffice_command(_SOFFICE, tmp_path / "profile", tmp_path, [])
    cmd[cmd.index("docx:MS Word 2007 XML")] = "doc:MS Word 97"
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(
        [*cmd, *[str(tmp_path / f"r{i}.docx") for i in range(2)]], env=env, timeout=120, check=True
    )
    docs = [tmp_path / f"r{i}.doc" for i in range(2)]
    for doc, report in zip(docs, reports, strict=True):
        parsed = parse_document(read_path(doc))
        assert values(parsed) == values(report)
    converted = convert_docs(docs)
    assert all(isinstance(c, bytes) for c in converted)


# -- the official blank template ------------------------------------------------------------


@pytest.mark.skipif(not CORPUS_TEMPLATE.is_file(), reason=f"{CORPUS_TEMPLATE} not found")
def test_official_blank_template_grids():
    doc = read_path(CORPUS_TEMPLATE)
    t2, t3, t4 = grids(doc.blocks)
    assert (len(t2.rows), tiling(t2)) == (14, (14, 4))
    assert shape(t2.rows[5]) == [("信息内容", 5, 0, 1, 1), ("本年处理决定数量", 5, 1, 1, 3)]
    assert (len(t3.rows), tiling(t3)) == (28, (28, 10))
    assert [(c.ref.col, c.rowspan, c.colspan) for c in t3.rows[0]] == [(0, 3, 3), (3, 1, 7)]
    assert t3.rows[0][0].text.startswith("（本列数据的勾稽关系为")
    assert shape(t3.rows[1]) == [("自然人", 1, 3, 2, 1), ("法人或其他组织", 1, 4, 1, 5), ("总计", 1, 9, 2, 1)]
    assert shape(t3.rows[5])[:2] == [("三、本年度办理结果", 5, 0, 22, 1), ("（一）予以公开", 5, 1, 1, 2)]
    assert shape(t3.rows[7])[:2] == [("（三）不予公开", 7, 1, 8, 1), ("1.属于国家秘密", 7, 2, 1, 1)]
    assert [t3.rows[r][0].rowspan for r in (15, 18, 23)] == [3, 5, 3]
    assert (len(t4.rows), tiling(t4)) == (4, (4, 15))
    assert [(c.text, c.colspan) for c in t4.rows[0]] == [("行政复议", 5), ("行政诉讼", 10)]
    assert [c.text for c in t4.rows[3]] == [""] * 15
    headings = [
        b.text for b in doc.blocks if isinstance(b, Paragraph) and re.match(r"[一二三四五六]、", b.text)
    ]
    assert headings == [s.printed for s in SECTIONS]
