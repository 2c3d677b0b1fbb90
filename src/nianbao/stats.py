"""Statistics over the corpus: coverage, findings, and the indicators of docs/indicators.md.

Every indicator is declared once in INDICATORS; the text, JSON and CSV outputs and the docs
test read that list. A row's figure is its 总计 cell, or when that is blank the sum of the
applicant (表三) or result (表四) columns — never both, so nothing is counted twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from .agency import KIND_NAMES
from .check.finding import SEVERITIES
from .csvsafe import safe_row
from .store import Corpus, Filters
from .store.query import current, narrowed
from .store.schema import cells
from .template import GOV2021

REFUSED = tuple(r.key for r in GOV2021.t3.rows if r.group == "refused")
UNABLE = tuple(r.key for r in GOV2021.t3.rows if r.group == "unable")
DIMENSIONS = ("year", "kind", "province", "city", "county", "region")


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # Chinese, for text output
    num: tuple[str, ...]  # figures summed for the numerator (or the count)
    den: tuple[str, ...] = ()  # figures summed for the denominator; empty: a count
    minus: tuple[str, ...] = ()  # figures taken off the denominator

    @property
    def ratio(self) -> bool:
        return bool(self.den)


_CASELOAD = ("t3.new_received", "t3.carried_over")
INDICATORS: tuple[Indicator, ...] = (
    Indicator("received", "新收申请（件）", ("t3.new_received",)),
    Indicator("carried_over", "上年结转（件）", ("t3.carried_over",)),
    Indicator("closed", "办结总计（件）", ("t3.results_total",)),
    Indicator("granted_share_closed", "予以公开率（办结口径）", ("t3.granted",), ("t3.results_total",)),
    Indicator("granted_share_caseload", "予以公开率（受理口径）", ("t3.granted",), _CASELOAD),
    Indicator(
        "partial_share_closed", "部分公开率（办结口径）", ("t3.partially_granted",), ("t3.results_total",)
    ),
    Indicator("partial_share_caseload", "部分公开率（受理口径）", ("t3.partially_granted",), _CASELOAD),
    Indicator("refused", "不予公开（件）", tuple(f"t3.{k}" for k in REFUSED)),
    *(
        Indicator(
            f"refused.{k.removeprefix('refused_')}",
            f"不予公开：{GOV2021.t3.row(k).label}（件）",
            (f"t3.{k}",),
        )
        for k in REFUSED
    ),
    Indicator(
        "refused_share_closed",
        "不予公开率（办结口径）",
        tuple(f"t3.{k}" for k in REFUSED),
        ("t3.results_total",),
    ),
    Indicator("unable", "无法提供（件）", tuple(f"t3.{k}" for k in UNABLE)),
    Indicator(
        "unable_share_closed",
        "无法提供率（办结口径）",
        tuple(f"t3.{k}" for k in UNABLE),
        ("t3.results_total",),
    ),
    Indicator("carried_forward_share", "结转下年度占比", ("t3.carried_forward",), _CASELOAD),
    Indicator("review", "行政复议（件）", ("t4.review",)),
    Indicator(
        "review_correction_rate",
        "行政复议纠错率",
        ("t4.review.corrected",),
        ("t4.review",),
        ("t4.review.pending",),
    ),
    Indicator("litigation", "行政诉讼（件）", ("t4.litigation_direct", "t4.litigation_after_review")),
    Indicator(
        "litigation_correction_rate",
        "行政诉讼纠错率",
        ("t4.litigation_direct.corrected", "t4.litigation_after_review.corrected"),
        ("t4.litigation_direct", "t4.litigation_after_review"),
        ("t4.litigation_direct.pending", "t4.litigation_after_review.pending"),
    ),
    Indicator("licensing", "行政许可处理决定（件）", ("t2.licensing.decisions",)),
    Indicator("penalty", "行政处罚处理决定（件）", ("t2.penalty.decisions",)),
)


def figure(total: float | None, parts: float | None) -> float | None:
    """A row's figure: the printed 总计, else the sum of its columns (None when all blank)."""
    return total if total is not None else parts


def _sum(figures: dict[str, float | None], names: Sequence[str]) -> float | None:
    """Blank rows count as 0 unless every row named is blank."""
    values = [figures.get(n) for n in names]
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def report_figures(engine: sa.Engine, filters: Filters) -> dict[int, dict[str, float | None]]:
    """Per current report (version id): the row figures the indicators read."""
    c = cells.c
    cur = narrowed(current(), filters).subquery("cur")

    def pick(col: str) -> sa.ColumnElement:
        return sa.func.sum(sa.case((c.col == col, c.value)))

    query = (
        sa.select(
            c.version_id,
            c.tbl,
            c.row,
            pick("total"),
            sa.func.sum(sa.case((c.col != "total", c.value))),
            pick("corrected"),
            pick("pending"),
            pick("decisions"),
        )
        .join(cur, cur.c.version_id == c.version_id)
        .where(sa.or_(c.tbl.in_(("t3", "t4")), sa.and_(c.tbl == "t2", c.row.in_(("licensing", "penalty")))))
        .group_by(c.version_id, c.tbl, c.row)
    )
    out: dict[int, dict[str, float | None]] = defaultdict(dict)
    with engine.connect() as conn:
        for vid, tbl, row, total, parts, corrected, pending, decisions in conn.execute(query):
            f = out[vid]
            if tbl == "t2":
                f[f"t2.{row}.decisions"] = decisions
                continue
            f[f"{tbl}.{row}"] = figure(total, parts)
            if tbl == "t4":
                f[f"t4.{row}.corrected"] = corrected
                f[f"t4.{row}.pending"] = pending
    return out


def value(ind: Indicator, reports: Sequence[dict[str, float | None]]) -> tuple[float | None, int]:
    """An indicator over a group of reports: (value, reports counted).

    A count sums over the reports that have the figure. A ratio pools: Σ numerator / Σ
    denominator over the reports that have both; None when that denominator is 0.
    """
    num_total = den_total = 0.0
    n = 0
    for f in reports:
        num = _sum(f, ind.num)
        if not ind.ratio:
            if num is not None:
                num_total += num
                n += 1
            continue
        den = _sum(f, ind.den)
        if num is None or den is None:
            continue
        den -= _sum(f, ind.minus) or 0
        num_total += num
        den_total += den
        n += 1
    if not ind.ratio:
        return (_int(num_total) if n else None), n
    return (num_total / den_total if den_total else None), n


def _int(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


@dataclass
class Stats:
    coverage: dict
    findings: dict
    groups: list[dict]  # {"group": {dim: value}, "reports": n, "indicators": {key: {"value", "n"}}}

    def to_json(self) -> dict:
        return {"coverage": self.coverage, "findings": self.findings, "indicators": self.groups}


def coverage(heads: Sequence[sa.Row]) -> dict:
    """Which agencies and years are present, and the years missing inside an agency's span."""
    years: dict[str, set[int]] = defaultdict(set)
    for h in heads:
        if h.agency and h.year is not None:
            years[h.agency].add(h.year)
    missing = [
        {"agency": a, "year": y}
        for a, ys in sorted(years.items())
        for y in range(min(ys), max(ys) + 1)
        if y not in ys
    ]
    per_year = Counter(h.year for h in heads if h.year is not None)
    return {
        "reports": len(heads),
        "agencies": len(years),
        "without_agency": sum(1 for h in heads if not h.agency),
        "without_year": sum(1 for h in heads if h.year is None),
        "years": {str(y): per_year[y] for y in sorted(per_year)},
        "missing": missing,
    }


def finding_counts(corpus: Corpus, filters: Filters) -> dict:
    """Findings of current reports by rule and severity."""
    by: dict[str, Counter] = defaultdict(Counter)
    with corpus.engine.connect() as conn:
        for r in conn.execute(corpus.findings_query(filters)):
            by[r.rule][r.severity] += 1
    return {
        rule: {s: by[rule][s] for s in reversed(SEVERITIES) if by[rule][s]}
        | {"total": sum(by[rule].values())}
        for rule in sorted(by)
    }


def _group_key(head: sa.Row, by: Sequence[str]) -> tuple:
    return tuple(getattr(head, d) for d in by)


def stats(corpus: Corpus, filters: Filters | None = None, by: Sequence[str] = ("year",)) -> Stats:
    """Coverage, findings and indicators of the current reports, grouped by `by`."""
    filters = filters or Filters()
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise ValueError(f"未知的分组：{'、'.join(unknown)}（可选：{'、'.join(DIMENSIONS)}）")
    heads = corpus.current(filters)
    figures = report_figures(corpus.engine, filters)
    grouped: dict[tuple, list[dict]] = defaultdict(list)
    for h in heads:
        grouped[_group_key(h, by)].append(figures.get(h.version_id, {}))
    groups = []
    for key in sorted(grouped, key=lambda k: tuple((v is None, str(v)) for v in k)):
        reports = grouped[key]
        values = {}
        for ind in INDICATORS:
            v, n = value(ind, reports)
            values[ind.key] = {"value": v, "n": n}
        groups.append(
            {"group": dict(zip(by, key, strict=True)), "reports": len(reports), "indicators": values}
        )
    return Stats(coverage(heads), finding_counts(corpus, filters), groups)


# ── output ─────────────────────────────────────────────────────────────────────────
def _show(ind: Indicator, v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v * 100:.1f}%" if ind.ratio else f"{_int(v):,}"


def _dim(d: str, v: object) -> str:
    if v is None:
        return "（未知）"
    return KIND_NAMES.get(str(v), str(v)) if d == "kind" else str(v)


def as_text(s: Stats, by: Sequence[str], limit: int = 20) -> str:
    from .render.terminal import grid

    cov = s.coverage
    lines = [
        f"报告 {cov['reports']} 份，机关 {cov['agencies']} 个"
        + (f"（另有 {cov['without_agency']} 份未识别机关）" if cov["without_agency"] else ""),
        "各年度报告数：" + ("，".join(f"{y} 年 {n} 份" for y, n in cov["years"].items()) or "—"),
        f"缺少的年度报告（机关首末年度之间）：{len(cov['missing'])} 份",
    ]
    lines += [f"  {m['agency']} {m['year']} 年" for m in cov["missing"][:limit]]
    if len(cov["missing"]) > limit:
        lines.append(f"  …… 另有 {len(cov['missing']) - limit} 份（--format json 列出全部）")
    lines += ["", "问题（按规则）："]
    rows = [["规则", "错误", "警告", "提示", "合计"]]
    rows += [
        [r, *(str(c.get(k, 0)) for k in ("error", "warning", "info", "total"))] for r, c in s.findings.items()
    ]
    lines += grid(rows) if len(rows) > 1 else ["  无"]
    lines += ["", "指标：" + ("按 " + "、".join(by) + " 分组" if by else "全部报告")]
    head = ["指标", *("/".join(_dim(d, g["group"][d]) for d in by) or "全部" for g in s.groups)]
    table = [head, ["报告（份）", *(str(g["reports"]) for g in s.groups)]]
    for ind in INDICATORS:
        table.append([ind.label, *(_show(ind, g["indicators"][ind.key]["value"]) for g in s.groups)])
    lines += grid(table)
    return "\n".join(lines)


def as_rows(s: Stats, by: Sequence[str]) -> tuple[list[str], list[list]]:
    """The indicators as a table: one row per group (for CSV: text cells that a spreadsheet
    would run as a formula, e.g. a region name, are neutralised by csvsafe)."""
    header = [*by, "reports", *(i.key for i in INDICATORS)]
    rows = [
        safe_row(
            [*(g["group"][d] for d in by), g["reports"], *(g["indicators"][i.key]["value"] for i in INDICATORS)]
        )
        for g in s.groups
    ]
    return header, rows
