"""`nianbao schema`: the JSON Schema of the report JSON."""

from __future__ import annotations

import click

from ..schema import report_schema
from .output import dumps


@click.command("schema")
def schema_cmd() -> None:
    """输出报告 JSON 的 JSON Schema（由模板声明生成）。"""
    click.echo(dumps(report_schema(), indent=1))
