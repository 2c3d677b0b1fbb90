"""`nianbao parse`: JSON for one file, JSON Lines for several, text tables, one-line errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.cli import EXIT_UNREADABLE, main
from nianbao.render.terminal import BLANK, PLACEHOLDER

# A 2021-template report: one blank cell (本年废止件数 of 行政规范性文件) and one
# placeholder (行政强制 “/”); 表三 only prints some of its rows.
REPORT = """\
白云市市场监督管理局2022年政府信息公开工作年度报告

一、总体情况
2022年，白云市市场监督管理局坚持以公开为常态、不公开为例外，推进政府信息公开工作。

二、主动公开政府信息情况
第二十条第（一）项
信息内容\t本年制发件数\t本年废止件数\t现行有效件数
规章\t0\t0\t0
行政规范性文件\t4\t\t21
第二十条第（五）项
信息内容\t本年处理决定数量
行政许可\t2356
第二十条第（六）项
信息内容\t本年处理决定数量
行政处罚\t318
行政强制\t/
第二十条第（八）项
信息内容\t本年收费金额（单位：万元）
行政事业性收费\t0

三、收到和处理政府信息公开申请情况
（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况
\t自然人\t法人或其他组织\t总计
\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他
一、本年新收政府信息公开申请数量\t12\t3\t0\t0\t1\t0\t16
二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0
三、本年度办理结果\t（一）予以公开\t8\t2\t0\t0\t1\t0\t11
（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t2\t1\t0\t0\t0\t0\t3
（六）其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t1\t0\t0\t0\t0\t0\t1
2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0
3.其他\t1\t0\t0\t0\t0\t0\t1
（七）总计\t12\t3\t0\t0\t1\t0\t16
四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0

四、政府信息公开行政复议、行政诉讼情况
行政复议\t行政诉讼
结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t复议后起诉
\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计
1\t0\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0

五、存在的主要问题及改进情况
政策解读的针对性还需加强。

六、其他需要报告的事项
本年度未收取信息处理费。

白云市市场监督管理局
2023年1月18日
"""

RECIPE = """\
番茄炒蛋

材料：番茄两个，鸡蛋三个，盐少许。
1. 鸡蛋打散，番茄切块。
2. 热锅下油，先炒鸡蛋，盛出。
3. 再炒番茄，加入鸡蛋翻炒，加盐出锅。
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_report(data: dict, path: Path) -> None:
    """The values REPORT prints, exactly."""
    assert data["source"]["path"] == str(path)
    assert data["source"]["format"] == "txt"
    assert data["agency"] == "白云市市场监督管理局"
    assert data["year"] == 2022
    assert data["template"] == "2021"
    assert data["published"] == "2023-01-18"
    assert data["t2"]["normative_documents"] == {"issued": 4, "repealed": None, "in_force": 21}
    assert data["t2"]["licensing"] == {"decisions": 2356}
    assert data["t2"]["coercion"] == {"decisions": None}
    assert data["t2"]["fees"] == {"amount": 0}
    assert data["t3"]["new_received"] == {
        "natural_person": 12,
        "business": 3,
        "research": 0,
        "public_interest": 0,
        "legal_service": 1,
        "other_org": 0,
        "total": 16,
    }
    assert data["t3"]["other_misc"]["total"] == 1
    assert data["t4"]["review"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
    assert data["provenance"]["t2.normative_documents.repealed"]["blank"] == "empty"
    coercion = data["provenance"]["t2.coercion.decisions"]
    assert (coercion["raw"], coercion["blank"]) == ("/", "placeholder")


@pytest.fixture
def report(write) -> Path:
    return write("baiyun-2022.txt", REPORT)


# ── good input ───────────────────────────────────────────────────────────────────
def test_one_file_prints_one_json_object(report):
    result = run("parse", str(report))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert_report(json.loads(result.stdout), report)


def test_two_files_print_json_lines(report, write):
    other = write("copy.txt", REPORT.replace("白云市市场监督管理局", "黑山县市场监督管理局"))
    result = run("parse", str(report), str(other))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    first, second = map(json.loads, lines)
    assert_report(first, report)
    assert second["agency"] == "黑山县市场监督管理局"
    assert second["source"]["path"] == str(other)


def test_text_format_shows_blank_cells(report):
    result = run("parse", "--format", "text", str(report))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any("白云市市场监督管理局" in line for line in lines)
    normative = next(line for line in lines if line.startswith("行政规范性文件"))
    assert normative.split() == ["行政规范性文件", "4", BLANK, "21"]
    coercion = next(line for line in lines if line.startswith("行政强制"))
    assert coercion.split() == ["行政强制", PLACEHOLDER]
    licensing = next(line for line in lines if line.startswith("行政许可"))
    assert licensing.split() == ["行政许可", "2356"]


# ── bad input: one line on stderr, exit 2, the good files still parsed ────────────
def _missing(tmp: Path) -> Path:
    return tmp / "no-such-report.txt"


def _empty(tmp: Path) -> Path:
    path = tmp / "empty.txt"
    path.write_bytes(b"")
    return path


def _directory(tmp: Path) -> Path:
    path = tmp / "a-directory"
    path.mkdir()
    return path


def _binary(tmp: Path) -> Path:
    path = tmp / "blob.txt"
    path.write_bytes(bytes(range(256)) * 8)
    return path


def _recipe(tmp: Path) -> Path:
    path = tmp / "recipe.txt"
    path.write_text(RECIPE, encoding="utf-8")
    return path


BAD = {
    "missing": (_missing, "不存在"),
    "empty": (_empty, "为空"),
    "directory": (_directory, "目录"),
    "binary": (_binary, "二进制"),
    "not-a-report": (_recipe, "不像政府信息公开工作年度报告"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_unreadable_file_is_one_line_on_stderr(kind, report, tmp_path):
    make, reason = BAD[kind]
    bad = make(tmp_path)
    result = run("parse", str(bad), str(report))
    assert result.exit_code == EXIT_UNREADABLE == 2
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [line] = result.stderr.splitlines()
    assert re.fullmatch(rf"nianbao: {re.escape(str(bad))}: \S.*", line), line
    assert reason in line
    [good] = result.stdout.splitlines()
    assert_report(json.loads(good), report)


# ── the installed command, as a user runs it ──────────────────────────────────────
@pytest.fixture
def nianbao() -> str:
    exe = Path(sys.executable).with_name("nianbao")
    if not exe.exists():
        pytest.skip(f"the nianbao console script is not installed next to {sys.executable}")
    return str(exe)


def test_command_parses_one_file(nianbao, report):
    proc = subprocess.run([nianbao, "parse", str(report)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert_report(json.loads(proc.stdout), report)


def test_command_reports_bad_files_and_parses_the_rest(nianbao, report, tmp_path):
    missing, binary = _missing(tmp_path), _binary(tmp_path)
    proc = subprocess.run(
        [nianbao, "parse", str(missing), str(report), str(binary)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        f"nianbao: {missing}: 文件不存在",
        f"nianbao: {binary}: 二进制文件，不是文本报告",
    ]
    [good] = proc.stdout.splitlines()
    assert_report(json.loads(good), report)
