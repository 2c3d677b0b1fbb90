"""The Excel fill-in form: layout as the official tables print it, formulas, round trips, errors."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao import parse
from nianbao.cli import main
from nianbao.generate import random_report
from nianbao.model import Report
from nianbao.read import ReadError
from nianbao.read.form import read_form
from nianbao.render.form import write_form
from nianbao.template import TEMPLATES
from nianbao.template.form import FORM_VERSION, form_layout

TEMPLATE_IDS = ("2021", "2019")


def merges(ws) -> set[tuple[int, int, int, int]]:
    return {(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges}


def find(ws, text: str) -> tuple[int, int]:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text!r} not in {ws.title}")


def fill(path: Path, report: Report, out: Path | None = None) -> Path:
    """Type a report's figures, dates and texts into the input cells of a blank form."""
    layout = form_layout(report.template)
    wb = openpyxl.load_workbook(path)
    for tid, sheet in layout.tables.items():
        ws = wb[sheet.name]
        for key, slot in sheet.slots.items():
            if not slot.parts:
                ws.cell(slot.row + 1, slot.col + 1).value = report.value(tid, *key)
    info = wb["基本信息"]
    for key, value in (("agency", report.agency), ("year", report.year)):
        r, c = layout.info[key]
        info.cell(r + 1, c + 1).value = value
    r, c = layout.info["published"]
    info.cell(r + 1, c + 1).value = dt.datetime.fromisoformat(report.published)
    text = wb["正文"]
    for key, (r, c) in layout.texts.items():
        text.cell(r + 1, c + 1).value = report.sections[key].text
    out = out or path
    wb.save(out)
    return out


def values(report: Report) -> dict:
    return {
        t: {r: {c: cell.value for c, cell in cols.items()} for r, cols in report.tables[t].items()}
        for t in ("t2", "t3", "t4")
    }


def same_report(got: Report, want: Report) -> None:
    assert values(got) == values(want)
    assert (got.agency, got.year, got.template, got.published) == (
        want.agency,
        want.year,
        want.template,
        want.published,
    )
    assert {k: s.text for k, s in got.sections.items()} == {k: s.text for k, s in want.sections.items()}
    assert [s.title for s in got.sections.values()] == [s.title for s in want.sections.values()]


@pytest.fixture(scope="module")
def blank_forms(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("forms")
    return {
        t: write_form(folder / f"form-{t}.xlsx", 2025 if t == "2021" else 2020, template=t)
        for t in TEMPLATE_IDS
    }


# ── layout ───────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("tid", TEMPLATE_IDS)
def test_t3_merged_header_and_labels_are_the_official_ones(blank_forms, tid):
    table = TEMPLATES[tid].t3
    ws = openpyxl.load_workbook(blank_forms[tid])["表三"]
    top, left = find(ws, table.annotation)
    n = len(table.cols)
    first = top + 3  # three header rows
    want = {
        (top, left, top + 2, left + 2),  # the annotation, 3 rows × 3 columns
        (top, left + 3, top, left + 2 + n),  # 申请人情况 over all 7 columns
        (top + 1, left + 3, top + 2, left + 3),  # 自然人
        (top + 1, left + 4, top + 1, left + 1 + n),  # 法人或其他组织 over 5
        (top + 1, left + 2 + n, top + 2, left + 2 + n),  # 总计
    }
    grouped = [i for i, r in enumerate(table.rows) if r.group]
    want.add((first + grouped[0], left, first + grouped[-1], left))  # 三、本年度办理结果
    for group in (g for g in table.groups if g.parent):
        rows = [i for i, r in enumerate(table.rows) if r.group == group.key]
        if rows:
            want.add((first + rows[0], left + 1, first + rows[-1], left + 1))
    for i, r in enumerate(table.rows):
        if not r.group:
            want.add((first + i, left, first + i, left + 2))
        elif r.group == "results":
            want.add((first + i, left + 1, first + i, left + 2))
    assert merges(ws) == want
    assert len(want) == 16
    results = next(m for m in want if m[1] == m[3] == left and m[2] > m[0])
    assert results[2] - results[0] + 1 == (22 if tid == "2021" else 20)
    assert ws.cell(top, left + 3).value == "申请人情况"
    assert ws.cell(top + 1, left + 4).value == "法人或其他组织"
    assert [ws.cell(top + 2, left + 4 + j).value for j in range(5)] == [c.label for c in table.cols[1:-1]]
    for i, r in enumerate(table.rows):
        col = left if not r.group else left + 1 if r.group == "results" else left + 2
        assert ws.cell(first + i, col).value == r.printed
    for group in table.groups:
        assert any(cell.value == group.printed for row in ws.iter_rows() for cell in row)


@pytest.mark.parametrize("tid", TEMPLATE_IDS)
def test_t4_two_header_levels(blank_forms, tid):
    table = TEMPLATES[tid].t4
    ws = openpyxl.load_workbook(blank_forms[tid])["表四"]
    top, left = find(ws, "行政复议")
    n = len(table.cols)
    want = {(top, left, top, left + n - 1), (top, left + n, top, left + 3 * n - 1)}
    want |= {(top + 1, left + j, top + 2, left + j) for j in range(n)}
    want |= {
        (top + 1, left + n, top + 1, left + 2 * n - 1),
        (top + 1, left + 2 * n, top + 1, left + 3 * n - 1),
    }
    assert merges(ws) == want
    assert len(want) == 9  # as the official table: 2 group headers, 5 rowspan columns, 2 litigation kinds
    assert ws.cell(top, left + n).value == "行政诉讼"
    assert ws.cell(top + 1, left + n).value == "未经复议直接起诉"
    assert ws.cell(top + 1, left + 2 * n).value == "复议后起诉"
    assert [ws.cell(top + 1, left + j).value for j in range(n)] == [c.label for c in table.cols]
    assert [ws.cell(top + 2, left + n + j).value for j in range(2 * n)] == [c.label for c in table.cols] * 2


@pytest.mark.parametrize("tid", TEMPLATE_IDS)
def test_t2_blocks_with_captions_and_header_rows(blank_forms, tid):
    table = TEMPLATES[tid].t2
    ws = openpyxl.load_workbook(blank_forms[tid])["表二"]
    width = max(len(b.cols) for b in table.blocks)
    row, left = find(ws, table.blocks[0].caption)
    want = set()
    for block in table.blocks:
        assert ws.cell(row, left).value == block.caption
        want.add((row, left, row, left + width))
        assert ws.cell(row + 1, left).value == table.corner == "信息内容"
        assert [ws.cell(row + 1, left + 1 + j).value for j in range(len(block.cols))] == [
            c.label for c in block.cols
        ]
        stretched = len(block.cols) < width
        if stretched:
            want.add((row + 1, left + len(block.cols), row + 1, left + width))
        for i, item in enumerate(block.rows):
            assert ws.cell(row + 2 + i, left).value == item.label
            if stretched:
                want.add((row + 2 + i, left + len(block.cols), row + 2 + i, left + width))
        row += 2 + len(block.rows)
    assert merges(ws) == want
    if tid == "2021":
        assert len(want) == 11  # as the official blank template: 4 captions, 3 headers, 4 values


@pytest.mark.parametrize("tid", TEMPLATE_IDS)
def test_totals_are_formulas_and_every_t3_column_has_a_check(blank_forms, tid):
    tpl = TEMPLATES[tid]
    layout = form_layout(tid)
    wb = openpyxl.load_workbook(blank_forms[tid])
    t3, t4 = wb["表三"], wb["表四"]
    for r in tpl.t3.rows:
        _, row, col = layout.address("t3", r.key, "total")
        formula = t3.cell(row + 1, col + 1).value
        assert formula.startswith("=") and "SUM(" in formula
    results = [r for r in tpl.t3.rows if r.group and r.key != "results_total"]
    _, first, _ = layout.address("t3", results[0].key, "natural_person")
    _, last, _ = layout.address("t3", results[-1].key, "natural_person")
    _, row, col = layout.address("t3", "results_total", "natural_person")
    cell = t3.cell(row + 1, col + 1)
    assert cell.value.startswith("=") and f"D{first + 1}:D{last + 1}" in cell.value
    for r in tpl.t4.rows:
        _, row, col = layout.address("t4", r.key, "total")
        upheld = layout.address("t4", r.key, "upheld")
        formula = t4.cell(row + 1, col + 1).value
        assert formula.startswith("=") and "SUM(" in formula
        assert openpyxl.utils.get_column_letter(upheld[2] + 1) in formula
    checks = [c for row in t3.iter_rows() for c in row if isinstance(c.value, str) and "不平衡" in c.value]
    assert len(checks) == len(tpl.t3.cols)
    assert all(c.value.startswith("=IF(") for c in checks)


def test_inputs_unlocked_filled_validated_and_the_rest_locked(blank_forms):
    layout = form_layout("2019")
    wb = openpyxl.load_workbook(blank_forms["2019"])
    for tid, sheet in layout.tables.items():
        ws = wb[sheet.name]
        assert ws.protection.sheet and not ws.protection.password
        for slot in sheet.slots.values():
            cell = ws.cell(slot.row + 1, slot.col + 1)
            if slot.parts:
                assert cell.protection.locked
            else:
                assert not cell.protection.locked, (tid, slot.key)
                assert cell.fill.fgColor.rgb.endswith("FFF2CC")
        for span in sheet.spans:
            assert ws.cell(span.row + 1, span.col + 1).protection.locked
    rules = wb["表二"].data_validations.dataValidation
    kinds = {(dv.type, dv.operator, dv.formula1) for dv in rules}
    assert ("whole", "greaterThanOrEqual", "0") in kinds
    assert ("decimal", "greaterThanOrEqual", "0") in kinds  # 采购总金额
    assert any(
        t == "whole" and op in (None, "between") and f1.startswith("-") for t, op, f1 in kinds
    )  # 本年增/减
    assert sum(len(dv.sqref.ranges) for dv in rules) == sum(1 for s in layout.tables["t2"].slots.values())
    assert wb["_nianbao"].sheet_state == "hidden"
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props == {"nianbao_form": str(FORM_VERSION), "nianbao_template": "2019"}
    assert wb["表三"].cell(*find(wb["表三"], "（一）予以公开")).font.name == "宋体"
    assert [s.title for s in wb.worksheets if s.sheet_state == "visible"] == [
        "基本信息",
        "表二",
        "表三",
        "表四",
        "正文",
    ]


# ── reading ──────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("tid", TEMPLATE_IDS)
def test_a_blank_form_reads_as_blank(blank_forms, tid):
    report = read_form(blank_forms[tid])
    assert report.template == tid and report.year == (2025 if tid == "2021" else 2020)
    assert report.agency is None and report.published is None
    tpl = TEMPLATES[tid]
    for table in tpl.tables:
        assert set(report.tables[table.id]) == {r.key for r in table.all_rows()}
        for row, col in table.cells():
            cell = report.cell(table.id, row, col)
            assert cell.value is None and cell.raw == "" and not cell.placeholder
    assert all(s is None for s in report.sections.values()) and len(report.sections) == 6


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**9), tid=st.sampled_from(TEMPLATE_IDS))
def test_a_filled_form_reads_back_as_the_report(seed, tid):
    want = random_report(seed, tid)
    with tempfile.TemporaryDirectory() as folder:
        path = write_form(Path(folder) / "form.xlsx", want.year, template=tid)
        got = read_form(fill(path, want))
    same_report(got, want)
    assert got.source.format == "xlsx"


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**9), tid=st.sampled_from(TEMPLATE_IDS))
def test_a_prefilled_form_reads_back_as_the_report(seed, tid):
    want = random_report(seed, tid)
    with tempfile.TemporaryDirectory() as folder:
        got = read_form(write_form(Path(folder) / "form.xlsx", want.year, report=want))
    same_report(got, want)


def test_prefill_keeps_totals_that_disagree_placeholders_and_units(tmp_path):
    report = random_report(7, "2021")
    report.tables["t4"]["review"]["total"].value = 999
    report.tables["t3"]["carried_over"]["business"].value = None
    report.tables["t3"]["carried_over"]["business"].raw = "/"
    report.tables["t3"]["carried_over"]["business"].placeholder = True
    report.tables["t2"]["fees"]["amount"].value = 12
    report.tables["t2"]["fees"]["amount"].unit = "元"
    report.tables["t2"]["fees"]["amount"].raw = "12元"
    got = read_form(write_form(tmp_path / "f.xlsx", report.year, report=report))
    assert got.value("t4", "review", "total") == 999
    placeholder = got.cell("t3", "carried_over", "business")
    assert placeholder.value is None and placeholder.placeholder and placeholder.raw == "/"
    fee = got.cell("t2", "fees", "amount")
    assert (fee.value, fee.unit, fee.raw) == (12, "元", "12元")


def test_prefill_from_last_year_leaves_the_date_blank(tmp_path):
    last = random_report(3, "2021", year=2024)
    got = read_form(write_form(tmp_path / "f.xlsx", 2025, report=last))
    assert got.year == 2025 and got.published is None and got.agency == last.agency
    assert values(got) == values(last)


def test_blanks_stay_blank_and_totals_follow_what_is_filled(tmp_path):
    layout = form_layout("2021")
    path = write_form(tmp_path / "f.xlsx", 2025)
    wb = openpyxl.load_workbook(path)
    ws = wb["表三"]
    for col, value in (("natural_person", 4), ("business", 0)):
        _, r, c = layout.address("t3", "new_received", col)
        ws.cell(r + 1, c + 1).value = value
    _, r, c = layout.address("t3", "granted", "research")
    ws.cell(r + 1, c + 1).value = 2
    wb.save(path)
    report = read_form(path)
    assert report.value("t3", "new_received", "total") == 4
    assert report.value("t3", "new_received", "business") == 0
    assert report.value("t3", "new_received", "research") is None
    assert report.value("t3", "carried_over", "total") is None
    assert report.value("t3", "results_total", "research") == 2
    assert report.value("t3", "results_total", "total") == 2
    assert report.value("t3", "results_total", "natural_person") is None
    assert report.cell("t3", "carried_over", "natural_person").raw == ""


def test_a_number_typed_over_a_formula_is_read_as_typed(tmp_path):
    layout = form_layout("2021")
    path = write_form(tmp_path / "f.xlsx", 2025)
    wb = openpyxl.load_workbook(path)
    for tid, row, col, value in (
        ("t3", "new_received", "natural_person", 5),
        ("t3", "new_received", "total", 50),
        ("t4", "review", "upheld", 10),
        ("t4", "review", "corrected", 1),
        ("t4", "review", "total", 0),
    ):
        sheet, r, c = layout.address(tid, row, col)
        wb[sheet].cell(r + 1, c + 1).value = value
    wb.save(path)
    report = read_form(path)
    assert report.value("t3", "new_received", "total") == 50
    assert report.value("t4", "review", "total") == 0
    assert report.value("t4", "litigation_direct", "total") is None


def test_text_in_number_cells_is_read_as_the_parser_reads_it(tmp_path):
    layout = form_layout("2021")
    path = write_form(tmp_path / "f.xlsx", 2025)
    wb = openpyxl.load_workbook(path)
    for row, col, text in (("new_received", "natural_person", "3件"), ("new_received", "business", "/")):
        sheet, r, c = layout.address("t3", row, col)
        wb[sheet].cell(r + 1, c + 1).value = text
    sheet, r, c = layout.address("t3", "new_received", "research")
    wb[sheet].cell(r + 1, c + 1).value = "不详"
    info = wb["基本信息"]
    r, c = layout.info["published"]
    info.cell(r + 1, c + 1).value = "2026年1月20日"
    r, c = layout.info["year"]
    info.cell(r + 1, c + 1).value = "2025年"
    wb.save(path)
    report = read_form(path)
    cell = report.cell("t3", "new_received", "natural_person")
    assert (cell.value, cell.unit, cell.raw) == (3, "件", "3件")
    slash = report.cell("t3", "new_received", "business")
    assert slash.value is None and slash.placeholder
    assert report.cell("t3", "new_received", "research").value is None
    assert report.cell("t3", "new_received", "research").raw == "不详"
    assert report.value("t3", "new_received", "total") == 3
    assert report.published == "2026-01-20" and report.year == 2025


def test_cells_say_where_they_were_read(tmp_path):
    report = read_form(write_form(tmp_path / "f.xlsx", 2025, report=random_report(1, "2021")))
    layout = form_layout("2021")
    sheet, r, c = layout.address("t3", "granted", "business")
    ref = report.cell("t3", "granted", "business").ref
    assert (ref.table, ref.row, ref.col) == (layout.sheet_names.index(sheet), r + 1, c + 1)
    assert report.facts["agency"].ref.table == 0
    assert report.sections["overview"].ref.table == layout.sheet_names.index("正文")


def test_not_our_workbook_is_a_read_error(tmp_path):
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "申请登记表"
    wb.save(other)
    with pytest.raises(ReadError, match="不是 nianbao 生成的填报表"):
        read_form(other)
    with pytest.raises(ReadError, match="不是 nianbao 生成的填报表"):
        parse(str(other))
    broken = tmp_path / "broken.xlsx"
    broken.write_text("政府信息公开", encoding="utf-8")
    with pytest.raises(ReadError, match="无法作为 Excel 工作簿"):
        read_form(broken)
    with pytest.raises(ReadError, match="文件不存在"):
        read_form(tmp_path / "missing.xlsx")


def test_a_moved_row_is_a_read_error_not_shifted_figures(tmp_path):
    path = write_form(tmp_path / "f.xlsx", 2025)
    wb = openpyxl.load_workbook(path)
    wb["表三"].delete_rows(10)
    wb.save(path)
    with pytest.raises(ReadError, match="表格结构被改动"):
        read_form(path)


# ── command line ─────────────────────────────────────────────────────────────────────
def test_cli_template_writes_an_empty_2021_form(tmp_path):
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(main, ["template", "--year", "2025", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = read_form(out)
    assert report.template == "2021" and report.year == 2025
    assert all(c.value is None for t in report.tables.values() for cols in t.values() for c in cols.values())


def test_cli_template_options(tmp_path):
    out = tmp_path / "x.xlsx"
    args = ["template", "--year", "2020", "--out", str(out), "--agency", "云泽市教育局"]
    assert CliRunner().invoke(main, args).exit_code == 0
    report = read_form(out)
    assert (report.template, report.agency, report.region) == ("2019", "云泽市教育局", "云泽市")
    result = CliRunner().invoke(main, ["template", "--year", "2016", "--out", str(out)])
    assert result.exit_code == 2 and "--template" in result.output


def test_cli_template_from_a_report(tmp_path):
    want = random_report(11, "2021")
    source = tmp_path / "r.json"
    source.write_text(json.dumps(want.to_json(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "x.xlsx"
    args = ["template", "--year", str(want.year), "--out", str(out), "--from", str(source)]
    assert CliRunner().invoke(main, args).exit_code == 0
    same_report(read_form(out), want)


def test_cli_parse_and_check_a_filled_form(tmp_path):
    want = random_report(5, "2021")
    path = fill(write_form(tmp_path / "f.xlsx", want.year, template="2021"), want)
    result = CliRunner().invoke(main, ["parse", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["t3"]["new_received"]["total"] == want.value("t3", "new_received", "total")
    assert data["source"]["format"] == "xlsx" and data["agency"] == want.agency
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    assert result.exit_code == 0, result.output
    assert not [f for f in json.loads(result.output) if f["severity"] == "error"]
    # an unbalanced column is found by the checker
    layout = form_layout("2021")
    wb = openpyxl.load_workbook(path)
    sheet, r, c = layout.address("t3", "carried_forward", "natural_person")
    wb[sheet].cell(r + 1, c + 1).value = (want.value("t3", "carried_forward", "natural_person") or 0) + 1
    wb.save(path)
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    assert result.exit_code == 1
    assert "T3-BAL" in {f["rule"] for f in json.loads(result.output)}


def calc_missing(soffice: str | None) -> str | None:
    """Why this machine cannot recalculate a workbook with LibreOffice Calc, or None if it can.

    Debian splits Calc from the LibreOffice core: `soffice` can be on PATH (installed for Writer)
    while every .xlsx "could not be loaded". The Calc library in the program folder tells.
    """
    if soffice is None:
        return "LibreOffice is not installed (Debian: apt-get install libreoffice-calc-nogui)"
    program = Path(os.path.realpath(soffice)).parent
    try:
        names = [p.name for p in program.iterdir()]
    except OSError:
        return None
    if ("soffice.bin" in names or "soffice.exe" in names) and not any(
        n.startswith(("libsclo.", "sclo.")) for n in names
    ):
        return "LibreOffice Calc is not installed (Debian: apt-get install libreoffice-calc-nogui)"
    return None


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def test_a_missing_calc_is_named(tmp_path):
    program = tmp_path / "program"
    program.mkdir()
    for name in ("soffice", "soffice.bin", "libswlo.so"):
        (program / name).write_text("")
    want = "LibreOffice Calc is not installed (Debian: apt-get install libreoffice-calc-nogui)"
    assert calc_missing(str(program / "soffice")) == want
    (program / "libsclo.so").write_text("")
    assert calc_missing(str(program / "soffice")) is None
    assert calc_missing(None) == "LibreOffice is not installed (Debian: apt-get install libreoffice-calc-nogui)"


@pytest.mark.skipif(calc_missing(SOFFICE) is not None, reason=calc_missing(SOFFICE) or "")
@pytest.mark.parametrize("tid", TEMPLATE_IDS)
def test_a_spreadsheet_computes_the_same_totals_and_checks(tmp_path, tid):
    """Recalculated by a real spreadsheet, the form shows the totals and ✓ the reader computes."""
    assert SOFFICE is not None
    want = random_report(21, tid)
    path = fill(write_form(tmp_path / "f.xlsx", want.year, template=tid), want)
    out = tmp_path / "out"
    proc = subprocess.run(
        [SOFFICE, "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert (out / "f.xlsx").is_file(), f"LibreOffice wrote nothing (exit {proc.returncode}): {proc.stderr}"
    recalculated = out / "f.xlsx"
    cached = openpyxl.load_workbook(recalculated, data_only=True)
    sheet = form_layout(tid).tables["t3"]
    shown = [cached["表三"].cell(ch.row + 1, ch.col + 1).value for ch in sheet.checks]
    assert shown == ["✓"] * len(sheet.checks)
    got = read_form(recalculated)
    assert values(got) == values(want)
