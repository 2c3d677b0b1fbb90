"""Hostile input at the command line: no traceback for any input. Every error is one Chinese line
naming the file and what is wrong, with the documented exit code (0 ok, 1 findings, 2 an input
unreadable or an output unwritable, 3 internal error, 130 interrupted, 141 pipe closed).

Every hostile input is generated here: report JSON/YAML of wrong types, unknown rows, huge or
non-finite numbers; an .xlsx whose XML holds 1e400; a CSV field over 128 KiB; --out into a
missing directory, onto a directory and onto /dev/full for every command that takes it.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import LEAKS
from nianbao import __version__, outfile
from nianbao.check import runner
from nianbao.cli import main
from nianbao.generate import random_report
from nianbao.model import Cell

NIANBAO = str(Path(sys.executable).parent / "nianbao")
INTERNAL = "：请报告此问题（设置环境变量 NIANBAO_DEBUG=1 可显示详细信息）"
#: English a user must never see: exception names and Python's or a library's own words.
ENGLISH = re.compile(r"Traceback|Error\b|Exception|[A-Z][a-z]+Error|errno|Errno|openpyxl|object has no")
REGISTER_CSV = "序号,收到申请日期,申请人类型,处理结果,答复日期\n1,2023-03-01,自然人,予以公开,2023-03-10\n"


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def clean(result) -> None:
    """No traceback, no exception escaped, no English in what the user reads."""
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert not ENGLISH.search(result.stderr), result.stderr
    assert not LEAKS.search(result.stderr), result.stderr


def report_data(**changes) -> dict:
    data = random_report(3, "2021").to_json()
    data.update(changes)
    return data


@pytest.fixture
def good(tmp_path) -> Path:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(report_data(), ensure_ascii=False), encoding="utf-8")
    return path


# ── report JSON/YAML: each problem a Chinese message naming the JSON path ───────────────
def _edited(edit) -> dict:
    data = report_data()
    edit(data)
    return data


def _set(path: str, value):
    def edit(data: dict) -> None:
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[last] = value

    return edit


BAD_REPORTS = [
    (_set("year", "2023"), "year：应为整数或 null，而不是文字“2023”"),
    (_set("year", 99999), "year：年度 99999 超出范围（1900—2100）"),
    (_set("sections.overview.text", 5), "sections.overview.text：应为文字，而不是数字 5"),
    (_set("sections.overview", 5), "sections.overview：应为 null 或对象（{…}），而不是数字 5"),
    (_set("t3", 5), "t3：应为对象（{…}），而不是数字 5"),
    (_set("t3.granted.total", "12"), "t3.granted.total：应为数字或 null，而不是文字“12”"),
    (_set("t3.granted.total", True), "t3.granted.total：应为数字或 null，而不是 true"),
    (_set("t3.granted.total", [1]), "t3.granted.total：应为数字或 null，而不是列表（[…]）"),
    (
        _set("t3.granted.bogus", 1),
        "t3.granted.bogus：未知的列“bogus”（可用：natural_person、business、"
        "research、public_interest、legal_service、other_org、total）",
    ),
    (
        _set("t4.nonsense", {}),
        "t4.nonsense：未知的行“nonsense”（可用：review、litigation_direct、litigation_after_review）",
    ),
    (_set("t3.granted.total", 10**320), "t3.granted.total：数值过大（321 位数字，最多 15 位）"),
    (_set("t3.granted.total", 1e300), "t3.granted.total：数值过大（301 位数字，最多 15 位）"),
    (_set("published", "2023-02-30"), "published：日期 2023-02-30 不存在"),
    (_set("published", "2023年2月1日"), "published：应为 YYYY-MM-DD 格式的日期，而不是文字“2023年2月1日”"),
    (_set("template", "2020"), "template：应为 2019、2021、hybrid、legacy、null 之一，而不是文字“2020”"),
    (_set("contract", 2), "contract：应为 1，而不是数字 2"),
    (_set("agency", "青石市\ud800"), "agency：含有无效的 Unicode 字符（孤立的代理项，如 \\ud800）"),
]


@pytest.mark.parametrize(("edit", "message"), BAD_REPORTS, ids=[m.split("：")[0] for _, m in BAD_REPORTS])
def test_a_bad_report_json_is_refused_with_its_json_path(tmp_path, edit, message):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(_edited(edit)), encoding="utf-8")  # \u escapes: a lone surrogate too
    line = f"nianbao: {path}: 不是有效的报告 JSON/YAML（{message}）\n"
    for args in (
        ["check", str(path)],
        ["render", str(path), "--format", "txt", "--out", str(tmp_path / "o")],
    ):
        result = run(*args)
        clean(result)
        assert result.exit_code == 2, result.output
        assert result.stderr == line
    assert not (tmp_path / "o").exists()


RAW_REPORTS = [
    (
        '{"year": 2023, "t3": {"granted": {"total": NaN}}}',
        "t3.granted.total：NaN 不是有效的 JSON 数值（JSON 只允许有限的数字）",
    ),
    (
        '{"year": 2023, "t3": {"granted": {"total": -Infinity}}}',
        "t3.granted.total：-Infinity 不是有效的 JSON 数值（JSON 只允许有限的数字）",
    ),
    ('{"year": 2023, "t3": {"granted": {"total": 1e400}}}', "t3.granted.total：数值 1e400 超出范围"),
    (
        '{"year": 2023, "t3": {"granted": {"total": ' + "9" * 5000 + "}}}",
        "t3.granted.total：数值过大（5000 位数字，最多 15 位）",
    ),
    (
        '{"year": 2023, "register": {"x": NaN}}',
        "register.x：NaN 不是有效的 JSON 数值（JSON 只允许有限的数字）",
    ),
    ('{"year": 2023,, "t3": {}}', "JSON 格式错误：第 1 行第 15 列此处应为双引号括起的键"),
    ('{"year": 2023} x', "JSON 格式错误：第 1 行第 16 列JSON 值之后还有多余的内容"),
    ("[" * 100000 + "]" * 100000, "JSON 嵌套层数过多"),
    ("[1, 2]", "顶层应为对象（{…}），而不是列表（[…]）"),
    ('{"title": "x"}', "缺少报告的键（t2/t3/t4、agency、year）"),
]


def assert_bad_report(path, text: str, message: str) -> None:
    """`nianbao check` on a report file holding `text` refuses it with `message`, exit code 2."""
    path.write_text(text, encoding="utf-8")
    result = run("check", str(path))
    clean(result)
    assert result.exit_code == 2
    assert result.stderr == f"nianbao: {path}: 不是有效的报告 JSON/YAML（{message}）\n"


@pytest.mark.parametrize(("text", "message"), RAW_REPORTS, ids=range(len(RAW_REPORTS)))
def test_report_json_that_json_itself_would_mangle(tmp_path, text, message):
    assert_bad_report(tmp_path / "r.json", text, message)


def test_report_json_not_utf8(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes('{"agency": "青石市"}'.encode("gb18030"))
    result = run("check", str(path))
    clean(result)
    assert result.exit_code == 2
    assert (
        result.stderr == f"nianbao: {path}: 不是有效的报告 JSON/YAML（不是 UTF-8 编码的文本（第 13 字节））\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year: 2023\nt3: {granted: {total: .nan}}\n", "t3.granted.total：NaN 不是数值"),
        (
            "year: 2023\nt3: {granted: {total: " + "9" * 5000 + "}}\n",
            "t3.granted.total：数值过大（5000 位数字，最多 15 位）",
        ),
        ("year: 2023\nt3: [\n", "YAML 格式错误：第 3 行第 1 列"),
        ("year: 2023\npublished: 2023-13-45\n", "YAML 中有无法识别的日期或数值"),
        (
            "year: 2023\nt3: {granted: {total: 2023-01-01}}\n",
            "t3.granted.total：应为数字或 null，而不是日期 2023-01-01（作为文字须加引号）",
        ),
    ],
)
def test_bad_report_yaml(tmp_path, text, message):
    assert_bad_report(tmp_path / "r.yaml", text, message)


def test_yaml_dates_and_aliases_are_fine(tmp_path):
    path = tmp_path / "r.yaml"
    # an unquoted date is what YAML authors write; aliases 9 deep would be 9^9 nodes if expanded
    bomb = "".join(f"l{i}: &l{i} [{', '.join(['*l' + str(i - 1)] * 9)}]\n" for i in range(1, 10))
    path.write_text(f"year: 2023\npublished: 2024-01-15\nl0: &l0 [x]\n{bomb}", encoding="utf-8")
    result = run("check", str(path))
    clean(result)
    assert result.exit_code == 2 and "l0：未知的键“l0”" in result.stderr
    path.write_text("year: 2023\npublished: 2024-01-15\nagency: 青石市教育局\n", encoding="utf-8")
    result = run("parse", str(path))
    assert result.exit_code == 0 and json.loads(result.stdout)["published"] == "2024-01-15"


def test_a_report_of_nianbao_output_reads_back(tmp_path, good):
    """parse → JSON → check: nianbao's own output (empty sha256, register key) is accepted."""
    result = run("parse", str(good))
    assert result.exit_code == 0
    again = tmp_path / "again.json"
    again.write_text(result.stdout, encoding="utf-8")
    assert run("check", str(again)).exit_code in (0, 1)
    data = json.loads(result.stdout) | {"register": {"late": []}}
    again.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert run("check", str(again)).exit_code in (0, 1)


# ── huge figures read from a document: findings, never an overflow ─────────────────────
def test_huge_figures_from_a_document_are_findings_not_overflows(tmp_path):
    from nianbao.check import check
    from nianbao.render import render

    report = random_report(3, "2021")
    report.tables["t3"]["granted"]["total"] = Cell(10**400, "9" * 400)
    report.tables["t4"]["review"]["total"] = Cell(10**4000, "9" * 4000)
    report.tables["t3"]["granted"]["natural_person"] = Cell(10**200, "1" + "0" * 200)
    report.tables["t3"]["granted"]["business"] = Cell(10**200, "1" + "0" * 200)  # P-DIGITS would merge
    report.sections["overview"].text += "本年度共收到申请" + "9" * 5000 + "件。"
    findings = [f for f in check(report) if f.rule == "T-VALUE"]
    assert [f.message for f in findings][:2] == [
        "表三“（一）予以公开”行“自然人”列为 201 位数字，不是可信的件数或金额（最多 15 位），请核对原件",
        "表三“（一）予以公开”行“商业企业”列为 201 位数字，不是可信的件数或金额（最多 15 位），请核对原件",
    ]
    assert {f.cells[0] for f in findings} == {
        "t3.granted.natural_person",
        "t3.granted.business",
        "t3.granted.total",
        "t4.review.total",
    }
    for fmt in ("txt", "md", "html", "docx"):
        assert render(report, fmt)


def test_a_txt_report_with_a_400_digit_cell(tmp_path):
    text = (Path(__file__).parent.parent / "examples" / "qingshi-weijian-2022.txt").read_text(
        encoding="utf-8"
    )
    assert "\t11\t2\t0\t0\t1\t0\t15\n" in text
    path = tmp_path / "big.txt"
    path.write_text(
        text.replace("\t11\t2\t0\t0\t1\t0\t15\n", "\t11\t2\t0\t0\t1\t0\t" + "9" * 400 + "\n"),
        encoding="utf-8",
    )
    for args in (
        ["check", str(path)],
        ["render", str(path), "--force", "--format", "docx", "--out", str(tmp_path / "o.docx")],
    ):
        result = run(*args)
        clean(result)
        assert result.exit_code in (0, 1) and result.stderr == ""


# ── register and the Excel form ─────────────────────────────────────────────────────────
def _xlsx_with(data: bytes, member: str, old: bytes, new: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == member:
                assert old in body
                body = body.replace(old, new)
            z.writestr(info.filename, body)
    return out.getvalue()


def _register_xlsx(received) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["序号", "收到申请日期", "申请人类型", "处理结果", "答复日期"])
    wb.active.append([1, received, "自然人", "予以公开", "2023-03-10"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_register_xlsx_cell_of_1e400(tmp_path):
    path = tmp_path / "reg.xlsx"
    path.write_bytes(
        _xlsx_with(_register_xlsx(77777), "xl/worksheets/sheet1.xml", b"<v>77777</v>", b"<v>1e400</v>")
    )
    result = run("register", str(path), "--year", "2023")
    clean(result)
    assert result.exit_code == 1
    assert "第2行（1）：收到日期“超出范围的数值”无法识别" in result.stdout


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"<v>" + b"9" * 5000 + b"</v>",
            "无法作为 Excel 工作簿（.xlsx）打开：表格中有位数过多的数字，无法读取",
        ),
        (
            b"<v>NaN</v>",
            "无法作为 Excel 工作簿（.xlsx）打开：文件损坏或不是 Excel 2007 以后的 .xlsx 格式（含有无法识别的内容，如损坏的数字或样式）",
        ),
        (
            b"<v>1</v></c><broken",
            "无法作为 Excel 工作簿（.xlsx）打开：文件损坏或不是 Excel 2007 以后的 .xlsx 格式（XML 内容损坏）",
        ),
    ],
)
def test_register_xlsx_library_failures_are_chinese(tmp_path, body, message):
    path = tmp_path / "reg.xlsx"
    path.write_bytes(_xlsx_with(_register_xlsx(77777), "xl/worksheets/sheet1.xml", b"<v>77777</v>", body))
    result = run("register", str(path), "--year", "2023")
    clean(result)
    assert result.exit_code == 2
    assert result.stderr == f"nianbao: {path}: {message}\n"


def test_register_xlsx_truncated_and_not_a_workbook(tmp_path):
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(_register_xlsx("2023-03-01")[:3000])
    empty = tmp_path / "empty.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    empty.write_bytes(buf.getvalue())
    cdir = tmp_path / "cdir.xlsx"  # central directory said to be larger than the file: "negative seek value"
    data = bytearray(_register_xlsx("2023-03-01"))
    end = data.rfind(b"PK\x05\x06")
    data[end + 12 : end + 16] = (0xFFFFFF).to_bytes(4, "little")
    cdir.write_bytes(bytes(data))
    bad = "无法作为 Excel 工作簿（.xlsx）打开：文件损坏或不是 Excel 2007 以后的 .xlsx 格式"
    broken = "（zip 结构损坏或文件不完整）"
    for path, why in ((cut, broken), (cdir, broken), (empty, "（缺少工作簿的组成部分）")):
        result = run("register", str(path), "--year", "2023")
        clean(result)
        assert (result.exit_code, result.stderr) == (2, f"nianbao: {path}: {bad}{why}\n")


def test_register_csv_field_over_128_kib(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text(REGISTER_CSV + '2,2023-03-01,自然人,予以公开,"' + "x" * 140_000 + '"\n', encoding="utf-8")
    result = run("register", str(path), "--year", "2023")
    clean(result)
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"nianbao: {path}: 第 3 行有超过 128 KiB 的字段（可能是引号没有配对），不像申请登记表\n"
    )


def test_register_year_out_of_range(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text(REGISTER_CSV, encoding="utf-8")
    result = run("register", str(path), "--year", "99999")
    assert result.exit_code == 2 and "年度 99999 超出范围（1900—2100）" in result.stderr


@pytest.fixture(scope="module")
def form_bytes(tmp_path_factory) -> bytes:
    from nianbao.render.form import write_form

    path = tmp_path_factory.mktemp("form") / "form.xlsx"
    write_form(str(path), 2023)
    return path.read_bytes()


def _form_with(form_bytes: bytes, value: bytes) -> bytes:
    """The form with 表三 new_received/natural_person set to `value` in the sheet's XML."""
    import openpyxl

    from nianbao.template.form import form_layout

    sheet = form_layout("2021").tables["t3"]
    slot = sheet.slots[("new_received", "natural_person")]
    wb = openpyxl.load_workbook(io.BytesIO(form_bytes))
    wb[sheet.name].cell(slot.row + 1, slot.col + 1).value = 77777
    buf = io.BytesIO()
    wb.save(buf)
    member = f"xl/worksheets/sheet{wb.sheetnames.index(sheet.name) + 1}.xml"
    return _xlsx_with(buf.getvalue(), member, b"<v>77777</v>", b"<v>" + value + b"</v>")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (b"1e400", "工作表“表三”的 D6：数值超出范围（无穷大）"),
        (b"9" * 400, "工作表“表三”的 D6：数值过大（400 位数字，最多 15 位）"),
        (b"9" * 5000, "无法作为 Excel 工作簿（.xlsx）打开：表格中有位数过多的数字，无法读取"),
    ],
)
def test_excel_form_hostile_cells(tmp_path, form_bytes, value, message):
    path = tmp_path / "form.xlsx"
    path.write_bytes(_form_with(form_bytes, value))
    result = run("check", str(path))
    clean(result)
    assert result.exit_code == 2
    assert result.stderr == f"nianbao: {path}: {message}\n"


def test_excel_form_that_is_not_a_zip(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    result = run("check", str(path))
    clean(result)
    assert result.exit_code == 2 and result.stderr.startswith(
        f"nianbao: {path}: 无法作为 Excel 工作簿（.xlsx）打开"
    )


# ── --out: one way for every command ────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("db")
    src = folder / "r.json"
    src.write_text(json.dumps(report_data(), ensure_ascii=False), encoding="utf-8")
    path = str(folder / "c.db")
    assert run("ingest", str(src), "--db", path, "-j", "1").exit_code == 0
    return path


def _commands(tmp_path: Path, good: Path, db: str) -> dict[str, list[str]]:
    reg = tmp_path / "reg.csv"
    reg.write_text(REGISTER_CSV, encoding="utf-8")
    return {
        "check": ["check", str(good)],
        "render": ["render", str(good), "--format", "txt", "--force"],
        "register": ["register", str(reg), "--year", "2023"],
        "template": ["template", "--year", "2023"],
        "export": ["export", "--db", db, "--format", "csv"],
        "export-xlsx": ["export", "--db", db, "--format", "xlsx"],
        "stats": ["stats", "--db", db],
    }


COMMANDS = ("check", "render", "register", "template", "export", "export-xlsx", "stats")


@pytest.mark.parametrize("command", COMMANDS)
def test_out_problems_in_every_command(tmp_path, good, db, command):
    args = _commands(tmp_path, good, db)[command]
    before = set(os.listdir(tmp_path))
    cases = [
        (str(tmp_path / "missing" / "x.out"), f"目录不存在：{tmp_path / 'missing'}"),
        (str(tmp_path), "是目录，不是文件"),
        ("/dev/full", "磁盘已满"),
    ]
    for out, reason in cases:
        if out == "/dev/full" and not os.path.exists("/dev/full"):
            continue
        result = run(*args, "--out", out)
        clean(result)
        assert result.exit_code == 2, (out, result.output)
        assert result.stderr.endswith(f"nianbao: {out}: {reason}\n"), result.stderr
    assert set(os.listdir(tmp_path)) == before  # nothing partial left behind


def test_generate_out_problems(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    for out, reason in ((afile, "不是目录（已有同名文件）"), (afile / "sub", "路径中有一段不是目录")):
        result = run("generate", "2", "--out", str(out))
        clean(result)
        assert (result.exit_code, result.stderr) == (2, f"nianbao: {out}: {reason}\n")


def _fail_writes_after(monkeypatch, nbytes: int, code: int = errno.ENOSPC) -> None:
    """Make writes to nianbao's temporary output files fail with `code` after `nbytes` bytes."""
    real_open = open

    class Failing(io.RawIOBase):
        def __init__(self, fh):
            self.fh, self.written = fh, 0

        def writable(self):
            return True

        def write(self, data):
            if self.written + len(data) > nbytes:
                self.fh.write(bytes(data[: max(0, nbytes - self.written)]))
                self.fh.flush()
                raise OSError(code, os.strerror(code))
            self.written += len(data)
            return self.fh.write(data)

        def close(self):
            self.fh.close()
            super().close()

    def fake_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        return Failing(fh) if ".part" in str(file) and "w" in mode else fh

    monkeypatch.setattr("builtins.open", fake_open)


def test_disk_full_midway_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    out = tmp_path / "old.txt"
    out.write_text("old content")
    _fail_writes_after(monkeypatch, 100)
    with pytest.raises(outfile.OutputError) as caught:
        outfile.write(out, "新" * 1000)
    assert caught.value.reason == "磁盘已满"
    assert out.read_text() == "old content"
    assert sorted(os.listdir(tmp_path)) == ["old.txt"]


def test_generate_disk_full_midway(tmp_path, monkeypatch):
    _fail_writes_after(monkeypatch, 2000)
    result = run("generate", "3", "--out", str(tmp_path / "gen"), "--formats", "html")
    clean(result)
    assert result.exit_code == 2
    assert result.stderr == f"nianbao: {tmp_path / 'gen' / '000000.html'}: 磁盘已满\n"
    assert os.listdir(tmp_path / "gen") == []


def test_out_without_permission(tmp_path, good, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    out = tmp_path / "x.txt"
    result = run("check", str(good), "--out", str(out))
    clean(result)
    assert (result.exit_code, result.stderr) == (2, f"nianbao: {out}: 没有写入权限\n")


def test_out_is_complete_and_keeps_mode_and_symlink(tmp_path, good):
    target = tmp_path / "real.txt"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    result = run("render", str(good), "--format", "txt", "--force", "--out", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "政府信息公开" in target.read_text(encoding="utf-8")
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(os.listdir(tmp_path)) == ["good.json", "link.txt", "real.txt"]


# ── the guard, interrupts, pipes, file names ────────────────────────────────────────────
def test_an_unforeseen_exception_is_one_line_and_exit_3(good, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(runner, "check_reports", boom)
    result = run("check", str(good))
    clean(result)
    assert result.exit_code == 3
    assert result.stderr == f"nianbao: 内部错误（check 命令，nianbao {__version__}）{INTERNAL}\n"
    debug = run("check", str(good), env={"NIANBAO_DEBUG": "1"})
    assert isinstance(debug.exception, RuntimeError)  # the traceback is shown


def test_interrupt_exits_130(good, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "check_reports", interrupt)
    result = run("check", str(good))
    assert (result.exit_code, result.stderr) == (130, "\nnianbao: 已中断\n")


def test_a_closed_pipe_is_quiet(tmp_path):
    """`nianbao … | head -1`: the reader has gone before nianbao writes."""
    read, write = os.pipe()
    os.close(read)
    proc = subprocess.run(
        [NIANBAO, "rules", "--format", "md"], stdout=write, stderr=subprocess.PIPE, timeout=60, check=False
    )
    os.close(write)
    assert (proc.returncode, proc.stderr) == (141, b"")


def test_a_pipe_closed_midway_is_quiet(tmp_path):
    files = []
    for i in range(8):
        path = tmp_path / f"{i}.json"
        path.write_text(json.dumps(random_report(i, "2021").to_json(), ensure_ascii=False), encoding="utf-8")
        files.append(str(path))
    proc = subprocess.run(
        f"{NIANBAO} parse {' '.join(files)} | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}} >&2",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.stderr == b"141\n"


def test_non_utf8_file_names(tmp_path, good):
    raw = os.fsencode(tmp_path) + b"/r\xff\xfe.json"
    name = os.fsdecode(raw)
    Path(name).write_text(json.dumps(_edited(_set("t3.granted.total", -1))), encoding="utf-8")
    shown = f"{tmp_path}/r\\xff\\xfe.json"
    result = run("check", name)
    clean(result)
    assert result.exit_code == 1 and f"{shown}: T-VALUE 错误" in result.stdout
    result = run("parse", name)
    assert result.exit_code == 0
    assert os.fsencode(json.loads(result.stdout)["source"]["path"]) == raw  # JSON escapes read back
    missing = os.fsdecode(os.fsencode(tmp_path) + b"/gone\xff.txt")
    result = run("check", missing)
    assert (result.exit_code, result.stderr) == (2, f"nianbao: {tmp_path}/gone\\xff.txt: 文件不存在\n")
    out = os.fsdecode(os.fsencode(tmp_path) + b"/o\xff.txt")
    result = run("render", name, "--format", "txt", "--force", "--out", out)
    assert result.exit_code == 0 and f"已生成 {tmp_path}/o\\xff.txt" in result.stdout


# ── random JSON as report JSON ──────────────────────────────────────────────────────────
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.integers(min_value=10**300, max_value=10**320)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["2023", "2023-02-30", "2021", "hybrid", "", "t3", "\x00", "\ufffe"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_BASE = report_data()


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))


_ALL_PATHS = [p for p in _paths(_BASE) if p]
_CELLS = [p for p in _ALL_PATHS if len(p) == 3 and p[0] in ("t2", "t3", "t4")]
_TEXTS = [p for p in _ALL_PATHS if p[0] in ("agency", "preamble", "region") or p[-1] in ("text", "title")]
#: Values of the right type that a report may still not survive: big, negative, fractional figures;
#: text with control characters, long digit runs; years at the edges.
_FIGURES = (
    st.none()
    | st.integers(min_value=-(10**16), max_value=10**16)
    | st.floats(min_value=-1e16, max_value=1e16, allow_nan=False)
)
_TEXT = st.text(max_size=30) | st.sampled_from(
    ["9" * 5000 + "件", "\x00\x0c\ufffe", "2023年1月1日至2022年12月31日"]
)


def _put(data: dict, path: tuple, value) -> None:
    node = data
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node[path[-1]] = value


@st.composite
def _reports(draw):
    """A random JSON value, or the base report with a few parts replaced (most of the right type)."""
    if draw(st.integers(0, 3)) == 0:
        return draw(_VALUES)
    data = json.loads(json.dumps(_BASE))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 5))
        if kind <= 2:
            _put(data, draw(st.sampled_from(_CELLS)), draw(_FIGURES))
        elif kind == 3:
            _put(data, draw(st.sampled_from(_TEXTS)), draw(_TEXT))
        elif kind == 4:
            _put(data, ("year",), draw(st.none() | st.integers(1900, 2100)))
            _put(data, ("template",), draw(st.sampled_from(["2019", "2021", "hybrid", "legacy", None])))
        else:
            path = draw(st.sampled_from(_ALL_PATHS))
            _put(
                data,
                (*path[:-1], path[-1] if draw(st.booleans()) else draw(st.text(max_size=6))),
                draw(_VALUES),
            )
    return data


@pytest.mark.slow
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=_reports(), fmt=st.sampled_from(["txt", "txt", "docx"]))
def test_random_json_as_report_json(tmp_path, data, fmt):
    """check and render take any JSON: a report, or exit 2 with the designed message."""
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, allow_nan=True), encoding="utf-8")
    out = tmp_path / f"o.{fmt}"
    for args in (["check", str(path)], ["render", str(path), "--format", fmt, "--force", "--out", str(out)]):
        result = run(*args)
        clean(result)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        if result.exit_code == 2:
            assert result.stderr.startswith(f"nianbao: {path}: 不是有效的报告 JSON/YAML（"), result.stderr
        else:
            assert "NaN" not in result.stdout and "Infinity" not in result.stdout


def test_word_output_of_hostile_text(tmp_path):
    """Control characters and a 5000-character agency name (Word properties hold 255)."""
    data = report_data(agency="青" * 5000 + "\x00\x0c", preamble="前言\x01\ufffe")
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run("render", str(path), "--format", "docx", "--force", "--out", str(tmp_path / "o.docx"))
    clean(result)
    assert result.exit_code == 0, result.output
