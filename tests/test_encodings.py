"""One report in every encoding seen in the wild parses to the same figures."""

from __future__ import annotations

import opencc
import pytest

from nianbao import parse
from nianbao.document import Document, Source
from nianbao.parse import parse_document
from nianbao.read.decode import decode_text
from nianbao.read.text import read_text

REPORT = """\
江南市交通运输局2023年政府信息公开工作年度报告

本报告依据《中华人民共和国政府信息公开条例》编制，数据统计期限为2023年1月1日至12月31日。

一、总体情况
2023年，江南市交通运输局认真执行政府信息公开条例，及时公开行政许可、行政处罚等信息。

二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t0\t0\t0
行政规范性文件\t2\t1\t15
第二十条第（五）项
信息内容\t本年处理决定数量
行政许可\t860
第二十条第（六）项
信息内容\t本年处理决定数量
行政处罚\t1204
行政强制\t9
第二十条第（八）项
信息内容\t本年收费金额（单位：万元）
行政事业性收费\t

三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况
\t自然人\t法人或其他组织\t总计
\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他
一、本年新收政府信息公开申请数量\t7\t2\t0\t1\t0\t0\t10
二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1
三、本年度办理结果\t（一）予以公开\t4\t1\t0\t1\t0\t0\t6
（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t1\t0\t0\t0\t0\t0\t1
（三）不予公开\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0
3.危及“三安全一稳定”\t0\t0\t0\t0\t0\t0\t0
（四）无法提供\t1.本机关不掌握相关政府信息\t2\t1\t0\t0\t0\t0\t3
（五）不予处理\t1.信访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0
（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0
2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0
3.其他\t0\t0\t0\t0\t0\t0\t0
（七）总计\t7\t2\t0\t1\t0\t0\t10
四、结转下年度继续办理\t1\t0\t0\t0\t0\t0\t1

四、政府信息公开行政复议、行政诉讼情况
行政复议\t行政诉讼
结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t复议后起诉
\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计
0\t1\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0

五、存在的主要问题及改进情况
政策解读的形式还需丰富，下一步将加强业务培训。

六、其他需要报告的事项
本年度未收取信息处理费。

江南市交通运输局
2024年1月25日
"""

# The traditional-character version. OpenCC writes 爲 for 为, which Big5 lacks; Big5 has 為.
TRADITIONAL = opencc.OpenCC("s2t").convert(REPORT).replace("爲", "為")

T2 = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
    "normative_documents": {"issued": 2, "repealed": 1, "in_force": 15},
    "licensing": {"decisions": 860},
    "penalty": {"decisions": 1204},
    "coercion": {"decisions": 9},
    "fees": {"amount": None},
}
T3_TOTALS = {
    "new_received": 10,
    "carried_over": 1,
    "granted": 6,
    "partially_granted": 1,
    "refused_state_secret": 0,
    "refused_three_safety": 0,
    "unable_not_held": 3,
    "not_processed_complaint": 0,
    "other_overdue_correction": 0,
    "other_overdue_fee": 0,
    "other_misc": 0,
    "results_total": 10,
    "carried_forward": 1,
}
T3_NEW_RECEIVED = {
    "natural_person": 7,
    "business": 2,
    "research": 0,
    "public_interest": 1,
    "legal_service": 0,
    "other_org": 0,
    "total": 10,
}


def figures(data: dict) -> dict:
    return {key: data[key] for key in ("year", "template", "t2", "t3", "t4")}


@pytest.fixture(scope="module")
def reference() -> dict:
    """The report read from UTF-8, checked against the figures it prints."""
    data = parse_document(_document(REPORT)).to_json()
    assert data["year"] == 2023
    assert data["template"] == "2021"
    assert data["agency"] == "江南市交通运输局"
    assert data["t2"] == T2
    assert {row: cols["total"] for row, cols in data["t3"].items()} == T3_TOTALS
    assert data["t3"]["new_received"] == T3_NEW_RECEIVED
    assert data["t4"]["review"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1}
    return data


def _document(text: str, encoding: str = "utf-8") -> Document:
    """A document straight from decoded text, past the reader's checks."""
    return Document(Source("report.txt", "0" * 64, "txt", encoding), read_text(text))


ENCODED = {
    "utf-8": REPORT.encode("utf-8"),
    "utf-8-bom": REPORT.encode("utf-8-sig"),
    "gb18030": REPORT.encode("gb18030"),
    "gbk": REPORT.encode("gbk"),
    "utf-16-le-bom": b"\xff\xfe" + REPORT.encode("utf-16-le"),
    "utf-16-be-bom": b"\xfe\xff" + REPORT.encode("utf-16-be"),
}


@pytest.mark.parametrize("name", list(ENCODED))
def test_simplified_report_in_each_encoding(name, write, reference):
    data = parse(str(write(f"report-{name}.txt", ENCODED[name]))).to_json()
    assert figures(data) == figures(reference)
    assert data["agency"] == reference["agency"]
    assert data["published"] == "2024-01-25"
    assert data["sections"] == reference["sections"]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (REPORT.encode("utf-8"), "utf-8"),
        (REPORT.encode("utf-8-sig"), "utf-8-sig"),
        (REPORT.encode("gbk"), "gb18030"),
        (REPORT.encode("gb18030"), "gb18030"),
        (REPORT.encode("utf-16"), "utf-16"),
        (TRADITIONAL.encode("big5", errors="strict"), "big5"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "utf-16", "big5"],
)
def test_decode_text_finds_the_encoding(data, encoding):
    text, found = decode_text(data)
    assert found == encoding
    assert text == (TRADITIONAL if encoding == "big5" else REPORT)


def test_utf8_cut_inside_a_character_is_still_utf8(write, reference):
    data = REPORT.encode("utf-8")
    cut = data[: data.rindex("日".encode()) + 2]  # the last 日 loses its third byte
    text, encoding = decode_text(cut)
    assert encoding == "utf-8"
    assert text.endswith("2024年1月25\ufffd")
    parsed = parse(str(write("cut.txt", cut))).to_json()
    assert figures(parsed) == figures(reference)


def test_utf8_with_a_stray_byte_is_still_utf8(write, reference):
    data = REPORT.encode("utf-8").replace("认真执行".encode(), "认真".encode() + b"\xa0" + "执行".encode())
    text, encoding = decode_text(data)
    assert encoding == "utf-8"
    assert "认真\ufffd执行" in text
    parsed = parse(str(write("stray.txt", data))).to_json()
    assert figures(parsed) == figures(reference)


def test_gbk_is_not_mistaken_for_broken_utf8():
    text, encoding = decode_text(REPORT.encode("gbk"))
    assert (text, encoding) == (REPORT, "gb18030")


# ── Big5 (traditional characters) ────────────────────────────────────────────────
def test_traditional_labels_are_matched(reference):
    """Past the reader, traditional labels match the simplified template: same figures."""
    data = parse_document(_document(TRADITIONAL, "big5")).to_json()
    assert figures(data) == figures(reference)
    assert len(data["t3"]) == len(T3_TOTALS)
    assert all(data["sections"][key] is not None for key in data["sections"])


def test_big5_report_parses_like_the_simplified_one(write, reference):
    data = parse(str(write("report-big5.txt", TRADITIONAL.encode("big5", errors="strict")))).to_json()
    assert figures(data) == figures(reference)


def test_traditional_titles_and_raw_text_are_as_printed():
    data = parse_document(_document(TRADITIONAL, "big5")).to_json()
    assert data["sections"]["overview"]["title"] == "一、總體情況"
    assert data["sections"]["requests"]["title"] == "三、收到和處理政府信息公開申請情況"
    assert data["provenance"]["sections.overview"]["raw"] == "一、總體情況"
