"""`nianbao check` (reports → findings) and `nianbao rules` (the rules' documentation)."""

from __future__ import annotations

import sys

import click

from ..api import check
from ..check import RULES, Settings, output
from .inputs import open_corpus, parse_readable
from .options import db_option, format_option, out_option, settings_options
from .output import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, emit

FORMATTERS = {"text": output.text, "json": output.as_json, "csv": output.as_csv}


@click.command("check")
@click.argument("files", nargs=-1, required=False, type=click.Path())
@format_option(
    *FORMATTERS,
    default="text",
    help="text：每行一项（文件:行: 规则 严重程度 说明）；json：合同规定的列表；csv：UTF-8（带 BOM）。",
)
@settings_options
@out_option()
@db_option
def check_cmd(files: tuple[str, ...], fmt: str, settings: Settings, out: str | None, db: str | None) -> None:
    """检查年度报告：勾稽关系、模板、章节、空白、期限、正文与表格、跨年度一致性。

    同时给出同一机关相邻年度的报告时，还检查跨年度规则（Y-）。
    给出 --db 而不给文件时，检查语料库中的全部报告；同时给出文件时，另与语料库中同一机关
    相邻年度的报告比对（Y-）。
    退出码：0 无错误；1 有错误级问题；2 有文件无法读取。
    """
    if not files and not db:
        raise click.UsageError("请给出要检查的文件，或用 --db 检查语料库")
    reports = parse_readable(files)
    findings = check(reports, settings, open_corpus(db) if db else None)
    emit(FORMATTERS[fmt](findings), out, bom=fmt == "csv", as_json=fmt == "json")
    if len(reports) < len(files):
        sys.exit(EXIT_UNREADABLE)
    sys.exit(EXIT_FINDINGS if any(f.severity == "error" for f in findings) else EXIT_OK)


@click.command("rules")
@click.argument("rule_id", required=False)
@format_option(
    "text",
    "json",
    "md",
    default="text",
    help="text：一览表或单条说明；json：机器可读；md：文档（docs/rules.md 由此生成）。",
)
def rules_cmd(rule_id: str | None, fmt: str) -> None:
    """列出全部规则，或说明一条规则（如 nianbao rules T3-BAL）。"""
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
