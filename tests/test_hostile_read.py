"""Hostile inputs to the readers and the parser: every one bounded in time and memory, and
documents that are not reports refused in every format.

Every input is generated here (hand-written PDF bytes, a PNG whose IDAT is built from one
repeated deflate block, zips written in memory); none is committed. Peak memory is taken in a
child process (its own VmHWM, the interpreter included: ru_maxrss would count the parent's
memory that fork() copied) under an address-space limit, so that a regression fails instead
of eating the machine.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import resource
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from nianbao import limits
from nianbao.document import Paragraph, Ref
from nianbao.generate import random_report
from nianbao.parse import parse_document
from nianbao.parse.meta import is_title_line
from nianbao.parse.tables import fit
from nianbao.read import NOT_A_REPORT, ReadError, read_bytes
from nianbao.read.raster import image_size
from nianbao.read.text import read_text
from nianbao.render import render

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
CJK = re.compile(r"[\u4e00-\u9fff]")


# ── generated inputs (also used by scripts/bounds.py) ───────────────────────────────────
def flate_repeat(unit: bytes, count: int) -> bytes:
    """zlib data of `unit` * `count`, built from one deflate block repeated (full flushes reset
    the window), so a 400 MB stream costs a fraction of a second and no memory."""
    per = max(1, MB // len(unit))
    chunk = unit * per
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(chunk) + raw.flush(zlib.Z_FULL_FLUSH)
    tail = raw.compress(unit * (count % per)) + raw.flush(zlib.Z_FINISH)
    check = 1
    for _ in range(count // per):
        check = zlib.adler32(chunk, check)
    check = zlib.adler32(unit * (count % per), check)
    return b"\x78\xda" + block * (count // per) + tail + check.to_bytes(4, "big")


def make_pdf(pages: list[tuple[float, float, bytes, dict[str, bytes]]], flate: bool = False) -> bytes:
    """A PDF written by hand: pages of (width, height, content stream, {name: XObject})."""
    objs: list[bytes | None] = []

    def add(body: bytes | None) -> int:
        objs.append(body)
        return len(objs)

    catalog, tree = add(None), add(None)
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for w, h, content, xobjects in pages:
        names = b"".join(b"/%s %d 0 R " % (n.encode(), add(x)) for n, x in xobjects.items())
        data = zlib.compress(content) if flate and content else content
        filt = b" /Filter /FlateDecode" if flate and content else b""
        stream = add(b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), filt, data))
        res = b"<< /Font << /F1 %d 0 R >> /XObject << %s>> >>" % (font, names)
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %g %g] /Resources %s /Contents %d 0 R >>"
                        % (tree, w, h, res, stream)))
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objs[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    return bytes(out)


def gray_image(width: int, height: int, level: int = 255) -> bytes:
    data = flate_repeat(bytes([level]) * width, height)
    return (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
            % (width, height, len(data), data))


def image_page(width: float, height: float, image: bytes) -> tuple:
    return (width, height, b"q %g 0 0 %g 0 0 cm /Im1 Do Q" % (width, height), {"Im1": image})


def huge_page_pdf(size: int = 20000) -> bytes:
    """The tester's 390 KB PDF: one page of size×size pt holding a white image of size×size px."""
    return make_pdf([image_page(size, size, gray_image(size, size))])


def blank_pdf(n: int = 500) -> bytes:
    return make_pdf([(595, 842, b"", {}) for _ in range(n)])


def text_page(*lines: str) -> tuple:
    ops = b"".join(b"BT /F1 12 Tf 72 %d Td (%s) Tj ET\n" % (760 - 16 * i, s.encode()) for i, s in enumerate(lines))
    return (595, 842, ops, {})


def page_n_pdf(n: int = 500) -> bytes:
    return make_pdf([text_page(f"Page {i}") for i in range(1, n + 1)])


def scan_page() -> tuple:
    """A page whose only content is a small image with ink on it (what a scanner writes)."""
    return image_page(595, 842, gray_image(60, 80, 40))


def png_bomb(width: int, height: int) -> bytes:
    """A PNG of a few hundred KB that decodes to width×height grey pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = flate_repeat(b"\x00" + b"\x00" * width, height)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_of(body_xml: bytes, **extra: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b'<w:document xmlns:w="%s"><w:body>%s</w:body></w:document>'
                    % (_W.encode(), body_xml))
        for name, data in extra.items():
            zf.writestr(name, data)
    return out.getvalue()


def paras(lines) -> bytes:
    return b"".join(b"<w:p><w:r><w:t>%s</w:t></w:r></w:p>" % s.encode() for s in lines)


# ── helpers ───────────────────────────────────────────────────────────────────────────────
@pytest.fixture
def limited():
    """limited(**fields): those limits in force for the test (the defaults for the rest)."""

    def put(**fields):
        limits.set_current(limits.Limits(**fields))

    yield put
    limits.set_current(None)


_CHILD = """
import json, resource, sys, time
from nianbao.read import ReadError, read_path
from nianbao.parse import parse_document
start = time.perf_counter()
try:
    parse_document(read_path(sys.argv[1]))
    out = {"reason": None}
except ReadError as exc:
    out = {"reason": exc.reason}
out["seconds"] = time.perf_counter() - start
try:  # this program's own peak: ru_maxrss would count the parent's memory copied by fork()
    hwm = next(x for x in open("/proc/self/status") if x.startswith("VmHWM:"))
    out["peak_mb"] = int(hwm.split()[1]) / 1024
except (OSError, StopIteration):
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out, ensure_ascii=False))
"""


def in_child(path: Path, address_space: int = 3 << 30) -> dict:
    """Read and parse `path` in a child process: its ReadError reason (or None), time, peak MB."""

    def bound() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env = {k: v for k, v in env.items() if not k.startswith("NIANBAO_LIMIT_")}
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True,
                          timeout=300, env=env, preexec_fn=bound)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr == ""  # no library warnings on stderr
    return json.loads(proc.stdout)


def reason(data: bytes, name: str, seconds: float = 10.0) -> str:
    start = time.perf_counter()
    with pytest.raises(ReadError) as info:
        read_bytes(data, name)
    assert time.perf_counter() - start < seconds
    assert CJK.search(info.value.reason), info.value.reason
    return info.value.reason


def needs_ocr_modules():
    pytest.importorskip("numpy", reason="the OCR extra (nianbao[ocr]) is not installed")
    pytest.importorskip("rapidocr", reason="the OCR extra (nianbao[ocr]) is not installed")
    pytest.importorskip("cv2", reason="the OCR extra (nianbao[ocr]) is not installed")


@pytest.fixture
def fake_ocr(monkeypatch):
    """OCR replaced by a stand-in: `texts[page]` is what a page reads as; every call is kept."""
    needs_ocr_modules()
    from nianbao.read import ocr

    calls: list[tuple[int, tuple, float]] = []
    texts: dict[int, str] = {}

    def read_page(image, page, scale):
        calls.append((page, image.shape, scale))
        text = texts.get(page, "2023年政府信息公开工作年度报告")
        return [Paragraph(text, Ref(page=page))]

    monkeypatch.setattr(ocr, "_read_page", read_page)
    return calls, texts


# ── PDF pages: pixels, blank pages, OCR page count, page count ──────────────────────────
def test_a_20000_pt_page_holding_a_20000_px_image_is_refused_without_decoding_it(tmp_path):
    pdf = huge_page_pdf(20000)
    assert len(pdf) < 500_000
    path = tmp_path / "huge.pdf"
    path.write_bytes(pdf)
    out = in_child(path)
    assert out["reason"] == ("PDF 没有可读的文字：第 1 页的图像像素过多（最大 20000×20000，上限 60 百万像素），"
                             "未做 OCR")
    assert out["seconds"] < 5 and out["peak_mb"] < 150  # was 8.9 GB


def test_a_huge_page_is_rendered_scaled_down_to_page_pixels(fake_ocr, limited):
    calls, _ = fake_ocr
    limited(page_pixels=1_000_000)
    pdf = make_pdf([image_page(20000, 10000, gray_image(400, 200, 0))])
    doc = read_bytes(pdf, "big.pdf")
    [(page, shape, scale)] = calls
    assert page == 1 and shape[0] * shape[1] <= 1_000_000 and (shape[1], shape[0]) == (1413, 707)
    assert scale == pytest.approx(20000 / 1413, rel=1e-3)  # points a pixel: boxes stay in PDF points
    assert doc.notes == ()


def test_blank_pages_are_never_ocrd(fake_ocr, tmp_path):
    calls, _ = fake_ocr
    assert "500 页均为空白页" in reason(blank_pdf(500), "blank.pdf")
    white = make_pdf([image_page(595, 842, gray_image(600, 800, 255)) for _ in range(3)])
    assert reason(white, "white.pdf") == "PDF 没有文字（3 页均为空白页）"
    assert calls == []
    path = tmp_path / "blank.pdf"
    path.write_bytes(blank_pdf(500))
    out = in_child(path)
    assert out["reason"] == "PDF 没有文字（500 页均为空白页）"
    assert out["seconds"] < 5 and out["peak_mb"] < 150  # was 15 minutes of OCR


def test_pages_past_ocr_pages_are_said_not_lost_silently(fake_ocr, limited):
    calls, _ = fake_ocr
    limited(ocr_pages=2)
    pdf = make_pdf([text_page("2023 annual report"), scan_page(), (595, 842, b"", {}), scan_page(),
                    scan_page(), scan_page()])
    doc = read_bytes(pdf, "scans.pdf")
    assert [c[0] for c in calls] == [2, 4]  # page 3 is blank; 2 of the 4 scanned pages are read
    note = "扫描页 4 页，超过每份文档 OCR 的上限（2 页），第 5–6 页（2 页）未做 OCR，其中的数字未读取"
    assert doc.notes == (note,)
    assert note in parse_document(doc).notes


def test_scanned_pages_without_the_ocr_extra_are_said(monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr", None)
    pdf = make_pdf([text_page("zheng fu"), scan_page()])
    with pytest.raises(ReadError, match="不像"):  # the text page alone is not a report
        read_bytes(pdf, "mixed.pdf")
    pdf = make_pdf([scan_page(), scan_page()])
    assert "2 页为扫描图像" in reason(pdf, "scan.pdf") and "nianbao[ocr]" in reason(pdf, "scan.pdf")


def test_more_pages_than_pdf_pages_are_refused(limited):
    limited(pdf_pages=20)
    assert reason(blank_pdf(21), "long.pdf") == "PDF 页数过多（21 页，上限 20 页），未读取"


def test_pdf_content_that_only_costs_time_is_refused_fast(limited):
    q_bomb = make_pdf([(595, 842, b"q Q\n" * (4 * MB), {})], flate=True)
    assert len(q_bomb) < 100_000
    assert "绘制指令解压后超过 15 MB" in reason(q_bomb, "q.pdf", seconds=3)  # was 430 s for 100 MB
    limited(pdf_objects=20_000)
    lines = make_pdf([(595, 842, b"0 0 m 1 1 l S\n" * 10_000, {})], flate=True)
    assert "文字和图形超过 20000 个" in reason(lines, "lines.pdf", seconds=5)


# ── images ────────────────────────────────────────────────────────────────────────────────
def test_a_pixel_bomb_png_is_refused_from_its_header(tmp_path):
    bomb = png_bomb(20000, 20000)
    assert len(bomb) < 500_000 and image_size(bomb) == (20000, 20000)
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb)
    out = in_child(path)
    assert out["reason"] == "图片像素过多（20000×20000，约 400 百万像素，上限 60 百万像素），疑为解压炸弹，未读取"
    assert out["seconds"] < 3 and out["peak_mb"] < 150


def test_jpeg_size_is_read_from_its_frame_header():
    pil = pytest.importorskip("PIL.Image")
    buf = io.BytesIO()
    pil.new("RGB", (321, 123), "white").save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    assert image_size(bytes(data)) == (321, 123)
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 30000, 30000)  # height, width: a lie of 900 Mpx
    assert reason(bytes(data), "bomb.jpg") == (
        "图片像素过多（30000×30000，约 900 百万像素，上限 60 百万像素），疑为解压炸弹，未读取"
    )


def test_a_large_image_is_scaled_down_to_page_pixels(fake_ocr, limited):
    calls, _ = fake_ocr
    pil = pytest.importorskip("PIL.Image")
    limited(page_pixels=100_000)
    buf = io.BytesIO()
    pil.new("RGB", (2000, 1000), "white").save(buf, "PNG")
    read_bytes(buf.getvalue(), "photo.png")
    [(_, shape, scale)] = calls
    assert shape[:2] == (223, 447) and scale == pytest.approx(2000 / 447)  # boxes in the photo's pixels


# ── not a report, in every format ──────────────────────────────────────────────────────
PAGE_LINES = [f"Page {i}" for i in range(1, 200)]


def test_a_500_page_pdf_of_page_n_lines_is_not_a_report(tmp_path):
    path = tmp_path / "pages.pdf"
    path.write_bytes(page_n_pdf(500))
    out = in_child(path)
    assert out["reason"] == NOT_A_REPORT and out["seconds"] < 10


def test_not_a_report_in_text_html_docx_and_doc(monkeypatch):
    text = "\n".join(PAGE_LINES).encode()
    assert reason(text, "pages.txt") == NOT_A_REPORT
    assert reason(text, "pages.md") == NOT_A_REPORT
    html = b"<html><body>" + b"".join(b"<p>%s</p>" % s.encode() for s in PAGE_LINES) + b"</body></html>"
    assert reason(html, "pages.html") == NOT_A_REPORT
    docx = docx_of(paras(PAGE_LINES))
    assert reason(docx, "pages.docx") == NOT_A_REPORT
    from nianbao.read import office

    monkeypatch.setattr(office, "doc_to_docx", lambda data: docx)
    assert reason(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "pages.doc") == NOT_A_REPORT


def test_not_a_report_in_images_and_partly_scanned_pdfs(fake_ocr):
    _, texts = fake_ocr
    pil = pytest.importorskip("PIL.Image")
    buf = io.BytesIO()
    pil.new("RGB", (200, 100), "white").save(buf, "PNG")
    texts[1] = "Page 1"
    assert reason(buf.getvalue(), "page.png") == NOT_A_REPORT
    texts[2] = "Page 2"
    assert reason(make_pdf([text_page("Page 1"), scan_page()]), "half.pdf") == NOT_A_REPORT
    texts[2] = "2023年政府信息公开工作年度报告"  # the scanned page makes it a report
    doc = read_bytes(make_pdf([text_page("Page 1"), scan_page()]), "half.pdf")
    assert [b.text for b in doc.blocks] == ["Page 1", "2023年政府信息公开工作年度报告"]


# ── text: linear time, bounded memory, bounded size ─────────────────────────────────────
_NARRATIVE = ("本机关认真贯彻落实政府信息公开条例，持续推进政务公开工作，主动公开各类信息。" * 3 + "\n").encode()


def padded_report(size: int) -> bytes:
    """A generated report whose first section is padded with long paragraphs to `size` bytes."""
    base = render(random_report(1, "2021"), "txt")
    head, sep, tail = base.partition("二、".encode())
    return head + _NARRATIVE * (size // len(_NARRATIVE)) + sep + tail


def one_line(size: int) -> bytes:
    return ("政府信息公开工作年度报告" + "字" * (size // 3)).encode()


def repeated_report(size: int) -> bytes:
    base = render(random_report(1, "2021"), "txt")
    return base * (size // len(base))


def seconds(data: bytes, tables: bool = False) -> float:
    """Time to read and parse `data` as a text file (`tables`: it must be read as a report)."""
    start = time.perf_counter()
    report = parse_document(read_bytes(data, "big.txt"))
    assert report.tables["t3"] or not tables  # read as a report, not refused
    return time.perf_counter() - start


@pytest.mark.parametrize("shape", [padded_report, one_line], ids=["padded_report", "one_line"])
def test_reading_and_parsing_time_grows_linearly(shape):
    small = min(seconds(shape(MB), shape is padded_report) for _ in range(2))
    big = seconds(shape(10 * MB), shape is padded_report)
    assert big < 15 * small + 1.0, (small, big)


@pytest.mark.slow
def test_a_table_rich_text_reads_in_linear_time(limited):
    limited(text_cells=10_000_000)
    small = seconds(repeated_report(MB), tables=True)
    big = seconds(repeated_report(10 * MB), tables=True)  # fit() was quadratic here
    assert big < 15 * small + 2.0, (small, big)


def test_ten_megabytes_of_text_stay_within_a_small_multiple_in_memory(tmp_path):
    for name, data in (("padded.txt", padded_report(10 * MB)), ("line.txt", one_line(10 * MB))):
        path = tmp_path / name
        path.write_bytes(data)
        out = in_child(path)
        assert out["peak_mb"] < 100, (name, out)  # ~40 MB of it the interpreter and nianbao


def test_text_past_the_limits_is_refused_with_the_numbers(limited):
    limited(text_chars=10_000)
    assert reason(padded_report(50_000), "long.txt").startswith("文字过多（")
    limited(text_cells=1000)
    many_lines = b"\xe6\x94\xbf\xe5\xba\x9c\xe4\xbf\xa1\xe6\x81\xaf\xe5\x85\xac\xe5\xbc\x80\n" + b"1\n" * 2000
    assert reason(many_lines, "lines.txt") == "行数过多（2002 行，上限 1000 行），不像年度报告，未读取"
    cells = "政府信息公开\n".encode() + b"a\tb\tc\td\n" * 300
    assert reason(cells, "cells.txt") == "段落和表格单元格过多（超过 1000 个，上限 1000 个），不像年度报告，未读取"
    html = b"<html><body><p>\xe6\x94\xbf\xe5\xba\x9c\xe4\xbf\xa1\xe6\x81\xaf\xe5\x85\xac\xe5\xbc\x80</p><table>" + \
        b"<tr><td>1</td><td>2</td></tr>" * 1000 + b"</table></body></html>"
    assert reason(html, "t.html").startswith("网页标签过多（")
    limited(text_cells=1000)
    docx = docx_of(paras(["政府信息公开", *PAGE_LINES * 6]))
    assert reason(docx, "t.docx").startswith("DOCX 正文标签过多（")


def test_the_quadratic_spots_are_linear_now():
    start = time.perf_counter()
    assert not is_title_line("字" * 200_000)  # _TITLE backtracked over a long line
    lines = "\t表\n" + "续行\n" * 200_000  # one cell continued 200,000 times
    [grid] = read_text(lines)
    assert len(grid.rows[0][0].text) == 1 + 2 * 200_000
    rule = "|---" + " " * 200_000 + "x|"
    read_text("| a | b |\n" + rule + "\n")  # the Markdown rule pattern backtracked on spaces
    wrapped = "|\n" + "\n".join(f"|{i}" for i in range(50_000)) + "\n|\n"
    read_text(wrapped)  # a bare-pipe table kept a list entry per character
    from nianbao.document import GridCell

    blank = [GridCell("", Ref()) for _ in range(200_000)]
    cells, note = fit([*blank, GridCell("5", Ref())], 7)  # windows were tried over the whole row
    assert [c.text for c in cells][-1] == "5" and note == ""
    assert time.perf_counter() - start < 5


# ── Word documents: bombs and lying headers ─────────────────────────────────────────────
def test_docx_bombs_are_refused_before_they_inflate(limited):
    limited(file_bytes=2 * MB)
    rng = random.Random(1)
    noisy = paras(["".join(rng.choice("政府信息公开年度报告") for _ in range(40)) for _ in range(20000)])
    assert "正文解压后过大" in reason(docx_of(noisy), "big.docx", seconds=3)
    limited(archive_ratio=50)
    assert "压缩比异常" in reason(docx_of(b"<w:p/>" * 400_000), "ratio.docx", seconds=3)
    limited()
    mimetype_bomb = io.BytesIO()
    with zipfile.ZipFile(mimetype_bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", b"application/vnd.oasis.opendocument.text" + b" " * (64 * MB))
    assert "OpenDocument" in reason(mimetype_bomb.getvalue(), "x.odt", seconds=3)


def test_a_docx_whose_header_lies_about_its_size_is_read_no_further():
    body = paras(["政府信息公开", *PAGE_LINES])
    data = bytearray(docx_of(body))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    central = data.index(b"word/document.xml", data.index(b"PK\x01\x02")) - 46
    struct.pack_into("<I", data, central + 24, 100)  # uncompressed size: 100 bytes
    assert info.file_size > 100
    assert "损坏" in reason(bytes(data), "lying.docx")


def test_a_zip_with_a_negative_directory_offset_gives_a_chinese_reason():
    data = bytearray(docx_of(paras(["政府信息公开"])))
    end = data.rindex(b"PK\x05\x06")
    struct.pack_into("<I", data, end + 12, 10**9)  # central directory size beyond the file
    got = reason(bytes(data), "seek.docx")
    assert got == "DOCX 文件损坏或不完整（无法作为 ZIP 压缩包打开）" and "seek" not in got


# ── corrupt inputs: a Chinese reason, never a traceback or a library's English ─────────
_ALLOWED = {"DOCX", "HTML", "Word", "Unicode", "JPEG", "Deflate", "OpenDocument", "EPUB", "Excel",
            "PowerPoint", "LibreOffice", "body", "document", "nianbao", "install", "pdfplumber"}


def _seeds() -> dict[str, bytes]:
    pil = pytest.importorskip("PIL.Image")
    report = random_report(3, "2021")
    out = {"x.docx": render(report, "docx"), "x.html": render(report, "html"),
           "x.pdf": make_pdf([text_page("Zhengfu xinxi gongkai 2023", "Page 1"), scan_page()], flate=True)}
    for fmt in ("PNG", "JPEG"):
        buf = io.BytesIO()
        pil.new("RGB", (64, 48), "white").save(buf, fmt)
        out["x." + fmt.lower()] = buf.getvalue()
    return out


def test_damaged_files_fail_with_a_chinese_reason_only(capfd, monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # no OCR run: the readers are under test
    rng = random.Random(9)
    seeds = _seeds()
    english = re.compile(r"[A-Za-z]{4,}")
    for n in range(120):
        name, data = rng.choice(sorted(seeds.items()))
        data = bytearray(data)
        at = rng.randrange(len(data))
        kind = n % 4
        if kind == 0:
            data = data[: at or 1]
        elif kind == 1:
            for _ in range(rng.randint(1, 30)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 2:
            data[at : at + 500] = b"\0" * len(data[at : at + 500])
        else:
            data[at:at] = data[rng.randrange(len(data)) :][:3000]
        try:
            parse_document(read_bytes(bytes(data), name))
        except ReadError as exc:
            words = [w for w in english.findall(exc.reason) if w not in _ALLOWED]
            assert CJK.search(exc.reason) and not words, (name, kind, exc.reason)
    out, err = capfd.readouterr()
    assert err == "" and out == ""


def test_a_named_pipe_nobody_writes_to_does_not_hang(tmp_path):
    """open() of a FIFO without a writer would block for ever; it reads as empty instead."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    code = "from nianbao.read import ReadError, read_path\ntry:\n    read_path(%r)\nexcept ReadError as e:\n    print(e.reason)\n"
    out = subprocess.run([sys.executable, "-c", code % str(fifo)], capture_output=True, text=True, timeout=20)
    assert out.stdout == "文件为空\n"
