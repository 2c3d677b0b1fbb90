"""Every check rule: a report where it holds, a report where it fails, and the exact finding.

Reports are generated (`random_report`, all identities hold) and then broken on purpose, or
parsed from small texts. Each test runs one rule (`Settings(select=[ID])`) and compares the
whole finding: rule, severity, report, cells, message, expected and actual.

Test names carry the rule id (`test_t3_bal_holds…`, `test_t3_bal_fails…`);
`test_every_rule_has_a_holding_and_a_failing_test` keeps it that way for new rules.
Known rule bugs are `xfail(strict=True)` tests stating the correct behaviour.
"""

from __future__ import annotations

import pytest

from nianbao.check.finding import Finding
from nianbao.check.registry import RULES
from nianbao.check.runner import Settings, check, check_series
from nianbao.document import Source
from nianbao.generate import random_report
from nianbao.model import Cell, ExtraRow, Fact, Report
from nianbao.parse import parse_document
from nianbao.read import read_bytes
from nianbao.render.text import render_text

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


# ── helpers ──────────────────────────────────────────────────────────────────────────────
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
    for order, section in enumerate(report.sections.values()):
        section.order = order
    return report


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


def test_every_rule_has_a_holding_and_a_failing_test():
    names = [n for n in globals() if n.startswith("test_")]
    missing = []
    for rule_id in RULES:
        slug = rule_id.lower().replace("-", "_")
        for kind in ("holds", "fails"):
            if not any(n.startswith(f"test_{slug}_{kind}") for n in names):
                missing.append(f"test_{slug}_{kind}…")
    assert not missing, f"rules without tests in tests/test_rules.py: {missing}"


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


# ── T3-BAL ───────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("template", ["2019", "2021"])
def test_t3_bal_holds_on_a_consistent_report(template):
    assert run(make(template, 2020 if template == "2019" else 2022), "T3-BAL") == []


def test_t3_bal_holds_when_blanks_counted_as_zero_balance():
    report = zeroed()
    set_row(report, "t3", "new_received", total=5)
    set_row(report, "t3", "carried_over", total=cell(None))
    set_row(report, "t3", "results_total", total=4)
    set_row(report, "t3", "carried_forward", total=1)
    assert run(report, "T3-BAL") == []


def test_t3_bal_fails_total_column():
    report = zeroed()
    set_row(report, "t3", "new_received", total=5)
    set_row(report, "t3", "carried_over", total=1)
    set_row(report, "t3", "results_total", total=4)
    set_row(report, "t3", "carried_forward", total=1)
    assert as_dicts(run(report, "T3-BAL")) == [
        finding(
            "T3-BAL",
            "error",
            "2022.txt",
            [
                "t3.results_total.total",
                "t3.new_received.total",
                "t3.carried_over.total",
                "t3.carried_forward.total",
            ],
            "表三“总计”列：第三项（七）总计 4 ≠ 第一项 5 + 第二项 1 − 第四项 1 = 5",
            5,
            4,
        )
    ]


def test_t3_bal_fails_per_column_natural_person():
    report = zeroed("2019", 2020)
    set_row(report, "t3", "new_received", natural_person=3)
    assert as_dicts(run(report, "T3-BAL")) == [
        finding(
            "T3-BAL",
            "error",
            "2020.txt",
            [
                "t3.results_total.natural_person",
                "t3.new_received.natural_person",
                "t3.carried_over.natural_person",
                "t3.carried_forward.natural_person",
            ],
            "表三“自然人”列：第三项（七）总计 0 ≠ 第一项 3 + 第二项 0 − 第四项 0 = 3",
            3,
            0,
        )
    ]


def test_t3_bal_fails_and_says_blanks_were_counted_as_zero():
    report = zeroed()
    set_row(report, "t3", "new_received", total=5)
    set_row(report, "t3", "carried_over", total=cell(None))
    set_row(report, "t3", "results_total", total=cell(None, "—", placeholder=True))
    set_row(report, "t3", "carried_forward", total=1)
    assert as_dicts(run(report, "T3-BAL")) == [
        finding(
            "T3-BAL",
            "error",
            "2022.txt",
            [
                "t3.results_total.total",
                "t3.new_received.total",
                "t3.carried_over.total",
                "t3.carried_forward.total",
            ],
            "表三“总计”列：第三项（七）总计 0 ≠ 第一项 5 + 第二项 0 − 第四项 1 = 4"
            "（第二项、第三项（七）总计为空白，按 0 计）",
            4,
            0,
        )
    ]


def test_t3_bal_fails_in_a_hybrid_report_too():
    report = to_hybrid(zeroed("2021", 2023))
    set_row(report, "t3", "new_received", total=2)
    assert [f.message for f in run(report, "T3-BAL")] == [
        "表三“总计”列：第三项（七）总计 0 ≠ 第一项 2 + 第二项 0 − 第四项 0 = 2"
    ]


def test_t3_bal_fails_with_the_line_of_the_parsed_cell():
    report = make()
    set_row(report, "t3", "results_total", total=report.tables["t3"]["results_total"]["total"].value + 1)
    text = render_text(report)
    parsed = parse_text(text, "bad.txt")
    (found,) = run(parsed, "T3-BAL")
    assert found.line is not None
    assert text.splitlines()[found.line - 1].startswith("\t（七）总计")


# ── T3-ROWSUM ────────────────────────────────────────────────────────────────────────────
def test_t3_rowsum_holds_on_a_consistent_report():
    assert run(make(), "T3-ROWSUM") == []


def test_t3_rowsum_holds_for_an_entirely_blank_row():
    report = zeroed()
    set_row(report, "t3", "granted", **{c: cell(None) for c in T3_COLUMNS})
    assert run(report, "T3-ROWSUM") == []


def test_t3_rowsum_fails():
    report = zeroed()
    set_row(report, "t3", "granted", natural_person=8, business=2, total=9)
    assert as_dicts(run(report, "T3-ROWSUM")) == [
        finding(
            "T3-ROWSUM",
            "error",
            "2022.txt",
            ["t3.granted.total"] + [f"t3.granted.{c}" for c in T3_COLUMNS[:-1]],
            "表三“（一）予以公开”行：总计 9 ≠ 各申请人列之和 10",
            10,
            9,
        )
    ]


def test_t3_rowsum_fails_with_blank_total_and_says_so():
    report = zeroed()
    set_row(report, "t3", "granted", natural_person=8, business=2, research=cell(None), total=cell(None))
    assert [(f.message, f.expected, f.actual) for f in run(report, "T3-ROWSUM")] == [
        ("表三“（一）予以公开”行：总计 0 ≠ 各申请人列之和 10（科研机构、总计为空白，按 0 计）", 10, 0)
    ]


# ── T3-RESULTSUM ─────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("template", ["2019", "2021"])
def test_t3_resultsum_holds_on_a_consistent_report(template):
    assert run(make(template, 2020 if template == "2019" else 2022), "T3-RESULTSUM") == []


def test_t3_resultsum_holds_in_a_hybrid_report():
    assert run(to_hybrid(make("2021", 2023)), "T3-RESULTSUM") == []


def test_t3_resultsum_fails_2021():
    report = zeroed()
    set_row(report, "t3", "granted", total=6)
    set_row(report, "t3", "partially_granted", total=1)
    set_row(report, "t3", "unable_not_held", total=3)
    set_row(report, "t3", "results_total", total=9)
    assert as_dicts(run(report, "T3-RESULTSUM")) == [
        finding(
            "T3-RESULTSUM",
            "error",
            "2022.txt",
            ["t3.results_total.total"] + [f"t3.{r}.total" for r in (*RESULT_ROWS_COMMON, *OTHER_ROWS_2021)],
            "表三“总计”列：（七）总计 9 ≠ 各办理结果之和 10",
            10,
            9,
        )
    ]


def test_t3_resultsum_fails_2019_with_one_row_other():
    report = zeroed("2019", 2020)
    set_row(report, "t3", "other_total", total=2)
    set_row(report, "t3", "results_total", total=1)
    assert as_dicts(run(report, "T3-RESULTSUM")) == [
        finding(
            "T3-RESULTSUM",
            "error",
            "2020.txt",
            ["t3.results_total.total"] + [f"t3.{r}.total" for r in (*RESULT_ROWS_COMMON, "other_total")],
            "表三“总计”列：（七）总计 1 ≠ 各办理结果之和 2",
            2,
            1,
        )
    ]


# ── T3-SUBTOTAL ──────────────────────────────────────────────────────────────────────────
REFUSED = [r for r in RESULT_ROWS_COMMON if r.startswith("refused_")]


def _with_subtotal(total: int) -> Report:
    report = zeroed()
    set_row(report, "t3", "refused_state_secret", total=2)
    set_row(report, "t3", "refused_third_party", total=2)
    report.extra.append(ExtraRow("t3", "（三）不予公开", {"total": cell(total)}, group="refused"))
    return report


def test_t3_subtotal_holds_when_the_printed_subtotal_is_the_sum():
    assert run(_with_subtotal(4), "T3-SUBTOTAL") == []


def test_t3_subtotal_holds_without_subtotal_rows():
    assert run(make(), "T3-SUBTOTAL") == []


def test_t3_subtotal_fails():
    assert as_dicts(run(_with_subtotal(5), "T3-SUBTOTAL")) == [
        finding(
            "T3-SUBTOTAL",
            "warning",
            "2022.txt",
            ["t3.extra.（三）不予公开.total"] + [f"t3.{r}.total" for r in REFUSED],
            "表三小计行“（三）不予公开”“总计”列 5 ≠ 其子项之和 4",
            4,
            5,
        )
    ]


# ── T4-SUM ───────────────────────────────────────────────────────────────────────────────
def test_t4_sum_holds_on_a_consistent_report():
    assert run(make(), "T4-SUM") == []


def test_t4_sum_fails_hongze_style_total_left_at_zero():
    report = zeroed()
    set_row(report, "t4", "review", upheld=10, corrected=1, total=0)
    assert as_dicts(run(report, "T4-SUM")) == [
        finding(
            "T4-SUM",
            "error",
            "2022.txt",
            [
                "t4.review.total",
                "t4.review.upheld",
                "t4.review.corrected",
                "t4.review.other",
                "t4.review.pending",
            ],
            "表四“行政复议”：总计 0 ≠ 结果维持、结果纠正、其他结果、尚未审结之和 11",
            11,
            0,
        )
    ]


def test_t4_sum_fails_names_the_litigation_group():
    report = zeroed()
    set_row(report, "t4", "litigation_direct", pending=2, total=1)
    assert [f.message for f in run(report, "T4-SUM")] == [
        "表四“行政诉讼（未经复议直接起诉）”：总计 1 ≠ 结果维持、结果纠正、其他结果、尚未审结之和 2"
    ]


# ── T-VALUE ──────────────────────────────────────────────────────────────────────────────
def test_t_value_holds_for_decimal_amounts_and_2019_changes():
    report = make("2021", 2022)
    set_row(report, "t2", "fees", amount=0.35)  # 万元: decimals allowed
    assert run(report, "T-VALUE") == []
    report = make("2019", 2020)
    set_row(report, "t2", "licensing", change=-3)  # 本年增/减 may be negative
    set_row(report, "t2", "procurement", amount=12.5)
    assert run(report, "T-VALUE") == []


def test_t_value_fails_for_negative_and_fractional_counts():
    report = zeroed()
    set_row(report, "t3", "not_processed_repeat", natural_person=-1)
    set_row(report, "t2", "licensing", decisions=3.5)
    assert as_dicts(run(report, "T-VALUE")) == [
        finding(
            "T-VALUE",
            "error",
            "2022.txt",
            ["t2.licensing.decisions"],
            "表二“行政许可”行“本年处理决定数量”列为小数 3.5，应为非负整数",
            None,
            3.5,
        ),
        finding(
            "T-VALUE",
            "error",
            "2022.txt",
            ["t3.not_processed_repeat.natural_person"],
            "表三“2.重复申请”行“自然人”列为负数 -1，应为非负整数",
            None,
            -1,
        ),
    ]


def test_t_value_fails_for_a_negative_amount():
    report = make()
    set_row(report, "t2", "fees", amount=-2.5)
    assert [f.message for f in run(report, "T-VALUE")] == [
        "表二“行政事业性收费”行“本年收费金额（单位：万元）”列为负数 -2.5，应为非负数"
    ]


def test_t_value_fails_for_text_in_a_cell():
    report = zeroed()
    set_row(report, "t3", "new_received", natural_person=cell(None, "十二", placeholder=True))
    found = run(report, "T-VALUE")
    assert [(f.rule, f.severity, f.cells) for f in found] == [
        ("T-VALUE", "error", ["t3.new_received.natural_person"])
    ]
    assert "十二" in found[0].message


# ── P-DIGITS ─────────────────────────────────────────────────────────────────────────────
def test_p_digits_holds_when_no_merge_explains_the_sum():
    report = zeroed()
    set_row(report, "t4", "review", upheld=10, corrected=1, total=0)
    assert run(report, "P-DIGITS") == []
    assert run(make(), "P-DIGITS") == []


def test_p_digits_fails_in_table_four():
    report = zeroed()
    set_row(report, "t4", "review", upheld=1, corrected=2, total=12)
    assert as_dicts(run(report, "P-DIGITS")) == [
        finding(
            "P-DIGITS",
            "info",
            "2022.txt",
            ["t4.review.upheld", "t4.review.corrected"],
            "表四“行政复议”行合计不成立；若“1”“2”（结果维持、结果纠正列）原为一个数“12”，则合计成立",
            None,
            None,
        )
    ]


def test_p_digits_fails_in_table_three():
    report = zeroed()
    set_row(report, "t3", "granted", natural_person=1, business=2, research=0, total=21)
    assert as_dicts(run(report, "P-DIGITS")) == [
        finding(
            "P-DIGITS",
            "info",
            "2022.txt",
            ["t3.granted.business", "t3.granted.research"],
            "表三“（一）予以公开”行合计不成立；若“2”“0”（商业企业、科研机构列）原为一个数“20”，则合计成立",
            None,
            None,
        )
    ]


# ── F-TEMPLATE ───────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("template", "year"), [("2019", 2019), ("2019", 2020), ("2021", 2021), ("2021", 2025)]
)
def test_f_template_holds_when_template_matches_year(template, year):
    assert run(make(template, year), "F-TEMPLATE") == []


def test_f_template_holds_for_a_legacy_report_before_2019():
    report = make("2019", 2018)
    report.template = "legacy"
    assert run(report, "F-TEMPLATE") == []


def test_f_template_fails_for_a_hybrid():
    assert as_dicts(run(to_hybrid(make("2021", 2023)), "F-TEMPLATE")) == [
        finding(
            "F-TEMPLATE",
            "error",
            "2023.txt",
            ["t3.other_total.total"],
            "2023 年度报告混用两种模板：表二为 2021 年格式，表三“（六）其他处理”为一行（2019 年格式）；"
            "应统一使用国办公开办函〔2021〕30号格式",
            "2021",
            "hybrid",
        )
    ]


def test_f_template_fails_for_2023_report_with_2019_tables():
    assert as_dicts(run(make("2019", 2023), "F-TEMPLATE")) == [
        finding(
            "F-TEMPLATE",
            "error",
            "2023.txt",
            [],
            "2023 年度报告使用了 2019 年格式的表格；应使用国办公开办函〔2021〕30号格式",
            "2021",
            "2019",
        )
    ]


def test_f_template_fails_for_2020_report_with_2021_tables():
    assert [(f.message, f.expected, f.actual) for f in run(make("2021", 2020), "F-TEMPLATE")] == [
        ("2020 年度报告使用了 2021 年格式的表格；应使用国办公开办函〔2019〕60号格式", "2019", "2021")
    ]


def test_f_template_fails_for_a_legacy_report_after_2019():
    report = make("2021", 2022)
    report.template = "legacy"
    assert [(f.message, f.expected, f.actual) for f in run(report, "F-TEMPLATE")] == [
        ("2022 年度报告没有法定统计表（旧格式）；应使用国办公开办函〔2021〕30号格式", "2021", "legacy")
    ]


# ── F-SECTIONS ───────────────────────────────────────────────────────────────────────────
def test_f_sections_holds_with_six_sections_in_order():
    assert run(make(), "F-SECTIONS") == []


def test_f_sections_holds_for_a_parsed_report():
    assert run(parse_text(render_text(make())), "F-SECTIONS") == []


def test_f_sections_fails_for_a_missing_section():
    report = make()
    report.sections["other"] = None
    assert as_dicts(run(report, "F-SECTIONS")) == [
        finding(
            "F-SECTIONS",
            "error",
            "2022.txt",
            ["sections.other"],
            "缺少第六部分“六、其他需要报告的事项”",
            "六、其他需要报告的事项",
            None,
        )
    ]


def test_f_sections_fails_for_a_missing_section_in_a_parsed_report():
    report = make()
    report.sections["problems"] = None
    assert [(f.severity, f.message) for f in run(parse_text(render_text(report)), "F-SECTIONS")] == [
        ("error", "缺少第五部分“五、存在的主要问题及改进情况”")
    ]


def test_f_sections_fails_out_of_order():
    report = make()
    report.sections["problems"].order, report.sections["other"].order = 5, 4
    assert as_dicts(run(report, "F-SECTIONS")) == [
        finding(
            "F-SECTIONS",
            "warning",
            "2022.txt",
            [
                "sections.overview",
                "sections.proactive",
                "sections.requests",
                "sections.appeals",
                "sections.other",
                "sections.problems",
            ],
            "章节顺序与格式不符：一、总体情况 → 二、主动公开政府信息情况 → 三、收到和处理政府信息公开申请情况 → "
            "四、政府信息公开行政复议、行政诉讼情况 → 六、其他需要报告的事项 → 五、存在的主要问题及改进情况",
            "overview、proactive、requests、appeals、problems、other",
            "overview、proactive、requests、appeals、other、problems",
        )
    ]


def test_f_sections_fails_renumbered_after_a_missing_section():
    report = make()
    report.sections["problems"] = None
    report.sections["other"].number = "五"
    report.sections["other"].title = "五、其他需要报告的事项"
    assert as_dicts(run(report, "F-SECTIONS")) == [
        finding(
            "F-SECTIONS",
            "error",
            "2022.txt",
            ["sections.problems"],
            "缺少第五部分“五、存在的主要问题及改进情况”",
            "五、存在的主要问题及改进情况",
            None,
        ),
        finding(
            "F-SECTIONS",
            "warning",
            "2022.txt",
            ["sections.other"],
            "“五、其他需要报告的事项”编为第五部分，格式规定为第六部分",
            "六",
            "五",
        ),
    ]


# ── F-BLANK ──────────────────────────────────────────────────────────────────────────────
def test_f_blank_holds_when_zeros_are_written():
    assert run(zeroed(), "F-BLANK") == []


def test_f_blank_fails_once_per_table_listing_every_cell():
    report = make()
    for col in ("business", "research", "public_interest", "legal_service", "other_org"):
        set_row(report, "t3", "new_received", **{col: cell(None)})
    set_row(report, "t3", "granted", business=cell(None, "/", placeholder=True))
    set_row(report, "t2", "penalty", decisions=cell(None, "—", placeholder=True))
    assert as_dicts(run(report, "F-BLANK")) == [
        finding(
            "F-BLANK",
            "warning",
            "2022.txt",
            ["t2.penalty.decisions"],
            "表二有 1 个单元格为占位符（应填数字，0 写作 0）：“行政处罚”行“本年处理决定数量”列",
            0,
            1,
        ),
        finding(
            "F-BLANK",
            "warning",
            "2022.txt",
            [
                "t3.new_received.business",
                "t3.new_received.research",
                "t3.new_received.public_interest",
                "t3.new_received.legal_service",
                "t3.new_received.other_org",
                "t3.granted.business",
            ],
            "表三有 6 个单元格为占位符或空白（应填数字，0 写作 0）："
            "“一、本年新收政府信息公开申请数量”行“商业企业”列、"
            "“一、本年新收政府信息公开申请数量”行“科研机构”列、"
            "“一、本年新收政府信息公开申请数量”行“社会公益组织”列、"
            "“一、本年新收政府信息公开申请数量”行“法律服务机构”列、"
            "“一、本年新收政府信息公开申请数量”行“其他”列、"
            "“（一）予以公开”行“商业企业”列",
            0,
            6,
        ),
    ]


def test_f_blank_fails_many_cells_named_up_to_six_but_all_listed():
    report = make()
    set_row(
        report,
        "t4",
        "review",
        **{c: cell(None) for c in ("upheld", "corrected", "other", "pending", "total")},
    )
    set_row(report, "t4", "litigation_direct", upheld=cell(None), corrected=cell(None), other=cell(None))
    (found,) = run(report, "F-BLANK")
    assert found.cells == [
        "t4.review.upheld",
        "t4.review.corrected",
        "t4.review.other",
        "t4.review.pending",
        "t4.review.total",
        "t4.litigation_direct.upheld",
        "t4.litigation_direct.corrected",
        "t4.litigation_direct.other",
    ]
    assert found.message == (
        "表四有 8 个单元格为空白（应填数字，0 写作 0）：“行政复议”行“结果维持”列、“行政复议”行“结果纠正”列、"
        "“行政复议”行“其他结果”列、“行政复议”行“尚未审结”列、“行政复议”行“总计”列、"
        "“行政诉讼（未经复议直接起诉）”行“结果维持”列等 8 处"
    )


# ── F-UNIT ───────────────────────────────────────────────────────────────────────────────
def test_f_unit_holds_for_plain_numbers():
    report = make()
    set_row(report, "t2", "fees", amount=850)
    assert run(report, "F-UNIT") == []


def test_f_unit_fails_for_yuan_in_the_wan_yuan_column_and_units_in_cells():
    report = make()
    set_row(report, "t2", "fees", amount=cell(251000, "251000元", unit="元"))
    set_row(
        report,
        "t3",
        "new_received",
        total=cell(report.tables["t3"]["new_received"]["total"].value, "12件", unit="件"),
    )
    assert as_dicts(run(report, "F-UNIT")) == [
        finding(
            "F-UNIT",
            "warning",
            "2022.txt",
            ["t2.fees.amount"],
            "表二“行政事业性收费”行“本年收费金额（单位：万元）”列写有单位“元”（251000元），该栏单位为万元",
            None,
            "元",
        ),
        finding(
            "F-UNIT",
            "warning",
            "2022.txt",
            ["t3.new_received.total"],
            "表三“一、本年新收政府信息公开申请数量”行“总计”列写有单位“件”（12件），单位应由表头规定，单元格只写数字",
            None,
            "件",
        ),
    ]


def test_f_unit_fails_for_an_implausibly_large_fee_and_option_overrides_limit():
    report = make()
    set_row(report, "t2", "fees", amount=2510000)
    assert as_dicts(run(report, "F-UNIT")) == [
        finding(
            "F-UNIT",
            "warning",
            "2022.txt",
            ["t2.fees.amount"],
            "表二“行政事业性收费”行“本年收费金额（单位：万元）”列 2510000 万元，金额异常大，可能误按“元”填写",
            None,
            2510000,
        )
    ]
    assert run(report, "F-UNIT", **{"F-UNIT": {"max_fee_wan_yuan": 5_000_000}}) == []


# ── F-PERIOD ─────────────────────────────────────────────────────────────────────────────
def test_f_period_holds_for_the_calendar_year():
    report = make()
    report.facts["period"] = Fact("2022-01-01/2022-12-31", "统计期限自2022年1月1日起至2022年12月31日止")
    assert run(report, "F-PERIOD") == []
    assert run(parse_text(render_text(make())), "F-PERIOD") == []


def test_f_period_fails_for_last_years_period():
    report = make()
    report.facts["period"] = Fact("2021-01-01/2021-12-31", "统计期限自2021年1月1日起至2021年12月31日止")
    assert as_dicts(run(report, "F-PERIOD")) == [
        finding(
            "F-PERIOD",
            "error",
            "2022.txt",
            ["period"],
            "报告所述“统计期限自2021年1月1日起至2021年12月31日止”与报告年度 2022 不符，统计期限应为2022年1月1日至2022年12月31日",
            "2022年1月1日至2022年12月31日",
            "2021年1月1日至2021年12月31日",
        )
    ]


def test_f_period_fails_in_a_parsed_report_with_its_line():
    text = render_text(make()).replace(
        "统计期限自2022年1月1日起至2022年12月31日止", "统计期限自2022年1月1日起至2022年11月30日止"
    )
    (found,) = run(parse_text(text), "F-PERIOD")
    assert (found.expected, found.actual, found.line) == (
        "2022年1月1日至2022年12月31日",
        "2022年1月1日至2022年11月30日",
        3,
    )


# ── F-YEAR ───────────────────────────────────────────────────────────────────────────────
PROBLEMS_OK = (
    "存在的主要问题：政策解读形式还不够丰富。\n改进情况：2023年，我们将进一步加强业务培训，提升公开质量。"
)


def test_f_year_holds_when_plans_are_for_next_year():
    report = make()
    report.sections["problems"].text = PROBLEMS_OK
    assert run(report, "F-YEAR") == []


def test_f_year_fails_for_plans_in_the_report_year():
    report = make()
    report.sections["problems"].text = PROBLEMS_OK.replace("2023年", "2022年")
    assert as_dicts(run(report, "F-YEAR")) == [
        finding(
            "F-YEAR",
            "warning",
            "2022.txt",
            ["sections.problems"],
            "第五部分把改进计划写在报告年度 2022 年：“改进情况：2022年，我们将进一步加强业务培训，提升公开质量”",
            2023,
            2022,
        )
    ]


def test_f_year_fails_when_overview_summarises_another_year():
    report = make()
    overview = "2021年，本局认真落实条例。2021年全年主动公开信息300条。2021年共收到申请5件。"
    report.sections["overview"].text = overview
    assert as_dicts(run(report, "F-YEAR")) == [
        finding(
            "F-YEAR",
            "warning",
            "2022.txt",
            ["sections.overview"],
            "第一部分总结的是 2021 年（出现 3 次），而报告年度为 2022 年",
            2022,
            2021,
        )
    ]


def test_f_year_holds_for_improvements_made_during_the_report_year():
    report = make()
    report.sections["problems"].text = (
        "存在的主要问题：政策解读形式还不够丰富。\n"
        "改进情况：针对上年度存在的问题，2022年我局进一步完善了依申请公开办理流程，组织培训3次。\n"
        "2023年，我局将继续丰富解读形式。"
    )
    assert run(report, "F-YEAR") == []


# ── F-DEADLINE ───────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("agency", "year", "published"),
    [
        (DEPARTMENT, 2022, "2023-01-31"),  # department: 31 January
        (GOVERNMENT, 2022, "2023-03-31"),  # people's government: 31 March
        ("金河市清溪县青山镇人民政府", 2022, "2023-03-31"),
        (DEPARTMENT, 2018, "2019-03-31"),  # before 2019: 31 March for everyone
        (DEPARTMENT, 2019, "2020-01-31"),
    ],
)
def test_f_deadline_holds_on_the_last_day(agency, year, published):
    report = make("2021" if year >= 2021 else "2019", year, agency=agency)
    report.published = published
    assert run(report, "F-DEADLINE") == []


@pytest.mark.parametrize(
    ("agency", "year", "published", "due", "who"),
    [
        (DEPARTMENT, 2022, "2023-02-01", "2023-01-31", "政府部门"),
        (DEPARTMENT, 2019, "2020-02-01", "2020-01-31", "政府部门"),
        ("金河市清溪县人民政府办公室", 2022, "2023-02-01", "2023-01-31", "政府办公室"),
        (GOVERNMENT, 2022, "2023-04-01", "2023-03-31", "人民政府"),
        ("金河市清溪县青山镇人民政府", 2022, "2023-04-01", "2023-03-31", "乡镇（街道）"),
        (DEPARTMENT, 2018, "2019-04-01", "2019-03-31", "各机关（旧条例）"),
        (GOVERNMENT, 2018, "2019-04-01", "2019-03-31", "各机关（旧条例）"),
    ],
)
def test_f_deadline_fails_the_day_after(agency, year, published, due, who):
    report = make("2021" if year >= 2021 else "2019", year, agency=agency)
    report.published = published
    assert as_dicts(run(report, "F-DEADLINE")) == [
        finding(
            "F-DEADLINE",
            "warning",
            f"{year}.txt",
            ["published"],
            f"落款（发布）日期 {published} 晚于{who}的法定期限 {due}",
            due,
            published,
        )
    ]


def test_f_deadline_fails_department_in_february_but_government_holds():
    department = make(agency=DEPARTMENT)
    government = make(agency=GOVERNMENT)
    department.published = government.published = "2023-02-15"
    assert [f.rule for f in run(department, "F-DEADLINE")] == ["F-DEADLINE"]
    assert run(government, "F-DEADLINE") == []


# ── F-FEE ────────────────────────────────────────────────────────────────────────────────
def test_f_fee_holds_when_section_six_states_the_fee():
    report = make()
    report.sections["other"].text = "本年度未发出收费通知，未收取信息处理费。"
    assert run(report, "F-FEE") == []


def test_f_fee_holds_for_2019_template_reports():
    report = make("2019", 2020)
    report.sections["other"].text = "无。"
    assert run(report, "F-FEE") == []


def test_f_fee_fails_when_section_six_is_silent():
    report = make()
    report.sections["other"].text = "无其他需要报告的事项。"
    assert as_dicts(run(report, "F-FEE")) == [
        finding(
            "F-FEE", "warning", "2022.txt", ["sections.other"], "第六部分未说明信息处理费收取情况", None, None
        )
    ]


def test_f_fee_fails_when_section_six_is_missing_and_the_text_is_silent():
    report = make()
    report.sections["other"] = None
    assert [f.message for f in run(report, "F-FEE")] == ["全文未说明信息处理费收取情况"]


# ── F-GOV ────────────────────────────────────────────────────────────────────────────────
GOV_SENTENCE = "本年度将政务公开纳入绩效考核，开展社会评议，未发生责任追究情况。"


def _government(text: str, agency: str = GOVERNMENT) -> Report:
    report = make(agency=agency)
    report.sections["overview"].text = text
    return report


def test_f_gov_holds_when_a_government_reports_all_three():
    assert run(_government("2022年，本府认真落实条例。" + GOV_SENTENCE), "F-GOV") == []


def test_f_gov_holds_for_a_department():
    assert run(_government("2022年，本局认真落实条例。", DEPARTMENT), "F-GOV") == []


def test_f_gov_fails_when_a_government_reports_none():
    assert as_dicts(run(_government("2022年，本府认真落实条例。"), "F-GOV")) == [
        finding(
            "F-GOV",
            "warning",
            "2022.txt",
            ["sections.overview"],
            "人民政府的报告未说明工作考核、社会评议、责任追究结果情况",
            "工作考核、社会评议、责任追究",
            None,
        )
    ]


def test_f_gov_fails_naming_only_what_is_missing():
    found = run(_government("本年度将政务公开纳入绩效考核。"), "F-GOV")
    assert [f.message for f in found] == ["人民政府的报告未说明社会评议、责任追究结果情况"]


def test_f_gov_fails_for_a_township_government():
    found = run(_government("2022年，本镇认真落实条例。", "金河市清溪县青山镇人民政府"), "F-GOV")
    assert [f.rule for f in found] == ["F-GOV"]


def test_f_gov_holds_for_a_street_office():
    assert run(_government("2022年，本街道认真落实条例。", "金河市清溪县青山街道办事处"), "F-GOV") == []


# ── F-META ───────────────────────────────────────────────────────────────────────────────
def test_f_meta_holds_when_agency_and_year_are_known():
    assert run(make(), "F-META") == []
    assert run(parse_text(render_text(make())), "F-META") == []


def test_f_meta_fails_without_agency_and_year():
    report = make()
    report.agency = None
    report.year = None
    assert as_dicts(run(report, "F-META")) == [
        finding(
            "F-META", "warning", "2022.txt", ["agency"], "无法从标题、落款或正文确定发布机关名称", None, None
        ),
        finding(
            "F-META",
            "warning",
            "2022.txt",
            ["year"],
            "无法确定报告年度（标题、统计期限和正文均未写明）",
            None,
            None,
        ),
    ]


def test_f_meta_fails_for_a_parsed_text_without_title_or_signature():
    text = render_text(make()).split("\n", 1)[1].rsplit("金河市市场监督管理局", 1)[0]
    text = text.replace("金河市市场监督管理局", "我局")
    found = run(parse_text(text), "F-META")
    assert [f.cells for f in found] == [["agency"]]


# ── X-TEXT ───────────────────────────────────────────────────────────────────────────────
def _narrated(text: str, section: str = "overview", orgs: int = 2) -> Report:
    """表三: 新收 14 + orgs (自然人 14), 上年结转 1, 予以公开 11 + orgs, 部分公开 3; 表四: 复议 2."""
    report = zeroed()
    new = 14 + orgs
    set_row(report, "t3", "new_received", natural_person=14, business=orgs, total=new)
    set_row(report, "t3", "carried_over", natural_person=1, total=1)
    set_row(report, "t3", "granted", natural_person=11, business=orgs, total=11 + orgs)
    set_row(report, "t3", "partially_granted", natural_person=3, total=3)
    set_row(report, "t3", "results_total", natural_person=14, business=orgs, total=new)
    set_row(report, "t3", "carried_forward", natural_person=1, total=1)
    set_row(report, "t4", "review", upheld=2, total=2)
    for sec in report.sections.values():
        sec.text = ""
    report.sections[section].text = text
    return report


@pytest.mark.parametrize(
    "text",
    [
        "全年新收政府信息公开申请16件，上年结转1件。",
        "全年共受理政府信息公开申请16件。",  # 受理 = 新收
        "全年共受理政府信息公开申请17件。",  # 受理 = 新收 + 上年结转
        "本年度共办理政府信息公开申请16件，结转下年度继续办理1件。",
        "本年度被申请行政复议2件、提起行政诉讼0件。",
        "自然人申请14件，法人或其他组织申请2件。",
        "全年共办理人大代表建议15件、政协提案8件，受理政府信息公开申请16件。",
        "本年度共办理人大代表建议15件、政协提案8件，均已按时办结。",
    ],
)
def test_x_text_holds_when_the_text_agrees(text):
    assert run(_narrated(text), "X-TEXT") == []


def test_x_text_holds_for_no_applications_with_zero_in_the_table():
    report = _narrated("本年度未收到政府信息公开申请。", "requests")
    for row in (
        "new_received",
        "carried_over",
        "granted",
        "partially_granted",
        "results_total",
        "carried_forward",
    ):
        set_row(report, "t3", row, **{c: 0 for c in T3_COLUMNS})
    assert run(report, "X-TEXT") == []


def test_x_text_fails_for_a_contradicting_figure():
    report = _narrated("全年新收政府信息公开申请99件，上年结转1件。")
    assert as_dicts(run(report, "X-TEXT")) == [
        finding(
            "X-TEXT",
            "warning",
            "2022.txt",
            ["t3.new_received.total", "t3.carried_over.total"],
            "正文“全年新收政府信息公开申请99件，上年结转1件”称收到（受理）的申请 99 件，表格为 16或17",
            16,
            99,
        )
    ]


def test_x_text_fails_for_carried_over_and_review_figures():
    report = _narrated("全年新收政府信息公开申请16件，上年结转3件。本年度被申请行政复议3件。")
    assert as_dicts(run(report, "X-TEXT")) == [
        finding(
            "X-TEXT",
            "warning",
            "2022.txt",
            ["t3.carried_over.total"],
            "正文“全年新收政府信息公开申请16件，上年结转3件”称上年结转的申请 3 件，表格为 1",
            1,
            3,
        ),
        finding(
            "X-TEXT",
            "warning",
            "2022.txt",
            ["t4.review.total"],
            "正文“本年度被申请行政复议3件”称行政复议 3 件，表格为 2",
            2,
            3,
        ),
    ]


def test_x_text_fails_for_no_applications_while_the_table_has_some():
    report = _narrated("本年度未收到政府信息公开申请。", "requests")
    assert as_dicts(run(report, "X-TEXT")) == [
        finding(
            "X-TEXT",
            "warning",
            "2022.txt",
            ["t3.new_received.total"],
            "正文“本年度未收到政府信息公开申请”称没有收到申请 0 件，表格为 16",
            16,
            0,
        )
    ]


def test_x_text_fails_for_no_fee_notice_while_table_three_counts_unpaid_fees():
    report = _narrated("本年度未发出收费通知，未收取信息处理费。", "other")
    set_row(report, "t3", "other_overdue_fee", natural_person=1, total=1)
    assert as_dicts(run(report, "X-TEXT")) == [
        finding(
            "X-TEXT",
            "warning",
            "2022.txt",
            ["t3.other_overdue_fee.total"],
            "正文“本年度未发出收费通知，未收取信息处理费”称未发出收费通知，"
            "而表三“2.申请人逾期未按收费通知要求缴纳费用”为 1 件",
            0,
            1,
        )
    ]


def test_x_text_holds_for_figures_about_deputies_suggestions():
    text = "全年共承办人大代表建议15件，建议复文予以公开15件，同时受理政府信息公开申请16件。"
    assert run(_narrated(text), "X-TEXT") == []


def test_x_text_holds_for_no_applications_from_one_kind_of_applicant():
    text = "本年度共收到政府信息公开申请14件，均为自然人申请，未收到法人或其他组织的申请。"
    assert run(_narrated(text, orgs=0), "X-TEXT") == []


def test_x_text_holds_for_a_subset_introduced_by_qizhong():
    text = "全年共收到政府信息公开申请16件，其中通过信函方式收到申请4件。"
    assert run(_narrated(text), "X-TEXT") == []


# ── cross-year rules ─────────────────────────────────────────────────────────────────────
def pair(template_prev: str = "2021", template_cur: str = "2021", years=(2022, 2023), agency=DEPARTMENT):
    """Two consistent reports of one agency for consecutive years; 上年结转 rolls in."""
    prev = make(template_prev, years[0], agency=agency, seed=1)
    cur = make(template_cur, years[1], agency=agency, seed=3)
    prev.tables["t3"] = zeroed(template_prev, years[0]).tables["t3"]
    cur.tables["t3"] = zeroed(template_cur, years[1]).tables["t3"]
    return prev, cur


# ── Y-CARRY ──────────────────────────────────────────────────────────────────────────────
def test_y_carry_holds_when_carry_forward_rolls_in():
    prev, cur = pair()
    set_row(prev, "t3", "carried_forward", natural_person=3, total=3)
    set_row(cur, "t3", "carried_over", natural_person=3, total=3)
    assert run_series([prev, cur], "Y-CARRY") == []


def test_y_carry_holds_for_other_agencies_or_years_apart():
    prev, cur = pair()
    set_row(prev, "t3", "carried_forward", total=3)
    cur.agency = "金河市财政局"
    assert run_series([prev, cur], "Y-CARRY") == []
    prev, cur = pair(years=(2021, 2023))
    set_row(prev, "t3", "carried_forward", total=3)
    assert run_series([prev, cur], "Y-CARRY") == []


def test_y_carry_fails_per_column():
    prev, cur = pair()
    set_row(prev, "t3", "carried_forward", natural_person=3, total=3)
    set_row(cur, "t3", "carried_over", natural_person=1, total=1)
    assert as_dicts(run_series([prev, cur], "Y-CARRY")) == [
        finding(
            "Y-CARRY",
            "warning",
            "2023.txt",
            ["t3.carried_over.natural_person"],
            "表三“自然人”列：2023 年上年结转 1，而 2022 年报告结转下年度 3（上年报告 2022.txt）",
            3,
            1,
        ),
        finding(
            "Y-CARRY",
            "warning",
            "2023.txt",
            ["t3.carried_over.total"],
            "表三“总计”列：2023 年上年结转 1，而 2022 年报告结转下年度 3（上年报告 2022.txt）",
            3,
            1,
        ),
    ]


def test_y_carry_fails_across_the_template_change_and_agency_spellings():
    prev, cur = pair("2019", "2021", (2020, 2021), agency="金河市清溪县人民政府")
    cur.agency = "金河市清溪县政府"
    set_row(prev, "t3", "carried_forward", total=2)
    assert [(f.cells, f.expected, f.actual) for f in run_series([prev, cur], "Y-CARRY")] == [
        (["t3.carried_over.total"], 2, 0)
    ]


# ── Y-INFORCE ────────────────────────────────────────────────────────────────────────────
def _in_force(prev_in_force: int, issued: int, repealed: int, in_force: int, hybrid: bool = False):
    prev, cur = pair()
    set_row(prev, "t2", "normative_documents", in_force=prev_in_force)
    set_row(cur, "t2", "normative_documents", issued=issued, repealed=repealed, in_force=in_force)
    for report in (prev, cur):
        set_row(report, "t2", "regulations", issued=0, repealed=0, in_force=0)
    if hybrid:
        to_hybrid(cur)
    return [prev, cur]


def test_y_inforce_holds_when_in_force_rolls_forward():
    assert run_series(_in_force(30, 2, 1, 31), "Y-INFORCE") == []


def test_y_inforce_fails():
    assert as_dicts(run_series(_in_force(30, 2, 0, 12), "Y-INFORCE")) == [
        finding(
            "Y-INFORCE",
            "warning",
            "2023.txt",
            [
                "t2.normative_documents.in_force",
                "t2.normative_documents.issued",
                "t2.normative_documents.repealed",
            ],
            "表二“行政规范性文件”行“现行有效件数”列 12，按上年 30 + 本年制发 2 − 本年废止 0 应为 32，"
            "相差 -20（上年报告 2022.txt）",
            32,
            12,
        )
    ]


def test_y_inforce_fails_for_a_hybrid_report():
    assert [f.rule for f in run_series(_in_force(30, 2, 0, 12, hybrid=True), "Y-INFORCE")] == ["Y-INFORCE"]


# ── Y-COPY ───────────────────────────────────────────────────────────────────────────────
# Sentences without commas or colons, so that the quoted sample reads as printed.
COPY = [
    "我局政策解读的形式还不够丰富且图表和视频等解读方式运用较少",
    "依申请公开答复文书的规范性有待提高而个别答复说理不够充分",
    "2022年我局组织开展政务公开业务培训3次并完善了答复文书模板",
]
NEW = [
    "基层政务公开专区建设不平衡且部分专区资料更新不够及时",
    "2023年我局对全部12个专区开展季度巡查并建立了资料更新台账",
]


def _copy_pair(cur_text: str, prev_text: str) -> list[Report]:
    prev, cur = pair()
    for report in (prev, cur):
        for sec in report.sections.values():
            sec.text = "无。"
    prev.sections["problems"].text = prev_text
    cur.sections["problems"].text = cur_text
    return [prev, cur]


def _text(sentences) -> str:
    return "。".join(sentences) + "。"


def test_y_copy_holds_for_an_original_section():
    assert run_series(_copy_pair(_text(NEW), _text(COPY)), "Y-COPY") == []


def test_y_copy_holds_below_the_threshold():
    cur = _text([COPY[0], COPY[2].replace("2022", "2023"), *NEW])  # 52% copied
    assert run_series(_copy_pair(cur, _text(COPY)), "Y-COPY") == []


def test_y_copy_fails_for_a_section_copied_with_new_numbers():
    cur = _text(s.replace("2022", "2023").replace("3次", "5次") for s in COPY)
    assert as_dicts(run_series(_copy_pair(cur, _text(COPY)), "Y-COPY")) == [
        finding(
            "Y-COPY",
            "warning",
            "2023.txt",
            ["sections.problems"],
            "“五、存在的主要问题及改进情况”有 100% 的内容与 2022 年报告相同（阈值 80%），如："
            "我局政策解读的形式还不够丰富且图表和视频等解读方式运用较少；依申请公开答复文书的规范性有待提高而个别答复说理不够充分",
            0.8,
            1.0,
        )
    ]


def test_y_copy_fails_with_threshold_option_overridden():
    cur = _text([COPY[0], COPY[2].replace("2022", "2023"), *NEW])
    found = run_series(_copy_pair(cur, _text(COPY)), "Y-COPY", **{"Y-COPY": {"threshold": 0.5}})
    assert as_dicts(found) == [
        finding(
            "Y-COPY",
            "warning",
            "2023.txt",
            ["sections.problems"],
            "“五、存在的主要问题及改进情况”有 52% 的内容与 2022 年报告相同（阈值 50%），如："
            "我局政策解读的形式还不够丰富且图表和视频等解读方式运用较少；2023年我局组织开展政务公开业务培训3次并完善了答复文书模板",
            0.5,
            0.518,
        )
    ]


def test_y_copy_holds_for_short_sections_and_single_reports():
    short = "无其他需要报告的事项。"
    assert run_series(_copy_pair(short, short), "Y-COPY") == []
    assert run_series([_copy_pair(_text(COPY), _text(COPY))[1]], "Y-COPY") == []


def test_y_copy_fails_quoting_the_text_as_printed():
    prev = "存在的主要问题：一是政策解读的形式还不够丰富，图表和视频运用较少。二是个别答复文书说理不够充分，规范性有待提高。"
    (found,) = run_series(_copy_pair(prev, prev), "Y-COPY", **{"Y-COPY": {"min_chars": 10}})
    assert "存在的主要问题：一是政策解读的形式还不够丰富，" in found.message


# ── Y-JUMP ───────────────────────────────────────────────────────────────────────────────
def _jump(before: int, after: int) -> list[Report]:
    prev, cur = pair()
    set_row(prev, "t3", "new_received", total=before)
    set_row(cur, "t3", "new_received", total=after)
    return [prev, cur]


def test_y_jump_holds_for_ordinary_changes():
    assert run_series(_jump(12, 30), "Y-JUMP") == []
    assert run_series(_jump(0, 49), "Y-JUMP") == []  # below min_change


def test_y_jump_fails_for_a_hundredfold_change():
    assert as_dicts(run_series(_jump(12, 1200), "Y-JUMP")) == [
        finding(
            "Y-JUMP",
            "info",
            "2023.txt",
            ["t3.new_received.total"],
            "表三“一、本年新收政府信息公开申请数量”行“总计”列由 2022 年的 12 变为 2023 年的 1200",
            12,
            1200,
        )
    ]


def test_y_jump_fails_from_zero_and_options_override():
    assert [f.rule for f in run_series(_jump(0, 60), "Y-JUMP")] == ["Y-JUMP"]
    assert run_series(_jump(12, 1200), "Y-JUMP", **{"Y-JUMP": {"factor": 200}}) == []
    assert run_series(_jump(0, 60), "Y-JUMP", **{"Y-JUMP": {"min_change": 100}}) == []


# ── Y-DUP ────────────────────────────────────────────────────────────────────────────────
def _two_for_2023() -> list[Report]:
    """2022, and two different 2023 reports: b.txt published later, with a wrong 上年结转."""
    prev, a = pair()
    b = make("2021", 2023, seed=3, name="b.txt")
    b.tables["t3"] = zeroed("2021", 2023).tables["t3"]
    a.source, b.published = Source("a.txt", "", "txt"), "2024-03-05"
    set_row(prev, "t3", "carried_forward", total=3)
    set_row(a, "t3", "carried_over", total=3)
    set_row(b, "t3", "carried_over", total=1)
    return [prev, a, b]


def test_y_dup_holds_for_one_report_a_year_and_copies_of_one_document():
    prev, a, b = _two_for_2023()
    assert run_series([prev, a], "Y-DUP") == []
    a.source = b.source = Source(b.source.path, "same-sha256", "txt")
    assert run_series([prev, a, b], "Y-DUP") == []


def test_y_dup_fails_naming_both_and_the_later_one_is_compared_whatever_the_order():
    reports = _two_for_2023()
    for order in (reports, reports[::-1]):
        assert as_dicts(run_series(order, "Y-DUP")) == [
            finding(
                "Y-DUP",
                "warning",
                "a.txt",
                ["year"],
                f"{DEPARTMENT} 2023 年度另有一份不同的报告 b.txt（发布日期 2024-03-05），"
                f"本报告 a.txt（发布日期 2024-01-20）；跨年度规则只比对 b.txt",
                None,
                None,
            )
        ]
        assert [(f.report, f.actual) for f in run_series(order, "Y-CARRY")] == [("b.txt", 1)]
