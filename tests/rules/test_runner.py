"""The registry and the runner: every rule registered and tested, rule selection, and rules
that make their findings through their context.

Test names carry the rule id (`test_t3_bal_holds…`, `test_t3_bal_fails…`) in the file of the
rule's family (tests/rules/test_<family>.py);
`test_every_rule_has_a_holding_and_a_failing_test` keeps it that way for new rules.
Known rule bugs are `xfail(strict=True)` tests stating the correct behaviour.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from nianbao.check import rules as rule_modules
from nianbao.check.finding import SEVERITIES
from nianbao.check.registry import RULES
from nianbao.check.runner import Settings, check

from .helpers import as_dicts, make, run, section, set_row, zeroed

HERE = Path(__file__).parent

# ── the registry ─────────────────────────────────────────────────────────────────────────
CONTRACT_IDS = {
    "T3-BAL",
    "T3-ROWSUM",
    "T3-RESULTSUM",
    "T3-SUBTOTAL",
    "T4-SUM",
    "T-VALUE",
    "P-DIGITS",
    "F-TEMPLATE",
    "F-SECTIONS",
    "F-BLANK",
    "F-UNIT",
    "F-PERIOD",
    "F-YEAR",
    "F-DEADLINE",
    "F-FEE",
    "F-GOV",
    "F-META",
    "X-TEXT",
    "Y-CARRY",
    "Y-INFORCE",
    "Y-COPY",
    "Y-JUMP",
}


def test_registry_has_every_contract_rule():
    assert set(RULES) >= CONTRACT_IDS


def _test_names() -> list[str]:
    """The test functions of every rule test file."""
    names = []
    for file in sorted(HERE.glob("test_*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        names += [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    return names


def test_every_rule_has_a_holding_and_a_failing_test():
    names = _test_names()
    missing = []
    for rule_id in RULES:
        slug = rule_id.lower().replace("-", "_")
        for kind in ("holds", "fails"):
            if not any(n.startswith(f"test_{slug}_{kind}") for n in names):
                missing.append(f"test_{slug}_{kind}…")
    assert not missing, f"rules without tests in tests/rules/: {missing}"


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("seed", range(6))
def test_generated_department_reports_have_no_findings(template, seed):
    year = 2020 if template == "2019" else 2023
    assert as_dicts(check(make(template, year, seed=seed))) == []


def test_select_runs_only_the_selected_rule():
    report = zeroed()
    set_row(report, "t3", "new_received", total=5)  # breaks T3-BAL and T3-ROWSUM
    assert {f.rule for f in run(report, "T3-BAL")} == {"T3-BAL"}
    assert {f.rule for f in check(report, Settings(select=["T3"]))} == {"T3-BAL", "T3-ROWSUM"}


def test_rules_make_findings_through_their_context():
    """No rule module builds a Finding or spells a rule id or a severity outside its
    registration: findings take both from the registry (`ctx.finding`)."""
    words = set(RULES) | set(SEVERITIES)
    for module in (rule_modules.form, rule_modules.tables, rule_modules.text, rule_modules.years):
        tree = ast.parse(inspect.getsource(module))
        allowed = {
            id(k.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            for k in node.keywords
            if k.arg in ("id", "severity")
        }
        spelled = [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in words and id(node) not in allowed
        ]
        assert spelled == [], module.__name__
        calls = [
            n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        ]
        assert "Finding" not in calls, module.__name__


def test_findings_take_id_and_severity_from_the_registry():
    report = make()
    report.sections["other"] = None
    section(report, "problems").order, section(report, "overview").order = 0, 4
    found = run(report, "F-SECTIONS")
    assert [(f.rule, f.severity) for f in found] == [("F-SECTIONS", "error"), ("F-SECTIONS", "warning")]
    assert RULES["F-SECTIONS"].severity == "error" and RULES["F-SECTIONS"].lesser
