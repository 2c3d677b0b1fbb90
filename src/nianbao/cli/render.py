"""`nianbao render` (report data → a compliant document) and `nianbao template` (the Excel
fill-in form)."""

from __future__ import annotations

import sys

import click

from ..api import fill_form, render_report
from ..check import output
from ..outfile import target as output_target
from ..outfile import write as write_output
from ..render import FORMATS
from ..render.pdf import RenderError
from ..render.text import LAYOUTS
from ..template import template_for_year
from .inputs import parse_readable
from .options import agency_option, format_option, out_option, template_option, year_option
from .output import EXIT_FINDINGS, EXIT_UNREADABLE, echo, error


@click.command("render")
@click.argument("source", type=click.Path())
@format_option(*FORMATS, required=True, help="输出格式。")
@out_option(help="输出文件。", required=True)
@click.option("--force", is_flag=True, help="即使检查发现错误级问题也照样生成。")
@click.option(
    "--layout",
    type=click.Choice(list(LAYOUTS)),
    default=None,
    help="txt/md 的表格排版（默认 txt 用制表符，md 用 Markdown 表格）。",
)
def render_cmd(source: str, fmt: str, out: str, force: bool, layout: str | None) -> None:
    """由报告数据（JSON/YAML、填好的 Excel 表、或任何能解析的报告）生成规范的年度报告。

    生成前先运行 check；有错误级问题时列出问题并停止（--force 仍然生成）。
    """
    reports = parse_readable([source])
    if not reports:
        sys.exit(EXIT_UNREADABLE)
    try:
        rendered = render_report(reports[0], fmt, layout, force)
    except RenderError as exc:
        error(source, str(exc))
        sys.exit(EXIT_UNREADABLE)
    if rendered.data is None:
        echo(output.text(rendered.errors), err=True)
        click.echo("nianbao: 报告有错误级问题，未生成；改正后重试，或加 --force 照样生成。", err=True)
        sys.exit(EXIT_FINDINGS)
    write_output(out, rendered.data)
    note = "；注意：存在错误级问题" if rendered.errors else ""
    echo(f"已生成 {out}（{fmt}，{len(rendered.data):,} 字节）{note}")


@click.command("template")
@year_option("报告年度（数据所属年度），如 2025。")
@out_option(help="写入的 Excel 文件（.xlsx）。", required=True)
@template_option("表格格式（默认按年度：2019–2020 年度用 2019 年格式，2021 年度起用 2021 年格式）。")
@agency_option("机关名称，预先填入“基本信息”。")
@click.option(
    "--from",
    "source",
    type=click.Path(dir_okay=False),
    default=None,
    help="用已有的报告（上年度报告、报告 JSON 或填报表）预先填写各表和正文。",
)
def template_cmd(year: int, out: str, template: str | None, agency: str | None, source: str | None) -> None:
    """生成 Excel 填报表：基本信息、表二、表三、表四（与法定表格同样的格式）和正文。

    浅黄色单元格为填写项，合计由公式计算；填好后用 nianbao parse / nianbao check 读取。
    """
    if template is None and template_for_year(year) is None:
        raise click.UsageError(f"{year} 年度没有法定表格格式（2019 年度起才有），请用 --template 指定")
    with output_target(out) as tmp:
        fill_form(tmp, year, template=template, agency=agency, source=source)
    echo(f"已生成填报表 {out}")
