"""Across years: the same agency's consecutive reports must agree with each other, and one
agency has one report a year (Y-DUP; which one the other rules compare: runner.stands_for_year)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...model import Report
from ...normalize import norm
from ...template import GOV2021, SECTIONS
from ..context import RuleContext
from ..example import Case
from ..finding import Finding
from ..names import fmt, line, path
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
    failing=Case(
        year=2024,
        neighbour=Case(
            year=2023, cells={"t3.carried_forward.natural_person": "3", "t3.carried_forward.total": "3"}
        ),
        expect=(("t3.carried_over.natural_person",), ("t3.carried_over.total",)),
    ),
    passing=Case(
        year=2024,
        cells={"t3.carried_over.natural_person": "3", "t3.carried_over.total": "3"},
        neighbour=Case(
            year=2023, cells={"t3.carried_forward.natural_person": "3", "t3.carried_forward.total": "3"}
        ),
    ),
)
def carry_over(ctx: RuleContext) -> Iterator[Finding]:
    prev, cur = ctx.other, ctx.report
    if not (cur.has_row("t3", "carried_over") and prev.has_row("t3", "carried_forward")):
        return
    for col in T3_COLS:
        now = cur.value("t3", "carried_over", col)
        before = prev.value("t3", "carried_forward", col)
        if now is None or before is None or now == before:
            continue
        yield ctx.finding(
            f"表三“{ctx.col_name('t3', 'carried_over', col)}”列：{cur.year} 年上年结转 {fmt(now)}，"
            f"而 {prev.year} 年报告结转下年度 {fmt(before)}（上年报告 {prev.source.path}）",
            [path("t3", "carried_over", col)],
            before,
            now,
            line(cur, "t3", "carried_over", col),
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
    failing=Case(
        year=2024,
        cells={"t2.normative_documents.issued": "2", "t2.normative_documents.in_force": "12"},
        neighbour=Case(year=2023, cells={"t2.normative_documents.in_force": "30"}),
        expect=(
            (
                "t2.normative_documents.in_force",
                "t2.normative_documents.issued",
                "t2.normative_documents.repealed",
            ),
        ),
    ),
    passing=Case(
        year=2024,
        cells={"t2.normative_documents.issued": "2", "t2.normative_documents.in_force": "32"},
        neighbour=Case(year=2023, cells={"t2.normative_documents.in_force": "30"}),
    ),
)
def in_force(ctx: RuleContext) -> Iterator[Finding]:
    prev, cur = ctx.other, ctx.report
    for row in ("regulations", "normative_documents"):
        before = prev.value("t2", row, "in_force")
        now = cur.value("t2", row, "in_force")
        issued = cur.value("t2", row, "issued")
        repealed = cur.value("t2", row, "repealed")
        if before is None or now is None or issued is None or repealed is None:
            continue
        expected = before + issued - repealed
        if now != expected:
            yield ctx.finding(
                f"{ctx.cell_name('t2', row, 'in_force')} {fmt(now)}，按上年 {fmt(before)} + 本年制发 {fmt(issued)}"
                f" − 本年废止 {fmt(repealed)} 应为 {fmt(expected)}，相差 {fmt(now - expected)}（上年报告 {prev.source.path}）",
                [path("t2", row, "in_force"), path("t2", row, "issued"), path("t2", row, "repealed")],
                expected,
                now,
                line(cur, "t2", row, "in_force"),
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


_COPIED = (
    "存在的主要问题：一是政策解读的形式还不够丰富，图表和视频等解读方式运用较少；"
    "二是依申请公开答复文书的规范性有待提高，个别答复说理不够充分。"
    "改进情况：{year}年，我们将进一步丰富政策解读形式，组织开展业务培训，规范答复文书。"
)
_WRITTEN_ANEW = (
    "存在的主要问题：基层政务公开专区建设不平衡，部分专区资料更新不够及时。"
    "改进情况：本年度已对全部专区开展季度巡查，建立资料更新台账；下一年度将把巡查结果纳入绩效考核。"
)


@rule(
    id="Y-COPY",
    name="narrative-copied-from-last-year",
    title="某一部分的正文与上一年度报告基本相同（照抄）",
    severity="warning",
    templates=ALL,
    basis="国办公开办函〔2021〕30号“（四）明确责任”：内容雷同、敷衍塞责的依法追责；评估中对与往年雷同的报告扣分",
    rationale="年报应报告本年度的工作；与上年逐句相同（仅改数字）的部分没有提供新信息。",
    example="2024 年报告“五、存在的主要问题及改进情况”与 2023 年报告逐句相同，只改了年份。",
    fix="按本年度实际情况撰写；延续的工作写明本年度的进展。",
    scope="series",
    options={"threshold": 0.8, "min_chars": 80},
    failing=Case(
        year=2024,
        sections={"problems": _COPIED.format(year=2025)},
        neighbour=Case(year=2023, sections={"problems": _COPIED.format(year=2024)}),
        expect=(("sections.problems",),),
    ),
    passing=Case(
        year=2024,
        sections={"problems": _WRITTEN_ANEW},
        neighbour=Case(year=2023, sections={"problems": _COPIED.format(year=2024)}),
    ),
)
def copied_text(ctx: RuleContext) -> Iterator[Finding]:
    prev, cur = ctx.other, ctx.report
    threshold = ctx.number("threshold")
    min_chars = int(ctx.number("min_chars"))
    for section in SECTIONS:
        a, b = cur.sections.get(section.key), prev.sections.get(section.key)
        if a is None or b is None or len(norm(a.text)) < min_chars:
            continue
        share, copied = copied_share(a.text, b.text)
        if share >= threshold:
            sample = "；".join(s[:40] for s in copied[:2])
            yield ctx.finding(
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
    failing=Case(
        year=2024,
        cells={"t3.new_received.total": "1200"},
        neighbour=Case(year=2023, cells={"t3.new_received.total": "12"}),
        expect=(("t3.new_received.total",),),
    ),
    passing=Case(
        year=2024,
        cells={"t3.new_received.total": "30"},
        neighbour=Case(year=2023, cells={"t3.new_received.total": "12"}),
    ),
)
def jumps(ctx: RuleContext) -> Iterator[Finding]:
    prev, cur = ctx.other, ctx.report
    factor = ctx.number("factor")
    min_change = ctx.number("min_change")
    for table, row, col in _JUMP_CELLS:
        a, b = prev.value(table, row, col), cur.value(table, row, col)
        if a is None or b is None or abs(b - a) < min_change:
            continue
        low, high = sorted((a, b))
        if low == 0 or high / low >= factor:
            yield ctx.finding(
                f"{ctx.cell_name(table, row, col)}由 {prev.year} 年的 {fmt(a)} 变为 {cur.year} 年的 {fmt(b)}",
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
    failing=Case(
        year=2023,
        name="a.pdf",
        published="2024-01-20",
        neighbour=Case(year=2023, name="b.pdf", published="2024-03-05"),
        expect=(("year",),),
    ),
    passing=Case(year=2023, name="b.pdf", published="2024-03-05", neighbour=Case(year=2022, name="a.pdf")),
)
def duplicate_year(ctx: RuleContext) -> Iterator[Finding]:
    chosen, other = ctx.other, ctx.report

    def said(r: Report) -> str:
        return f"{r.source.path}（发布日期 {r.published or '不详'}）"

    yield ctx.finding(
        f"{other.agency} {other.year} 年度另有一份不同的报告 {said(chosen)}，本报告 {said(other)}；"
        f"跨年度规则只比对 {chosen.source.path}",
        ["year"],
    )
