"""Table rules (T3-, T4-, T-VALUE, P-DIGITS): where each holds, where it fails, the exact finding."""

from __future__ import annotations

import pytest

from nianbao.model import ExtraRow, Report
from nianbao.render.text import render_text

from .helpers import (
    OTHER_ROWS_2021,
    RESULT_ROWS_COMMON,
    T3_COLUMNS,
    as_dicts,
    cell,
    finding,
    make,
    parse_text,
    run,
    set_row,
    to_hybrid,
    zeroed,
)


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
    total = report.value("t3", "results_total", "total")
    assert total is not None
    set_row(report, "t3", "results_total", total=total + 1)
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
