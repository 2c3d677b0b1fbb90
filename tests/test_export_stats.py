"""Exports (CSV with BOM, XLSX with Chinese headers, JSON Lines, Parquet) and `nianbao stats`
on a small corpus written by hand, every indicator checked against figures worked out here."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.cli import main
from nianbao.export import CELL_LABELS, cell_columns, export
from nianbao.stats import INDICATORS, stats
from nianbao.store import Filters
from nianbao.template import GOV2019, GOV2021
from test_store import db_url, pg_url, report_json, store, write_json

__all__ = ["db_url", "pg_url", "store"]  # fixtures shared with test_store
ROOT = Path(__file__).resolve().parent.parent
SHANGWU, ZHENGFU, BANGONGSHI = "青石市河西区商务局", "青石市河西区人民政府", "烟台市芝罘区人民政府办公室"


def t(total=None, **cols) -> dict:
    return {**cols, "total": total} if total is not None or not cols else dict(cols)


# Five reports. R1 prints 总计 and the applicant columns (counted once); R3 leaves 新收's 总计
# blank (its columns are summed); R5 has no 部分公开 row (left out of that ratio).
HAND = {
    "r1.json": report_json(
        SHANGWU,
        2022,
        t2={"licensing": {"decisions": 100}, "penalty": {"decisions": 50}},
        t3={
            "new_received": t(10, natural_person=8, business=2),
            "carried_over": t(2),
            "granted": t(6),
            "partially_granted": t(2),
            "refused_state_secret": t(1),
            "unable_not_held": t(1),
            "results_total": t(10),
            "carried_forward": t(2),
        },
        t4={
            "review": {"upheld": 1, "corrected": 1, "other": 0, "pending": 1, "total": 3},
            "litigation_direct": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
            "litigation_after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
        },
    ),
    "r2.json": report_json(
        SHANGWU,
        2023,
        t2={"licensing": {"decisions": 200}, "penalty": {"decisions": None}},
        t3={
            "new_received": t(20),
            "carried_over": t(2),
            "granted": t(12),
            "partially_granted": t(3),
            "refused_third_party": t(2),
            "refused_process_info": t(1),
            "unable_needs_creation": t(2),
            "results_total": t(20),
            "carried_forward": t(2),
        },
        t4={
            "review": {"upheld": 2, "corrected": 0, "other": 0, "pending": 0, "total": 2},
            "litigation_direct": {"upheld": 0, "corrected": 1, "other": 0, "pending": 1, "total": 2},
        },
    ),
    "r3.json": report_json(
        ZHENGFU,
        2023,
        t3={
            "new_received": {"natural_person": 5, "business": 3, "total": None},
            "carried_over": t(0),
            "granted": t(4),
            "partially_granted": t(0),
            "refused_state_secret": {"total": None},
            "unable_not_held": t(2),
            "results_total": t(6),
            "carried_forward": t(2),
        },
        t4={"review": {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1}},
    ),
    "r4.json": report_json(
        SHANGWU,
        2025,
        t3={
            "new_received": t(5),
            "carried_over": t(3),
            "granted": t(5),
            "results_total": t(6),
            "carried_forward": t(2),
        },
    ),
    "r5.json": report_json(
        BANGONGSHI,
        2023,
        t3={
            "new_received": t(4),
            "carried_over": t(0),
            "granted": t(4),
            "results_total": t(4),
            "carried_forward": t(0),
        },
    ),
}

# Worked out by hand from HAND (docs/indicators.md gives the definitions).
EXPECTED_2023 = {
    "received": 32,  # 20 + (5 + 3) + 4
    "carried_over": 2,
    "closed": 30,
    "granted_share_closed": 20 / 30,  # (12 + 4 + 4) / (20 + 6 + 4)
    "granted_share_caseload": 20 / 34,  # / (22 + 8 + 4)
    "partial_share_closed": 3 / 26,  # R5 has no 部分公开 row
    "partial_share_caseload": 3 / 30,
    "refused": 3,  # R3's only refusal row is blank, R5 has none
    "refused.third_party": 2,
    "refused.process_info": 1,
    "refused.state_secret": None,
    "refused_share_closed": 3 / 20,
    "unable": 4,
    "unable_share_closed": 4 / 26,
    "carried_forward_share": 4 / 34,
    "review": 3,
    "review_correction_rate": 1 / 3,  # (0 + 1) / ((2 − 0) + (1 − 0))
    "litigation": 2,
    "litigation_correction_rate": 1 / 1,  # 1 / (2 − 1)
    "licensing": 200,
    "penalty": None,  # printed blank
}
EXPECTED_2022 = {
    "received": 10,  # 总计 10, not 10 + 8 + 2
    "granted_share_closed": 6 / 10,
    "granted_share_caseload": 6 / 12,
    "partial_share_caseload": 2 / 12,
    "refused": 1,
    "refused_share_closed": 1 / 10,
    "unable_share_closed": 1 / 10,
    "carried_forward_share": 2 / 12,
    "review": 3,
    "review_correction_rate": 1 / 2,  # 1 / (3 − 1)
    "litigation": 1,
    "litigation_correction_rate": 0.0,
    "licensing": 100,
    "penalty": 50,
}


@pytest.fixture
def hand(store, tmp_path):
    for name, data in HAND.items():
        write_json(tmp_path / "hand", name, data)
    summary = store.ingest([str(tmp_path / "hand")], jobs=1)
    assert summary.ok == len(HAND)
    return store


def indicators(result, **group) -> dict:
    (g,) = [g for g in result.groups if g["group"] == group]
    return {k: v["value"] for k, v in g["indicators"].items()}


# ── stats ───────────────────────────────────────────────────────────────────────
def test_indicators_by_year_match_the_hand_computed_values(hand):
    result = stats(hand, by=("year",))
    assert [g["group"]["year"] for g in result.groups] == [2022, 2023, 2025]
    got = indicators(result, year=2023)
    assert {k: got[k] for k in EXPECTED_2023} == EXPECTED_2023
    got = indicators(result, year=2022)
    assert {k: got[k] for k in EXPECTED_2022} == EXPECTED_2022


def test_indicators_by_kind_and_over_everything(hand):
    by_kind = stats(hand, by=("kind",))
    assert {g["group"]["kind"]: g["reports"] for g in by_kind.groups} == {
        "department": 3,
        "government": 1,
        "government_office": 1,
    }
    assert indicators(by_kind, kind="department")["received"] == 35  # 10 + 20 + 5
    assert indicators(by_kind, kind="government")["received"] == 8
    everything = stats(hand, by=())
    assert indicators(everything)["received"] == 47
    assert indicators(everything)["closed"] == 46


def test_filters_narrow_the_reports(hand):
    def received(**kw):
        return indicators(stats(hand, Filters(**kw), by=()))["received"]

    assert received(region="山东省") == 4
    assert received(region="370602") == 4
    assert received(region="青石市") == 43
    assert received(kinds=("government",)) == 8
    assert received(years=(2022, 2025)) == 15


def test_coverage_names_the_missing_year(hand):
    cov = stats(hand).coverage
    assert (cov["reports"], cov["agencies"]) == (5, 3)
    assert cov["years"] == {"2022": 1, "2023": 3, "2025": 1}
    assert cov["missing"] == [{"agency": SHANGWU, "year": 2024}]


def test_findings_are_counted_by_rule_and_severity(hand):
    counts = stats(hand).findings
    assert counts and all(c["total"] == sum(v for k, v in c.items() if k != "total") for c in counts.values())


def test_every_indicator_is_documented():
    doc = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    for ind in INDICATORS:
        assert f"`{ind.key}`" in doc, ind.key


def test_stats_command_formats(hand):
    db = hand.db
    text = CliRunner().invoke(main, ["stats", "--db", db])
    assert text.exit_code == 0, text.output
    assert "缺少的年度报告" in text.output and "2024" in text.output
    assert "予以公开率（办结口径）" in text.output and "66.7%" in text.output
    data = json.loads(
        CliRunner().invoke(main, ["stats", "--db", db, "--format", "json", "--by", "kind"]).output
    )
    assert data["coverage"]["missing"] == [{"agency": SHANGWU, "year": 2024}]
    result = CliRunner().invoke(main, ["stats", "--db", db, "--format", "csv", "--by", "year,kind"])
    rows = list(csv.reader(result.output.lstrip("\ufeff").splitlines()))
    assert rows[0][:3] == ["year", "kind", "reports"]
    bad = CliRunner().invoke(main, ["stats", "--db", db, "--by", "colour"])
    assert bad.exit_code == 2


# ── exports ─────────────────────────────────────────────────────────────────────────
def test_cell_columns_come_from_the_templates():
    keys = [c.key for c in cell_columns()]
    expected = {f"{tb.id}.{r}.{c}" for tpl in (GOV2021, GOV2019) for tb in tpl.tables for r, c in tb.cells()}
    assert len(keys) == len(set(keys)) and set(keys) == expected
    labels = list(CELL_LABELS.values())
    assert len(labels) == len(set(labels)), "two cells share a header"
    assert CELL_LABELS["t3.new_received.total"] == "表三·一、本年新收政府信息公开申请数量·总计"
    assert (
        CELL_LABELS["t3.refused_state_secret.natural_person"] == "表三·（三）不予公开·1.属于国家秘密·自然人"
    )
    assert CELL_LABELS["t4.litigation_direct.corrected"] == "表四·行政诉讼·未经复议直接起诉·结果纠正"
    assert CELL_LABELS["t2.fees.amount"] == "表二·行政事业性收费·本年收费金额（单位：万元）"


def test_reports_csv_has_a_bom_and_one_column_per_cell(hand, tmp_path):
    out = tmp_path / "r.csv"
    assert export(hand, "reports", "csv", str(out)) == 5
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    r1 = next(r for r in rows if r["year"] == "2022")
    assert r1["t3.new_received.total"] == "10" and r1["t3.new_received.natural_person"] == "8"
    assert r1["t3.new_received.research"] == "" and r1["agency"] == SHANGWU


def test_xlsx_reads_back_with_chinese_headers(hand, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "r.xlsx"
    export(hand, "reports", "xlsx", str(out), Filters(years=(2022,)))
    ws = openpyxl.load_workbook(out, read_only=True).active
    header, *rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert header[:6] == ["报告编号", "版本", "SHA-256", "文件", "格式", "机关"]
    assert "表三·一、本年新收政府信息公开申请数量·总计" in header
    assert len(rows) == 1
    assert rows[0][header.index("表三·一、本年新收政府信息公开申请数量·总计")] == 10
    assert rows[0][header.index("机关")] == SHANGWU


def test_cells_long_form_keeps_provenance(hand, tmp_path):
    out = tmp_path / "c.jsonl"
    export(hand, "cells", "jsonl", str(out), Filters(region="山东省"))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["agency"] for r in rows} == {BANGONGSHI}
    cell = next(r for r in rows if r["cell"] == "t3.new_received.total")
    assert (cell["value"], cell["raw"], cell["label"]) == (4, "4", CELL_LABELS["t3.new_received.total"])
    assert "provenance" in cell


def test_findings_export_filtered_by_rule(hand, tmp_path):
    out = tmp_path / "f.csv"
    n = export(hand, "findings", "csv", str(out), Filters(rules=("F-SECTIONS",)))
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert n == len(rows) > 0 and {r["rule"] for r in rows} == {"F-SECTIONS"}


def test_parquet_export(hand, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the optional extra nianbao[parquet]")
    out = tmp_path / "r.parquet"
    export(hand, "reports", "parquet", str(out))
    table = pq.read_table(out)
    assert table.num_rows == 5
    assert sorted(table.column("t3.new_received.total").to_pylist(), key=lambda v: (v is None, v)) == [
        4,
        5,
        10,
        20,
        None,
    ]


def test_export_command(hand, tmp_path):
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(
        main, ["export", "--db", hand.db, "--what", "findings", "--out", str(out), "--kind", "government"]
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and "已导出" in result.output
    bad = CliRunner().invoke(main, ["export", "--db", hand.db, "--out", str(tmp_path / "x.dat")])
    assert bad.exit_code == 2
