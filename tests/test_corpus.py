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
