"""The corpus commands: `nianbao ingest` (files → database), `nianbao export` (database → a
table file) and `nianbao stats` (coverage, findings and indicators).

The database layer (SQLAlchemy) and rich are imported when one of these runs, not by every
command."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..outfile import target as output_target
from .inputs import open_corpus
from .options import db_option, filter_options, format_option, out_option
from .output import EXIT_OK, EXIT_UNREADABLE, dumps, echo, emit, error

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from ..store import Filters
    from ..store.ingest import FileResult

EXPORT_FORMATS = ("csv", "xlsx", "parquet", "jsonl")  # export.FORMATS (not imported: SQLAlchemy)
SHOWN_ERRORS = 20  # unreadable files listed on stderr; the rest are in the database


def _progress(
    console: Console,
) -> tuple[Progress | None, Callable[[int], Callable[[FileResult], None]] | None]:
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

    def start(total: int) -> Callable[[FileResult], None]:
        task = bar.add_task("ingest", total=total, rate=0.0, errors=0)
        errors = 0

        def tick(res: FileResult) -> None:
            nonlocal errors
            errors += res.status == "error"
            elapsed = bar.tasks[task].elapsed or 0
            done = bar.tasks[task].completed + 1
            bar.update(task, advance=1, errors=errors, rate=done / elapsed if elapsed else 0.0)

        return tick

    return bar, start


@click.command("ingest")
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

    corpus = open_corpus(db, create=True)
    bar, start = _progress(Console(stderr=True))
    if bar is None:
        summary = corpus.ingest(paths, jobs=jobs, reparse=reparse)
    else:
        with bar:
            summary = corpus.ingest(paths, jobs=jobs, reparse=reparse, progress=start)
    for path, reason in summary.error_files[:SHOWN_ERRORS]:
        error(path, reason)
    if len(summary.error_files) > SHOWN_ERRORS:
        click.echo(
            f"nianbao: 另有 {len(summary.error_files) - SHOWN_ERRORS} 个文件无法读取（见数据库 ingest_files 表）",
            err=True,
        )
    click.echo(
        f"共 {summary.files} 个文件：入库 {summary.ok}，跳过 {summary.skipped}，失败 {summary.errors}；"
        f"用时 {summary.seconds:.1f} 秒（{summary.rate:.1f} 个/秒）；"
        f"跨年度问题 {summary.series_findings} 项（检查用时 {summary.series_seconds:.1f} 秒）；"
        f"数据库 {corpus.db}"
    )
    sys.exit(EXIT_UNREADABLE if summary.errors else EXIT_OK)


@click.command("export")
@db_option
@click.option(
    "--what",
    type=click.Choice(["reports", "cells", "findings"]),
    default="reports",
    show_default=True,
    help="reports：每份报告一行、每个单元格一列（列名如 t3.new_received.total）；cells：每个单元格一行，含原文和出处；findings：检查发现的问题。",
)
@format_option(
    *EXPORT_FORMATS,
    help="csv（UTF-8 带 BOM）、xlsx（中文表头）、parquet（需 pip install 'nianbao[parquet]'）、jsonl；默认按 --out 的扩展名。",
)
@out_option(help="输出文件。", required=True)
@filter_options
def export_cmd(db: str | None, what: str, fmt: str | None, out: str, filters: Filters) -> None:
    """导出语料库：报告宽表、单元格长表或问题清单（CSV、Excel、Parquet、JSON Lines）。"""
    from ..export import ExportError, export

    fmt = fmt or Path(out).suffix.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise click.UsageError(f"无法由 {out} 判断格式，请用 --format 指定（{'、'.join(EXPORT_FORMATS)}）")
    corpus = open_corpus(db)
    try:
        with output_target(out) as tmp:
            n = export(corpus, what, fmt, tmp, filters)
    except ExportError as exc:
        raise click.UsageError(str(exc)) from None
    echo(f"已导出 {n} 行到 {out}（{what}，{fmt}）")


@click.command("stats")
@db_option
@click.option(
    "--by",
    default="year",
    show_default=True,
    help="分组，逗号分隔：year 年度、kind 机关类型、province 省、city 市、county 县、region 地区；空字符串表示不分组。",
)
@format_option(
    "text",
    "json",
    "csv",
    default="text",
    help="text：覆盖情况、问题和指标表；json：全部；csv：指标表（UTF-8 带 BOM）。",
)
@out_option()
@filter_options
def stats_cmd(db: str | None, by: str, fmt: str, out: str | None, filters: Filters) -> None:
    """语料库统计：覆盖情况（缺少的年度）、问题按规则和严重程度、各项指标（定义见 docs/indicators.md）。"""
    from ..stats import as_rows, as_text, stats

    dims = [d.strip() for d in by.split(",") if d.strip()]
    corpus = open_corpus(db)
    try:
        result = stats(corpus, filters, dims)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--by") from None
    if fmt == "json":
        emit(dumps(result.to_json(), indent=1), out, as_json=True)
    elif fmt == "csv":
        buf = io.StringIO()
        header, rows = as_rows(result, dims)
        table: list[list[Any]] = [header, *rows]
        csv.writer(buf).writerows(table)
        emit(buf.getvalue(), out, bom=True)
    else:
        emit(as_text(result, dims), out)
