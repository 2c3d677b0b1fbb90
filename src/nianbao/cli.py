"""The `nianbao` command: a thin layer over the library (options → one call → formatter)."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable

import click

from . import __version__
from .outfile import target as output_target
from .outfile import write as write_output
from .read import ReadError

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2
EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 3, 130, 141
_SURROGATES = re.compile("[\ud800-\udfff]")


def _safe(text: str, as_json: bool = False) -> str:
    """`text` that any UTF-8 stream takes: a byte of a non-UTF-8 file name (held as a surrogate)
    shown as \\xff, in JSON as the escape \\udcff (which reads back as the same name)."""
    if not _SURROGATES.search(text):
        return text

    def escape(m: re.Match) -> str:
        code = ord(m[0])
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF and not as_json else f"\\u{code:04x}"

    return _SURROGATES.sub(escape, text)


def _echo(text: str, err: bool = False, as_json: bool = False) -> None:
    click.echo(_safe(text, as_json), err=err)


def _error(path: str, reason: str) -> None:
    _echo(f"nianbao: {path}: {reason}", err=True)


def _dumps(data, **kwargs) -> str:
    """JSON as nianbao writes it: never NaN or Infinity (not JSON)."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, **kwargs)


def _debug() -> bool:
    return os.environ.get("NIANBAO_DEBUG", "") not in ("", "0")


def _parse_all(paths: Iterable[str]):
    """Parse each file; yield (path, report or None). Errors are printed, never raised."""
    from .api import parse

    for path in paths:
        try:
            yield path, parse(path)
        except ReadError as exc:
            _error(exc.path, exc.reason)
            yield path, None
        except MemoryError:
            _error(path, "内存不足，无法解析")
            yield path, None
        except Exception:
            if _debug():
                import traceback

                traceback.print_exc()
            _error(path, "解析失败（内部错误，请报告此问题；设置 NIANBAO_DEBUG=1 可显示详细信息）")
            yield path, None


def _pipe_closed() -> None:
    """The reader of stdout went away (`nianbao parse … | head -1`): stop quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush goes nowhere
    except (OSError, ValueError, AttributeError):  # no file descriptor (tests)
        pass
    sys.exit(EXIT_PIPE_CLOSED)


class _Guarded(click.Group):
    """The command group. Its guard is the last line of defence: whatever a command did not
    foresee ends as one line on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        from .errors import UserError
        from .outfile import OutputError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("\nnianbao: 已中断", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            _pipe_closed()
        except (ReadError, OutputError) as exc:
            _error(exc.path, exc.reason)
            sys.exit(EXIT_UNREADABLE)
        except UserError as exc:  # a setting, the database, a missing font: the message says what
            click.echo(f"nianbao: {exc}", err=True)
            sys.exit(EXIT_UNREADABLE)
        except MemoryError:
            click.echo("nianbao: 内存不足，无法完成", err=True)
            sys.exit(EXIT_INTERNAL)
        except Exception:
            if _debug():
                raise
            where = f"{ctx.invoked_subcommand} 命令，" if ctx.invoked_subcommand else ""
            click.echo(
                f"nianbao: 内部错误（{where}nianbao {__version__}）：请报告此问题"
                "（设置环境变量 NIANBAO_DEBUG=1 可显示详细信息）",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    def main(self, *args, **kwargs):
        try:
            result = super().main(*args, **kwargs)
        except SystemExit:
            _flush_stdout()
            raise
        _flush_stdout()
        return result


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _pipe_closed()
    except (OSError, ValueError):
        pass


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nianbao")
def main() -> None:
    """nianbao：政府信息公开工作年度报告的解析、校验与生成。

    \b
    退出码：0 成功；1 有错误级问题；2 有输入无法读取，或输出无法写入（--out）；
    3 内部错误（请报告此问题，设置 NIANBAO_DEBUG=1 显示详细信息）；130 被中断（Ctrl-C）；
    141 输出管道被关闭（如 | head）。
    """


@main.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="json：合同规定的报告 JSON（多个文件时每行一个）；text：终端表格。",
)
def parse_cmd(files: tuple[str, ...], fmt: str) -> None:
    """把年度报告解析为法定结构（表二、表三、表四及六部分）。"""
    from .render.terminal import report_text

    failed = False
    many = len(files) > 1
    for _path, report in _parse_all(files):
        if report is None:
            failed = True
            continue
        if fmt == "json":
            data = report.to_json()
            _echo(_dumps(data, separators=(",", ":")) if many else _dumps(data, indent=1), as_json=True)
        else:
            _echo(report_text(report))
    sys.exit(EXIT_UNREADABLE if failed else EXIT_OK)


def db_option(fn):
    """--db: the corpus database, the same for every command that reads or writes it."""
    return click.option(
        "--db",
        default=None,
        envvar="NIANBAO_DB",
        metavar="URL",
        help="语料库数据库：SQLite 文件路径（默认 ./nianbao.db）或 postgresql://… 地址；也可用环境变量 NIANBAO_DB。",
    )(fn)


def _open_corpus(db: str | None, create: bool = False):
    """The corpus at `db`; a usage error when it cannot be opened (or, to read, does not exist)."""
    from pathlib import Path

    from .store import DEFAULT_DB, Corpus, StoreError

    if not create and "://" not in (db or "") and not Path(db or DEFAULT_DB).exists():
        raise click.UsageError(f"数据库 {db or DEFAULT_DB} 不存在（先用 nianbao ingest 导入报告）")
    try:
        return Corpus(db)
    except StoreError as exc:
        raise click.UsageError(str(exc)) from None


@main.command("check")
@click.argument("files", nargs=-1, required=False, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="text：每行一项（文件:行: 规则 严重程度 说明）；json：合同规定的列表；csv：UTF-8（带 BOM）。",
)
@click.option(
    "--select", multiple=True, metavar="ID", help="只运行这些规则（规则号或前缀，如 T3），可多次给出。"
)
@click.option("--ignore", multiple=True, metavar="ID", help="不运行这些规则（规则号或前缀），可多次给出。")
@click.option(
    "--min-severity",
    type=click.Choice(["info", "warning", "error"]),
    default=None,
    help="只报告不低于此严重程度的问题（默认 info）。",
)
@click.option("--config", type=click.Path(), default=None, help="设置文件（默认当前目录的 nianbao.toml）。")
@click.option("--out", type=click.Path(), default=None, help="写入文件而不是标准输出。")
@db_option
def check_cmd(files, fmt, select, ignore, min_severity, config, out, db) -> None:
    """检查年度报告：勾稽关系、模板、章节、空白、期限、正文与表格、跨年度一致性。

    同时给出同一机关相邻年度的报告时，还检查跨年度规则（Y-）。
    给出 --db 而不给文件时，检查语料库中的全部报告；同时给出文件时，另与语料库中同一机关
    相邻年度的报告比对（Y-）。
    退出码：0 无错误；1 有错误级问题；2 有文件无法读取。
    """
    from .check import output
    from .check.runner import Settings, SettingsError, check_reports

    split = lambda values: [v.strip() for x in values for v in x.split(",") if v.strip()]  # noqa: E731
    try:
        settings = Settings.load(
            config, select=split(select), ignore=split(ignore), min_severity=min_severity
        )
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    if not files and not db:
        raise click.UsageError("请给出要检查的文件，或用 --db 检查语料库")
    reports = [r for _, r in _parse_all(files) if r is not None]
    unreadable = len(reports) < len(files)
    findings = check_reports(reports, settings)
    if db:
        corpus = _open_corpus(db)
        findings += corpus.check_with(reports, settings) if files else corpus.check(settings)
    render = {"text": output.text, "json": output.as_json, "csv": output.as_csv}[fmt]
    _emit(render(findings), out, bom=fmt == "csv", as_json=fmt == "json")
    if unreadable:
        sys.exit(EXIT_UNREADABLE)
    sys.exit(EXIT_FINDINGS if any(f.severity == "error" for f in findings) else EXIT_OK)


def _emit(text: str, out: str | None, bom: bool = False, as_json: bool = False) -> None:
    """Text output to the --out file (all or nothing), else to stdout; CSV with a BOM."""
    text = _safe(text, as_json)
    if out:
        write_output(out, (text if text.endswith("\n") else text + "\n").encode("utf-8-sig" if bom else "utf-8"))
    elif bom:
        sys.stdout.buffer.write(b"\xef\xbb\xbf" + text.encode("utf-8"))
        sys.stdout.flush()
    else:
        click.echo(text)


@main.command("rules")
@click.argument("rule_id", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "md"]),
    default="text",
    show_default=True,
    help="text：一览表或单条说明；json：机器可读；md：文档（docs/rules.md 由此生成）。",
)
def rules_cmd(rule_id: str | None, fmt: str) -> None:
    """列出全部规则，或说明一条规则（如 nianbao rules T3-BAL）。"""
    from .check import RULES, output

    if rule_id:
        rule = RULES.get(rule_id.upper())
        if rule is None:
            raise click.UsageError(f"未知的规则 {rule_id}（nianbao rules 列出全部规则）")
        click.echo(output.rules_json([rule]) if fmt == "json" else rule.doc())
        return
    rules = sorted(RULES.values(), key=lambda r: r.id)
    if fmt == "json":
        click.echo(output.rules_json(rules))
    elif fmt == "md":
        click.echo(output.rules_markdown(), nl=False)
    else:
        click.echo(output.rules_table(rules))


@main.command("render")
@click.argument("source", type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["docx", "html", "md", "pdf", "txt"]),
    required=True,
    help="输出格式。",
)
@click.option("--out", type=click.Path(), required=True, help="输出文件。")
@click.option("--force", is_flag=True, help="即使检查发现错误级问题也照样生成。")
@click.option(
    "--layout",
    type=click.Choice(["tabs", "cells", "markdown", "spaced", "lines"]),
    default=None,
    help="txt/md 的表格排版（默认 txt 用制表符，md 用 Markdown 表格）。",
)
def render_cmd(source: str, fmt: str, out: str, force: bool, layout: str | None) -> None:
    """由报告数据（JSON/YAML、填好的 Excel 表、或任何能解析的报告）生成规范的年度报告。

    生成前先运行 check；有错误级问题时列出问题并停止（--force 仍然生成）。
    """
    from .check import check, output
    from .render import render
    from .render.pdf import RenderError

    reports = [r for _, r in _parse_all([source]) if r is not None]
    if not reports:
        sys.exit(EXIT_UNREADABLE)
    report = reports[0]
    errors = [f for f in check(report) if f.severity == "error"]
    if errors and not force:
        _echo(output.text(errors), err=True)
        click.echo("nianbao: 报告有错误级问题，未生成；改正后重试，或加 --force 照样生成。", err=True)
        sys.exit(EXIT_FINDINGS)
    try:
        data = render(report, fmt, layout)
    except RenderError as exc:
        _error(source, str(exc))
        sys.exit(EXIT_UNREADABLE)
    write_output(out, data)
    _echo(f"已生成 {out}（{fmt}，{len(data):,} 字节）" + ("；注意：存在错误级问题" if errors else ""))


def _year(ctx, param, value: int | None) -> int | None:
    """--year within the years nianbao knows (a date built from 99999 would overflow)."""
    from .model import YEARS

    if value is not None and value not in YEARS:
        raise click.BadParameter(f"年度 {value} 超出范围（{YEARS.start}—{YEARS.stop - 1}）")
    return value


@main.command("register")
@click.argument("file", type=click.Path())
@click.option(
    "--year",
    type=int,
    required=True,
    callback=_year,
    help="统计年度（表三按该年 1 月 1 日至 12 月 31 日计算）。",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="DATE",
    help="判断逾期未答复的截止日期（默认该年 12 月 31 日）。",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text：表三和逾期清单；json：报告 JSON（只含表三），另加 register 对象（逾期清单、无效行）。",
)
@click.option(
    "--out", type=click.Path(), default=None, help="把报告 JSON（只含表三，不含 register）写入此文件。"
)
@click.option("--agency", default=None, metavar="NAME", help="写入报告的机关名称。")
@click.option(
    "--template",
    type=click.Choice(["2019", "2021"]),
    default=None,
    help="表三模板（默认按年度：2019—2020 年为 2019，此后为 2021）。",
)
def register_cmd(file, year, as_of, fmt, out, agency, template) -> None:
    """由申请登记表（CSV 或 XLSX）计算表三，并按条例第三十三条检查答复期限。

    退出码：0 无逾期、无无效行；1 有逾期申请或无效行；2 登记表无法读取。
    """
    from .read.register import read_date, read_register
    from .register import check_register, to_report

    try:
        when = read_date(as_of) if as_of else None
    except ValueError:
        raise click.BadParameter(f"无法识别的日期 {as_of!r}", param_hint="--as-of") from None
    try:
        register = read_register(file)
    except ReadError as exc:
        _error(exc.path, exc.reason)
        sys.exit(EXIT_UNREADABLE)
    result = check_register(register, year, as_of=when, template=template)
    report = to_report(result, agency)
    if out:
        _emit(_dumps(report.to_json(), indent=1), out, as_json=True)
    if fmt == "json":
        data = {**report.to_json(), "register": result.to_json()}
        _echo(_dumps(data, indent=1), as_json=True)
    else:
        _echo(_register_text(result, report))
    sys.exit(EXIT_FINDINGS if result.late or result.invalid else EXIT_OK)


def _register_text(result, report) -> str:
    """表三, the late list and the unusable rows of `nianbao register`, in Chinese."""
    from .render.terminal import grid, show
    from .template import TEMPLATES

    table = TEMPLATES[result.template].t3
    lines = [
        f"申请登记表：{result.source.path if result.source else '—'}",
        f"机关：{report.agency or '—'}    年度：{result.year}    模板：{result.template}"
        f"    截至：{result.as_of}    计入表三：{result.counted} 件",
        "",
        f"{table.number} {table.title}",
    ]
    rows = [["", *[c.label for c in table.cols]]]
    for r in table.rows:
        group = next((g for g in table.groups if g.key == r.group and g.parent), None)
        label = (group.enum if group and group.enum != r.enum else "") + r.printed
        label = label if len(label) <= 24 else label[:23] + "…"
        rows.append([label, *[show(report.cell("t3", r.key, c.key)) for c in table.cols]])
    lines += grid(rows)
    lines += ["", f"逾期（条例第三十三条）：{len(result.late)} 件"]
    if result.late:
        rows = [["编号", "收到日期", "答复期限", "答复日期", "用时（工作日）", "延期", "情况"]]
        for x in result.late:
            rows.append(
                [
                    x.id,
                    str(x.received),
                    str(x.due),
                    str(x.replied) if x.replied else "未答复",
                    str(x.working_days),
                    "是" if x.extended else "否",
                    "逾期答复" if x.replied else f"截至 {result.as_of} 逾期未答复",
                ]
            )
        lines += grid(rows)
    if result.invalid:
        lines += ["", f"无效行（未计入表三）：{len(result.invalid)} 行"]
        lines += [f"第{x.row}行（{x.id}）：{x.reason}" for x in result.invalid]
    if result.notes:
        lines += ["", *("注意：" + n for n in result.notes)]
    return "\n".join(lines)


@main.command("template")
@click.option("--year", type=int, required=True, callback=_year, help="报告年度（数据所属年度），如 2025。")
@click.option("--out", type=click.Path(), required=True, help="写入的 Excel 文件（.xlsx）。")
@click.option(
    "--template",
    "template_id",
    type=click.Choice(["2019", "2021"]),
    default=None,
    help="表格格式（默认按年度：2019–2020 年度用 2019 年格式，2021 年度起用 2021 年格式）。",
)
@click.option("--agency", default=None, help="机关名称，预先填入“基本信息”。")
@click.option(
    "--from",
    "source",
    type=click.Path(dir_okay=False),
    default=None,
    help="用已有的报告（上年度报告、报告 JSON 或填报表）预先填写各表和正文。",
)
def template_cmd(
    year: int, out: str, template_id: str | None, agency: str | None, source: str | None
) -> None:
    """生成 Excel 填报表：基本信息、表二、表三、表四（与法定表格同样的格式）和正文。

    浅黄色单元格为填写项，合计由公式计算；填好后用 nianbao parse / nianbao check 读取。
    """
    from .render.form import write_form
    from .template import template_for_year

    if template_id is None and template_for_year(year) is None:
        raise click.UsageError(f"{year} 年度没有法定表格格式（2019 年度起才有），请用 --template 指定")
    report = None
    if source is not None:
        report = next(r for _, r in _parse_all([source]))
        if report is None:
            sys.exit(EXIT_UNREADABLE)
    with output_target(out) as tmp:
        write_form(tmp, year, template=template_id, agency=agency, report=report)
    _echo(f"已生成填报表 {out}")


@main.command("generate")
@click.argument("count", type=click.IntRange(1, 1_000_000))
@click.option("--out", "out_dir", type=click.Path(), required=True, help="输出目录（不存在时创建）。")
@click.option(
    "--formats",
    default="txt,md,html",
    show_default=True,
    help="逗号分隔：txt、md、html、docx、pdf，轮流使用。",
)
@click.option(
    "--defect-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="注入一处错误的报告所占比例；每处错误及其应触发的规则写入 *.truth.json。",
)
@click.option("--seed", type=int, default=0, show_default=True, help="随机种子（同一种子生成同一批报告）。")
def generate_cmd(count: int, out_dir: str, formats: str, defect_rate: float, seed: int) -> None:
    """生成虚构机关的测试/基准报告（数字自洽），可按比例注入错误。"""
    from pathlib import Path

    from .generate import corpus
    from .render import FORMATS, render
    from .render.text import LAYOUTS

    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.UsageError(f"未知的格式：{'、'.join(unknown) or '（空）'}（可选：{'、'.join(FORMATS)}）")
    if "pdf" in chosen:  # refuse before writing anything when PDF output cannot be made here
        from .render.pdf import require_cjk_font

        require_cjk_font()
    out = Path(out_dir)
    _make_dir(out_dir)
    injected = 0
    for i, (report, defects) in enumerate(corpus(count, seed, defect_rate)):
        fmt = chosen[i % len(chosen)]
        layout = LAYOUTS[(i // len(chosen)) % len(LAYOUTS)] if fmt == "txt" else None
        name = f"{i:06d}"
        write_output(str(out / f"{name}.{fmt}"), render(report, fmt, layout))
        truth = {
            k: v for k, v in report.to_json().items() if k not in ("source", "provenance", "diagnostics")
        }
        truth["expect_rules"] = sorted({d.rule for d in defects})
        truth["injected"] = [{"defect": d.id, "rule": d.rule, "detail": d.detail} for d in defects]
        if layout:
            truth["layout"] = layout
        write_output(str(out / f"{name}.truth.json"), _dumps(truth, indent=1).encode("utf-8"))
        injected += bool(defects)
    _echo(f"已生成 {count} 份报告（{injected} 份注入了错误）于 {out}")


def _make_dir(path: str) -> None:
    """The --out directory of `generate`, created with its parents (exit code 2 when it cannot be)."""
    from pathlib import Path

    from .outfile import reason

    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        _error(path, "不是目录（已有同名文件）")
        sys.exit(EXIT_UNREADABLE)
    except OSError as exc:
        _error(path, reason(exc))
        sys.exit(EXIT_UNREADABLE)


def filter_options(fn):
    """--region/--year/--kind/--rule: which reports of the corpus a command looks at."""
    from .agency import KIND_NAMES

    options = (
        click.option(
            "--rule",
            "rules",
            multiple=True,
            metavar="ID",
            help="只看有此规则问题的报告（规则号或前缀），可多次给出。",
        ),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            type=click.Choice(list(KIND_NAMES)),
            help="机关类型：government 人民政府、government_office 政府办公室、department 政府部门、township 乡镇（街道），可多次给出。",
        ),
        click.option("--year", "years", multiple=True, type=int, help="报告年度，可多次给出。"),
        click.option(
            "--region",
            default=None,
            help="地区：名称（山东省、烟台市、山东省烟台市）或行政区划代码（370600）。",
        ),
    )
    for option in options:
        fn = option(fn)
    return fn


def _filters(region, years, kinds, rules):
    from .store import Filters

    return Filters(region, tuple(years), tuple(kinds), tuple(rules))


def _progress(console):
    """A rich progress bar on stderr: files, rate, errors (None when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not console.is_terminal:
        return None, None
    bar = Progress(
        TextColumn("入库"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:.1f} 份/秒  失败 {task.fields[errors]}"),
        TimeElapsedColumn(),
        console=console,
    )

    def start(total: int):
        task = bar.add_task("ingest", total=total, rate=0.0, errors=0)
        errors = 0

        def tick(res) -> None:
            nonlocal errors
            errors += res.status == "error"
            elapsed = bar.tasks[task].elapsed or 0
            done = bar.tasks[task].completed + 1
            bar.update(task, advance=1, errors=errors, rate=done / elapsed if elapsed else 0.0)

        return tick

    return bar, start


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@click.option(
    "-j", "--jobs", type=click.IntRange(1), default=None, help="并行解析的进程数（默认为全部 CPU 核数）。"
)
@click.option("--reparse", is_flag=True, help="重新解析已入库的文件；结果有变化时存为新版本，旧版本保留。")
def ingest_cmd(paths: tuple[str, ...], db: str | None, jobs: int | None, reparse: bool) -> None:
    """把报告（文件、文件夹、zip 压缩包）解析、检查后存入语料库（默认 SQLite 文件 ./nianbao.db）。

    已入库的文件（内容相同）跳过，先前失败的文件重新尝试；无法读取、超时或超出限制（见 nianbao.toml 的
    [limits]）的文件记录原因后继续；中断后重新运行即从断点继续。
    入库后对相邻年度的报告运行跨年度规则（Y-）。退出码：0 成功；2 有文件无法读取。
    """
    from rich.console import Console

    corpus = _open_corpus(db, create=True)
    bar, start = _progress(Console(stderr=True))
    if bar is None:
        summary = corpus.ingest(paths, jobs=jobs, reparse=reparse)
    else:
        with bar:
            summary = corpus.ingest(paths, jobs=jobs, reparse=reparse, progress=start)
    for path, reason in summary.error_files[:20]:
        _error(path, reason)
    if len(summary.error_files) > 20:
        click.echo(
            f"nianbao: 另有 {len(summary.error_files) - 20} 个文件无法读取（见数据库 ingest_files 表）",
            err=True,
        )
    click.echo(
        f"共 {summary.files} 个文件：入库 {summary.ok}，跳过 {summary.skipped}，失败 {summary.errors}；"
        f"用时 {summary.seconds:.1f} 秒（{summary.rate:.1f} 个/秒）；"
        f"跨年度问题 {summary.series_findings} 项（检查用时 {summary.series_seconds:.1f} 秒）；"
        f"数据库 {corpus.db}"
    )
    sys.exit(EXIT_UNREADABLE if summary.errors else EXIT_OK)


@main.command("export")
@db_option
@click.option(
    "--what",
    type=click.Choice(["reports", "cells", "findings"]),
    default="reports",
    show_default=True,
    help="reports：每份报告一行、每个单元格一列（列名如 t3.new_received.total）；cells：每个单元格一行，含原文和出处；findings：检查发现的问题。",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "parquet", "jsonl"]),
    default=None,
    help="csv（UTF-8 带 BOM）、xlsx（中文表头）、parquet（需 pip install 'nianbao[parquet]'）、jsonl；默认按 --out 的扩展名。",
)
@click.option("--out", type=click.Path(), required=True, help="输出文件。")
@filter_options
def export_cmd(db, what, fmt, out, region, years, kinds, rules) -> None:
    """导出语料库：报告宽表、单元格长表或问题清单（CSV、Excel、Parquet、JSON Lines）。"""
    from pathlib import Path

    from .export import FORMATS, ExportError, export

    fmt = fmt or Path(out).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.UsageError(f"无法由 {out} 判断格式，请用 --format 指定（{'、'.join(FORMATS)}）")
    corpus = _open_corpus(db)
    try:
        with output_target(out) as tmp:
            n = export(corpus, what, fmt, tmp, _filters(region, years, kinds, rules))
    except ExportError as exc:
        raise click.UsageError(str(exc)) from None
    _echo(f"已导出 {n} 行到 {out}（{what}，{fmt}）")


@main.command("stats")
@db_option
@click.option(
    "--by",
    default="year",
    show_default=True,
    help="分组，逗号分隔：year 年度、kind 机关类型、province 省、city 市、county 县、region 地区；空字符串表示不分组。",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="text：覆盖情况、问题和指标表；json：全部；csv：指标表（UTF-8 带 BOM）。",
)
@click.option("--out", type=click.Path(), default=None, help="写入文件而不是标准输出。")
@filter_options
def stats_cmd(db, by, fmt, out, region, years, kinds, rules) -> None:
    """语料库统计：覆盖情况（缺少的年度）、问题按规则和严重程度、各项指标（定义见 docs/indicators.md）。"""
    import csv
    import io

    from .stats import as_rows, as_text, stats

    dims = [d.strip() for d in by.split(",") if d.strip()]
    corpus = _open_corpus(db)
    try:
        result = stats(corpus, _filters(region, years, kinds, rules), dims)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--by") from None
    if fmt == "json":
        _emit(_dumps(result.to_json(), indent=1), out, as_json=True)
    elif fmt == "csv":
        buf = io.StringIO()
        header, rows = as_rows(result, dims)
        csv.writer(buf).writerows([header, *rows])
        _emit(buf.getvalue(), out, bom=True)
    else:
        _emit(as_text(result, dims), out)


@main.command("schema")
def schema_cmd() -> None:
    """输出报告 JSON 的 JSON Schema（由模板声明生成）。"""
    from .schema import report_schema

    click.echo(_dumps(report_schema(), indent=1))


if __name__ == "__main__":  # pragma: no cover
    main()
