"""Rules over several reports of an agency (Y-): consecutive years and duplicates."""

from __future__ import annotations

from nianbao.document import Source
from nianbao.model import Report

from .helpers import (
    DEPARTMENT,
    as_dicts,
    finding,
    make,
    run_series,
    section,
    set_row,
    to_hybrid,
    zeroed,
)


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
    section(prev, "problems").text = prev_text
    section(cur, "problems").text = cur_text
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
