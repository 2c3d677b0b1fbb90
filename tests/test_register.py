"""`nianbao register`: 表三 from a register of applications, deadlines under 条例第三十三条."""

from __future__ import annotations

import datetime as dt
import json

import chinese_calendar
import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.check.runner import Settings, check_reports
from nianbao.cli import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, main
from nianbao.model import Report
from nianbao.read import ReadError
from nianbao.read.register import (
    Application,
    match_applicant,
    match_outcome,
    read_date,
    read_register,
    register_from_rows,
)
from nianbao.register import WorkCalendar, check_register, due_date, table3_from_register, to_report
from nianbao.template import GOV2019, GOV2021
from nianbao.template.gov import T3_OTHER_ROW_2019, T3_OTHER_ROWS_2021

D = dt.date
T3 = GOV2021.t3
APPLICANTS = dict(T3.col_sums)["total"]
RESULTS_2021 = dict(T3.row_sums)["results_total"]
HEADER_ZH = "编号,收到日期,申请人类型,办理结果,答复日期,是否延期"
HEADER_EN = "id,received,applicant,outcome,replied,extended"

# A 2025 register: one row per situation the tests look at.
REGISTER_2025 = f"""\
{HEADER_ZH}
A01,2025-01-06,自然人,予以公开,2025-01-20,否
A02,2025/2/10,商业企业,（二）部分公开,2025/2/24,
A03,2025年3月3日,自然人,（三）1.属于国家秘密,2025年4月10日,否
A04,2025-09-26,科研机构,本机关不掌握相关政府信息,2025-10-30,否
A05,2025-09-26,社会公益组织,重复申请,2025-11-27,是
A06,2025-11-03,法律服务机构,,,
A07,2025-12-22,其他,,,
A08,2024-12-20,自然人,予以公开,2025-01-10,否
A09,2025-05-06,自然人,逾期不补正,2025-05-20,
A10,2025-06-03,自然人,其他,2025-06-10,N
"""


def write_csv(tmp_path, text: str, name: str = "register.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def app(id_, received, applicant="natural_person", outcome=None, replied=None, extended=False):
    return Application(id_, received, applicant, outcome, replied, extended)


def balance_holds(t3: dict) -> bool:
    return all(
        t3["new_received"][c] + t3["carried_over"][c] == t3["results_total"][c] + t3["carried_forward"][c]
        for c in (*APPLICANTS, "total")
    )


def sums_hold(t3: dict, template=GOV2021) -> bool:
    results = dict(template.t3.row_sums)["results_total"]
    rows = all(row["total"] == sum(row[c] for c in APPLICANTS) for row in t3.values())
    cols = all(t3["results_total"][c] == sum(t3[r][c] for r in results) for c in (*APPLICANTS, "total"))
    return rows and cols


# ── deadlines ────────────────────────────────────────────────────────────────────────
def test_the_national_day_holiday_of_2025_as_chinese_calendar_has_it():
    # the facts the deadline tests below rely on
    assert chinese_calendar.is_workday(D(2025, 9, 28))  # Sunday, adjusted working day
    assert chinese_calendar.is_workday(D(2025, 10, 11))  # Saturday, adjusted working day
    assert not any(chinese_calendar.is_workday(D(2025, 10, d)) for d in range(1, 9))
    assert not chinese_calendar.is_workday(D(2025, 9, 27))


def test_due_date_spans_the_national_day_holiday():
    # received Fri 26 Sep: 9-28 (adjusted, day 1), 9-29, 9-30, holiday 10-1…10-8, then 10-9 (4),
    # 10-10, 10-11 (adjusted Saturday, 6), 10-13 … 10-17 (11), 10-20 … 10-24 (16), 10-27 … 10-30 (20)
    assert due_date(D(2025, 9, 26)) == D(2025, 10, 30)


def test_an_adjusted_working_day_is_counted_and_can_be_the_due_date():
    # received Mon 8 Sep: 9-9 is day 1; day 20 is Saturday 11 October, a working day
    assert due_date(D(2025, 9, 8)) == D(2025, 10, 11)
    assert D(2025, 10, 11).weekday() == 5


def test_extension_adds_twenty_working_days():
    # from day 20 (10-30): 10-31, 11-3 … 11-7, 11-10 … 11-14, 11-17 … 11-21, 11-24 … 11-27 (40)
    assert due_date(D(2025, 9, 26), extended=True) == D(2025, 11, 27)


def test_receipt_on_a_holiday_counts_from_the_next_working_day():
    # received on 1 October (holiday): day 1 is 10-9, day 20 is Tue 4 November
    assert due_date(D(2025, 10, 1)) == D(2025, 11, 4)


def test_a_year_chinese_calendar_does_not_know_falls_back_to_weekdays():
    calendar = WorkCalendar()
    # Mon 2 Jan 2090: 1-3 … 1-6 (4), 1-9 … 1-13 (9), 1-16 … 1-20 (14), 1-23 … 1-27 (19), 1-30 (20)
    assert due_date(D(2090, 1, 2), calendar=calendar) == D(2090, 1, 30)
    assert calendar.fallback_years == {2090}
    result = check_register([app("X", D(2090, 1, 2))], 2090)
    assert any("2090" in n and "周一至周五" in n for n in result.notes)


# ── 表三 ──────────────────────────────────────────────────────────────────────────────
def test_table3_exact_values(tmp_path):
    register = read_register(write_csv(tmp_path, REGISTER_2025))
    assert register.invalid == []
    t3 = check_register(register, 2025).t3
    nonzero = {(r, c): n for r, cols in t3.items() for c, n in cols.items() if n and c != "total"}
    assert nonzero == {
        ("new_received", "natural_person"): 4,
        ("new_received", "business"): 1,
        ("new_received", "research"): 1,
        ("new_received", "public_interest"): 1,
        ("new_received", "legal_service"): 1,
        ("new_received", "other_org"): 1,
        ("carried_over", "natural_person"): 1,
        ("granted", "natural_person"): 2,
        ("partially_granted", "business"): 1,
        ("refused_state_secret", "natural_person"): 1,
        ("unable_not_held", "research"): 1,
        ("not_processed_repeat", "public_interest"): 1,
        ("other_overdue_correction", "natural_person"): 1,
        ("other_misc", "natural_person"): 1,
        ("results_total", "natural_person"): 5,
        ("results_total", "business"): 1,
        ("results_total", "research"): 1,
        ("results_total", "public_interest"): 1,
        ("carried_forward", "legal_service"): 1,
        ("carried_forward", "other_org"): 1,
    }
    assert t3["new_received"]["total"] == 9
    assert t3["results_total"]["total"] == 8
    assert t3["carried_forward"]["total"] == 2
    assert list(t3) == [r.key for r in T3.rows]
    assert all(list(cols) == [c.key for c in T3.cols] for cols in t3.values())
    assert balance_holds(t3) and sums_hold(t3)


def test_carry_over_across_the_year_boundary_agrees_between_the_two_years():
    apps = [
        app("C1", D(2024, 12, 20), "natural_person", "granted", D(2025, 1, 10)),
        app("C2", D(2024, 12, 30), "business", "unable_not_held", D(2024, 12, 31)),
        app("C3", D(2024, 11, 1), "research"),  # never answered
    ]
    t2024 = table3_from_register(apps, 2024)
    t2025 = table3_from_register(apps, 2025)
    assert t2024["new_received"]["total"] == 3
    assert t2024["unable_not_held"]["business"] == 1
    assert t2024["carried_forward"] == {
        **dict.fromkeys(t2024["carried_forward"], 0),
        "natural_person": 1,
        "research": 1,
        "total": 2,
    }
    assert t2025["new_received"]["total"] == 0
    assert t2025["carried_over"] == t2024["carried_forward"]  # Y-CARRY
    assert t2025["granted"]["natural_person"] == 1
    assert t2025["carried_forward"]["research"] == 1
    assert balance_holds(t2024) and balance_holds(t2025)
    # and nianbao's own cross-year rule agrees
    reports = [to_report(check_register(apps, y), "白云市测试局") for y in (2024, 2025)]
    findings = check_reports(reports, Settings(select=["Y-CARRY", "T3"]))
    assert findings == []


def test_the_2019_template_sums_the_three_other_rows():
    apps = [
        app("O1", D(2020, 3, 2), "natural_person", "other_overdue_correction", D(2020, 3, 10)),
        app("O2", D(2020, 3, 2), "natural_person", "other_overdue_fee", D(2020, 3, 10)),
        app("O3", D(2020, 3, 2), "business", "other_misc", D(2020, 3, 10)),
        app("O4", D(2020, 3, 2), "business", "granted", D(2020, 3, 10)),
    ]
    t3 = table3_from_register(apps, 2020, template="2019")
    assert list(t3) == [r.key for r in GOV2019.t3.rows]
    assert not set(T3_OTHER_ROWS_2021) & set(t3)
    assert t3[T3_OTHER_ROW_2019] == {
        **dict.fromkeys(t3[T3_OTHER_ROW_2019], 0),
        "natural_person": 2,
        "business": 1,
        "total": 3,
    }
    assert t3["results_total"]["total"] == 4
    assert sums_hold(t3, GOV2019) and balance_holds(t3)
    # check_register picks the 2019 template for a 2020 register by itself
    assert check_register(apps, 2020).template == "2019"


def test_the_2019_single_other_row_cannot_go_into_a_2021_table(tmp_path):
    text = (
        f"{HEADER_ZH}\nP1,2025-03-03,自然人,其他处理,2025-03-10,\nP2,2025-03-03,自然人,予以公开,2025-03-10,\n"
    )
    register = read_register(write_csv(tmp_path, text))
    assert [a.outcome for a in register.applications] == [T3_OTHER_ROW_2019, "granted"]
    result = check_register(register, 2025)
    assert [(x.row, x.id) for x in result.invalid] == [(2, "P1")]
    assert "分三项" in result.invalid[0].reason
    assert result.t3["new_received"]["total"] == 1
    assert check_register(register, 2025, template="2019").t3[T3_OTHER_ROW_2019]["total"] == 1


# ── deadlines in the register ────────────────────────────────────────────────────────
def test_late_reply_and_unanswered_past_due_are_listed(tmp_path):
    result = check_register(read_register(write_csv(tmp_path, REGISTER_2025)), 2025)
    late = {x.id: x for x in result.late}
    assert sorted(late) == ["A03", "A06"]
    # 3 Mar → due 31 Mar (20 working days); answered 10 Apr, after 4 Apr (清明) off: 27 working days
    a03 = late["A03"]
    assert (a03.received, a03.due, a03.replied, a03.working_days, a03.extended) == (
        D(2025, 3, 3),
        D(2025, 3, 31),
        D(2025, 4, 10),
        27,
        False,
    )
    # 3 Nov, never answered: due 1 Dec, 42 working days by 31 Dec
    a06 = late["A06"]
    assert (a06.due, a06.replied, a06.working_days) == (D(2025, 12, 1), None, 42)
    # on time: A04 answered on its due date, A05 extended and answered on day 40,
    # A07 received 22 Dec is not yet due, A08 carried over and answered in time (due 20 Jan)
    assert result.as_of == D(2025, 12, 31)


def test_as_of_date_decides_what_is_overdue(tmp_path):
    register = read_register(write_csv(tmp_path, REGISTER_2025))
    assert "A06" not in {x.id for x in check_register(register, 2025, as_of=D(2025, 12, 1)).late}
    assert "A06" in {x.id for x in check_register(register, 2025, as_of=D(2025, 12, 2)).late}
    # a reply after the as-of date is not known yet
    late = {x.id: x for x in check_register(register, 2025, as_of=D(2025, 4, 5)).late}
    assert late["A03"].replied is None


def test_correction_restarts_the_period(tmp_path):
    text = (
        "编号,收到日期,补正日期,申请人类型,办理结果,答复日期\n"
        "K1,2025-03-03,2025-03-17,自然人,予以公开,2025-04-11\n"
        "K2,2025-03-03,,自然人,予以公开,2025-04-11\n"
    )
    result = check_register(read_register(write_csv(tmp_path, text)), 2025)
    assert due_date(D(2025, 3, 17)) == D(2025, 4, 15)
    assert [x.id for x in result.late] == ["K2"]


# ── reading the register ─────────────────────────────────────────────────────────────
def test_invalid_rows_are_reported_and_left_out(tmp_path):
    text = (
        f"{HEADER_ZH}\n"
        "B1,2025-02-30,自然人,予以公开,2025-03-10,\n"
        "B2,2025-03-03,法人,予以公开,2025-03-10,\n"
        "B3,2025-03-03,企业,予以公开,2025-03-10,\n"
        "B4,2025-03-03,自然人,同意公开,2025-03-10,\n"
        "B5,2025-03-10,自然人,予以公开,2025-03-03,\n"
        "B6,2025-03-03,自然人,不予公开,2025-03-10,\n"
        "B7,2025-03-03,自然人,予以公开,2025-03-10,也许\n"
        "B8,2025-03-03,自然人,予以公开,,\n"
        ",,,,,\n"
        "B9,2025-03-03,自然人,予以公开,2025-03-10,否\n"
    )
    result = check_register(read_register(write_csv(tmp_path, text)), 2025)
    reasons = {x.row: (x.id, x.reason) for x in result.invalid}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert reasons[2] == ("B1", "收到日期“2025-02-30”无法识别")
    assert "不够具体" in reasons[3][1] and "商业企业" in reasons[3][1]
    assert "不够具体" in reasons[4][1]
    assert reasons[5][1].startswith("办理结果“同意公开”无法识别")
    assert reasons[6][1] == "答复日期 2025-03-03 早于收到日期 2025-03-10"
    assert "（三）不予公开" in reasons[7][1] and "具体" in reasons[7][1]
    assert reasons[8][1] == "是否延期“也许”无法识别"
    assert reasons[9][1] == "有办理结果但没有答复日期"
    assert result.t3["new_received"]["total"] == 1  # only B9 (the blank line is skipped)
    assert result.t3["granted"]["total"] == 1


def test_english_headers_full_width_and_spacing(tmp_path):
    text = (
        "２０２５年政府信息公开申请登记表\n"  # a title row above the header
        " ID , Received ,ＡＰＰＬＩＣＡＮＴ,Outcome,replied,Extended\n"
        "E1,2025-03-03,natural_person,granted,2025-03-10,y\n"
        "E2,２０２５－０３－０３,商 业 企 业,（三）不予公开 1.属于国家秘密,2025.3.10,false\n"
        "E3,20250303,法人或其他组织-科研机构,4.无正当理由大量反复申请,45726,0\n"
    )
    register = read_register(write_csv(tmp_path, text))
    assert register.invalid == []
    assert [(a.id, a.row) for a in register.applications] == [("E1", 3), ("E2", 4), ("E3", 5)]
    assert [a.applicant for a in register.applications] == ["natural_person", "business", "research"]
    assert [a.outcome for a in register.applications] == [
        "granted",
        "refused_state_secret",
        "not_processed_massive",
    ]
    assert {a.replied for a in register.applications} == {D(2025, 3, 10)}
    assert [a.extended for a in register.applications] == [True, False, False]
    zh = read_register(
        write_csv(tmp_path, f"{HEADER_ZH}\nE1,2025-03-03,自然人,予以公开,2025-03-10,是\n", "zh.csv")
    )
    assert zh.applications[0].extended


def test_gbk_csv_as_excel_saves_it(tmp_path):
    path = write_csv(tmp_path, REGISTER_2025, encoding="gb18030")
    register = read_register(path)
    assert len(register.applications) == 10 and register.source.encoding == "gb18030"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("予以公开", "granted"),
        ("granted", "granted"),
        ("（一）予以公开", "granted"),
        ("部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
        ("（三）1.属于国家秘密", "refused_state_secret"),
        ("属于国家秘密", "refused_state_secret"),
        ("不予公开-属于国家秘密", "refused_state_secret"),
        ("危及“三安全一稳定”", "refused_three_safety"),
        ("其他法律行政法规禁止公开", "refused_other_law"),
        ("本机关不掌握相关政府信息", "unable_not_held"),
        ("（四）无法提供 2.没有现成信息需要另行制作", "unable_needs_creation"),
        ("信访举报投诉类申请", "not_processed_complaint"),
        ("申请人逾期未按收费通知要求缴纳费用", "other_overdue_fee"),
        ("（六）其他处理 3.其他", "other_misc"),
        ("其他", "other_misc"),
        ("其他处理", T3_OTHER_ROW_2019),
    ],
)
def test_outcome_labels(text, key):
    assert match_outcome(text) == key


@pytest.mark.parametrize("text", ["总计", "本年新收政府信息公开申请数量", "结转下年度继续办理", "同意"])
def test_rows_that_are_not_outcomes_are_refused(text):
    with pytest.raises(ValueError, match="办理结果"):
        match_outcome(text)


def test_every_template_row_and_column_label_matches():
    for key in RESULTS_2021:
        item = T3.row(key)
        assert match_outcome(item.printed) == key
        assert match_outcome(item.key) == key
        for name in item.names():
            assert match_outcome(name) == key
    for key in APPLICANTS:
        col = T3.col("granted", key)
        assert match_applicant(col.label) == key
        assert match_applicant(key) == key
        assert all(match_applicant(a) == key for a in col.aliases)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2025-03-01", D(2025, 3, 1)),
        ("2025/3/1", D(2025, 3, 1)),
        ("2025年3月1日", D(2025, 3, 1)),
        ("2025.03.01", D(2025, 3, 1)),
        ("2025-03-01 14:30", D(2025, 3, 1)),
        ("45717", D(2025, 3, 1)),
        (45717, D(2025, 3, 1)),
        (dt.datetime(2025, 3, 1, 9, 0), D(2025, 3, 1)),
        ("", None),
        (None, None),
    ],
)
def test_dates(text, date):
    assert read_date(text) == date


def test_xlsx_register_with_excel_dates(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["政府信息公开申请登记表"])
    sheet.append(
        ["编号", "收到日期", "申请人类型", "办理结果", "答复日期", "是否延期", "收费通知", "是否缴费"]
    )
    sheet.append(
        [1, dt.datetime(2025, 9, 26), "自然人", "予以公开", dt.datetime(2025, 10, 31), "否", None, None]
    )
    sheet.append(
        [2, 45717, "商业企业", "逾期未按收费通知要求缴纳费用", "2025-03-27", None, "2025-03-05", "否"]
    )
    sheet.append(
        [3, dt.datetime(2025, 9, 26), "自然人", "予以公开", dt.datetime(2025, 10, 31), True, "否", None]
    )
    sheet.append([4, "2025/13/01", "自然人", None, None, None, None, None])
    path = tmp_path / "register.xlsx"
    book.save(path)
    register = read_register(path)
    assert register.source.format == "xlsx"
    assert [a.id for a in register.applications] == ["1", "2", "3"]
    assert register.applications[1].received == D(2025, 3, 1)
    assert register.applications[1].fee_notice == D(2025, 3, 5)
    assert register.applications[1].outcome == "other_overdue_fee"
    assert [(x.row, x.id) for x in register.invalid] == [(6, "4")]
    result = check_register(register, 2025)
    late = {x.id: x for x in result.late}
    assert sorted(late) == ["1"]  # due 30 Oct, answered 31 Oct; no. 3 was extended
    assert (late["1"].due, late["1"].working_days) == (D(2025, 10, 30), 21)
    assert any("收费通知" in n for n in result.notes)


def test_unreadable_registers(tmp_path):
    with pytest.raises(ReadError, match="文件不存在"):
        read_register(tmp_path / "missing.csv")
    with pytest.raises(ReadError, match="缺少必需的列：答复日期"):
        read_register(
            write_csv(tmp_path, "编号,收到日期,申请人类型,办理结果\n1,2025-01-02,自然人,予以公开\n")
        )
    with pytest.raises(ReadError, match="找不到登记表的表头"):
        read_register(write_csv(tmp_path, "a,b,c\n1,2,3\n", "other.csv"))
    with pytest.raises(ReadError, match="文件为空"):
        read_register(write_csv(tmp_path, "", "empty.csv"))


# ── the Report ───────────────────────────────────────────────────────────────────────
def test_to_report_fills_only_t3(tmp_path):
    result = check_register(read_register(write_csv(tmp_path, REGISTER_2025)), 2025)
    report = to_report(result, "白云市测试局", 2025)
    assert (report.agency, report.year, report.template) == ("白云市测试局", 2025, "2021")
    assert report.tables["t2"] == {} and report.tables["t4"] == {}
    cell = report.cell("t3", "new_received", "total")
    assert (cell.value, cell.raw) == (9, "9")
    assert [k for k, s in report.sections.items() if s is not None] == [T3.section]
    back = Report.from_json(json.loads(json.dumps(report.to_json())))
    assert back.value("t3", "results_total", "total") == 8
    with pytest.raises(ValueError):
        to_report(result, "白云市测试局", 2024)


# ── CLI ──────────────────────────────────────────────────────────────────────────────
def test_cli_text(tmp_path):
    path = write_csv(tmp_path, REGISTER_2025)
    result = CliRunner().invoke(main, ["register", str(path), "--year", "2025", "--agency", "白云市测试局"])
    assert result.exit_code == EXIT_FINDINGS, result.output  # late applications
    out = result.output
    assert "表三 收到和处理政府信息公开申请情况" in out
    assert "（三）1.属于国家秘密" in out
    assert "逾期（条例第三十三条）：2 件" in out
    line = next(x for x in out.splitlines() if x.startswith("A03"))
    assert "2025-03-31" in line and "2025-04-10" in line and "逾期答复" in line
    line = next(x for x in out.splitlines() if x.startswith("A06"))
    assert "2025-12-01" in line and "未答复" in line


def test_cli_json_and_out(tmp_path):
    path = write_csv(tmp_path, REGISTER_2025)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        main,
        [
            "register",
            str(path),
            "--year",
            "2025",
            "--format",
            "json",
            "--out",
            str(out),
            "--as-of",
            "2025年11月30日",
        ],
    )
    assert result.exit_code == EXIT_FINDINGS, result.output
    data = json.loads(result.output)
    assert data["contract"] == 1 and data["year"] == 2025 and data["template"] == "2021"
    assert data["t3"]["new_received"]["total"] == 9
    assert data["register"]["as_of"] == "2025-11-30"
    assert [x["id"] for x in data["register"]["late"]] == ["A03"]
    assert data["register"]["late"][0] == {
        "id": "A03",
        "row": 4,
        "received": "2025-03-03",
        "due": "2025-03-31",
        "replied": "2025-04-10",
        "working_days": 27,
        "extended": False,
    }
    written = json.loads(out.read_text(encoding="utf-8"))
    assert "register" not in written
    assert written["t3"] == data["t3"]
    checked = CliRunner().invoke(main, ["check", str(out), "--select", "T3", "--format", "json"])
    assert checked.exit_code == EXIT_OK, checked.output
    assert json.loads(checked.output) == []


def test_cli_clean_register_exits_zero(tmp_path):
    path = write_csv(tmp_path, f"{HEADER_EN}\n1,2025-03-03,natural_person,granted,2025-03-10,no\n")
    result = CliRunner().invoke(main, ["register", str(path), "--year", "2025"])
    assert result.exit_code == EXIT_OK, result.output
    assert "逾期（条例第三十三条）：0 件" in result.output


def test_cli_missing_file(tmp_path):
    missing = tmp_path / "missing.csv"
    result = CliRunner().invoke(main, ["register", str(missing), "--year", "2025"])
    assert result.exit_code == EXIT_UNREADABLE
    assert result.stderr.strip() == f"nianbao: {missing}: 文件不存在"


def test_cli_bad_as_of(tmp_path):
    path = write_csv(tmp_path, REGISTER_2025)
    result = CliRunner().invoke(main, ["register", str(path), "--year", "2025", "--as-of", "tomorrow"])
    assert result.exit_code == 2 and "--as-of" in result.output


# ── property ─────────────────────────────────────────────────────────────────────────
_DAYS = st.integers(min_value=0, max_value=3 * 366)


@st.composite
def applications(draw):
    received = D(2023, 1, 1) + dt.timedelta(days=draw(_DAYS))
    applicant = draw(st.sampled_from(APPLICANTS))
    if draw(st.booleans()):
        return app("x", received, applicant)
    replied = received + dt.timedelta(days=draw(st.integers(min_value=0, max_value=120)))
    return app("x", received, applicant, draw(st.sampled_from(RESULTS_2021)), replied, draw(st.booleans()))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(applications(), max_size=40),
    st.sampled_from([2023, 2024, 2025]),
    st.sampled_from(["2019", "2021"]),
)
def test_balance_and_sums_hold_for_any_register(apps, year, template):
    tpl = GOV2019 if template == "2019" else GOV2021
    t3 = table3_from_register(apps, year, template)
    assert balance_holds(t3)
    assert sums_hold(t3, tpl)
    assert all(n >= 0 for row in t3.values() for n in row.values())
    # what one year carries forward, the next carries over
    assert table3_from_register(apps, year + 1, template)["carried_over"] == t3["carried_forward"]
    # every application received in the year is new exactly once
    assert t3["new_received"]["total"] == sum(a.received.year == year for a in apps)


@settings(max_examples=50, deadline=None)
@given(st.lists(applications(), max_size=15))
def test_registers_written_as_csv_read_back_to_the_same_table(apps):
    labels = {c.key: c.label for c in T3.cols}
    rows = [HEADER_ZH.split(",")]
    for i, a in enumerate(apps):
        outcome = T3.row(a.outcome).printed if a.outcome else ""
        rows.append(
            [
                f"R{i}",
                f"{a.received:%Y年%m月%d日}",
                labels[a.applicant],
                outcome,
                str(a.replied or ""),
                "是" if a.extended else "",
            ]
        )
    register = register_from_rows(rows)
    assert register.invalid == []
    assert table3_from_register(register.applications, 2024) == table3_from_register(apps, 2024)
