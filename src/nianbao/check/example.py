"""A rule's example as a report that can be run: a base report changed in a few places.

Every rule declares a `failing` case (its documented *Example*: the rule must find exactly
the findings the case expects) and a `passing` case (its *Use instead*: the rule finds
nothing). tests/rules/test_examples.py runs both for every rule; docs/rules.md shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..document import Paragraph, Ref, Source
from ..model import Cell, ExtraRow, Report, SectionText
from ..normalize import read_value
from ..template import GOV2019, GOV2021, SECTIONS, Table, template_for_year
from .names import TABLE_NUMBER, cell_name, col_name

DEPARTMENT = "青石市河西区商务局"
GOVERNMENT = "青石市河西区人民政府"

#: The base report's sections: short (no rule compares them across years), without figures,
#: stating the fee (F-FEE) and a government's review results (F-GOV).
BASE_TEXT = {
    "overview": "本机关认真落实《政府信息公开条例》，将政务公开纳入绩效考核，开展社会评议，未发生责任追究情况。",
    "proactive": "主动公开政府信息情况见下表。",
    "requests": "收到和处理政府信息公开申请情况见下表。",
    "appeals": "政府信息公开行政复议、行政诉讼情况见下表。",
    "problems": "存在的主要问题：政策解读形式不够丰富。改进情况：下一年度将丰富解读形式。",
    "other": "本年度未收取信息处理费。",
}
TEMPLATE_NAMES = {
    "2019": "2019 年格式",
    "2021": "2021 年格式",
    "hybrid": "混用格式（表二为 2021 年格式，表三“（六）其他处理”为一行）",
    "legacy": "旧格式（没有法定统计表）",
}


@dataclass(frozen=True)
class Extra:
    """A row printed outside the template, e.g. a subtotal of a 表三 group."""

    label: str  # as printed: （三）不予公开
    group: str  # the template group it sums: refused
    cells: Mapping[str, str]  # column key → the cell as printed
    table: str = "t3"


@dataclass(frozen=True)
class Case:
    """A report for a rule's example: the base report with the changes given.

    The base is a report of `agency` for `year` in the template due for that year, every table
    cell 0, the six sections short and complete (BASE_TEXT), published on 20 January of the
    next year: no rule finds anything in it.
    """

    cells: Mapping[str, str] = field(default_factory=dict)  # "t3.granted.total" → "12", "12件", "—", ""
    sections: Mapping[str, str | None] = field(default_factory=dict)  # key → text; None: left out
    preamble: str = ""  # text before the first section (the statistics period is read from it)
    extra: tuple[Extra, ...] = ()
    year: int = 2022
    template: str = ""  # "" → the template due for the year; or "2019", "2021", "hybrid", "legacy"
    agency: str | None = DEPARTMENT  # None: the report names no agency
    published: str = ""  # "" → 20 January of the next year
    name: str = ""  # the source file; "" → "YEAR.txt"
    # Rules over several reports: the previous year's report (scope "series"), or another
    # report of the same agency and year (scope "duplicates").
    neighbour: Case | None = None
    # The cells of each finding the rule makes on this case, in order (none for a passing case).
    expect: tuple[tuple[str, ...], ...] = ()

    @property
    def template_id(self) -> str:
        if self.template:
            return self.template
        due = template_for_year(self.year)
        if due is None:
            raise ValueError(f"no template is due for {self.year}: give the case a template")
        return due.id

    @property
    def path(self) -> str:
        return self.name or f"{self.year}.txt"

    def build(self) -> Report:
        """The report this case describes."""
        template = self.template_id
        report = Report(
            source=Source(self.path, "", self.path.rsplit(".", 1)[-1]),
            agency=self.agency,
            year=self.year,
            template=template,
            published=self.published or f"{self.year + 1}-01-20",
            preamble=self.preamble or None,
        )
        for table in _layouts(template):
            report.tables[table.id] = {
                r.key: {c.key: _cell("0") for c in table.cols_of(r.key)} for r in table.all_rows()
            }
        for key, raw in self.cells.items():
            table_id, row, col = key.split(".")
            if col not in report.tables[table_id].get(row, {}):
                raise ValueError(f"{key}: no such cell in a {template} report")
            report.tables[table_id][row][col] = _cell(raw)
        unknown = set(self.sections) - set(BASE_TEXT)
        if unknown:
            raise ValueError(f"no such sections: {sorted(unknown)}")
        for order, section in enumerate(SECTIONS):
            text = self.sections.get(section.key, BASE_TEXT[section.key])
            report.sections[section.key] = (
                None
                if text is None
                else SectionText(section.printed, text, number=section.number, order=order)
            )
        for extra in self.extra:
            values = {col: _cell(raw) for col, raw in extra.cells.items()}
            report.extra.append(ExtraRow(extra.table, extra.label, values, extra.group))
        if self.preamble:
            from ..parse.meta import find_period  # the parser's reading of the statistics period

            lines = [Paragraph(text, Ref(line=n)) for n, text in enumerate(self.preamble.splitlines(), 1)]
            period = find_period(lines)
            if period is not None:
                report.facts["period"] = period
        return report

    def summary(self) -> str:
        """The base report of the case, in Chinese."""
        template = self.template_id
        file = f"（文件 {self.name}）" if self.name else ""
        return (
            f"{self.agency or '未写明机关的'} {self.year} 年度报告{file}，{TEMPLATE_NAMES[template]}，"
            f"{'' if template == 'legacy' else '各表数字为 0，'}六个部分齐全，"
            f"{self.published or f'{self.year + 1}-01-20'} 发布"
        )

    def changes(self) -> list[str]:
        """What the case changes in its base report, one item each, in Chinese."""
        template = self.template_id
        out = [f"正文开头写：“{self.preamble}”"] if self.preamble else []
        for key, raw in self.cells.items():
            table_id, row, col = key.split(".")
            out.append(cell_name(template, table_id, row, col) + _shown(raw))
        for extra in self.extra:
            row = _any_row(extra.table, template)
            cols = "，".join(
                f"“{col_name(template, extra.table, row, col)}”列{_shown(raw)}"
                for col, raw in extra.cells.items()
            )
            out.append(f"{TABLE_NUMBER[extra.table]}加印小计行“{extra.label}”，{cols}")
        for section in SECTIONS:
            if section.key in self.sections:
                text = self.sections[section.key]
                out.append(
                    f"没有“{section.printed}”" if text is None else f"“{section.printed}”写作：“{text}”"
                )
        return out


def markdown(case: Case, rule_scope: str) -> str:
    """A case and its neighbour (for rules over several reports) as a Markdown list."""
    reports = [("本报告", case)]
    if case.neighbour is not None:
        reports.append(
            ("上一年度的报告" if rule_scope == "series" else "同一年度的另一份报告", case.neighbour)
        )
    lines = []
    for what, report in reports:
        changes = report.changes()
        lines.append(f"- {what}：{report.summary()}" + ("，其中：" if changes else ""))
        lines += [f"  - {change}" for change in changes]
    return "\n".join(lines)


def _layouts(template: str) -> tuple[Table, ...]:
    if template == "legacy":
        return ()
    old = template == "2019"
    return (
        GOV2019.t2 if old else GOV2021.t2,
        GOV2019.t3 if old or template == "hybrid" else GOV2021.t3,
        GOV2021.t4,
    )


def _any_row(table_id: str, template: str) -> str:
    return next(t for t in _layouts(template) if t.id == table_id).all_rows()[0].key


def _cell(raw: str) -> Cell:
    """A cell as the parser reads it from its printed text."""
    value = read_value(raw)
    if value is None:
        return Cell(None, raw, placeholder=True)
    return Cell(value.value, raw, unit=value.unit, placeholder=value.placeholder)


def _shown(raw: str) -> str:
    return f"写作“{raw}”" if raw.strip() else "空白"
