"""The `nianbao` command: a thin layer over the library (options → one call → formatter)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

import click

from . import __version__
from .read import ReadError

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


def _error(path: str, reason: str) -> None:
    click.echo(f"nianbao: {path}: {reason}", err=True)


def _parse_all(paths: Iterable[str]):
    """Parse each file; yield (path, report or None). Errors are printed, never raised."""
    from .parse import parse

    for path in paths:
        try:
            yield path, parse(path)
        except ReadError as exc:
            _error(exc.path, exc.reason)
            yield path, None
        except Exception as exc:
            _error(path, f"解析失败（内部错误：{type(exc).__name__}: {exc}）")
            yield path, None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nianbao")
def main() -> None:
    """nianbao：政府信息公开工作年度报告的解析、校验与生成。"""


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
            if many:
                click.echo(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
            else:
                click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            click.echo(report_text(report))
    sys.exit(EXIT_UNREADABLE if failed else EXIT_OK)


@main.command("schema")
def schema_cmd() -> None:
    """输出报告 JSON 的 JSON Schema（由模板声明生成）。"""
    from .schema import report_schema

    click.echo(json.dumps(report_schema(), ensure_ascii=False, indent=1))


if __name__ == "__main__":  # pragma: no cover
    main()
