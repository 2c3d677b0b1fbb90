"""Across years: the same agency's consecutive reports must agree with each other, and one
agency has one report a year (Y-DUP; which one the other rules compare: runner.stands_for_year)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...model import Report
from ...normalize import norm
from ...template import GOV2021, SECTIONS
from ..finding import Finding
from ..names import cell_name, col_name, fmt, path
from ..registry import rule

ALL = ("2019", "2021", "hybrid", "legacy")
T3_COLS = tuple(c.key for c in GOV2021.t3.cols)


@rule(
    id="Y-CARRY",
    name="carry-over-does-not-roll-in",
    title="本年“上年结转”不等于上一年度报告的“结转下年度继续办理”",
    severity="warning",
    templates=("2019", "2021", "hybrid"),
    basis="表三第二项与上一年度表三第四项描述同一批申请（format.md §6 Y-CARRY）",
    rationale="上一年结转出去的申请，必须在下一年结转进来；不一致说明有一年填错了。",
    example="2023 年报告结转下年度 3 件，2024 年报告上年结转 0 件。",
    fix="本年“二、上年结转”逐列等于上年“四、结转下年度继续办理”。",
    scope="series",
)
def carry_over(prev: Report, cur: Report, ctx) -> Iterator[Finding]:
    if not (cur.has_row("t3", "carried_over") and prev.has_row("t3", "carried_forward")):
        return
    for col in T3_COLS:
        now = cur.value("t3", "carried_over", col)
        before = prev.value("t3", "carried_forward", col)
        if now is None or before is None or now == before:
            continue
        yield Finding(
            "Y-CARRY",
            "warning",
            ctx.name,
            f"表三“{col_name('t3', 'carried_over', col)}”列：{cur.year} 年上年结转 {fmt(now)}，"
            f"而 {prev.year} 年报告结转下年度 {fmt(before)}（{ctx.other}）",
            [path("t3", "carried_over", col)],
            before,
            now,
            (cur.cell("t3", "carried_over", col).ref.line),
        )


@rule(
    id="Y-INFORCE",
    name="in-force-count-does-not-roll-forward",
    title="现行有效件数与上年现行有效件数加本年制发减本年废止不符",
    severity="warning",
    templates=("2021", "hybrid"),
    basis="2021 年格式表二第二十条第（一）项：现行有效 = 上年现行有效 + 本年制发 − 本年废止（推算关系，非格式明文）",
    rationale="文件因到期失效或修订也会变化，所以这只是提示；差额很大时通常是某一年填错。",
    example="2023 年现行有效 30 件，2024 年制发 2、废止 0，却写现行有效 12 件。",
    fix="核对现行有效件数；有到期失效等情况时在正文说明。",
    scope="series",
)
def in_force(prev: Report, cur: Report, ctx) -> Iterator[Finding]:
    for row in ("regulations", "normative_documents"):
        before = prev.value("t2", row, "in_force")
        now = cur.value("t2", row, "in_force")
        issued = cur.value("t2", row, "issued")
        repealed = cur.value("t2", row, "repealed")
        if None in (before, now, issued, repealed):
            continue
        expected = before + issued - repealed
        if now != expected:
            yield Finding(
                "Y-INFORCE",
                "warning",
                ctx.name,
                f"{cell_name('t2', row, 'in_force')} {fmt(now)}，按上年 {fmt(before)} + 本年制发 {fmt(issued)}"
                f" − 本年废止 {fmt(repealed)} 应为 {fmt(expected)}，相差 {fmt(now - expected)}（{ctx.other}）",
                [path("t2", row, "in_force"), path("t2", row, "issued"), path("t2", row, "repealed")],
                expected,
                now,
                cur.cell("t2", row, "in_force").ref.line,
            )


_SPLIT = re.compile(r"[。；;！？!?\n]+")
_DIGITS = re.compile(r"\d+")


def _sentences(text: str) -> list[tuple[str, str]]:
    """(key, printed) sentences; the key has figures and years blanked out, so a copy with
    new numbers still matches."""
    out = []
    for s in _SPLIT.split(text):
        key = _DIGITS.sub("#", norm(s))
        if len(key) >= 8:
            out.append((key, s.strip()))
    return out


def copied_share(text: str, previous: str) -> tuple[float, list[str]]:
    """The share of the text (by characters) in sentences found in the previous text too,
    and those sentences as printed."""
    mine = _sentences(text)
    theirs = {key for key, _ in _sentences(previous)}
    if not mine:
        return 0.0, []
    copied = [(key, printed) for key, printed in mine if key in theirs]
    share = sum(len(k) for k, _ in copied) / sum(len(k) for k, _ in mine)
    return share, [printed for _, printed in copied]


@rule(
    id="Y-COPY",
    name="narrative-copied-from-last-year",
    title="某一部分的正文与上一年度报告基本相同（照抄）",
    severity="warning",
    templates=ALL,
    basis="国办公开办函〔2021〕30号“（四）明确责任”：内容雷同、敷衍塞责的依法追责；评估中对与往年雷同的报告扣分",
    rationale="年报应报告本年度的工作；与上年逐句相同（仅改数字）的部分没有提供新信息。",
    example="2024 年报告“五、存在的主要问题及改进情况”与 2023 年报告 95% 的句子相同，只改了年份。",
    fix="按本年度实际情况撰写；延续的工作写明本年度的进展。",
    scope="series",
    options={"threshold": 0.8, "min_chars": 80},
)
def copied_text(prev: Report, cur: Report, ctx) -> Iterator[Finding]:
    threshold = float(ctx.option("Y-COPY", "threshold"))
    min_chars = int(ctx.option("Y-COPY", "min_chars"))
    for section in SECTIONS:
        a, b = cur.sections.get(section.key), prev.sections.get(section.key)
        if a is None or b is None or len(norm(a.text)) < min_chars:
            continue
        share, copied = copied_share(a.text, b.text)
        if share >= threshold:
            sample = "；".join(s[:40] for s in copied[:2])
            yield Finding(
                "Y-COPY",
                "warning",
                ctx.name,
                f"“{a.title}”有 {share:.0%} 的内容与 {prev.year} 年报告相同（阈值 {threshold:.0%}），如：{sample}",
                [f"sections.{section.key}"],
                threshold,
                round(share, 3),
                a.ref.line,
            )


_JUMP_CELLS = (
    ("t3", "new_received", "total"),
    ("t3", "results_total", "total"),
    ("t4", "review", "total"),
    ("t2", "licensing", "decisions"),
    ("t2", "penalty", "decisions"),
)


@rule(
    id="Y-JUMP",
    name="figure-jumps-between-years",
    title="关键数字在相邻两年间变化异常（如增减十倍以上）",
    severity="info",
    templates=("2019", "2021", "hybrid"),
    basis="合理性提示（format.md §6 P-RATIO 一类）：同一机关相邻年度的业务量通常不会骤变",
    rationale="骤增骤减可能是统计口径变化，也可能是多写或漏写一位数字，值得核对。",
    example="本年新收申请 2023 年 12 件，2024 年 1200 件。",
    fix="核对数字；口径确有变化时在正文说明。",
    scope="series",
    options={"factor": 10, "min_change": 50},
)
def jumps(prev: Report, cur: Report, ctx) -> Iterator[Finding]:
    factor = float(ctx.option("Y-JUMP", "factor"))
    min_change = float(ctx.option("Y-JUMP", "min_change"))
    for table, row, col in _JUMP_CELLS:
        a, b = prev.value(table, row, col), cur.value(table, row, col)
        if a is None or b is None or abs(b - a) < min_change:
            continue
        low, high = sorted((a, b))
        if low == 0 or high / low >= factor:
            yield Finding(
                "Y-JUMP",
                "info",
                ctx.name,
                f"{cell_name(table, row, col)}由 {prev.year} 年的 {fmt(a)} 变为 {cur.year} 年的 {fmt(b)}",
                [path(table, row, col)],
                a,
                b,
            )


@rule(
    id="Y-DUP",
    name="two-reports-for-one-year",
    title="同一机关同一年度有两份（或更多）不同的报告",
    severity="warning",
    templates=ALL,
    basis="《政府信息公开条例》第四十九条：行政机关每年公布本机关上一年度的政府信息公开工作年度报告（一年一份）",
    rationale=(
        "同一机关同一年度只应有一份年度报告；两份内容不同的报告，至少一份不是最终版本（如更正前的版本、"
        "重复发布或机关名称、年度识别有误）。跨年度规则（Y-）只比对其中一份：发布日期最晚的一份，"
        "日期相同时取源文件 SHA-256 最小的一份，再相同时取路径最小的一份；与文件给出的顺序无关。"
    ),
    example="青石市河西区商务局 2023 年度报告有两份：2024-01-20 发布的 a.pdf 和 2024-03-05 发布的更正版 b.pdf。",
    fix="每个机关每年只保留一份年度报告；更正后的报告替换原报告，并核对机关名称和年度是否识别正确。",
    scope="duplicates",
)
def duplicate_year(chosen: Report, other: Report, ctx) -> Iterator[Finding]:
    def said(r: Report) -> str:
        return f"{r.source.path}（发布日期 {r.published or '不详'}）"

    yield Finding(
        "Y-DUP",
        "warning",
        ctx.name,
        f"{other.agency} {other.year} 年度另有一份不同的报告 {said(chosen)}，本报告 {said(other)}；"
        f"跨年度规则只比对 {chosen.source.path}",
        ["year"],
    )
