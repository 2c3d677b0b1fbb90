"""Table arithmetic: the identities the format prints (勾稽关系) and the values cells may hold."""

from __future__ import annotations

from collections.abc import Iterator

from ...model import MAX_DIGITS, Report, digits
from ...template import GOV2019, GOV2021, Table
from ...template.gov import T3_OTHER_ROW_2019
from ..context import RuleContext
from ..example import Case, Extra
from ..finding import Finding
from ..names import TABLE_NUMBER, blank_note, fmt, is_text, line, number, path
from ..registry import rule

STATUTORY = ("2019", "2021", "hybrid")
T3 = GOV2021.t3
T3_COLS = tuple(c.key for c in T3.cols)
T4_COLS = tuple(c.key for c in GOV2021.t4.cols)


def _t3_layout(report: Report) -> Table:
    """The 表三 the report prints: the 2019 one when （六） is a single row."""
    return GOV2019.t3 if report.has_row("t3", T3_OTHER_ROW_2019) else GOV2021.t3


def _sum(ctx: RuleContext, table: str, cells: list[tuple[str, str]]) -> tuple[float, list[str]]:
    total: float = 0
    blanks: list[str] = []
    for row, col in cells:
        value, blank = number(ctx.report, table, row, col)
        total += value
        if blank:
            blanks.append(f"“{ctx.row_name(table, row)}”")
    return total, blanks


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[:size] + "…"


def _whole(value: float) -> bool:
    """An integer, or a float without a fraction (no float() of an int: it may not fit)."""
    return isinstance(value, int) or value.is_integer()


@rule(
    id="T3-BAL",
    name="t3-balance-broken",
    title="表三勾稽关系不成立：第一项加第二项之和不等于第三项加第四项之和",
    severity="error",
    templates=STATUTORY,
    basis="表三表头注释“本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和”（国办公开办函〔2019〕60号、〔2021〕30号）",
    rationale="本年新收与上年结转的申请，要么在本年办结（第三项（七）总计），要么结转下年度（第四项）。"
    "两边不等说明有申请被漏统计或重复统计。",
    example="总计列：本年新收 12、上年结转 1，而（七）总计 10、结转下年度 1。",
    fix="逐列核对：新收 + 上年结转 = （七）总计 + 结转下年度。",
    failing=Case(
        cells={
            "t3.new_received.total": "12",
            "t3.carried_over.total": "1",
            "t3.results_total.total": "10",
            "t3.carried_forward.total": "1",
        },
        expect=(
            (
                "t3.results_total.total",
                "t3.new_received.total",
                "t3.carried_over.total",
                "t3.carried_forward.total",
            ),
        ),
    ),
    passing=Case(
        cells={
            "t3.new_received.total": "12",
            "t3.carried_over.total": "1",
            "t3.results_total.total": "12",
            "t3.carried_forward.total": "1",
        }
    ),
)
def t3_balance(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    rows = ("new_received", "carried_over", "results_total", "carried_forward")
    if not all(report.has_row("t3", r) for r in rows):
        return
    for col in T3_COLS:
        new, b1 = number(report, "t3", "new_received", col)
        old, b2 = number(report, "t3", "carried_over", col)
        done, b3 = number(report, "t3", "results_total", col)
        forward, b4 = number(report, "t3", "carried_forward", col)
        if new + old == done + forward:
            continue
        blanks = [
            n
            for n, b in zip(("第一项", "第二项", "第三项（七）总计", "第四项"), (b1, b2, b3, b4), strict=True)
            if b
        ]
        expected = new + old - forward
        yield ctx.finding(
            f"表三“{ctx.col_name('t3', 'new_received', col)}”列：第三项（七）总计 {fmt(done)} ≠ 第一项 {fmt(new)}"
            f" + 第二项 {fmt(old)} − 第四项 {fmt(forward)} = {fmt(expected)}{blank_note(blanks)}",
            [
                path("t3", "results_total", col),
                path("t3", "new_received", col),
                path("t3", "carried_over", col),
                path("t3", "carried_forward", col),
            ],
            expected,
            done,
            line(report, "t3", "results_total", col),
        )


@rule(
    id="T3-ROWSUM",
    name="t3-row-total-not-sum",
    title="表三某行“总计”列不等于自然人与五类法人或其他组织之和",
    severity="error",
    templates=STATUTORY,
    basis="表三列结构：总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他",
    rationale="总计列是本行各类申请人的合计；不等说明某一列填错或总计算错。",
    example="“（一）予以公开”行：自然人 8、商业企业 2，总计却填 9。",
    fix="每一行的总计等于六个申请人列之和。",
    failing=Case(
        cells={"t3.granted.natural_person": "8", "t3.granted.business": "2", "t3.granted.total": "9"},
        expect=(("t3.granted.total", *(f"t3.granted.{c}" for c in T3_COLS if c != "total")),),
    ),
    passing=Case(
        cells={"t3.granted.natural_person": "8", "t3.granted.business": "2", "t3.granted.total": "10"}
    ),
)
def t3_row_sum(ctx: RuleContext) -> Iterator[Finding]:
    yield from _row_totals(ctx, "t3", "行：总计 {total} ≠ 各申请人列之和 {sum}")


def _row_totals(ctx: RuleContext, table: str, template: str) -> Iterator[Finding]:
    """Each row's 总计 against the sum of its other columns (表三 rows, 表四 groups)."""
    report = ctx.report
    parts = [c for c in (T3_COLS if table == "t3" else T4_COLS) if c != "total"]
    for row in report.tables.get(table, {}):
        total, blank_total = number(report, table, row, "total")
        s, blanks = _sum_cols(ctx, table, row, parts)
        if total == s or (blank_total and len(blanks) == len(parts)):
            continue
        if blank_total:
            blanks.append("总计")
        yield ctx.finding(
            f"{TABLE_NUMBER[table]}“{ctx.row_name(table, row)}”"
            + template.format(total=fmt(total), sum=fmt(s))
            + blank_note(blanks),
            [path(table, row, "total")] + [path(table, row, c) for c in parts],
            s,
            total,
            line(report, table, row, "total"),
        )


def _sum_cols(ctx: RuleContext, table: str, row: str, cols: list[str]) -> tuple[float, list[str]]:
    total: float = 0
    blanks: list[str] = []
    for col in cols:
        value, blank = number(ctx.report, table, row, col)
        total += value
        if blank:
            blanks.append(ctx.col_name(table, row, col))
    return total, blanks


@rule(
    id="T3-RESULTSUM",
    name="t3-results-total-not-sum",
    title="表三（七）总计不等于（一）至（六）各项办理结果之和",
    severity="error",
    templates=STATUTORY,
    basis="表三行结构：三、本年度办理结果（七）总计 = （一）予以公开 + （二）部分公开 + （三）至（六）各子项",
    rationale="（七）总计是本年度办结申请的合计，应与各类办理结果逐项相加一致。",
    example="总计列：予以公开 6、部分公开 1、本机关不掌握 3，（七）总计却为 9。",
    fix="（七）总计逐列等于各办理结果行之和；2021 年格式（六）分三个子项，2019 年格式为一行。",
    failing=Case(
        cells={
            "t3.granted.total": "6",
            "t3.partially_granted.total": "1",
            "t3.unable_not_held.total": "3",
            "t3.results_total.total": "9",
        },
        expect=(("t3.results_total.total", *(f"t3.{r}.total" for r in T3.row_sums[0][1])),),
    ),
    passing=Case(
        cells={
            "t3.granted.total": "6",
            "t3.partially_granted.total": "1",
            "t3.unable_not_held.total": "3",
            "t3.results_total.total": "10",
        }
    ),
)
def t3_results_sum(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    layout = _t3_layout(report)
    total_key, parts = layout.row_sums[0]
    if not report.has_row("t3", total_key) or not all(report.has_row("t3", r) for r in parts):
        return
    for col in T3_COLS:
        total, blank_total = number(report, "t3", total_key, col)
        s, blanks = _sum(ctx, "t3", [(r, col) for r in parts])
        if total == s or (blank_total and len(blanks) == len(parts)):
            continue
        if blank_total:
            blanks.append("“（七）总计”")
        yield ctx.finding(
            f"表三“{ctx.col_name('t3', total_key, col)}”列：（七）总计 {fmt(total)} ≠ 各办理结果之和 {fmt(s)}"
            f"{blank_note(blanks)}",
            [path("t3", total_key, col)] + [path("t3", r, col) for r in parts],
            s,
            total,
            line(report, "t3", total_key, col),
        )


@rule(
    id="T3-SUBTOTAL",
    name="t3-printed-subtotal-not-sum",
    title="表三自行加印的小计行不等于其子项之和",
    severity="warning",
    templates=STATUTORY,
    basis="表三（三）至（六）没有小计行；有的报告自行加印小计（format.md §6 T3-SUBTOTAL）",
    rationale="加印的小计若与子项不符，读者无法判断哪一个数是对的。",
    example="“（三）不予公开”行印有总计 5，而其 8 个子项之和为 4。",
    fix="删去模板之外的小计行；保留时应等于子项之和。",
    failing=Case(
        cells={"t3.refused_state_secret.total": "2", "t3.refused_third_party.total": "2"},
        extra=(Extra("（三）不予公开", "refused", {"total": "5"}),),
        expect=(
            (
                "t3.extra.（三）不予公开.total",
                *(f"t3.{r.key}.total" for r in T3.rows if r.group == "refused"),
            ),
        ),
    ),
    passing=Case(
        cells={"t3.refused_state_secret.total": "2", "t3.refused_third_party.total": "2"},
        extra=(Extra("（三）不予公开", "refused", {"total": "4"}),),
    ),
)
def t3_subtotal(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    layout = _t3_layout(report)
    for extra in report.extra:
        if extra.table != "t3" or not extra.group:
            continue
        members = [r.key for r in layout.rows if r.group == extra.group]
        if not members:
            continue
        for col in T3_COLS:
            cell = extra.values.get(col)
            if cell is None or cell.value is None:
                continue
            s, blanks = _sum(ctx, "t3", [(r, col) for r in members])
            if s != cell.value:
                yield ctx.finding(
                    f"表三小计行“{extra.label}”“{ctx.col_name('t3', members[0], col)}”列 {fmt(cell.value)}"
                    f" ≠ 其子项之和 {fmt(s)}{blank_note(blanks)}",
                    [f"t3.extra.{extra.label}.{col}"] + [path("t3", r, col) for r in members],
                    s,
                    cell.value,
                    cell.ref.line,
                )


@rule(
    id="T4-SUM",
    name="t4-total-not-sum",
    title="表四某组“总计”不等于结果维持、结果纠正、其他结果、尚未审结之和",
    severity="error",
    templates=STATUTORY,
    basis="表四列结构：每组总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
    rationale="总计是本组案件数；各结果之和不等于总计，说明案件被漏填或总计未更新。",
    example="行政复议：结果维持 10、结果纠正 1，总计却为 0（洪泽区 2023 年报告）。",
    fix="每组总计等于四种结果之和。",
    failing=Case(
        cells={"t4.review.upheld": "10", "t4.review.corrected": "1", "t4.review.total": "0"},
        expect=(("t4.review.total", *(f"t4.review.{c}" for c in T4_COLS if c != "total")),),
    ),
    passing=Case(cells={"t4.review.upheld": "10", "t4.review.corrected": "1", "t4.review.total": "11"}),
)
def t4_sum(ctx: RuleContext) -> Iterator[Finding]:
    yield from _row_totals(ctx, "t4", "：总计 {total} ≠ 结果维持、结果纠正、其他结果、尚未审结之和 {sum}")


@rule(
    id="T-VALUE",
    name="cell-not-a-count",
    title="单元格不是非负数（负数，或应为件数处出现小数）",
    severity="error",
    templates=STATUTORY,
    basis="表二、表三、表四的单元格均为件数或金额，不能为负（2019 年表二“本年增/减”除外）",
    rationale="申请、决定、案件都是计数，负数或小数说明填写或识别有误。",
    example="表三“重复申请”行自然人列为 -1；表二“行政许可”本年处理决定数量为 3.5。",
    fix="件数填写非负整数；金额（万元）可以有小数。",
    failing=Case(
        cells={"t3.not_processed_repeat.natural_person": "-1", "t2.licensing.decisions": "3.5"},
        expect=(("t2.licensing.decisions",), ("t3.not_processed_repeat.natural_person",)),
    ),
    passing=Case(
        cells={
            "t3.not_processed_repeat.natural_person": "1",
            "t2.licensing.decisions": "3",
            "t2.fees.amount": "0.35",
        }
    ),
)
def cell_values(ctx: RuleContext) -> Iterator[Finding]:
    for table, rows in ctx.report.tables.items():
        for row, cols in rows.items():
            for col, cell in cols.items():
                if is_text(cell):
                    yield ctx.finding(
                        f"{ctx.cell_name(table, row, col)}为文字“{_short(cell.raw.strip())}”，应为数字",
                        [path(table, row, col)],
                        None,
                        cell.raw.strip(),
                        cell.ref.line,
                    )
                    continue
                if cell.value is None:
                    continue
                if _whole(cell.value) and digits(cell.value) > MAX_DIGITS:
                    yield ctx.finding(
                        f"{ctx.cell_name(table, row, col)}为 {digits(cell.value)} 位数字，不是可信的件数或金额"
                        f"（最多 {MAX_DIGITS} 位），请核对原件",
                        [path(table, row, col)],
                        None,
                        cell.raw.strip()[:40] or None,
                        cell.ref.line,
                    )
                    continue
                item = ctx.col_item(table, row, col)
                kind = item.kind if item else "count"
                if kind == "delta":
                    continue
                bad = cell.value < 0 or (kind == "count" and not _whole(cell.value))
                if bad:
                    what = "负数" if cell.value < 0 else "小数"
                    yield ctx.finding(
                        f"{ctx.cell_name(table, row, col)}为{what} {fmt(cell.value)}，应为非负{'整数' if kind == 'count' else '数'}",
                        [path(table, row, col)],
                        None,
                        cell.value,
                        cell.ref.line,
                    )


@rule(
    id="P-DIGITS",
    name="number-split-over-cells",
    title="合计不成立，但若把相邻两个单元格看作一个数（如“2”“0”为“20”）就成立",
    severity="info",
    templates=STATUTORY,
    basis="版面提取的常见错误：一个多位数被拆进两个单元格（format.md §6 P-DIGITS）",
    rationale="这通常不是报告本身的错误，而是复制或提取时把数字拆开了；核对原件即可。",
    example="表三某行：1、2、0、0、0、0，总计 21；若“2”“0”是一个数“20”，则 1 + 20 = 21 成立。",
    fix="核对原件中该行的数字，按原件更正。",
    failing=Case(
        cells={"t3.granted.natural_person": "1", "t3.granted.business": "2", "t3.granted.total": "21"},
        expect=(("t3.granted.business", "t3.granted.research"),),
    ),
    passing=Case(
        cells={"t3.granted.natural_person": "1", "t3.granted.business": "20", "t3.granted.total": "21"}
    ),
)
def split_digits(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    for table, cols in (("t3", T3_COLS), ("t4", T4_COLS)):
        for row in report.tables.get(table, {}):
            read = [report.value(table, row, c) for c in cols]
            values = [v for v in read if v is not None]
            if len(values) < len(read) or sum(values[:-1]) == values[-1]:
                continue
            for i in range(len(values) - 1):
                a, b = values[i], values[i + 1]
                if not (_whole(a) and _whole(b)) or a < 0 or b < 0 or digits(a) + digits(b) > MAX_DIGITS:
                    continue
                merged = [*values[:i], int(f"{int(a)}{int(b)}"), *values[i + 2 :]]
                if sum(merged[:-1]) == merged[-1] and len(merged) >= 3:
                    yield ctx.finding(
                        f"{TABLE_NUMBER[table]}“{ctx.row_name(table, row)}”行合计不成立；若“{fmt(a)}”“{fmt(b)}”"
                        f"（{ctx.col_name(table, row, cols[i])}、{ctx.col_name(table, row, cols[i + 1])}列）"
                        f"原为一个数“{int(a)}{int(b)}”，则合计成立",
                        [path(table, row, cols[i]), path(table, row, cols[i + 1])],
                        None,
                        None,
                        line(report, table, row, cols[i]),
                    )
                    break
