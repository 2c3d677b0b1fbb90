"""The parser's parts: values, labels, metadata."""

from __future__ import annotations

import pytest

from nianbao.document import Paragraph, Ref
from nianbao.normalize import label_key, read_value
from nianbao.parse import meta
from nianbao.parse.labels import candidates, classify, section_of
from nianbao.regions import find_region


@pytest.mark.parametrize(
    "text,value,unit,placeholder",
    [
        ("0", 0, None, False),
        (" 12 ", 12, None, False),
        ("\u3000７", 7, None, False),
        ("1,234", 1234, None, False),
        ("999件", 999, "件", False),
        ("850万元", 850, "万元", False),
        ("4998.00", 4998, None, False),
        ("4068.208", 4068.208, None, False),
        ("-3", -3, None, False),
        ("", None, None, False),
        ("/", None, None, True),
        ("—", None, None, True),
        ("--", None, None, True),
        ("无", None, None, True),
        ("&nbsp;", None, None, True),
    ],
)
def test_read_value(text, value, unit, placeholder):
    v = read_value(text)
    assert (v.value, v.unit, v.placeholder) == (value, unit, placeholder)
    assert type(v.value) is type(value)


@pytest.mark.parametrize("text", ["规章", "属于国家秘密", "2件，其中", "一、总体情况"])
def test_text_that_is_not_a_value(text):
    assert read_value(text) is None


@pytest.mark.parametrize(
    "text,enum,core",
    [
        ("1．属于国家秘密", "1", "属于国家秘密"),
        ("（三）不予公开", "(三)", "不予公开"),
        ("一、本年新收政府信息公开申请数量", "一", "本年新收政府信息公开申请数量"),
        ("(二) 部分公开（区分处理的，只计这一情形，不计其他情形）", "(二)", "部分公开"),
        ("3.危及“三安全一稳定”", "3", "危及三安全一稳定"),
        ("商业 企业", "", "商业企业"),
        ("本年收费金额（单位：万元）", "", "本年收费金额"),
    ],
)
def test_label_key(text, enum, core):
    key = label_key(text)
    assert (key.enum, key.core) == (enum, core)


@pytest.mark.parametrize(
    "text,table,key",
    [
        ("2.其他法律行政止公开", "t3", "refused_other_law"),  # a typo seen in real reports
        ('3.危及"三安全一稳定"', "t3", "refused_three_safety"),
        ("（七）总计", "t3", "results_total"),
        ("3.其他", "t3", "other_misc"),
        ("四、结转下年度继续办理", "t3", "carried_forward"),
        ("5.要求行政机关确认或重新出具已获", "t3", "not_processed_confirm"),  # cut short
        ("社会组织", "t3", "public_interest"),
        ("規章", None, None),  # traditional characters are turned simplified before matching
    ],
)
def test_classify(text, table, key):
    label = classify(text)
    if table is None:
        assert label is None
    else:
        assert (label.table, label.key) == (table, key)


def test_generic_labels_need_their_enumerator():
    assert [x.kind for x in candidates("其他")] == ["col"]
    assert [x.kind for x in candidates("总计")] == ["col", "col"]
    assert candidates("9.其他") == ()


@pytest.mark.parametrize(
    "title,key",
    [
        ("总体情况", "overview"),
        ("行政机关主动公开政府信息情况", "proactive"),
        ("因政府信息公开工作被申请行政复议、提起行政诉讼情况", "appeals"),
        ("政府信息公开行行政复议和行政诉讼情况", "appeals"),  # a typo seen in a real report
        ("存在问题及改进措施", "problems"),
        ("其他需要报告的事项。", "other"),
        ("本年新收政府信息公开申请数量", None),
    ],
)
def test_section_of(title, key):
    assert section_of(title) == key


def _paras(*lines: str) -> list[Paragraph]:
    return [Paragraph(t, Ref(line=i + 1)) for i, t in enumerate(lines)]


@pytest.mark.parametrize(
    "lines,agency",
    [
        (("# 青石市河西区商务局 2024 年政府信息公开工作年度报告",), "青石市河西区商务局"),
        (("青石市交通运输局", "2023 年政府信息公开工作年度报告"), "青石市交通运输局"),
        (("云泽市白沙镇人民政府2022年度政府", "信息公开工作年度报告"), "云泽市白沙镇人民政府"),
        (("2022年度东湖镇政府信息公开工作年度报告",), "东湖镇"),
        (("政府信息公开工作年度报告",), None),
    ],
)
def test_agency_from_title(lines, agency):
    fact = meta.find_agency(_paras(*lines), _paras(*lines))
    assert (fact.value if fact else None) == agency


def test_agency_from_signature_when_title_has_none():
    paras = _paras("政府信息公开工作年度报告", "一、总体情况", "正文。", "临川市民政局", "2025年1月20日")
    assert meta.find_agency(paras[:1], paras).value == "临川市民政局"


@pytest.mark.parametrize(
    "lines,year,how",
    [
        (("青石市商务局2020年政府信息公开工作年度报告",), 2020, "title"),
        (
            ("政府信息公开工作年度报告", "本报告所列数据统计期限自2022年1月1日起至2022年12月31日止。"),
            2022,
            "period",
        ),
        (("政府信息公开工作年度报告", "(2026年1月23日)", "2025年，我局…", "2025年全年…"), 2025, "text"),
    ],
)
def test_year(lines, year, how):
    paras = _paras(*lines)
    fact = meta.find_year(paras[:1], paras, None)
    assert (fact.value, fact.how) == (year, how)


@pytest.mark.parametrize(
    "lines,date",
    [
        (("标题", "发布日期：2022-01-13 03:07:44"), "2022-01-13"),
        (("标题", "正文", "青石市商务局", "2020年1月16日"), "2020-01-16"),
        (("标题", "正文", "青石市商务局", "二〇二一年一月二十八日"), "2021-01-28"),
        (("标题", "截止2019年12月31日，共公开信息30条。"), None),
    ],
)
def test_published(lines, date):
    paras = _paras(*lines)
    fact = meta.find_published(paras[:2], paras)
    assert (fact.value if fact else None) == date


def test_region_is_the_administrative_prefix():
    assert find_region("烟台市芝罘区商务局") == "烟台市芝罘区"
    assert find_region("青石市人民政府") == "青石市"
    assert find_region("商务局") is None


LEGACY = """青石市商务局2017年政府信息公开工作年度报告

一、概述
2017年，我局认真贯彻《中华人民共和国政府信息公开条例》。
二、主动公开政府信息情况
全年主动公开政府信息120条。
三、依申请公开政府信息和不予公开政府信息的情况
全年收到申请3件，均已答复。
四、政府信息公开的收费及减免情况
未收取任何费用。
"""


def test_legacy_report_without_statutory_tables():
    from nianbao.parse import parse_document
    from nianbao.read import read_bytes

    report = parse_document(read_bytes(LEGACY.encode(), "legacy.txt"))
    assert (report.template, report.year, report.agency) == ("legacy", 2017, "青石市商务局")
    assert report.tables == {"t2": {}, "t3": {}, "t4": {}}
    undated = LEGACY.replace("2017年政府", "政府").replace("2017年，", "")
    report = parse_document(read_bytes(undated.encode(), "legacy.txt"))
    assert report.template == "legacy"


def test_report_without_tables_or_legacy_marks_has_no_template():
    from nianbao.parse import parse_document
    from nianbao.read import read_bytes

    text = "青石市商务局2023年政府信息公开工作年度报告\n一、总体情况\n2023年，我局认真落实。\n"
    assert parse_document(read_bytes(text.encode(), "x.txt")).template is None
