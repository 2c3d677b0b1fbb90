"""Form and completeness rules (F-): where each holds, where it fails, the exact finding."""

from __future__ import annotations

import pytest

from nianbao.model import Fact, Report
from nianbao.render.text import render_text

from .helpers import (
    DEPARTMENT,
    GOVERNMENT,
    as_dicts,
    cell,
    finding,
    make,
    parse_text,
    run,
    section,
    set_row,
    to_hybrid,
    zeroed,
)


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
    section(report, "problems").order, section(report, "other").order = 5, 4
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
    section(report, "other").number = "五"
    section(report, "other").title = "五、其他需要报告的事项"
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
    section(report, "problems").text = PROBLEMS_OK
    assert run(report, "F-YEAR") == []


def test_f_year_fails_for_plans_in_the_report_year():
    report = make()
    section(report, "problems").text = PROBLEMS_OK.replace("2023年", "2022年")
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
    section(report, "overview").text = overview
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
    section(report, "problems").text = (
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
    section(report, "other").text = "本年度未发出收费通知，未收取信息处理费。"
    assert run(report, "F-FEE") == []


def test_f_fee_holds_for_2019_template_reports():
    report = make("2019", 2020)
    section(report, "other").text = "无。"
    assert run(report, "F-FEE") == []


def test_f_fee_fails_when_section_six_is_silent():
    report = make()
    section(report, "other").text = "无其他需要报告的事项。"
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
    section(report, "overview").text = text
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
