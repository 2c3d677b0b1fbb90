"""`nianbao parse`: report files → the report JSON (or terminal tables)."""

from __future__ import annotations

import sys

import click

from ..render.terminal import report_text
from .inputs import parse_all
from .options import format_option
from .output import EXIT_OK, EXIT_UNREADABLE, dumps, echo


@click.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@format_option(
    "json",
    "text",
    default="json",
    help="json：合同规定的报告 JSON（多个文件时每行一个）；text：终端表格。",
)
def parse_cmd(files: tuple[str, ...], fmt: str) -> None:
    """把年度报告解析为法定结构（表二、表三、表四及六部分）。"""
    failed = False
    many = len(files) > 1
    for _path, report in parse_all(files):
        if report is None:
            failed = True
        elif fmt == "json":
            data = report.to_json()
            echo(dumps(data, separators=(",", ":")) if many else dumps(data, indent=1), as_json=True)
        else:
            echo(report_text(report))
    sys.exit(EXIT_UNREADABLE if failed else EXIT_OK)
