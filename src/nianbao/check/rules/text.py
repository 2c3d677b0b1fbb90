"""X-TEXT: figures the narrative states, against the tables.

Precision first: a figure is compared only when its clause names it unambiguously, and it
is accepted when it equals any reading the format allows (受理 may count 上年结转 too).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ...model import MAX_DIGITS, Report, SectionText
from ...normalize import norm
from ...template import GOV2021
from ..context import RuleContext
from ..example import Case
from ..finding import Finding
from ..names import fmt, path
from ..registry import rule

N = r"(?<!\d)(\d+)\s*(?:件|个|份|起|条)"  # (?<!\d): a run of digits is tried once, not at each digit
_CLAUSES = re.compile(r"[^，,；;。！？!?\n]+")
_SENTENCES = re.compile(r"[^。；;！？!?\n]+")

APPLICANT_ORGS = tuple(c.key for c in GOV2021.t3.cols if c.key not in ("natural_person", "total"))


def _t3(report: Report, row: str, col: str = "total") -> float | None:
    return report.value("t3", row, col)


def _sum_rows(report: Report, prefix: str) -> float | None:
    rows = [k for k in report.tables.get("t3", {}) if k.startswith(prefix)]
    if not rows:
        return None
    values = [v for r in rows if (v := _t3(report, r)) is not None]
    return sum(values) if len(values) == len(rows) else None


def _add(*values: float | None) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if len(present) == len(values) else None


@dataclass(frozen=True)
class Figure:
    """One kind of figure a narrative states: where to find it and what it may equal."""

    name: str  # as the message says it
    pattern: re.Pattern
    accepted: Callable[[Report, int], list[float | None]]
    cells: tuple[str, ...]
    context: str = ""  # the sentence must contain one of these words ("|"-separated)
    avoid: str = ""  # …and none of these


# Clauses about other business (人大建议、政协提案) or a subset of the applications (其中…)
_NOT_APPLICATIONS = "建议|提案|复文|其中|信函|网上|当面"


def _re(p: str) -> re.Pattern:
    return re.compile(p)


def _received(r: Report, _n: int) -> list:
    new, old = _t3(r, "new_received"), _t3(r, "carried_over")
    return [new, _add(new, old)]


def _natural(r: Report, _n: int) -> list:
    new, old = _t3(r, "new_received", "natural_person"), _t3(r, "carried_over", "natural_person")
    return [new, _add(new, old)]


def _orgs(r: Report, _n: int) -> list:
    new = _add(*[_t3(r, "new_received", c) for c in APPLICANT_ORGS])
    old = _add(*[_t3(r, "carried_over", c) for c in APPLICANT_ORGS])
    return [new, _add(new, old)]


def _t4(r: Report, group: str) -> float | None:
    return r.value("t4", group, "total")


FIGURES = (
    Figure(
        "复议和诉讼案件",
        _re(r"(?:行政复议|复议)[、和及与]*(?:行政诉讼|诉讼)[^0-9]{0,12}?" + N + "|相关案件" + N),
        lambda r, n: [_add(_t4(r, "review"), _t4(r, "litigation_direct"), _t4(r, "litigation_after_review"))],
        ("t4.review.total", "t4.litigation_direct.total", "t4.litigation_after_review.total"),
        context="复议",
    ),
    Figure(
        "行政复议",
        _re(r"(?:被申请|申请|引起|提起|发生)?行政复议(?:案件)?" + N),
        lambda r, n: [_t4(r, "review")],
        ("t4.review.total",),
        avoid="诉讼",
    ),
    Figure(
        "行政诉讼",
        _re(r"(?:提起|被提起|引起|发生)?行政诉讼(?:案件)?" + N),
        lambda r, n: [
            _add(_t4(r, "litigation_direct"), _t4(r, "litigation_after_review")),
            _t4(r, "litigation_direct"),
            _t4(r, "litigation_after_review"),
        ],
        ("t4.litigation_direct.total", "t4.litigation_after_review.total"),
        avoid="复议",
    ),
    Figure(
        "收到（受理）的申请",
        _re(r"(?:收到|受理|新收|接收|接到|共收)[^0-9]{0,16}?申请[^0-9]{0,6}?" + N),
        _received,
        ("t3.new_received.total", "t3.carried_over.total"),
        avoid="复议|诉讼|案件|结转|其中|信函|网上|网络|当面|传真|电子邮件|邮件|现场|建议|提案",
    ),
    Figure(
        "没有收到申请",
        _re(r"(?:未|没有|无)(?:收到|受理|接到|接收)[^0-9]{0,14}?申请()"),
        lambda r, n: [_t3(r, "new_received")],
        ("t3.new_received.total",),
        avoid="复议|诉讼|法人|自然人|组织|企业|机构|其中|信函|网上|当面|建议|提案",
    ),
    Figure(
        "自然人申请",
        _re(r"自然人(?:提出)?(?:的)?申请[^0-9]{0,4}?" + N),
        _natural,
        ("t3.new_received.natural_person",),
    ),
    Figure(
        "法人或其他组织申请",
        _re(r"法人或其?他组织(?:提出)?(?:的)?申请[^0-9]{0,4}?" + N),
        _orgs,
        tuple(f"t3.new_received.{c}" for c in APPLICANT_ORGS),
    ),
    Figure(
        "上年结转的申请",
        _re(r"(?:上年|上一年|上年度|上一年度)结转[^0-9]{0,10}?" + N + r"|结转上(?:一)?年度?[^0-9]{0,6}?" + N),
        lambda r, n: [_t3(r, "carried_over")],
        ("t3.carried_over.total",),
    ),
    Figure(
        "结转下年度的申请",
        _re(r"结转(?:至|到)?下(?:一)?(?:个)?年度?(?:继续办理)?[^0-9]{0,6}?" + N),
        lambda r, n: [_t3(r, "carried_forward")],
        ("t3.carried_forward.total",),
    ),
    Figure(
        "办结（办理）的申请",
        _re(r"(?:共办理|办结|已办理|共答复|答复|办复)[^0-9]{0,8}?" + N),
        lambda r, n: [_t3(r, "results_total"), *_received(r, n)],
        ("t3.results_total.total",),
        context="申请",
        avoid="案件|复议|诉讼|建议|提案|结转",
    ),
    Figure(
        "予以公开",
        _re(r"(?<!不)予以公开[^0-9]{0,4}?" + N),
        lambda r, n: [_t3(r, "granted"), _add(_t3(r, "granted"), _t3(r, "partially_granted"))],
        ("t3.granted.total",),
        context="申请",
        avoid=_NOT_APPLICATIONS,
    ),
    Figure(
        "部分公开",
        _re(r"部分公开[^0-9]{0,4}?" + N),
        lambda r, n: [_t3(r, "partially_granted")],
        ("t3.partially_granted.total",),
        context="申请",
        avoid=_NOT_APPLICATIONS,
    ),
    Figure(
        "不予公开",
        _re(r"不予公开[^0-9]{0,4}?" + N),
        lambda r, n: [_sum_rows(r, "refused_")],
        ("t3.refused_*.total",),
        context="申请",
        avoid=_NOT_APPLICATIONS,
    ),
    Figure(
        "无法提供",
        _re(r"无法提供[^0-9]{0,4}?" + N),
        lambda r, n: [_sum_rows(r, "unable_")],
        ("t3.unable_*.total",),
        context="申请",
        avoid=_NOT_APPLICATIONS,
    ),
    Figure(
        "不予处理",
        _re(r"不予处理[^0-9]{0,4}?" + N),
        lambda r, n: [_sum_rows(r, "not_processed_")],
        ("t3.not_processed_*.total",),
        context="申请",
        avoid=_NOT_APPLICATIONS,
    ),
    Figure(
        "规范性文件",
        _re(r"(?:含|制发|印发|出台|制定|发布|公开|新制作)(?:行政)?规范性文件[^0-9]{0,4}?" + N),
        lambda r, n: [c.value for c in (r.tables.get("t2", {}).get("normative_documents") or {}).values()],
        ("t2.normative_documents",),
        avoid="清理|评估|审查|备案|征求",
    ),
)

_NO_FEE_NOTICE = re.compile(r"(?:未|没有|无)(?:发出|发送|下发)(?:过)?收费通知")


@rule(
    id="X-TEXT",
    name="narrative-contradicts-table",
    title="正文所述数字与表格不符",
    severity="warning",
    templates=("2019", "2021", "hybrid"),
    basis="年度报告正文与表格描述同一年度的同一事项，应当一致（国办公开办函〔2021〕30号“（四）明确责任”：发布内容应准确）",
    rationale="正文与表格一处写 12 件、一处写 16 件，读者无从判断哪个对；这是“数据失准”的典型表现。",
    example="正文写“全年共受理政府信息公开申请 17 件”，表三第一项本年新收为 95、上年结转为 0。",
    fix="正文引用的数字与表格一致；口径不同时（如只说某一部门）写明口径。",
    failing=Case(
        cells={"t3.new_received.natural_person": "95", "t3.new_received.total": "95"},
        sections={"overview": "全年共受理政府信息公开申请17件。"},
        expect=(("t3.new_received.total", "t3.carried_over.total"),),
    ),
    passing=Case(
        cells={"t3.new_received.natural_person": "95", "t3.new_received.total": "95"},
        sections={"overview": "全年共受理政府信息公开申请95件。"},
    ),
)
def narrative_figures(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    seen: set[tuple[str, int]] = set()
    for section_key, sec in (("preamble", None), *report.sections.items()):
        text = report.preamble if section_key == "preamble" else (sec.text if sec else "")
        if not text:
            continue
        for sentence in _SENTENCES.findall(text):
            yield from _sentence(ctx, norm(sentence), sentence.strip(), sec, seen)
    yield from _fee_notice(ctx)


def _sentence(
    ctx: RuleContext, key: str, printed: str, sec: SectionText | None, seen: set[tuple[str, int]]
) -> Iterator[Finding]:
    taken: list[tuple[int, int]] = []
    for fig in FIGURES:
        if fig.context and not re.search(fig.context, key):
            continue
        for clause_match in _CLAUSES.finditer(key):
            clause = clause_match.group()
            if fig.avoid and re.search(fig.avoid, clause):
                continue
            m = fig.pattern.search(clause)
            if not m:
                continue
            start = clause_match.start() + m.start()
            if any(a <= start < b for a, b in taken):
                continue
            taken.append((clause_match.start() + m.start(), clause_match.start() + m.end()))
            digits = next((g for g in m.groups() if g), "0")
            if len(digits) > MAX_DIGITS:  # not a count anyone wrote (and int() of it may not fit)
                continue
            stated = int(digits)
            accepted = [v for v in fig.accepted(ctx.report, stated) if v is not None]
            if not accepted or stated in accepted or (fig.name, stated) in seen:
                continue
            seen.add((fig.name, stated))
            shown = "或".join(dict.fromkeys(fmt(v) for v in accepted))
            yield ctx.finding(
                f"正文“{printed[:90]}”称{fig.name} {stated} 件，表格为 {shown}",
                list(fig.cells),
                accepted[0],
                stated,
                sec.ref.line if sec is not None else None,
            )


def _fee_notice(ctx: RuleContext) -> Iterator[Finding]:
    report = ctx.report
    unpaid = report.value("t3", "other_overdue_fee", "total")
    if not unpaid:
        return
    for sentence in _SENTENCES.findall(report.narrative()):
        if _NO_FEE_NOTICE.search(norm(sentence)):
            yield ctx.finding(
                f"正文“{sentence.strip()[:90]}”称未发出收费通知，而表三“2.申请人逾期未按收费通知要求缴纳费用”"
                f"为 {fmt(unpaid)} 件",
                [path("t3", "other_overdue_fee", "total")],
                0,
                unpaid,
            )
            return
