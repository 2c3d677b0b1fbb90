"""Shared helpers of the rule tests: reports to break on purpose, and runs of one rule.

Reports are generated (`random_report`, all identities hold) and then broken on purpose, or
parsed from small texts. Each test runs one rule (`Settings(select=[ID])`) and compares the
whole finding: rule, severity, report, cells, message, expected and actual.
"""

from __future__ import annotations

from nianbao.check.finding import Finding
from nianbao.check.runner import Settings, check, check_series
from nianbao.document import Source
from nianbao.generate import random_report
from nianbao.model import Cell, Report, SectionText
from nianbao.parse import parse_document
from nianbao.read import read_bytes

DEPARTMENT = "金河市市场监督管理局"
GOVERNMENT = "金河市清溪县人民政府"
T3_COLUMNS = (
    "natural_person",
    "business",
    "research",
    "public_interest",
    "legal_service",
    "other_org",
    "total",
)
RESULT_ROWS_COMMON = (
    "granted",
    "partially_granted",
    "refused_state_secret",
    "refused_other_law",
    "refused_three_safety",
    "refused_third_party",
    "refused_internal_affairs",
    "refused_process_info",
    "refused_enforcement_file",
    "refused_admin_query",
    "unable_not_held",
    "unable_needs_creation",
    "unable_unclear_after_correction",
    "not_processed_complaint",
    "not_processed_repeat",
    "not_processed_publication",
    "not_processed_massive",
    "not_processed_confirm",
)
OTHER_ROWS_2021 = ("other_overdue_correction", "other_overdue_fee", "other_misc")


def cell(value, raw: str | None = None, **kw) -> Cell:
    return Cell(value, ("" if value is None else str(value)) if raw is None else raw, **kw)


def make(
    template: str = "2021", year: int = 2022, agency: str = DEPARTMENT, seed: int = 1, name: str | None = None
) -> Report:
    """A complete, consistent report of the given agency and year."""
    report = random_report(seed, template, year)
    report.agency = agency
    report.source = Source(name or f"{year}.txt", "", "txt")
    report.published = f"{year + 1}-01-20"  # within every deadline
    for order, key in enumerate(report.sections):
        section(report, key).order = order
    return report


def section(report: Report, key: str) -> SectionText:
    """A section the report has (a generated report has all six)."""
    found = report.sections[key]
    assert found is not None, key
    return found


def zeroed(template: str = "2021", year: int = 2022, **kw) -> Report:
    """A report whose 表三 and 表四 hold only zeros (so tests set exactly the figures they need)."""
    report = make(template, year, **kw)
    for table in ("t3", "t4"):
        for cols in report.tables[table].values():
            for col in cols:
                cols[col] = cell(0)
    return report


def set_row(report: Report, table: str, row: str, **values) -> None:
    for col, value in values.items():
        report.tables[table][row][col] = value if isinstance(value, Cell) else cell(value)


def to_hybrid(report: Report) -> Report:
    """The 2021 表二 with a one-row （六）其他处理 (2019 style): a hybrid report."""
    t3 = report.tables["t3"]
    other = {c: cell(sum(t3[r][c].value for r in OTHER_ROWS_2021)) for c in T3_COLUMNS}
    rows = {}
    for key, cols in t3.items():
        if key in OTHER_ROWS_2021:
            continue
        if key == "results_total":
            rows["other_total"] = other
        rows[key] = cols
    report.tables["t3"] = rows
    report.template = "hybrid"
    return report


def run(report: Report, rule_id: str, **options) -> list[Finding]:
    return check(report, Settings(select=[rule_id], options=options))


def run_series(reports: list[Report], rule_id: str, **options) -> list[Finding]:
    return check_series(reports, Settings(select=[rule_id], options=options))


def as_dicts(findings: list[Finding]) -> list[dict]:
    """The contract fields of each finding (line and page left out: generated reports have none)."""
    out = []
    for f in findings:
        d = f.to_json()
        d.pop("line", None)
        d.pop("page", None)
        out.append(d)
    return out


def finding(rule, severity, report, cells, message, expected, actual) -> dict:
    return {
        "rule": rule,
        "severity": severity,
        "report": report,
        "cells": list(cells),
        "message": message,
        "expected": expected,
        "actual": actual,
    }


def parse_text(text: str, name: str = "report.txt") -> Report:
    return parse_document(read_bytes(text.encode("utf-8"), name))
