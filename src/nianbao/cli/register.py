"""`nianbao register`: a register of applications → 表三 and the replies late under 条例第三十三条."""

from __future__ import annotations

import sys

import click

from ..api import register
from ..read.register import read_date
from ..render.register import register_json, register_text
from .options import agency_option, format_option, out_option, template_option, year_option
from .output import EXIT_FINDINGS, EXIT_OK, dumps, echo, emit


@click.command("register")
@click.argument("file", type=click.Path())
@year_option("统计年度（表三按该年 1 月 1 日至 12 月 31 日计算）。")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="DATE",
    help="判断逾期未答复的截止日期（默认该年 12 月 31 日）。",
)
@format_option(
    "text",
    "json",
    default="text",
    help="text：表三和逾期清单；json：报告 JSON（只含表三），另加 register 对象（逾期清单、无效行）。",
)
@out_option(help="把报告 JSON（只含表三，不含 register）写入此文件。")
@agency_option("写入报告的机关名称。", metavar="NAME")
@template_option("表三模板（默认按年度：2019—2020 年为 2019，此后为 2021）。")
def register_cmd(
    file: str,
    year: int,
    as_of: str | None,
    fmt: str,
    out: str | None,
    agency: str | None,
    template: str | None,
) -> None:
    """由申请登记表（CSV 或 XLSX）计算表三，并按条例第三十三条检查答复期限。

    退出码：0 无逾期、无无效行；1 有逾期申请或无效行；2 登记表无法读取。
    """
    try:
        when = read_date(as_of) if as_of else None
    except ValueError:
        raise click.BadParameter(f"无法识别的日期 {as_of!r}", param_hint="--as-of") from None
    result, report = register(file, year, as_of=when, template=template, agency=agency)  # ReadError: exit 2
    if out:
        emit(dumps(report.to_json(), indent=1), out, as_json=True)
    if fmt == "json":
        echo(dumps(register_json(result, report), indent=1), as_json=True)
    else:
        echo(register_text(result, report))
    sys.exit(EXIT_FINDINGS if result.late or result.invalid else EXIT_OK)
