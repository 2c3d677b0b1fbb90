"""The example reports (examples/) against their hand-checked truth files, every cell.

Each report NAME.<ext> in examples/ has NAME.truth.json beside it (the shape of the shared
corpus's truth files; see examples/README.md). Every cell of 表二/表三/表四 is compared both ways
(a truth cell the parser misses, a parsed cell the truth does not hold), and so is every other
key of the truth file. A key this test does not know fails, so a new kind of truth is compared
rather than silently skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import nianbao
from nianbao.check import check
from nianbao.model import Report

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TRUTH = ".truth.json"
TABLES = ("t2", "t3", "t4")
META = ("year", "agency", "template", "published")
PROSE = ("notes", "defects")  # written for people, not compared
ABSENT = object()


def _reports() -> dict[str, list[Path]]:
    """Example report files by name (everything in examples/ but the README and JSON)."""
    out: dict[str, list[Path]] = {}
    for path in sorted(EXAMPLES.iterdir()):
        if path.is_file() and path.name != "README.md" and not path.name.endswith(".json"):
            out.setdefault(path.name.split(".", 1)[0], []).append(path)
    return out


def _cases() -> list:
    reports = _reports()
    truths = {p.name[: -len(TRUTH)]: p for p in sorted(EXAMPLES.glob("*" + TRUTH))}
    cases = [
        pytest.param(doc, truths.get(name), id=doc.name)
        for name, docs in sorted(reports.items())
        for doc in docs
    ]
    cases += [pytest.param(None, t, id=t.name) for name, t in sorted(truths.items()) if name not in reports]
    return cases


def _show(value: Any) -> str:
    return "absent" if value is ABSENT else json.dumps(value, ensure_ascii=False)


def _same(truth: Any, parsed: Any) -> bool:
    """Equal values; null (a blank cell) equals only null, and a number is not a string."""
    if truth is None or parsed is None or truth is ABSENT or parsed is ABSENT:
        return truth is parsed
    if isinstance(truth, bool) or isinstance(parsed, bool):
        return truth is parsed
    if isinstance(truth, int | float) and isinstance(parsed, int | float):
        return abs(truth - parsed) < 1e-6
    return type(truth) is type(parsed) and truth == parsed


def _table_mismatches(tid: str, truth: dict, report: Report) -> list[str]:
    out = []
    parsed = {
        row: {col: c.value for col, c in cols.items()} for row, cols in report.tables.get(tid, {}).items()
    }
    rows = dict.fromkeys([*(r for r in truth if r != "extra"), *parsed])
    for row in rows:
        want, got = truth.get(row, {}), parsed.get(row, {})
        if row in truth and not isinstance(want, dict):
            out.append(f"{tid}.{row}: truth {_show(want)} is not a row of cells")
            continue
        for col in dict.fromkeys([*want, *got]):
            t, p = want.get(col, ABSENT), got.get(col, ABSENT)
            if not _same(t, p):
                out.append(f"{tid}.{row}.{col}: truth {_show(t)}, parsed {_show(p)}")
    want_extra = truth.get("extra", [])
    got_extra = [
        {
            "label": e.label,
            "values": {k: c.value for k, c in e.values.items()},
            **({"group": e.group} if e.group else {}),
        }
        for e in report.extra
        if e.table == tid
    ]
    if want_extra != got_extra:
        out.append(f"{tid}.extra: truth {_show(want_extra)}, parsed {_show(got_extra)}")
    return out


def _mismatches(truth: dict, report: Report) -> list[str]:
    out: list[str] = []
    for tid in TABLES:
        out += _table_mismatches(tid, truth.get(tid) or {}, report)
    for key in META:
        if key in truth and not _same(truth[key], getattr(report, key)):
            out.append(f"{key}: truth {_show(truth[key])}, parsed {_show(getattr(report, key))}")
    if "sections_present" in truth:
        present = [k for k, s in report.sections.items() if s is not None]
        if present != truth["sections_present"]:
            out.append(f"sections_present: truth {_show(truth['sections_present'])}, parsed {_show(present)}")
    if "expect_rules" in truth or "expect_no_errors" in truth:
        findings = check(report)
        found = {f.rule for f in findings}
        errors = sorted({f.rule for f in findings if f.severity == "error"})
        expected = set(truth.get("expect_rules", []))
        if expected - found:
            out.append(f"expect_rules: truth {sorted(expected)}, not reported {sorted(expected - found)}")
        if set(errors) - expected:
            out.append(f"expect_rules: errors outside the truth {sorted(set(errors) - expected)}")
        if truth.get("expect_no_errors") and errors:
            out.append(f"expect_no_errors: truth true, parsed errors {errors}")
    known = {*TABLES, *META, *PROSE, "sections_present", "expect_rules", "expect_no_errors"}
    out += [f"{key}: a truth key this test does not compare" for key in truth if key not in known]
    return out


def test_examples_are_there():
    assert _cases(), f"no example reports or truth files under {EXAMPLES}"


@pytest.mark.parametrize(("doc", "truth_path"), _cases())
def test_example_parses_to_its_truth(doc: Path | None, truth_path: Path | None):
    if doc is None:
        pytest.fail(f"{truth_path}: a truth file without its report", pytrace=False)
    if truth_path is None:
        pytest.fail(f"{doc.name}: an example report without NAME{TRUTH} beside it", pytrace=False)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    wrong = _mismatches(truth, nianbao.parse(str(doc)))
    if wrong:
        pytest.fail(f"{doc.name}: {len(wrong)} mismatches\n" + "\n".join(wrong), pytrace=False)
