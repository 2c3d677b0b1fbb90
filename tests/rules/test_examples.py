"""Every rule's documented example, run: its *Example* (`Rule.failing`) makes exactly the
findings it expects, its *Use instead* (`Rule.passing`) makes none. docs/rules.md shows both."""

from __future__ import annotations

import pytest

from nianbao.check.example import GOVERNMENT, Case
from nianbao.check.finding import Finding
from nianbao.check.registry import RULES, Rule
from nianbao.check.runner import Settings, check, check_reports, check_series
from nianbao.model import Cell, Report


def run_case(rule: Rule, case: Case) -> list[Finding]:
    """The rule alone on the case's report (and its neighbour, for rules over several reports)."""
    settings = Settings(select=[rule.id])
    if case.neighbour is None:
        return check(case.build(), settings)
    return check_series([case.neighbour.build(), case.build()], settings)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_the_example_breaks_the_rule(rule_id):
    rule = RULES[rule_id]
    found = run_case(rule, rule.failing)
    assert [tuple(f.cells) for f in found] == list(rule.failing.expect)
    assert {(f.rule, f.report) for f in found} == {(rule_id, rule.failing.path)}


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_the_fix_satisfies_the_rule(rule_id):
    rule = RULES[rule_id]
    assert run_case(rule, rule.passing) == []


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_the_docs_show_both_reports(rule_id):
    doc = RULES[rule_id].doc()
    example, fix = doc.split("## 示例 Example")[1].split("## 应当 Use instead")
    for part, case in ((example, RULES[rule_id].failing), (fix, RULES[rule_id].passing)):
        assert case.summary() in part
        assert all(change in part for change in case.changes())


def test_the_base_report_breaks_no_rule():
    reports = [Case(year=2020).build(), Case().build(), Case(year=2023).build()]
    reports.append(Case(agency=GOVERNMENT, year=2024).build())
    assert [f.to_json() for f in check_reports(reports)] == []


def test_a_case_refuses_a_cell_or_section_its_template_lacks():
    with pytest.raises(ValueError, match=r"t2\.fees\.amount"):
        Case(year=2020, cells={"t2.fees.amount": "1"}).build()
    with pytest.raises(ValueError, match="sixth"):
        Case(sections={"sixth": "无。"}).build()


def cell_at(report: Report, path: str) -> Cell:
    cell = report.cell(*path.split("."))
    assert cell is not None, path
    return cell


def test_a_case_reads_cells_and_the_period_as_the_parser_does():
    report = Case(
        cells={"t2.fees.amount": "251000元", "t3.granted.total": "—", "t3.granted.business": "十二"},
        preamble="本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。",
    ).build()
    fee, dash, words = (
        cell_at(report, p) for p in ("t2.fees.amount", "t3.granted.total", "t3.granted.business")
    )
    assert (fee.value, fee.unit, fee.raw) == (251000, "元", "251000元")
    assert (dash.value, dash.placeholder) == (None, True)
    assert (words.value, words.raw) == (None, "十二")
    assert report.facts["period"].value == "2022-01-01/2022-12-31"
