"""`nianbao generate`: fictional reports with consistent figures, some with injected defects."""

from __future__ import annotations

from pathlib import Path

import click

from ..generate import write_corpus
from ..render import FORMATS
from .options import out_option
from .output import echo


@click.command("generate")
@click.argument("count", type=click.IntRange(1, 1_000_000))
@out_option(help="输出目录（不存在时创建）。", required=True)
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
def generate_cmd(count: int, out: str, formats: str, defect_rate: float, seed: int) -> None:
    """生成虚构机关的测试/基准报告（数字自洽），可按比例注入错误。"""
    chosen = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.UsageError(f"未知的格式：{'、'.join(unknown) or '（空）'}（可选：{'、'.join(FORMATS)}）")
    injected = write_corpus(out, count, chosen, seed=seed, defect_rate=defect_rate)
    echo(f"已生成 {count} 份报告（{injected} 份注入了错误）于 {Path(out)}")
