"""Document → Report: the statutory structure, every figure with its source."""

from __future__ import annotations

from collections.abc import Sequence

from ..document import Document, GridCell
from ..model import Report
from ..normalize import label_key
from ..regions import find_region
from ..template import GOV2019, GOV2021, TEMPLATES, template_for_year
from ..template.gov import LEGACY_HEADINGS, T3_OTHER_ROW_2019, T3_OTHER_ROWS_2021
from . import meta
from .simplify import simplified
from .tables import T4_WIDTH, Found, Walker, extra_row, fit, place_by_index, place_by_x, sum_holds, to_cell

# 表二 rows only the 2019 template prints (其他对外管理服务事项, 政府集中采购)
_T2_ONLY_2019 = tuple(
    r.key for r in GOV2019.t2.all_rows() if r.key not in {x.key for x in GOV2021.t2.all_rows()}
)


def parse_document(doc: Document) -> Report:
    """Turn a read document into a Report."""
    blocks = simplified(doc.blocks)
    report = Report(source=doc.source)
    report.notes.extend(doc.notes)
    found = Walker().walk(blocks)
    t2_template = _t2_template(found)
    t3_template = _t3_template(found)
    _fill_t2(report, found, t2_template)
    _fill_t3(report, found)
    _fill_t4(report, found)
    _fill_local(report, found, t2_template)
    report.template = _template(t2_template, t3_template, found)
    _fill_meta(report, blocks, found.consumed, doc.blocks)
    if report.template is None and _looks_legacy(report, blocks):
        report.template = "legacy"
    _note_missing(report, t2_template, t3_template)
    if found.duplicates:
        report.notes.append(f"表格行重复出现 {found.duplicates} 次，按首次出现取值")
    return report


# ── template ─────────────────────────────────────────────────────────────────────
def _t2_template(found: Found) -> str | None:
    votes = dict(found.t2_templates)
    for key in _T2_ONLY_2019:
        if ("t2", key) in found.rows:
            votes["2019"] = votes.get("2019", 0) + 1
    if votes.get("2019", 0) != votes.get("2021", 0):
        return max(votes, key=lambda t: votes[t])
    licensing = found.rows.get(("t2", "licensing"))
    if licensing is not None and licensing.values:
        n = len([v for v in licensing.values if v.text.strip()])
        return "2019" if n >= 2 else "2021"
    return None


def _t3_template(found: Found) -> str | None:
    if any(("t3", k) in found.rows for k in T3_OTHER_ROWS_2021):
        return "2021"
    if ("t3", T3_OTHER_ROW_2019) in found.rows:
        return "2019"
    return None


def _template(t2: str | None, t3: str | None, found: Found) -> str | None:
    if t2 and t3:
        return t2 if t2 == t3 else "hybrid"
    return t2 or t3


def _looks_legacy(report: Report, blocks) -> bool:
    """No statutory tables, and a report year before 2019 or the headings of the old format."""
    if report.year is not None and report.year < GOV2019.first_year:
        return True
    legacy = {label_key(h).core for h in LEGACY_HEADINGS}
    for para in meta.paragraphs(blocks)[:400]:
        if len(para.text) > meta.SHORT_LINE:  # a heading is short
            continue
        key = label_key(para.text)
        if key.enum and key.core.rstrip(".:") in legacy:
            return True
    return False


# ── tables ───────────────────────────────────────────────────────────────────────
def _fill_t2(report: Report, found: Found, template_id: str | None) -> None:
    tpl = TEMPLATES[template_id or "2021"]
    for (table, key), raw in found.rows.items():
        if table != "t2":
            continue
        row_keys = {r.key for r in tpl.t2.all_rows()}
        if key not in row_keys:
            other = GOV2019 if tpl is GOV2021 else GOV2021
            report.extra.append(extra_row(raw, other.t2.cols_of(key), raw.label.text))
            report.notes.append(f"表二“{raw.label.text}”不属于{tpl.id}年模板")
            continue
        cols = tpl.t2.cols_of(key)
        report.tables["t2"][key] = _row_cells(raw.values, [c.key for c in cols], found, "t2", None)


def _fill_t3(report: Report, found: Found) -> None:
    table = GOV2021.t3
    keys = [c.key for c in table.cols]
    order: dict[str, float] = {r.key: i for i, r in enumerate(GOV2021.t3.rows)}
    order[T3_OTHER_ROW_2019] = order["results_total"] - 0.5  # （六）printed as one row
    rows = sorted((k for t, k in found.rows if t == "t3"), key=lambda k: order.get(k, 99))
    for key in rows:
        raw = found.rows[("t3", key)]
        report.tables["t3"][key] = _row_cells(raw.values, keys, found, "t3", sum_holds(table))
    for raw in found.groups:
        report.extra.append(extra_row(raw, table.cols, raw.label.text))


def _fill_local(report: Report, found: Found, t2_template: str | None) -> None:
    """Rows some provinces add (其他主动公开文件) or printed subtotals: kept under extra."""
    t2 = TEMPLATES[t2_template or "2021"].t2
    for raw in found.local:
        if raw.table == "t2":
            block = next((b for b in t2.blocks if b.key == raw.block), t2.blocks[0])
            cols = block.cols
        else:
            cols = GOV2021.t3.cols
        report.extra.append(extra_row(raw, cols, raw.label.text.strip()))
        report.notes.append(
            f"{'表二' if raw.table == 't2' else '表三'}有模板外的行“{raw.label.text.strip()}”"
        )


def _row_cells(values: list[GridCell], keys: list[str], found: Found, table: str, sums_ok) -> dict:
    placed: list[GridCell | None] | None = None
    indices = [found.col_index[f"{table}.{k}"] for k in keys if f"{table}.{k}" in found.col_index]
    if len(values) != len(keys) and len(indices) == len(keys):
        placed = place_by_index(values, indices)
    if placed is None and len([v for v in values if v.text.strip()]) < len(keys):
        centers = [found.col_x[f"{table}.{k}"][-1] for k in keys if f"{table}.{k}" in found.col_x]
        if len(centers) == len(keys):
            placed = place_by_x([v for v in values if v.text.strip()], centers)
    cells = placed if placed is not None else fit(values, len(keys), sums_ok)[0]
    return {k: to_cell(v) for k, v in zip(keys, cells, strict=True)}


def _fill_t4(report: Report, found: Found) -> None:
    groups = [r.key for r in GOV2021.t4.rows]
    cols = [c.key for c in GOV2021.t4.cols]
    runs = [(g, [c for c in vals]) for g, vals in found.t4_runs]
    if not runs:
        return
    named = [g for g, _ in runs if g]
    if len(runs) > 1 and len(set(named)) == len(runs):
        for group, values in runs:
            cells, _ = fit(values, len(cols))
            report.tables["t4"][group] = {k: to_cell(v) for k, v in zip(cols, cells, strict=True)}
        return
    flat = [c for _, vals in runs for c in vals]
    filled = [c for c in flat if c.text.strip()]
    laid: Sequence[GridCell | None] | None = None
    if len(filled) < T4_WIDTH and len(found.t4_x) == T4_WIDTH:
        laid = place_by_x(filled, sorted(found.t4_x))
    if laid is None:
        laid, _ = fit(flat, T4_WIDTH)
    for n, group in enumerate(groups):
        part = laid[n * 5 : n * 5 + 5]
        report.tables["t4"][group] = {k: to_cell(v) for k, v in zip(cols, part, strict=True)}


# ── metadata ─────────────────────────────────────────────────────────────────────
def _fill_meta(report: Report, blocks, consumed: set[int], printed_blocks) -> None:
    """Sections, year, agency, date. `printed_blocks` are the blocks as printed (before a
    traditional-character document was turned simplified for matching): titles, section
    text and the agency name are given as printed."""
    paras = meta.paragraphs(blocks)
    printed = meta.paragraphs(printed_blocks)
    headings = meta.find_headings(paras)
    used = {i for i, p in enumerate(paras) if id(p) in consumed}
    report.sections = meta.sections(printed, headings, used)
    first = headings[0].index if headings else min(len(paras), 12)
    preamble = paras[: min(first, 12)]
    overview = report.sections.get("overview")
    year = meta.find_year(preamble, paras, overview.text if overview else None)
    agency = meta.find_agency(preamble, paras)
    if agency is not None:
        agency.value = meta.complete_agency(str(agency.value), paras)
    published = meta.find_published(preamble, paras)
    period = meta.find_period(paras)
    if period is not None:
        report.facts["period"] = period
    title = meta.title_lines(paras[: min(first, len(paras))])
    front = [i for i in range(min(first, len(printed))) if i not in title]
    report.preamble = "\n".join(printed[i].text for i in front) or None
    if agency is not None and printed is not paras:
        agency.value = _as_printed(str(agency.value), paras, printed)
    for name, fact in (("year", year), ("agency", agency), ("published", published)):
        if fact is not None:
            setattr(report, name, fact.value)
            report.facts[name] = fact
    report.region = find_region(report.agency)


def _as_printed(text: str, paras, printed) -> str:
    """A name found in the simplified text, in the characters the document printed."""
    for converted, original in zip(paras, printed, strict=True):
        at = converted.text.find(text)
        if at >= 0 and len(converted.text) == len(original.text):
            return original.text[at : at + len(text)]
    return text


def _note_missing(report: Report, t2: str | None, t3: str | None) -> None:
    """Say which sections and statutory rows the document does not show."""
    expected = t2 or t3 or (template_for_year(report.year) or GOV2021).id
    for key, sec in report.sections.items():
        if sec is None:
            report.missing.append(f"sections.{key}")
    for table in (TEMPLATES[t2 or expected].t2, TEMPLATES[t3 or expected].t3, GOV2021.t4):
        for row in table.all_rows():
            if row.key not in report.tables[table.id]:
                report.missing.append(f"{table.id}.{row.key}")


def report_of(source: Document | Report) -> Report:
    """The Report of what a reader gave: a Document parsed, a Report (the Excel form, report
    JSON/YAML) as it is."""
    return source if isinstance(source, Report) else parse_document(source)


__all__ = ["parse_document", "report_of"]
