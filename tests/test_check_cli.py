"""`nianbao check` and `nianbao rules`: formats, rule selection, settings files, exit status."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.check.output import CSV_COLUMNS
from nianbao.check.registry import RULES
from nianbao.cli import main
from nianbao.generate import random_report
from nianbao.model import Cell, Report
from nianbao.render.text import render_text

AGENCY = "金河市市场监督管理局"
CONTRACT_KEYS = {"rule", "severity", "report", "cells", "message", "expected", "actual"}
SEVERITY_WORDS = {"错误", "警告", "提示"}
FINDING_LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+): (?P<rule>[A-Z0-9-]+) (?P<sev>\S+) (?P<message>.+)$"
)


# ── inputs ───────────────────────────────────────────────────────────────────────────────
def generated(year: int, seed: int) -> Report:
    """A consistent 2021-template report of one department, published in time."""
    report = random_report(seed, "2021", year)
    report.agency = AGENCY
    report.published = f"{year + 1}-01-20"
    return report


def broken() -> Report:
    """（七）总计 one too many: T3-BAL, T3-ROWSUM, T3-RESULTSUM (errors) and X-TEXT (a warning)."""
    report = generated(2023, 3)
    total = report.tables["t3"]["results_total"]["total"]
    report.tables["t3"]["results_total"]["total"] = Cell(total.value + 1, str(total.value + 1))
    return report


def with_blank() -> Report:
    """One 0 of 表三 left blank: only an F-BLANK warning (another agency: no cross-year pair)."""
    report = generated(2022, 1)
    report.agency = "金河市财政局"
    row = report.tables["t3"]["partially_granted"]
    assert row["business"].value == 0
    row["business"] = Cell(None, "")
    return report


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """good.txt (no finding), bad.txt (errors), warn.txt (a warning), y2022.txt + y2023.txt (a pair)."""
    reports = {
        "good": generated(2022, 1),
        "bad": broken(),
        "warn": with_blank(),
        "y2022": generated(2022, 1),
        "y2023": generated(2023, 3),
    }
    out = {}
    for name, report in reports.items():
        out[name] = tmp_path / f"{name}.txt"
        out[name].write_text(render_text(report), encoding="utf-8")
    return out


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def rules_of(result) -> list[str]:
    return [f["rule"] for f in json.loads(result.stdout)]


# ── text ─────────────────────────────────────────────────────────────────────────────────
def test_text_one_finding_a_line_and_a_summary(files):
    result = invoke("check", files["bad"])
    assert result.exit_code == 1, result.output
    *lines, summary = result.stdout.strip().splitlines()
    assert summary == "共 4 项：错误 3，警告 1。"
    parsed = [FINDING_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert {m["path"] for m in parsed} == {str(files["bad"])}
    assert {m["sev"] for m in parsed} <= SEVERITY_WORDS
    assert [m["rule"] for m in parsed] == ["T3-BAL", "T3-ROWSUM", "T3-RESULTSUM", "X-TEXT"]
    text = files["bad"].read_text(encoding="utf-8").splitlines()
    total_line = next(i for i, line in enumerate(text, 1) if line.startswith("\t（七）总计"))
    t3_bal = broken().tables["t3"]
    new, old, fwd = (t3_bal[r]["total"].value for r in ("new_received", "carried_over", "carried_forward"))
    assert lines[0] == (
        f"{files['bad']}:{total_line}: T3-BAL 错误 表三“总计”列：第三项（七）总计 {new + old - fwd + 1} ≠ "
        f"第一项 {new} + 第二项 {old} − 第四项 {fwd} = {new + old - fwd}"
    )


def test_text_clean_report(files):
    result = invoke("check", files["good"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "未发现问题。\n"


# ── json ─────────────────────────────────────────────────────────────────────────────────
def test_json_has_the_contract_keys(files):
    result = invoke("check", files["bad"], files["warn"], "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert [f["rule"] for f in findings] == ["T3-BAL", "T3-ROWSUM", "T3-RESULTSUM", "X-TEXT", "F-BLANK"]
    for f in findings:
        assert CONTRACT_KEYS <= set(f) <= CONTRACT_KEYS | {"line", "page"}
        assert f["severity"] in ("error", "warning", "info")
        assert isinstance(f["cells"], list) and all(isinstance(c, str) for c in f["cells"])
    bal = findings[0]
    assert bal["report"] == str(files["bad"])
    assert bal["severity"] == "error"
    assert bal["cells"] == [
        "t3.results_total.total",
        "t3.new_received.total",
        "t3.carried_over.total",
        "t3.carried_forward.total",
    ]
    assert bal["actual"] == bal["expected"] + 1
    assert findings[-1]["report"] == str(files["warn"])
    assert findings[-1]["cells"] == ["t3.partially_granted.business"]


def test_json_empty_list_for_a_clean_report(files):
    result = invoke("check", files["good"], "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


# ── csv ──────────────────────────────────────────────────────────────────────────────────
REQUIRED_CSV_HEADER = ["report", "line", "rule", "severity", "message", "cells", "expected", "actual"]


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(x in it for x in small)


def test_csv_out_file_has_bom_and_header(files, tmp_path):
    out = tmp_path / "findings.csv"
    result = invoke("check", files["bad"], "--format", "csv", "--out", out)
    assert result.exit_code == 1
    assert result.stdout == ""
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, *body = rows
    assert header == list(CSV_COLUMNS)
    assert header[:2] == ["report", "line"]
    assert _is_subsequence(REQUIRED_CSV_HEADER, header), header
    assert len(body) == 4
    first = dict(zip(header, body[0], strict=True))
    assert first["report"] == str(files["bad"])
    assert first["rule"] == "T3-BAL"
    assert first["severity"] == "error"
    assert first["line"].isdigit()
    assert (
        first["cells"]
        == "t3.results_total.total t3.new_received.total t3.carried_over.total t3.carried_forward.total"
    )
    assert first["message"].startswith("表三“总计”列：第三项（七）总计")
    assert int(first["actual"]) == int(first["expected"]) + 1


def test_csv_to_stdout_starts_with_bom_too(files):
    result = invoke("check", files["good"], "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert next(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig")))) == list(CSV_COLUMNS)


# ── selecting rules ──────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--select", "T3-BAL"], ["T3-BAL"]),
        (["--select", "t3-bal"], ["T3-BAL"]),
        (["--select", "T3"], ["T3-BAL", "T3-ROWSUM", "T3-RESULTSUM"]),
        (["--select", "T3-BAL,X-TEXT"], ["T3-BAL", "X-TEXT"]),
        (["--select", "T3-BAL", "--select", "X"], ["T3-BAL", "X-TEXT"]),
        (["--ignore", "T3"], ["X-TEXT"]),
        (["--ignore", "T3-ROWSUM", "--ignore", "X-TEXT"], ["T3-BAL", "T3-RESULTSUM"]),
        (["--select", "T3", "--ignore", "T3-BAL"], ["T3-ROWSUM", "T3-RESULTSUM"]),
        (["--min-severity", "error"], ["T3-BAL", "T3-ROWSUM", "T3-RESULTSUM"]),
        (["--min-severity", "warning"], ["T3-BAL", "T3-ROWSUM", "T3-RESULTSUM", "X-TEXT"]),
    ],
)
def test_select_ignore_and_min_severity(files, options, expected):
    result = invoke("check", files["bad"], "--format", "json", *options)
    assert rules_of(result) == expected


def test_min_severity_error_hides_warnings_and_keeps_exit_status(files):
    result = invoke("check", files["warn"], "--min-severity", "error")
    assert (result.exit_code, result.stdout) == (0, "未发现问题。\n")
    assert invoke("check", files["bad"], "--min-severity", "error").exit_code == 1


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rule_is_a_usage_error_in_chinese(files, option):
    result = invoke("check", files["good"], option, "NOPE")
    assert result.exit_code == 2
    assert "未知的规则：NOPE" in result.output
    assert "nianbao rules" in result.output


# ── exit status ──────────────────────────────────────────────────────────────────────────
def test_exit_0_when_only_warnings(files):
    result = invoke("check", files["warn"])
    assert result.exit_code == 0
    assert "F-BLANK 警告" in result.stdout


def test_exit_1_when_an_error(files):
    assert invoke("check", files["good"], files["bad"]).exit_code == 1


def test_exit_2_for_an_unreadable_file_and_the_others_still_checked(files, tmp_path):
    missing = tmp_path / "missing.txt"
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02\xff\xfe" * 20)
    result = invoke("check", files["bad"], missing, binary, "--format", "json")
    assert result.exit_code == 2
    assert rules_of(result) == ["T3-BAL", "T3-ROWSUM", "T3-RESULTSUM", "X-TEXT"]
    assert result.stderr.splitlines() == [
        f"nianbao: {missing}: 文件不存在",
        f"nianbao: {binary}: 二进制文件，不是文本报告",
    ]


# ── settings files ───────────────────────────────────────────────────────────────────────
COPIED = [
    "我局政策解读的形式还不够丰富且图表和视频等解读方式运用较少",
    "依申请公开答复文书的规范性有待提高而个别答复说理不够充分",
    "2022年我局组织开展政务公开业务培训3次并完善了答复文书模板",
]
FRESH = [
    "基层政务公开专区建设不平衡且部分专区资料更新不够及时",
    "2023年我局对全部12个专区开展季度巡查并建立了资料更新台账",
]
TOML = '[check]\nignore = ["F-BLANK"]\n\n[check.rules.Y-COPY]\nthreshold = 0.5\n'


def _copy_pair(folder: Path) -> list[Path]:
    """Two years whose section 五 shares 52% of its text: a Y-COPY only at threshold 0.5."""
    prev, cur = generated(2022, 1), generated(2023, 3)
    for report, problems in (
        (prev, COPIED),
        (cur, [COPIED[0], COPIED[2].replace("2022", "2023"), *FRESH]),
    ):
        for key, sec in report.sections.items():
            sec.text = f"{report.year}年本部分情况{key}。"
        report.sections["problems"].text = "。".join(problems) + "。"
        report.sections["other"].text = "本年度未收取信息处理费。"
    paths = []
    for report in (prev, cur):
        path = folder / f"copy{report.year}.txt"
        path.write_text(render_text(report), encoding="utf-8")
        paths.append(path)
    return paths


def test_nianbao_toml_in_the_working_directory(files, tmp_path, monkeypatch):
    pair = _copy_pair(tmp_path)
    args = ["check", files["warn"], *pair, "--format", "json", "--select", "F,Y-COPY"]
    monkeypatch.chdir(tmp_path)
    assert rules_of(invoke(*args)) == ["F-BLANK"]
    (tmp_path / "nianbao.toml").write_text(TOML, encoding="utf-8")
    findings = json.loads(invoke(*args).stdout)
    assert [(f["rule"], f["cells"], f["expected"], f["actual"]) for f in findings] == [
        ("Y-COPY", ["sections.problems"], 0.5, 0.518)
    ]
    assert "（阈值 50%）" in findings[0]["message"]


def test_nianbao_toml_ignore_honoured(files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nianbao.toml").write_text(TOML, encoding="utf-8")
    result = invoke("check", files["warn"])
    assert (result.exit_code, result.stdout) == (0, "未发现问题。\n")


def test_command_line_ignore_adds_to_the_nianbao_toml_ignore(files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nianbao.toml").write_text(TOML, encoding="utf-8")
    result = invoke("check", files["warn"], files["bad"], "--format", "json", "--ignore", "X-TEXT")
    assert rules_of(result) == ["T3-BAL", "T3-ROWSUM", "T3-RESULTSUM"]


def test_config_option_names_the_settings_file(files, tmp_path, monkeypatch):
    config = tmp_path / "settings" / "mine.toml"
    config.parent.mkdir()
    config.write_text(TOML, encoding="utf-8")
    pair = _copy_pair(tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.chdir(work)
    args = ["check", files["warn"], *pair, "--format", "json", "--select", "F,Y-COPY"]
    assert rules_of(invoke(*args)) == ["F-BLANK"]
    assert rules_of(invoke(*args, "--config", config)) == ["Y-COPY"]


def test_config_with_an_unknown_rule_is_a_usage_error(files, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[check.rules.NOPE]\nthreshold = 1\n", encoding="utf-8")
    result = invoke("check", files["good"], "--config", config)
    assert result.exit_code == 2
    assert "未知的规则 NOPE" in result.output


def test_missing_config_file_is_a_usage_error(files, tmp_path):
    result = invoke("check", files["good"], "--config", tmp_path / "nowhere.toml")
    assert result.exit_code == 2
    assert "无法读取设置" in result.output


# ── across years ─────────────────────────────────────────────────────────────────────────
def test_consecutive_years_checked_together_give_y_findings(files):
    together = invoke("check", files["y2022"], files["y2023"], "--format", "json", "--select", "Y")
    found = json.loads(together.stdout)
    assert found, "no cross-year finding"
    assert {f["rule"] for f in found} <= {r for r in RULES if r.startswith("Y-")}
    assert {f["report"] for f in found} == {str(files["y2023"])}
    assert any(f["rule"] == "Y-CARRY" for f in found)
    for one in ("y2022", "y2023"):
        alone = invoke("check", files[one], "--format", "json", "--select", "Y")
        assert json.loads(alone.stdout) == []


def test_the_order_of_files_does_not_matter_for_y_rules(files):
    forward = invoke("check", files["y2022"], files["y2023"], "--format", "json", "--select", "Y")
    backward = invoke("check", files["y2023"], files["y2022"], "--format", "json", "--select", "Y")
    assert json.loads(forward.stdout) == json.loads(backward.stdout)


# ── nianbao rules ────────────────────────────────────────────────────────────────────────
def test_rules_lists_every_rule():
    result = invoke("rules")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(RULES) == 23
    assert sorted(line.split()[0] for line in lines) == sorted(RULES)
    assert all(line.split()[1] in SEVERITY_WORDS for line in lines)


def test_rules_json():
    result = invoke("rules", "--format", "json")
    rules = json.loads(result.stdout)
    assert sorted(r["id"] for r in rules) == sorted(RULES)
    assert {r["severity"] for r in rules} <= {"error", "warning", "info"}


@pytest.mark.parametrize("rule_id", ["T3-BAL", "t3-bal"])
def test_rules_prints_one_rules_doc(rule_id):
    result = invoke("rules", rule_id)
    assert result.exit_code == 0
    assert result.stdout == RULES["T3-BAL"].doc() + "\n"
    assert result.stdout.startswith("# T3-BAL 表三勾稽关系不成立")
    for title in ("检查什么", "为什么", "示例", "应当"):
        assert f"## {title}" in result.stdout


def test_rules_unknown_id_is_a_usage_error():
    result = invoke("rules", "NOPE")
    assert result.exit_code == 2
    assert "未知的规则 NOPE" in result.output


# ── the installed command ────────────────────────────────────────────────────────────────
@pytest.fixture
def console_script() -> str:
    exe = Path(sys.executable).with_name("nianbao")
    if not exe.exists():
        pytest.skip(f"the nianbao console script is not installed next to {sys.executable}")
    return str(exe)


def test_installed_command_checks_files(console_script, files, tmp_path):
    missing = tmp_path / "missing.txt"
    proc = subprocess.run(
        [console_script, "check", str(files["bad"]), str(missing), str(files["warn"])],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stderr == f"nianbao: {missing}: 文件不存在\n"
    *lines, summary = proc.stdout.strip().splitlines()
    assert [(FINDING_LINE.match(line)["path"], FINDING_LINE.match(line)["rule"]) for line in lines] == [
        (str(files["bad"]), "T3-BAL"),
        (str(files["bad"]), "T3-ROWSUM"),
        (str(files["bad"]), "T3-RESULTSUM"),
        (str(files["bad"]), "X-TEXT"),
        (str(files["warn"]), "F-BLANK"),
    ]
    assert summary == "共 5 项：错误 3，警告 2。"


# ── the reference corpus (../shared/corpus, read in place, never copied) ──────────────────
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _seed_cases() -> list:
    cases = []
    for truth in sorted((CORPUS / "seeds").glob("*.truth.json")) if CORPUS.is_dir() else []:
        if "expect_rules" not in json.loads(truth.read_text(encoding="utf-8")):
            continue
        base = truth.name[: -len(".truth.json")]
        docs = [d for d in sorted(truth.parent.glob(base + ".*")) if not d.name.endswith(".json")]
        cases += [pytest.param(doc, truth, id=doc.name) for doc in docs]
    return cases or [pytest.param(None, None, marks=pytest.mark.skip(reason=f"no corpus seeds at {CORPUS}"))]


@pytest.mark.parametrize(("doc", "truth_path"), _seed_cases())
def test_corpus_seed_finds_the_expected_rules(doc, truth_path):
    expected = set(json.loads(truth_path.read_text(encoding="utf-8"))["expect_rules"])
    result = invoke("check", doc, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)
    found = {f["rule"] for f in findings}
    errors = {f["rule"] for f in findings if f["severity"] == "error"}
    assert expected - found == set(), f"expected rules not found: {sorted(expected - found)}"
    assert errors - expected == set(), (
        f"error-severity rules outside expect_rules: {sorted(errors - expected)}"
    )
    assert result.exit_code == (1 if errors else 0)
