"""Writing reports: every output format parses back to the same Report; generated corpora.

NB_EXAMPLES sets how many random reports each round trip draws (CI uses 200).
"""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ProcessPoolExecutor

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao.check import check
from nianbao.cli import main
from nianbao.generate import DEFECTS, corpus, random_report
from nianbao.model import Report
from nianbao.parse import parse_document
from nianbao.read import read_bytes
from nianbao.render import FORMATS, render

EXAMPLES = int(os.environ.get("NB_EXAMPLES", "40"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
seeds = st.integers(min_value=0, max_value=10**9)
templates = st.sampled_from(["2019", "2021"])
has_cjk_font = shutil.which("fc-list") is not None and os.system("fc-list :lang=zh | grep -q .") == 0


has_cjk_font = (
    has_cjk_font and __import__("importlib.util").util.find_spec("weasyprint") is not None
)  # PDF output: nianbao[pdf]


def figures(report: Report) -> dict:
    tables = {
        t: {r: {c: cell.value for c, cell in cols.items()} for r, cols in rows.items()}
        for t, rows in report.tables.items()
    }
    sections = {
        k: None if s is None else (s.title, " ".join(s.text.split())) for k, s in report.sections.items()
    }
    return {
        "tables": tables,
        "meta": (report.agency, report.year, report.template, report.published),
        "preamble": " ".join((report.preamble or "").split()),
        "sections": sections,
    }


def round_trip(report: Report, fmt: str) -> Report:
    return parse_document(read_bytes(render(report, fmt), f"report.{fmt}"))


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "pdf"])
@SETTINGS
@given(seed=seeds, template=templates)
def test_format_round_trips(fmt, seed, template):
    report = random_report(seed, template)
    assert figures(round_trip(report, fmt)) == figures(report)


def _pdf_case(seed: int) -> tuple[dict, dict]:
    report = random_report(seed, "2019" if seed % 2 else "2021")
    return figures(round_trip(report, "pdf")), figures(report)


@pytest.mark.slow
@pytest.mark.skipif(
    not has_cjk_font, reason="no CJK font installed (Debian: apt-get install fonts-wqy-microhei)"
)
def test_pdf_round_trips():
    """PDF is slow to typeset (about 1.5 s a report): the cases run on every core."""
    cases = range(7_000, 7_000 + EXAMPLES)
    with ProcessPoolExecutor() as pool:
        results = list(pool.map(_pdf_case, cases))
    bad = [seed for seed, (got, want) in zip(cases, results, strict=True) if got != want]
    assert bad == []


@pytest.mark.skipif(
    not has_cjk_font, reason="no CJK font installed (Debian: apt-get install fonts-wqy-microhei)"
)
def test_pdf_embeds_a_cjk_font_and_keeps_text_extractable():
    import io

    import pdfplumber

    data = render(random_report(5, "2021"), "pdf")
    assert data.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        fonts = {c["fontname"] for page in pdf.pages for c in page.chars}
        from pdfminer.pdftypes import resolve1

        font_dicts = [
            resolve1(f)
            for page in pdf.pages
            for f in resolve1(resolve1(page.page_obj.resources)["Font"]).values()
        ]
    assert any("WenQuanYi" in f for f in fonts), fonts
    descendants = [resolve1(d) for f in font_dicts for d in resolve1(f.get("DescendantFonts", []))]
    assert any(
        "FontFile2" in resolve1(d["FontDescriptor"]) for d in descendants
    )  # the font program is inside
    report = parse_document(read_bytes(data, "r.pdf"))
    assert report.agency == random_report(5, "2021").agency


def test_blank_cells_survive_every_text_format():
    report = random_report(11, "2021")
    from nianbao.model import Cell

    report.tables["t3"]["granted"]["business"] = Cell(None, "")
    report.tables["t2"]["penalty"]["decisions"] = Cell(None, "/", placeholder=True)
    for fmt in ("txt", "md", "html", "docx"):
        got = round_trip(report, fmt)
        assert got.value("t3", "granted", "business") is None, fmt
        assert got.value("t2", "penalty", "decisions") is None, fmt
        assert got.value("t3", "granted", "total") == report.value("t3", "granted", "total"), fmt


def test_docx_tables_have_the_official_merges():
    """表三 and 表四 headers merged as the format prints them (compare the blank 2021 template)."""
    import io

    import docx

    doc = docx.Document(io.BytesIO(render(random_report(2, "2021"), "docx")))
    t2, t3, t4 = doc.tables
    spans = lambda table, r: [(tc.grid_span, tc.vMerge) for tc in table._tbl.tr_lst[r].tc_lst]  # noqa: E731
    assert len(t3.rows) == 3 + 25 and len(t3.columns) == 10
    assert spans(t3, 0) == [(3, "restart"), (7, None)]
    assert spans(t3, 1) == [(3, "continue"), (1, "restart"), (5, None), (1, "restart")]
    assert spans(t3, 2) == [
        (3, "continue"),
        (1, "continue"),
        (1, None),
        (1, None),
        (1, None),
        (1, None),
        (1, None),
        (1, "continue"),
    ]
    assert len(t4.rows) == 4 and len(t4.columns) == 15
    assert spans(t4, 0) == [(5, None), (10, None)]
    assert spans(t4, 1)[:5] == [(1, "restart")] * 5 and spans(t4, 1)[5:] == [(5, None), (5, None)]
    assert len(t2.rows) == 4 * 2 + 6


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_command_writes_and_refuses_reports_with_errors(tmp_path, fmt):
    if fmt == "pdf" and not has_cjk_font:
        pytest.skip("no CJK font installed")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(random_report(3, "2021").to_json(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(main, ["render", str(good), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000
    broken = random_report(3, "2021")
    from nianbao.model import Cell

    broken.tables["t3"]["results_total"]["total"] = Cell(0, "0")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken.to_json(), ensure_ascii=False), encoding="utf-8")
    refused = tmp_path / f"refused.{fmt}"
    result = CliRunner().invoke(main, ["render", str(bad), "--format", fmt, "--out", str(refused)])
    assert result.exit_code == 1 and not refused.exists()
    assert "T3-BAL" in result.output and "--force" in result.output
    forced = CliRunner().invoke(main, ["render", str(bad), "--format", fmt, "--out", str(refused), "--force"])
    assert forced.exit_code == 0 and refused.exists()


def test_injected_defects_are_all_found_and_clean_reports_have_no_error():
    found_by_kind: dict[str, int] = {}
    for i, (report, defects) in enumerate(corpus(240, seed=9, defect_rate=0.5)):
        fmt = ("txt", "md", "html")[i % 3]
        findings = check(round_trip(report, fmt))
        rules = {f.rule for f in findings}
        if defects:
            assert defects[0].rule in rules, (defects[0], fmt)
            found_by_kind[defects[0].id] = found_by_kind.get(defects[0].id, 0) + 1
        else:
            assert [f.rule for f in findings if f.severity == "error"] == [], fmt
    assert set(found_by_kind) == set(DEFECTS)  # every kind of defect was drawn and found


def test_generate_command_writes_reports_with_truth(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "6",
            "--out",
            str(tmp_path),
            "--formats",
            "txt,html",
            "--defect-rate",
            "1",
            "--seed",
            "4",
        ],
    )
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files[:4] == ["000000.truth.json", "000000.txt", "000001.html", "000001.truth.json"]
    assert len(files) == 12
    truth = json.loads((tmp_path / "000001.truth.json").read_text(encoding="utf-8"))
    report = parse_document(read_bytes((tmp_path / "000001.html").read_bytes(), "000001.html"))
    assert report.to_json()["t3"] == truth["t3"]
    assert set(truth["expect_rules"]) <= {f.rule for f in check(report)}
    assert truth["injected"][0]["rule"] == truth["expect_rules"][0]
