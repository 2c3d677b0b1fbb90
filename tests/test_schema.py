"""The Report JSON Schema: generated from the templates, valid, current, and true to parser output."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from nianbao import parse
from nianbao.cli import main
from nianbao.schema import report_schema
from nianbao.template import GOV2019, GOV2021

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "schema" / "report.schema.json"
EXAMPLES = ROOT / "examples"
REGENERATE = "nianbao schema > schema/report.schema.json"

T3_HEADER = """\
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况
\t自然人\t法人或其他组织\t总计
\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他
"""
T3_HEAD_ROWS = """\
一、本年新收政府信息公开申请数量\t{new}
二、上年结转政府信息公开申请数量\t{carried}
三、本年度办理结果\t（一）予以公开\t{granted}
（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t0\t0\t0\t0\t0\t0\t0
（三）不予公开\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0
2.其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t0\t0
3.危及“三安全一稳定”\t0\t0\t0\t0\t0\t0\t0
4.保护第三方合法权益\t0\t0\t0\t0\t0\t0\t0
5.属于三类内部事务信息\t0\t0\t0\t0\t0\t0\t0
6.属于四类过程性信息\t0\t0\t0\t0\t0\t0\t0
7.属于行政执法案卷\t0\t0\t0\t0\t0\t0\t0
8.属于行政查询事项\t0\t0\t0\t0\t0\t0\t0
（四）无法提供\t1.本机关不掌握相关政府信息\t{not_held}
2.没有现成信息需要另行制作\t0\t0\t0\t0\t0\t0\t0
3.补正后申请内容仍不明确\t0\t0\t0\t0\t0\t0\t0
（五）不予处理\t1.信访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0
2.重复申请\t0\t0\t0\t0\t0\t0\t0
3.要求提供公开出版物\t0\t0\t0\t0\t0\t0\t0
4.无正当理由大量反复申请\t0\t0\t0\t0\t0\t0\t0
5.要求行政机关确认或重新出具已获取信息\t0\t0\t0\t0\t0\t0\t0
"""
T4_TABLE = """\
行政复议\t行政诉讼
结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t复议后起诉
\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计
{values}
"""

REPORT_2021 = (
    """\
青山市青山区教育局2021年政府信息公开工作年度报告

本报告依据《中华人民共和国政府信息公开条例》编制，数据统计期限为2021年1月1日至12月31日。

一、总体情况
2021年，青山区教育局认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进政务公开工作。

二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t0\t0\t0
行政规范性文件\t3\t1\t12
第二十条第（五）项
信息内容\t本年处理决定数量
行政许可\t152
第二十条第（六）项
信息内容\t本年处理决定数量
行政处罚\t17
行政强制\t
第二十条第（八）项
信息内容\t本年收费金额（单位：万元）
行政事业性收费\t0.5

三、收到和处理政府信息公开申请情况
"""
    + T3_HEADER
    + T3_HEAD_ROWS.format(
        new="5\t1\t0\t0\t0\t0\t6",
        carried="1\t0\t0\t0\t0\t0\t1",
        granted="3\t1\t0\t0\t0\t0\t4",
        not_held="1\t0\t0\t0\t0\t0\t1",
    )
    + """\
（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0
2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0
3.其他\t0\t0\t0\t0\t0\t0\t0
（七）总计\t4\t1\t0\t0\t0\t0\t5
四、结转下年度继续办理\t2\t0\t0\t0\t0\t0\t2

四、政府信息公开行政复议、行政诉讼情况
"""
    + T4_TABLE.format(values="1\t0\t0\t0\t1\t0\t0\t0\t1\t1\t0\t0\t0\t0\t0")
    + """
五、存在的主要问题及改进情况
一是信息发布的及时性有待提高；二是政策解读形式较为单一。下一步将加强培训，丰富解读形式。

六、其他需要报告的事项
本年度未收取信息处理费。

青山市青山区教育局
2022年1月20日
"""
)

REPORT_2019 = (
    """\
绿水县商务局2019年政府信息公开工作年度报告

本年度报告根据《中华人民共和国政府信息公开条例》编制，数据统计期限为2019年1月1日至12月31日。

一、总体情况
2019年，绿水县商务局坚持以公开为常态、不公开为例外，扎实做好政府信息公开工作。

二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
规范性文件\t2\t2\t9
第二十条第（五）项
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t4\t-1\t33
其他对外管理服务事项\t5\t0\t0
第二十条第（六）项
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政处罚\t3\t0\t7
行政强制\t0\t0\t0
第二十条第（八）项
信息内容\t上一年项目数量\t本年增/减
行政事业性收费\t1\t0
第二十条第（九）项
信息内容\t采购项目数量\t采购总金额
政府集中采购\t6\t251000

三、收到和处理政府信息公开申请情况
"""
    + T3_HEADER
    + T3_HEAD_ROWS.format(
        new="2\t1\t0\t0\t0\t0\t3",
        carried="0\t0\t0\t0\t0\t0\t0",
        granted="1\t1\t0\t0\t0\t0\t2",
        not_held="1\t0\t0\t0\t0\t0\t1",
    )
    + """\
（六）其他处理\t0\t0\t0\t0\t0\t0\t0
（七）总计\t2\t1\t0\t0\t0\t0\t3
四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0

四、政府信息公开行政复议、行政诉讼情况
"""
    + T4_TABLE.format(values="\t".join(["0"] * 15))
    + """
五、存在的主要问题及改进情况
信息公开的深度和广度还需拓展。

六、其他需要报告的事项
无。

绿水县商务局
2020年1月15日
"""
)


@pytest.fixture(scope="module")
def schema() -> dict:
    return report_schema()


@pytest.fixture(scope="module")
def validator(schema) -> Draft202012Validator:
    return Draft202012Validator(schema)


def errors(validator: Draft202012Validator, data: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def parsed(write, name: str, text: str) -> dict:
    return parse(str(write(name, text))).to_json()


# ── the schema itself ──────────────────────────────────────────────────────────────
def test_schema_is_valid_draft_2020_12(schema):
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("table_id", ["t2", "t3", "t4"])
def test_schema_rows_and_columns_are_the_templates(schema, table_id):
    """Every row of either template is there, with the union of its columns and nothing else."""
    rows = schema["properties"][table_id]["properties"]
    expected: dict[str, set[str]] = {}
    for tpl in (GOV2021, GOV2019):
        table = tpl.table(table_id)
        for row in table.all_rows():
            expected.setdefault(row.key, set()).update(c.key for c in table.cols_of(row.key))
            assert row.label in rows[row.key]["title"]
    assert set(rows) - {"extra"} == set(expected)
    for key, cols in expected.items():
        assert set(rows[key]["properties"]) == cols, key
        assert rows[key]["additionalProperties"] is False


def test_schema_documents_keys_with_printed_labels(schema):
    t3 = schema["properties"]["t3"]["properties"]
    assert "（三）不予公开" in t3["refused_state_secret"]["description"]
    assert t3["other_total"]["description"].endswith("（2019 模板）")
    t2 = schema["properties"]["t2"]["properties"]
    assert t2["normative_documents"]["title"] == "行政规范性文件 / 规范性文件"
    assert t2["fees"]["properties"]["amount"]["title"] == "本年收费金额（单位：万元）"
    sections = schema["properties"]["sections"]["properties"]
    assert sections["appeals"]["title"] == "四、政府信息公开行政复议、行政诉讼情况"


def test_committed_schema_file_is_current(schema):
    assert SCHEMA_FILE.is_file(), f"{SCHEMA_FILE} is missing; run: {REGENERATE}"
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == schema, f"{SCHEMA_FILE} is stale; run: {REGENERATE}"


def test_schema_command_prints_the_schema(schema):
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == schema


# ── parser output validates ──────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("text", "template", "t3_rows"),
    [(REPORT_2021, "2021", len(GOV2021.t3.rows)), (REPORT_2019, "2019", len(GOV2019.t3.rows))],
    ids=["2021", "2019"],
)
def test_parsed_report_validates(write, validator, text, template, t3_rows):
    data = parsed(write, f"report-{template}.txt", text)
    assert data["template"] == template
    assert len(data["t3"]) == t3_rows
    assert data["diagnostics"]["missing"] == []
    assert errors(validator, data) == []


def test_parsed_examples_validate(validator):
    paths = sorted(p for p in EXAMPLES.glob("*.*") if p.suffix in (".txt", ".md") and p.stem != "README")
    if not paths:
        pytest.skip(f"no example reports under {EXAMPLES}")
    failures = {p.name: found[:5] for p in paths if (found := errors(validator, parse(str(p)).to_json()))}
    assert failures == {}


def test_parsed_corpus_validates(corpus, validator):
    paths = sorted([*corpus.glob("seeds/*.txt"), *corpus.glob("real/**/*.txt")])
    assert paths, f"no .txt documents under {corpus}"
    failures = {}
    for path in paths:
        found = errors(validator, parse(str(path)).to_json())
        if found:
            failures[str(path.relative_to(corpus))] = found[:5]
    assert failures == {}


def test_t3_subtotal_row_goes_to_extra_and_validates(write, validator):
    text = REPORT_2021.replace(
        "（三）不予公开\t1.属于国家秘密", "（三）不予公开\t0\t0\t0\t0\t0\t0\t0\n1.属于国家秘密"
    )
    data = parsed(write, "subtotal.txt", text)
    assert data["t3"]["extra"] == [
        {
            "label": "（三）不予公开",
            "values": dict.fromkeys((c.key for c in GOV2021.t3.cols), 0),
            "group": "refused",
        }
    ]
    assert errors(validator, data) == []


def test_t2_row_of_other_template_keeps_its_value(write, validator):
    text = REPORT_2021.replace("行政许可\t152\n", "行政许可\t152\n其他对外管理服务事项\t7\n")
    data = parsed(write, "other-template-row.txt", text)
    assert errors(validator, data) == []
    [extra] = data["t2"]["extra"]
    assert extra["label"] == "其他对外管理服务事项"
    assert 7 in extra["values"].values()


def test_t2_local_row_is_kept_in_extra(write, validator):
    text = REPORT_2021.replace("规章\t0\t0\t0\n", "规章\t0\t0\t0\n其他主动公开文件\t1\t0\t5\n")
    data = parsed(write, "local-row.txt", text)
    assert errors(validator, data) == []
    labels = [e["label"] for e in data["t2"].get("extra", [])]
    assert labels == ["其他主动公开文件"]


# ── the schema rejects what the contract forbids ─────────────────────────────────
def _parent(data: dict, path: str | tuple[str, ...]) -> tuple[dict, str]:
    *parents, last = path.split(".") if isinstance(path, str) else path
    for key in parents:
        data = data[key]
    return data, last


def _set(path: str | tuple[str, ...], value):
    def mutate(data: dict) -> None:
        target, key = _parent(data, path)
        target[key] = value

    return mutate


def _delete(path: str | tuple[str, ...]):
    def mutate(data: dict) -> None:
        target, key = _parent(data, path)
        del target[key]

    return mutate


@pytest.mark.parametrize(
    "mutate",
    [
        _set("t3.made_up_row", {"total": 1}),
        _set("t3.granted.total", "4"),
        _set("t3.granted.total", True),
        _set("t3.granted.unknown_col", 1),
        _set("t2.fees.decisions", 1),
        _set("t4.review", {"upheld": "0"}),
        _set("t2.extra", [{"label": "其他主动公开文件", "values": {"issued": "1"}}]),
        _set("template", "2020"),
        _set("contract", 2),
        _set("published", "2022年1月20日"),
        _set("source.format", "xls"),
        _set("unexpected", 1),
        _delete("sections.other"),
        _set("sections.other", {"title": "六、其他需要报告的事项"}),
        _set(("provenance", "t3.granted.total"), {"line": 1}),
        _delete("diagnostics"),
    ],
    ids=[
        "unknown-row",
        "string-cell",
        "boolean-cell",
        "unknown-column",
        "column-of-another-row",
        "string-cell-t4",
        "string-cell-extra",
        "template-value",
        "contract-version",
        "published-not-iso",
        "source-format",
        "unknown-top-level-key",
        "section-key-missing",
        "section-without-text",
        "provenance-without-raw",
        "diagnostics-missing",
    ],
)
def test_schema_rejects(write, validator, mutate):
    data = parsed(write, "report.txt", REPORT_2021)
    assert errors(validator, data) == []
    broken = copy.deepcopy(data)
    mutate(broken)
    assert errors(validator, broken) != []
