"""The shared reference corpus (../shared/corpus): parse results against hand-checked truth.

The corpus is not part of the project; these tests skip where it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nianbao

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
TEXT_SUFFIXES = (".txt", ".md")


def _cases(folder: str) -> list[tuple[Path, Path]]:
    if not CORPUS.is_dir():
        return []
    out = []
    for truth in sorted((CORPUS / folder).rglob("*.truth.json")):
        base = truth.name[: -len(".truth.json")]
        for doc in sorted(truth.parent.glob(base + ".*")):
            if doc.suffix in TEXT_SUFFIXES:
                out.append((doc, truth))
    return out


def _truth_cells(truth: dict):
    for table in ("t2", "t3", "t4"):
        for row, cols in (truth.get(table) or {}).items():
            if row == "extra":
                continue
            for col, value in cols.items():
                yield table, row, col, value


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


@needs_corpus
@pytest.mark.parametrize("doc,truth_path", _cases("seeds"), ids=lambda p: getattr(p, "name", str(p)))
def test_seed_parses_exactly_to_truth(doc: Path, truth_path: Path):
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    report = nianbao.parse(str(doc)).to_json()
    wrong = [
        f"{t}.{r}.{c}: got {report[t].get(r, {}).get(c)!r}, want {v!r}"
        for t, r, c, v in _truth_cells(truth)
        if not _same(report[t].get(r, {}).get(c), v)
    ]
    assert wrong == []
    for key in ("year", "template", "agency", "published"):
        assert report[key] == truth[key], key
    present = [k for k, v in report["sections"].items() if v is not None]
    assert present == truth["sections_present"]


@needs_corpus
def test_real_text_documents_reach_99_percent():
    cases = [c for c in _cases("real")]
    assert cases, "no text documents with truth files under real/"
    total = right = 0
    for doc, truth_path in cases:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        report = nianbao.parse(str(doc)).to_json()
        for t, r, c, v in _truth_cells(truth):
            total += 1
            right += _same(report[t].get(r, {}).get(c), v)
        assert report["year"] == truth["year"], doc.name
        assert report["template"] == truth["template"], doc.name
        if not truth.get("partial"):
            assert report["agency"] == truth["agency"], doc.name
    assert right / total >= 0.99, f"{right}/{total}"


@needs_corpus
def test_truncated_excerpt_says_what_is_missing():
    doc = CORPUS / "real" / "excerpts" / "012.txt"
    if not doc.exists():
        pytest.skip("excerpt 012 not in this corpus")
    report = nianbao.parse(str(doc))
    assert "t3.new_received" in report.missing
    assert "t4.review" in report.missing
    assert report.tables["t3"] == {}


def _all_cases() -> list[tuple[Path, Path]]:
    if not CORPUS.is_dir():
        return []
    out = []
    for truth in sorted((CORPUS / "real").glob("*.truth.json")):
        base = truth.name[: -len(".truth.json")]
        docs = [d for d in sorted(truth.parent.glob(base + ".*")) if not d.name.endswith(".json")]
        out += [(d, truth) for d in docs]
    return out


@needs_corpus
@pytest.mark.parametrize("doc,truth_path", _all_cases(), ids=lambda p: getattr(p, "name", str(p)))
def test_real_documents_in_every_format(doc: Path, truth_path: Path):
    """PDF, HTML and text: every truth cell, the metadata, and the rules the truth records."""
    from nianbao.check import check

    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    report = nianbao.parse(str(doc))
    data = report.to_json()
    wrong = [f"{t}.{r}.{c}" for t, r, c, v in _truth_cells(truth) if not _same(data[t].get(r, {}).get(c), v)]
    assert wrong == []
    assert (data["year"], data["template"]) == (truth["year"], truth["template"])
    if not truth.get("partial"):
        assert data["agency"] == truth["agency"]
    findings = check(report)
    found = {f.rule for f in findings}
    errors = {f.rule for f in findings if f.severity == "error"}
    assert set(truth.get("expect_rules", [])) <= found
    assert errors <= set(truth.get("expect_rules", []))


@needs_corpus
def test_hongze_defects_and_the_pair_across_years():
    from nianbao.check import check
    from nianbao.check.runner import check_series, series

    a = nianbao.parse(str(CORPUS / "real" / "hongze-2023.pdf"))
    b = nianbao.parse(str(CORPUS / "real" / "hongze-2024.pdf"))
    t4 = [(f.cells[0], f.expected, f.actual) for f in check(a) if f.rule == "T4-SUM"]
    assert t4 == [("t4.review.total", 11, 0), ("t4.litigation_after_review.total", 5, 0)]
    assert [(p.year, c.year) for p, c in series([b, a])] == [(2023, 2024)]
    # 结转 rolls over (0 → 0) and the text is not copied; 行政许可 grows seventeenfold (550 → 9487)
    pair = [(f.rule, f.severity, f.cells, f.expected, f.actual) for f in check_series([a, b])]
    assert pair == [("Y-JUMP", "info", ["t2.licensing.decisions"], 550, 9487)]
    x_text = [f for f in check(b) if f.rule == "X-TEXT"]
    assert [(f.expected, f.actual) for f in x_text] == [(95, 17)]  # 区政府办 17 件 against 表三 95
