"""Synthetic reports with consistent figures: for tests, benchmarks and examples.

Every figure is drawn so that the statutory identities hold (表三 balance, row and column
sums, 表四 totals). Agencies are fictional.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .document import Source
from .model import Cell, Report, SectionText
from .outfile import OutputError, reason
from .outfile import write as write_output
from .render import render
from .render.text import LAYOUTS
from .template import SECTIONS, TEMPLATES, Template
from .template.gov import T3_OTHER_ROW_2019, T3_OTHER_ROWS_2021

CITIES = ("青石市", "云泽市", "临川市", "白沙市", "金河市")
DISTRICTS = ("河西区", "东城区", "南湖区", "北山县", "清溪县", "望江县")
DEPARTMENTS = (
    "商务局",
    "交通运输局",
    "自然资源和规划局",
    "生态环境局",
    "市场监督管理局",
    "卫生健康委员会",
    "教育局",
    "财政局",
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "民政局",
    "农业农村局",
)

NARRATIVE = {
    "overview": (
        "{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
        "持续推进政务公开标准化规范化建设。",
        "全年新收政府信息公开申请{new}件，上年结转{carried}件，均依法依规办理。",
        "监督保障方面，将政务公开纳入年度工作考核，开展社会评议，全年未发生责任追究情况。",
    ),
    "proactive": ("全年通过门户网站主动公开政府信息{items}条，及时发布政策文件和解读材料。",),
    "requests": ("本年度共办理政府信息公开申请{done}件，结转下年度继续办理{forward}件。",),
    "appeals": ("本年度因政府信息公开被申请行政复议{review}件、提起行政诉讼{lit}件。",),
    "problems": (
        "存在的主要问题：政策解读形式还不够丰富，依申请公开答复的规范性有待提高。",
        "改进情况：{next_year}年将加强业务培训，完善答复文书模板，提升公开质量。",
    ),
    "other": ("本年度未收取信息处理费。", "无其他需要报告的事项。"),
}


def _count(rng: random.Random, high: int) -> int:
    """Mostly zeros and small numbers, sometimes large ones, as real tables are."""
    roll = rng.random()
    if roll < 0.45:
        return 0
    if roll < 0.85:
        return rng.randint(1, 9)
    return rng.randint(10, high)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [bounds[i + 1] - bounds[i] for i in range(parts)]


def random_agency(rng: random.Random) -> str:
    city = rng.choice(CITIES)
    if rng.random() < 0.25:
        return f"{city}{rng.choice(DISTRICTS)}人民政府"
    if rng.random() < 0.5:
        return f"{city}{rng.choice(DISTRICTS)}{rng.choice(DEPARTMENTS)}"
    return f"{city}{rng.choice(DEPARTMENTS)}"


def _cells(values: Mapping[str, int | float]) -> dict[str, Cell]:
    return {k: Cell(v, _fmt(v)) for k, v in values.items()}


def _fmt(v: int | float | None) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".")
    return str(v)


def _t2(rng: random.Random, tpl: Template) -> dict[str, dict[str, Cell]]:
    out: dict[str, dict[str, Cell]] = {}
    for block in tpl.t2.blocks:
        for row in block.rows:
            values: dict[str, int | float] = {}
            for col in block.cols:
                if col.kind == "amount":
                    values[col.key] = (
                        0 if rng.random() < 0.6 else round(rng.uniform(0.1, 5000), rng.choice((0, 2, 3)))
                    )
                elif col.kind == "delta":
                    values[col.key] = rng.choice((0, 0, 0, 1, -1, 2, -3))
                else:
                    values[col.key] = _count(rng, 5000)
            out[row.key] = _cells(values)
    return out


def _t3(rng: random.Random, tpl: Template) -> dict[str, dict[str, Cell]]:
    table = tpl.t3
    applicant_cols = [c.key for c in table.cols if c.key != "total"]
    results = [r.key for r in table.rows if r.group and r.key != "results_total"]
    rows: dict[str, dict[str, int]] = {r.key: {} for r in table.rows}
    for col in applicant_cols:
        busy = col == "natural_person" or rng.random() < 0.3
        new = _count(rng, 800) if busy else 0
        carried = _count(rng, 40) if busy and rng.random() < 0.5 else 0
        forward = rng.randint(0, min(new + carried, 30)) if rng.random() < 0.4 else 0
        done = new + carried - forward
        weights = [rng.random() ** 3 for _ in results]
        scale = sum(weights) or 1.0
        shares = [int(done * w / scale) for w in weights]
        shares[0] += done - sum(shares)
        rows["new_received"][col] = new
        rows["carried_over"][col] = carried
        rows["carried_forward"][col] = forward
        rows["results_total"][col] = done
        for key, n in zip(results, shares, strict=True):
            rows[key][col] = n
    for values in rows.values():
        values["total"] = sum(values[c] for c in applicant_cols)
    return {k: _cells(v) for k, v in rows.items()}


def _t4(rng: random.Random, tpl: Template) -> dict[str, dict[str, Cell]]:
    out = {}
    for row in tpl.t4.rows:
        parts = {
            c: (_count(rng, 30) if rng.random() < 0.3 else 0)
            for c in ("upheld", "corrected", "other", "pending")
        }
        out[row.key] = _cells({**parts, "total": sum(parts.values())})
    return out


def random_report(seed: int, template: str | None = None, year: int | None = None) -> Report:
    """A consistent, complete report of a fictional agency."""
    rng = random.Random(seed)
    template = template or rng.choice(("2019", "2021"))
    tpl = TEMPLATES[template]
    if year is None:
        year = rng.randint(2019, 2020) if template == "2019" else rng.randint(2021, 2025)
    agency = random_agency(rng)
    report = Report(
        source=Source(f"generated/{seed}.txt", "", "txt"), agency=agency, year=year, template=template
    )
    report.tables = {"t2": _t2(rng, tpl), "t3": _t3(rng, tpl), "t4": _t4(rng, tpl)}
    report.preamble = (
        "本报告根据《中华人民共和国政府信息公开条例》编制。"
        f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    )
    month = 1 if "政府" not in agency[-4:] else rng.randint(1, 3)
    report.published = f"{year + 1}-{month:02d}-{rng.randint(10, 28):02d}"
    t3 = report.tables["t3"]
    t4 = report.tables["t4"]
    figures = {
        "year": year,
        "next_year": year + 1,
        "agency": agency,
        "new": t3["new_received"]["total"].value,
        "carried": t3["carried_over"]["total"].value,
        "done": t3["results_total"]["total"].value,
        "forward": t3["carried_forward"]["total"].value,
        "items": rng.randint(20, 900),
        "review": t4["review"]["total"].value,
        "lit": _figure(t4["litigation_direct"]["total"]) + _figure(t4["litigation_after_review"]["total"]),
    }
    for section in SECTIONS:
        text = "\n".join(p.format(**figures) for p in NARRATIVE[section.key])
        report.sections[section.key] = SectionText(section.printed, text, number=section.number)
    return report


# ── injected defects: each one recorded with the rule that must find it ─────────────────────
@dataclass(frozen=True)
class Defect:
    id: str
    rule: str  # the rule `nianbao check` must report for it
    detail: str


def _figure(cell: Cell) -> int | float:
    """The figure of a generated cell (generated tables have no blank cells)."""
    if cell.value is None:
        raise TypeError(f"blank cell in a generated table: {cell.raw!r}")
    return cell.value


def _year(r: Report) -> int:
    """The year of a generated report (always set)."""
    if r.year is None:
        raise TypeError("generated report without a year")
    return r.year


def _section(r: Report, key: str) -> SectionText:
    """A section of a generated report that no defect has removed."""
    sec = r.sections[key]
    if sec is None:
        raise TypeError(f"generated report without section {key}")
    return sec


def _pick_col(rng: random.Random) -> str:
    return rng.choice([c.key for c in TEMPLATES["2021"].t3.cols if c.key != "total"])


def _bump(cells: dict[str, Cell], col: str, by: int) -> None:
    for key in (col, "total"):
        value = (cells[key].value or 0) + by
        cells[key] = Cell(value, str(value))


def _t3_balance(r: Report, rng: random.Random) -> str:
    col = _pick_col(rng)
    _bump(r.tables["t3"]["carried_forward"], col, rng.randint(1, 5))
    return f"结转下年度“{col}”列与总计列各加若干，第一项加第二项不再等于第三项加第四项"


def _t3_rowsum(r: Report, rng: random.Random) -> str:
    row = rng.choice(list(r.tables["t3"]))
    cell = r.tables["t3"][row]["total"]
    r.tables["t3"][row]["total"] = Cell(_figure(cell) + 1, str(_figure(cell) + 1))
    return f"表三“{row}”行总计多 1"


def _t4_sum(r: Report, rng: random.Random) -> str:
    group = rng.choice(list(r.tables["t4"]))
    cells = r.tables["t4"][group]
    cells["upheld"] = Cell(_figure(cells["upheld"]) + 2, str(_figure(cells["upheld"]) + 2))
    return f"表四“{group}”结果维持加 2 而总计未变"


def _negative(r: Report, rng: random.Random) -> str:
    row = rng.choice(["licensing", "penalty", "regulations"])
    col = next(iter(r.tables["t2"][row]))
    r.tables["t2"][row][col] = Cell(-3, "-3")
    return f"表二“{row}”行“{col}”列为 -3"


def _blanks(r: Report, rng: random.Random) -> str:
    zeros = [
        (t, row, col)
        for t, rows in r.tables.items()
        for row, cols in rows.items()
        for col, c in cols.items()
        if c.value == 0
    ]
    chosen = rng.sample(zeros, min(3, len(zeros)))
    for t, row, col in chosen:
        r.tables[t][row][col] = Cell(None, "")
    return "把 " + "、".join(f"{t}.{row}.{col}" for t, row, col in chosen) + " 的 0 留空"


def _unit(r: Report, rng: random.Random) -> str:
    row = rng.choice(list(r.tables["t3"]))
    cell = r.tables["t3"][row]["natural_person"]
    r.tables["t3"][row]["natural_person"] = Cell(cell.value, f"{cell.value}件", unit="件")
    return f"表三“{row}”行自然人列写作“{cell.value}件”"


def _missing_section(r: Report, rng: random.Random) -> str:
    key = rng.choice(["problems", "other"])
    r.sections[key] = None
    return f"删去第{ {s.key: s.number for s in SECTIONS}[key] }部分"


def _wrong_template(r: Report, rng: random.Random) -> str:
    if r.template == "2019":
        old = _year(r)
        r.year = rng.randint(2021, 2025)
        _renumber_years(r, old, r.year)
        return f"{r.year} 年度报告使用 2019 年格式表格"
    t3 = r.tables["t3"]
    parts = [t3.pop(k) for k in T3_OTHER_ROWS_2021]
    t3[T3_OTHER_ROW_2019] = {
        c: Cell(sum(_figure(p[c]) for p in parts), str(sum(_figure(p[c]) for p in parts))) for c in parts[0]
    }
    r.template = "hybrid"
    return "2021 年格式表三的（六）其他处理印成一行（2019 年格式）"


def _renumber_years(r: Report, old: int, new: int) -> None:
    r.preamble = (r.preamble or "").replace(str(old), str(new))
    for key, sec in r.sections.items():
        if sec is not None:
            r.sections[key] = SectionText(
                sec.title, sec.text.replace(str(old + 1), str(new + 1)).replace(str(old), str(new))
            )
    r.published = f"{new + 1}{(r.published or '2000-01-20')[4:]}"


def _late(r: Report, rng: random.Random) -> str:
    r.published = f"{_year(r) + 1}-05-{rng.randint(10, 28):02d}"
    return f"落款日期 {r.published}，晚于法定期限"


def _period(r: Report, rng: random.Random) -> str:
    year = _year(r)
    r.preamble = (r.preamble or "").replace(
        f"自{year}年1月1日起至{year}年", f"自{year - 1}年1月1日起至{year - 1}年"
    )
    return f"统计期限写成 {year - 1} 年"


def _plan_year(r: Report, rng: random.Random) -> str:
    sec = _section(r, "problems")
    r.sections["problems"] = SectionText(sec.title, sec.text + f"\n{r.year}年，我们将进一步加强业务培训。")
    return f"第五部分计划写成 {r.year} 年"


def _text_figure(r: Report, rng: random.Random) -> str:
    new = _figure(r.tables["t3"]["new_received"]["total"])
    carried = _figure(r.tables["t3"]["carried_over"]["total"])
    wrong = new + carried + rng.randint(3, 9)
    sec = _section(r, "overview")
    r.sections["overview"] = SectionText(sec.title, sec.text.replace(f"申请{new}件", f"申请{wrong}件", 1))
    return f"正文称新收申请 {wrong} 件，表三为 {new}"


DEFECTS: dict[str, tuple[str, Callable[[Report, random.Random], str]]] = {
    "t3-balance": ("T3-BAL", _t3_balance),
    "t3-rowsum": ("T3-ROWSUM", _t3_rowsum),
    "t4-sum": ("T4-SUM", _t4_sum),
    "negative": ("T-VALUE", _negative),
    "blanks": ("F-BLANK", _blanks),
    "unit": ("F-UNIT", _unit),
    "missing-section": ("F-SECTIONS", _missing_section),
    "wrong-template": ("F-TEMPLATE", _wrong_template),
    "late": ("F-DEADLINE", _late),
    "period": ("F-PERIOD", _period),
    "plan-year": ("F-YEAR", _plan_year),
    "text-figure": ("X-TEXT", _text_figure),
}


def inject(report: Report, rng: random.Random, kind: str | None = None) -> Defect:
    """Damage a clean report with one defect and say which rule must find it."""
    kind = kind or rng.choice(sorted(DEFECTS))
    rule, damage = DEFECTS[kind]
    return Defect(kind, rule, damage(report, rng))


def corpus(
    n: int, seed: int = 0, defect_rate: float = 0.0, template: str | None = None
) -> list[tuple[Report, list[Defect]]]:
    """n reports; a share `defect_rate` of them carry one injected defect each."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        report = random_report(seed * 1_000_003 + i, template)
        defects = [inject(report, rng)] if rng.random() < defect_rate else []
        out.append((report, defects))
    return out


# ── a generated corpus on disk: each report rendered, with its truth file ──────────────────
def truth(report: Report, defects: Sequence[Defect], layout: str | None = None) -> dict:
    """What a generated file holds (its *.truth.json): the report JSON without source,
    provenance and diagnostics; the rules its defects must trigger; its defects; its txt layout."""
    out = {k: v for k, v in report.to_json().items() if k not in ("source", "provenance", "diagnostics")}
    out["expect_rules"] = sorted({d.rule for d in defects})
    out["injected"] = [{"defect": d.id, "rule": d.rule, "detail": d.detail} for d in defects]
    if layout:
        out["layout"] = layout
    return out


def _make_dir(path: str | Path) -> None:
    """The output folder, created with its parents; OutputError (naming `path` as given) when it
    cannot be."""
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(str(path), "不是目录（已有同名文件）") from None
    except OSError as exc:
        raise OutputError(str(path), reason(exc)) from None


def write_corpus(
    out_dir: str | Path, count: int, formats: Sequence[str], seed: int = 0, defect_rate: float = 0.0
) -> int:
    """Write `count` generated reports to `out_dir` (created): NNNNNN.FMT, the formats taken in
    turn (txt also cycling through the table layouts), each with NNNNNN.truth.json. Returns how
    many carry an injected defect. A missing CJK font for PDF is refused before anything is written.
    """
    if "pdf" in formats:
        from .render.pdf import require_cjk_font

        require_cjk_font()
    _make_dir(out_dir)
    out = Path(out_dir)
    injected = 0
    for i, (report, defects) in enumerate(corpus(count, seed, defect_rate)):
        fmt = formats[i % len(formats)]
        layout = LAYOUTS[(i // len(formats)) % len(LAYOUTS)] if fmt == "txt" else None
        name = f"{i:06d}"
        write_output(str(out / f"{name}.{fmt}"), render(report, fmt, layout))
        data = json.dumps(truth(report, defects, layout), ensure_ascii=False, allow_nan=False, indent=1)
        write_output(str(out / f"{name}.truth.json"), data.encode("utf-8"))
        injected += bool(defects)
    return injected
