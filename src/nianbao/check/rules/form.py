"""Form and completeness: template, sections, blanks, units, period, years, deadline, fee, 考核."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date

from ...agency import KIND_NAMES, agency_kind, deadline, is_people_government
from ...model import Report
from ...template import GOV2019, SECTIONS, template_for_year
from ...template.gov import T3_OTHER_ROW_2019, T3_OTHER_ROWS_2021
from ..context import RuleContext
from ..example import GOVERNMENT, Case
from ..finding import Finding
from ..names import TABLE_NUMBER, fmt, is_text, path
from ..registry import rule

STATUTORY = ("2019", "2021", "hybrid")
ALL = ("2019", "2021", "hybrid", "legacy")
_ORGS = ("business", "research", "public_interest", "legal_service", "other_org")


def _t2_is_2019(report: Report) -> bool | None:
    rows = report.tables.get("t2", {})
    if not rows:
        return None
    cols = {c for r in rows.values() for c in r}
    return bool(cols & {c.key for b in GOV2019.t2.blocks for c in b.cols} - {"decisions", "amount"})


@rule(
    id="F-TEMPLATE",
    name="wrong-or-mixed-template",
    title="表格模板与报告年度不符，或混用 2019 年与 2021 年模板",
    severity="error",
    templates=ALL,
    basis="国办公开办函〔2019〕60号（2019、2020 年度报告）；国办公开办函〔2021〕30号（2021 年度起）",
    rationale="2021 年度起须使用 2021 年格式；沿用旧表或新旧混用，表格数据无法与其他机关比较，评估中按格式不规范扣分。",
    example="2023 年度报告的表三“（六）其他处理”只有一行（2019 年格式），其余为 2021 年格式。",
    fix="按报告年度使用对应格式：2019、2020 年度用 60号文格式，2021 年度起用 30号文格式。",
    failing=Case(year=2023, template="hybrid", expect=(("t3.other_total.total",),)),
    passing=Case(year=2023),
)
def template_matches_year(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    if report.template is None or report.year is None:
        return
    due = template_for_year(report.year)
    if report.template == "hybrid":
        parts = []
        t2_old = _t2_is_2019(report)
        if t2_old is not None:
            parts.append(f"表二为 {'2019' if t2_old else '2021'} 年格式")
        if report.has_row("t3", T3_OTHER_ROW_2019):
            parts.append("表三“（六）其他处理”为一行（2019 年格式）")
        elif any(report.has_row("t3", r) for r in T3_OTHER_ROWS_2021):
            parts.append("表三“（六）其他处理”分三项（2021 年格式）")
        yield ctx.finding(
            f"{report.year} 年度报告混用两种模板：{'，'.join(parts)}；应统一使用"
            f"{due.document if due else '规定'}格式",
            [path("t3", T3_OTHER_ROW_2019, "total")] if report.has_row("t3", T3_OTHER_ROW_2019) else [],
            due.id if due else None,
            "hybrid",
        )
        return
    if due is None:
        return
    if report.template == "legacy":
        yield ctx.finding(
            f"{report.year} 年度报告没有法定统计表（旧格式）；应使用{due.document}格式",
            [],
            due.id,
            "legacy",
        )
    elif report.template != due.id:
        yield ctx.finding(
            f"{report.year} 年度报告使用了 {report.template} 年格式的表格；应使用{due.document}格式",
            [],
            due.id,
            report.template,
        )


@rule(
    id="F-SECTIONS",
    name="statutory-section-missing",
    title="缺少法定章节，或章节顺序、编号与格式不符",
    severity="error",
    templates=STATUTORY,
    basis="《政府信息公开条例》第五十条；年度报告格式“一、报告内容”列明的六个部分",
    rationale="年报须包含六个部分且不宜遗漏；缺少章节（常见的是“六、其他需要报告的事项”）属于内容不全面。"
    "顺序或编号错乱时读者和评估者难以核对。",
    example="报告只有五个部分，没有“六、其他需要报告的事项”；或把“其他需要报告的事项”编为“五、”。",
    fix="按“一、总体情况”至“六、其他需要报告的事项”的顺序和编号写全六个部分。",
    lesser="章节顺序、编号与格式不符",
    failing=Case(sections={"other": None}, expect=(("sections.other",),)),
    passing=Case(),
)
def sections_complete(ctx: RuleContext) -> Iterator[Finding]:
    present = {k: s for k, s in ctx.report.sections.items() if s is not None}
    for section in SECTIONS:
        if section.key not in present:
            yield ctx.finding(
                f"缺少第{section.number}部分“{section.printed}”",
                [f"sections.{section.key}"],
                section.printed,
                None,
            )
    order = [k for k, _ in sorted(present.items(), key=lambda kv: kv[1].order)]
    official = [s.key for s in SECTIONS if s.key in present]
    if order != official:
        shown = " → ".join(present[k].title for k in order)
        yield ctx.finding(
            f"章节顺序与格式不符：{shown}",
            [f"sections.{k}" for k in order],
            "、".join(official),
            "、".join(order),
            present[order[0]].ref.line,
            lesser=True,
        )
    for section in SECTIONS:
        sec = present.get(section.key)
        if sec is not None and sec.number and sec.number != section.number:
            yield ctx.finding(
                f"“{sec.title}”编为第{sec.number}部分，格式规定为第{section.number}部分",
                [f"sections.{section.key}"],
                section.number,
                sec.number,
                sec.ref.line,
                lesser=True,
            )


@rule(
    id="F-BLANK",
    name="blank-instead-of-zero",
    title="应填数字的单元格为空白或占位符（0 应写作 0）",
    severity="warning",
    templates=STATUTORY,
    basis="年度报告格式：表格各栏均为数据项；没有发生的事项应填 0",
    rationale="空白、“/”“—”无法区分“没有发生”和“漏填”，评估中视为数据不完整。",
    example="表三五个“法人或其他组织”列全部空白，只填了自然人和总计。",
    fix="没有发生的事项一律填 0。",
    failing=Case(
        cells={f"t3.new_received.{c}": "" for c in _ORGS},
        expect=(tuple(f"t3.new_received.{c}" for c in _ORGS),),
    ),
    passing=Case(cells={f"t3.new_received.{c}": "0" for c in _ORGS}),
)
def blank_cells(ctx: RuleContext) -> Iterator[Finding]:
    for table, rows in ctx.report.tables.items():
        blanks = [
            (row, col, cell)
            for row, cols in rows.items()
            for col, cell in cols.items()
            if cell.value is None and not is_text(cell)
        ]
        if not blanks:
            continue
        names = [ctx.cell_name(table, r, c).removeprefix(TABLE_NUMBER[table]) for r, c, _ in blanks]
        shown = "、".join(names[:6]) + (f"等 {len(names)} 处" if len(names) > 6 else "")
        kinds = {"占位符" if cell.placeholder and cell.raw else "空白" for _, _, cell in blanks}
        yield ctx.finding(
            f"{TABLE_NUMBER[table]}有 {len(blanks)} 个单元格为{'或'.join(sorted(kinds))}（应填数字，0 写作 0）：{shown}",
            [path(table, r, c) for r, c, _ in blanks],
            0,
            len(blanks),
            blanks[0][2].ref.line,
        )


@rule(
    id="F-UNIT",
    name="unit-in-cell-or-wrong-unit",
    title="单元格中写有单位，或金额单位有误（元与万元）",
    severity="warning",
    templates=STATUTORY,
    basis="2021 年格式表二“本年收费金额（单位：万元）”；其余单元格为件数，单位由表头规定",
    rationale="单元格里的单位会妨碍统计；“元”写成“万元”栏，金额会被放大一万倍。",
    example="表二“政府集中采购”写作“999件”“850万元”；“本年收费金额（单位：万元）”栏写“251000元”。",
    fix="单元格只写数字；收费金额按万元填写。",
    options={"max_fee_wan_yuan": 1_000_000},
    failing=Case(
        year=2020,
        cells={"t2.procurement.items": "999件", "t2.procurement.amount": "850万元"},
        expect=(("t2.procurement.items",), ("t2.procurement.amount",)),
    ),
    passing=Case(year=2020, cells={"t2.procurement.items": "999", "t2.procurement.amount": "850"}),
)
def units(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    for table, rows in report.tables.items():
        for row, cols in rows.items():
            for col, cell in cols.items():
                if cell.unit:
                    wrong = table == "t2" and col == "amount" and row == "fees" and cell.unit == "元"
                    yield ctx.finding(
                        f"{ctx.cell_name(table, row, col)}写有单位“{cell.unit}”（{cell.raw}）"
                        + ("，该栏单位为万元" if wrong else "，单位应由表头规定，单元格只写数字"),
                        [path(table, row, col)],
                        None,
                        cell.unit,
                        cell.ref.line,
                    )
    fee = report.cell("t2", "fees", "amount")
    if fee is not None and fee.value is not None and fee.value > ctx.number("max_fee_wan_yuan"):
        yield ctx.finding(
            f"{ctx.cell_name('t2', 'fees', 'amount')} {fmt(fee.value)} 万元，金额异常大，可能误按“元”填写",
            [path("t2", "fees", "amount")],
            None,
            fee.value,
            fee.ref.line,
        )


_PERIOD_VALUE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/(\d{4})-(\d{2})-(\d{2})$")


@rule(
    id="F-PERIOD",
    name="statistics-period-not-report-year",
    title="报告所述统计期限不是报告年度的 1 月 1 日至 12 月 31 日",
    severity="error",
    templates=ALL,
    basis="年度报告按自然年度统计（“本报告所列数据统计期限为 YYYY 年 1 月 1 日至 12 月 31 日”）",
    rationale="统计期限与报告年度不一致，表格数字就不是本年度的数字。",
    example="2022 年度报告写“统计期限自2021年1月1日起至2021年12月31日止”。",
    fix="统计期限写作报告年度的 1 月 1 日至 12 月 31 日。",
    failing=Case(
        preamble="本报告所列数据的统计期限自2021年1月1日起至2021年12月31日止。", expect=(("period",),)
    ),
    passing=Case(preamble="本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。"),
)
def statistics_period(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    fact = report.facts.get("period")
    if fact is None or report.year is None:
        return
    m = _PERIOD_VALUE.match(str(fact.value))
    if not m:
        return
    y1, m1, d1, y2, m2, d2 = map(int, m.groups())
    want = f"{report.year}年1月1日至{report.year}年12月31日"
    if (y1, m1, d1, y2, m2, d2) != (report.year, 1, 1, report.year, 12, 31):
        yield ctx.finding(
            f"报告所述“{fact.raw}”与报告年度 {report.year} 不符，统计期限应为{want}",
            ["period"],
            want,
            f"{y1}年{m1}月{d1}日至{y2}年{m2}月{d2}日",
            fact.ref.line,
        )


_PLAN = re.compile(
    r"(?:我们|我局|我委|我办|我县|我区|我市|我镇|我乡|我厅|我署|本机关|本单位|我单位)(?:将|要|拟|计划)"
    r"|将(?:进一步|继续|持续|着力|重点|从|围绕|不断|全面|坚持|加强|加大|紧扣|聚焦)"
    r"|计划|拟于|下一步|下一阶段|力争|争取"
)
_SENTENCES = re.compile(r"[^。！？!?\n]+")


@rule(
    id="F-YEAR",
    name="narrative-year-contradicts-report-year",
    title="正文所写年份与报告年度矛盾（如在本年度报告中“计划”本年度的工作）",
    severity="warning",
    templates=ALL,
    basis="年度报告报告的是上一自然年度的工作，改进计划针对下一年度（条例第五十条第（四）项）",
    rationale="在 2019 年度报告里写“2019年，我们将……”，多半是照抄上年报告而未改年份，或把年份写错。",
    example="2019 年度报告第五部分：“2019年，我们将从如下两个方面着手……”。",
    fix="改进计划写下一年度（如 2020 年）；总结写本年度。",
    failing=Case(
        year=2019,
        sections={"problems": "2019年，我们将从如下两个方面着手：一是丰富解读形式，二是规范答复文书。"},
        expect=(("sections.problems",),),
    ),
    passing=Case(
        year=2019,
        sections={"problems": "2020年，我们将从如下两个方面着手：一是丰富解读形式，二是规范答复文书。"},
    ),
)
def narrative_year(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    if report.year is None:
        return
    problems = report.sections.get("problems")
    if problems is not None:
        for sentence in _SENTENCES.findall(problems.text):
            if f"{report.year}年" in sentence.replace(" ", "") and _PLAN.search(sentence):
                text = sentence.strip()
                yield ctx.finding(
                    f"第五部分把改进计划写在报告年度 {report.year} 年：“{text[:80]}”",
                    ["sections.problems"],
                    report.year + 1,
                    report.year,
                    problems.ref.line,
                )
                break
    overview = report.sections.get("overview")
    if overview is None:
        return
    years = Counter(int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)", overview.text))
    if years:
        top, count = years.most_common(1)[0]
        if top != report.year and count >= 3 and years.get(report.year, 0) == 0:
            yield ctx.finding(
                f"第一部分总结的是 {top} 年（出现 {count} 次），而报告年度为 {report.year} 年",
                ["sections.overview"],
                report.year,
                top,
                overview.ref.line,
            )


@rule(
    id="F-DEADLINE",
    name="published-after-deadline",
    title="发布（落款）日期晚于法定期限",
    severity="warning",
    templates=ALL,
    basis="《政府信息公开条例》第四十九条：部门 1 月 31 日前、县级以上人民政府 3 月 31 日前公布；"
    "2019 年以前旧条例第三十一条一律 3 月 31 日前",
    rationale="逾期发布是官方通报和第三方评估中最常见的扣分项。",
    example="某市商务局 2023 年度报告落款 2024 年 2 月 6 日。",
    fix="部门于次年 1 月 31 日前、县级以上人民政府于次年 3 月 31 日前发布。",
    failing=Case(year=2023, agency="青石市商务局", published="2024-02-06", expect=(("published",),)),
    passing=Case(year=2023, agency="青石市商务局", published="2024-01-31"),
)
def published_in_time(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    if report.year is None or not report.published:
        return
    try:
        published = date.fromisoformat(report.published)
    except ValueError:
        return
    kind = agency_kind(report.agency)
    due = deadline(report.year, kind)
    if published > due:
        who = KIND_NAMES.get(kind or "", "机关") if report.year >= 2019 else "各机关（旧条例）"
        yield ctx.finding(
            f"落款（发布）日期 {published.isoformat()} 晚于{who}的法定期限 {due.isoformat()}",
            ["published"],
            due.isoformat(),
            published.isoformat(),
        )


_FEE = re.compile(r"信息处理费|处理费|收取[^。]{0,8}费|收费|费用")


@rule(
    id="F-FEE",
    name="fee-statement-missing",
    title="2021 年格式报告未在第六部分说明信息处理费的收取情况",
    severity="warning",
    templates=("2021", "hybrid"),
    basis="2021 年格式“六、其他需要报告的事项”：报告《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）执行情况",
    rationale="收费情况即使为零也应说明，否则无法判断是否依法收费。",
    example="第六部分只写“无”。",
    fix="写明本年度发出收费通知的件数和金额、实际收取的金额（未收取的写“未收取信息处理费”）。",
    failing=Case(sections={"other": "无。"}, expect=(("sections.other",),)),
    passing=Case(sections={"other": "本年度未发出收费通知，未收取信息处理费。"}),
)
def fee_statement(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    if report.year is not None and report.year < 2021:
        return
    other = report.sections.get("other")
    text = other.text if other is not None else report.narrative()
    if not _FEE.search(text):
        yield ctx.finding(
            "第六部分未说明信息处理费收取情况" if other is not None else "全文未说明信息处理费收取情况",
            ["sections.other"],
            None,
            None,
            other.ref.line if other else None,
        )


_GOV_ITEMS = (("考核", "工作考核"), ("评议", "社会评议"), ("追究", "责任追究"))


@rule(
    id="F-GOV",
    name="government-review-results-missing",
    title="人民政府的报告没有说明工作考核、社会评议和责任追究结果情况",
    severity="warning",
    templates=STATUTORY,
    basis="《政府信息公开条例》第五十条第（四）项；2021 年格式“（一）总体情况”监督保障部分",
    rationale="条例要求各级人民政府的年报报告工作考核、社会评议和责任追究结果，部门不作要求。",
    example="某县人民政府年报的监督保障部分只写培训，没有考核、评议、追究结果。",
    fix="在“一、总体情况”的监督保障部分写明工作考核、社会评议和责任追究结果情况。",
    failing=Case(
        agency=GOVERNMENT,
        sections={"overview": "本府认真落实《政府信息公开条例》，监督保障方面组织了政务公开业务培训。"},
        expect=(("sections.overview",),),
    ),
    passing=Case(
        agency=GOVERNMENT,
        sections={
            "overview": "本府认真落实《政府信息公开条例》，组织了政务公开业务培训；"
            "将政务公开纳入绩效考核，开展社会评议，未发生责任追究情况。"
        },
    ),
)
def government_review(ctx: RuleContext) -> Iterator[Finding]:
    if not is_people_government(ctx.report.agency):
        return
    text = ctx.report.narrative()
    missing = [name for word, name in _GOV_ITEMS if word not in text]
    if missing:
        yield ctx.finding(
            f"人民政府的报告未说明{'、'.join(missing)}结果情况",
            ["sections.overview"],
            "、".join(n for _, n in _GOV_ITEMS),
            None,
        )


@rule(
    id="F-META",
    name="agency-or-year-unknown",
    title="从报告中无法确定发布机关或报告年度",
    severity="warning",
    templates=ALL,
    basis="年度报告应写明机关名称和报告年度（标题或落款）",
    rationale="不写机关或年度，读者无法判断报告归属，也无法与历年报告比较。",
    example="标题只有“政府信息公开工作年度报告”，全文只称“我局”，没有落款。",
    fix="标题写“××（机关全称）××××年政府信息公开工作年度报告”，文末落款机关名称和日期。",
    failing=Case(agency=None, expect=(("agency",),)),
    passing=Case(),
)
def metadata(ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.report.agency:
        yield ctx.finding("无法从标题、落款或正文确定发布机关名称", ["agency"])
    if ctx.report.year is None:
        yield ctx.finding("无法确定报告年度（标题、统计期限和正文均未写明）", ["year"])
