"""X-TEXT: figures the narrative states against the tables."""

from __future__ import annotations

import pytest

from nianbao.model import Report

from .helpers import (
    T3_COLUMNS,
    as_dicts,
    finding,
    run,
    section,
    set_row,
    zeroed,
)


# ── X-TEXT ───────────────────────────────────────────────────────────────────────────────
def _narrated(text: str, where: str = "overview", orgs: int = 2) -> Report:
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
    for key in report.sections:
        section(report, key).text = ""
    section(report, where).text = text
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
