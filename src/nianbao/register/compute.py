"""表三 of a year and the late replies, computed from a register of applications.

**表三 of year Y** (a count per applicant column, 总计 = the six applicant columns):

* 一、本年新收 = received in Y;
* 二、上年结转 = received before Y and not answered before 1 January Y;
* 三、办理结果 = answered in Y, by outcome (the 2019 template sums the three （六） sub-rows into
  its single （六）其他处理 row); （七）总计 = the sum of the result rows;
* 四、结转下年度 = received by 31 December Y and not answered by 31 December Y.

So 一 + 二 = （七） + 四 holds for every column by construction.

An application is late when it was answered after its due date (:mod:`.calendar`), or when it
is still unanswered and its due date is before the as-of date (31 December of the year unless
given). Replies dated after the as-of date count as not yet made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..document import Source
from ..model import Cell, Report, SectionText
from ..read.register import NEW, Application, InvalidRow, Register, applicant_keys, outcome_label, result_keys
from ..template import GOV2021, TEMPLATES, Table, Template, template_for_year
from ..template.gov import T3_OTHER_ROW_2019, T3_OTHER_ROWS_2021
from .calendar import WorkCalendar, due_date

# 表三 rows that are neither applications received nor results (contract keys, checked below)
CARRIED_OVER, CARRIED_FORWARD = "carried_over", "carried_forward"
for _t in TEMPLATES.values():
    for _k in (CARRIED_OVER, CARRIED_FORWARD):
        _t.t3.row(_k)  # a KeyError here means the template no longer has the row


# ── 表三 ──────────────────────────────────────────────────────────────────────────────
def _template(template: str | Template | None, year: int) -> Template:
    if isinstance(template, Template):
        return template
    if template is None:
        return template_for_year(year) or GOV2021
    if template not in TEMPLATES:
        raise ValueError(f"未知的模板 {template!r}（可选：{'、'.join(TEMPLATES)}）")
    return TEMPLATES[template]


def result_row(outcome: str, table: Table) -> str:
    """The row of `table` an outcome is counted in (2021 （六） sub-rows → the 2019 single row)."""
    keys = {r.key for r in table.rows}
    if outcome in keys and outcome in result_keys(table):
        return outcome
    if outcome in T3_OTHER_ROWS_2021 and T3_OTHER_ROW_2019 in keys:
        return T3_OTHER_ROW_2019
    raise ValueError(f"办理结果“{outcome_label(outcome)}”不能计入此模板的表三")


def table3_from_register(
    apps: Iterable[Application], year: int, template: str | Template | None = "2021"
) -> dict[str, dict[str, int]]:
    """表三 of `year` from the applications: row key → column key → count (every cell filled)."""
    table = _template(template, year).t3
    applicants = applicant_keys(table)
    t3 = {r.key: {c.key: 0 for c in table.cols} for r in table.rows}
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for app in apps:
        if app.received > last or (app.replied is not None and app.replied < first):
            continue
        t3[NEW if app.received >= first else CARRIED_OVER][app.applicant] += 1
        if app.replied is not None and app.replied <= last:
            if app.outcome is None:
                raise ValueError(f"申请 {app.id} 有答复日期但没有办理结果")
            t3[result_row(app.outcome, table)][app.applicant] += 1
        else:
            t3[CARRIED_FORWARD][app.applicant] += 1
    for total, parts in table.row_sums:
        for col in applicants:
            t3[total][col] = sum(t3[p][col] for p in parts)
    for row in t3.values():
        for total, parts in table.col_sums:
            row[total] = sum(row[c] for c in parts)
    return t3


# ── the check ─────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Late:
    """An application answered after its due date, or unanswered past it on the as-of date."""

    id: str
    row: int
    received: dt.date
    due: dt.date
    replied: dt.date | None  # None: not answered by the as-of date
    working_days: int  # working days taken (up to the as-of date when unanswered)
    extended: bool

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "row": self.row,
            "received": self.received.isoformat(),
            "due": self.due.isoformat(),
            "replied": self.replied.isoformat() if self.replied else None,
            "working_days": self.working_days,
            "extended": self.extended,
        }


@dataclass
class RegisterResult:
    year: int
    template: str
    as_of: dt.date
    t3: dict[str, dict[str, int]]
    late: list[Late] = field(default_factory=list)
    invalid: list[InvalidRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source: Source | None = None
    counted: int = 0  # applications in this year's 表三 (new + carried over)

    def to_json(self) -> dict:
        """The `register` object of `nianbao register --format json`."""
        return {
            "year": self.year,
            "template": self.template,
            "as_of": self.as_of.isoformat(),
            "applications": self.counted,
            "late": [x.to_json() for x in self.late],
            "invalid": [x.to_json() for x in self.invalid],
            "notes": list(self.notes),
        }


def check_register(
    register: Register | Iterable[Application],
    year: int,
    as_of: dt.date | None = None,
    template: str | Template | None = None,
) -> RegisterResult:
    """表三 of `year` and the applications late under 条例第三十三条 (template: by year if None)."""
    tpl = _template(template, year)
    if isinstance(register, Register):
        apps, invalid = list(register.applications), list(register.invalid)
        notes, source = list(register.notes), register.source
    else:
        apps, invalid, notes, source = list(register), [], [], None
    usable = []
    for app in apps:
        try:
            if app.outcome is not None:
                result_row(app.outcome, tpl.t3)
        except ValueError as exc:
            invalid.append(InvalidRow(app.row, app.id, f"{exc}（{tpl.id}年模板的（六）其他处理分三项）"))
            continue
        usable.append(app)
    invalid.sort(key=lambda x: x.row)
    as_of = as_of or dt.date(year, 12, 31)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    in_year = [a for a in usable if a.received <= last and not (a.replied and a.replied < first)]
    calendar = WorkCalendar()
    late = []
    for app in in_year:
        due = due_date(app.start, app.extended, calendar)
        replied = app.replied if app.replied and app.replied <= as_of else None
        if (replied and replied > due) or (replied is None and due < as_of):
            taken = calendar.between(app.start, replied or as_of)
            late.append(Late(app.id, app.row, app.received, due, replied, taken, app.extended))
    notes += _fee_notes(in_year)
    notes += calendar.notes()
    t3 = table3_from_register(usable, year, tpl)
    return RegisterResult(year, tpl.id, as_of, t3, late, invalid, notes, source, len(in_year))


def _fee_notes(apps: Sequence[Application]) -> list[str]:
    notes = []
    for app in apps:
        if app.outcome == "other_overdue_fee" and not app.fee_notice:
            notes.append(f"第{app.row}行（{app.id}）：办理结果为逾期未缴纳费用，但没有登记收费通知")
        if app.outcome == "other_overdue_fee" and app.fee_paid:
            notes.append(f"第{app.row}行（{app.id}）：办理结果为逾期未缴纳费用，但登记为已缴费")
    issued = [a for a in apps if a.fee_notice]
    if issued:
        paid = sum(1 for a in issued if a.fee_paid)
        notes.append(
            f"{len(issued)} 件申请发出收费通知，其中 {paid} 件已缴费（第六部分应报告；收费期间未从答复期限中扣除）"
        )
    return notes


def to_report(result: RegisterResult, agency: str | None = None, year: int | None = None) -> Report:
    """A Report with only 表三 (and its empty section 三) filled, for `nianbao check` and `render`."""
    if year is not None and year != result.year:
        raise ValueError(f"登记表按 {result.year} 年统计，不能写成 {year} 年的报告")
    source = result.source or Source("<register>", "", "csv")
    tpl = TEMPLATES[result.template]
    report = Report(source=source, agency=agency, year=result.year, template=result.template)
    # the section that holds 表三 (so renderers print it); the others are absent
    report.sections = {
        s.key: SectionText(s.printed, "") if s.key == tpl.t3.section else None for s in tpl.sections
    }
    report.tables["t3"] = {
        row: {col: Cell(n, str(n)) for col, n in cols.items()} for row, cols in result.t3.items()
    }
    report.notes.append(
        f"表三由申请登记表计算（{result.counted} 件申请，无效行 {len(result.invalid)} 行未计入）"
    )
    return report


__all__ = [
    "Late",
    "RegisterResult",
    "check_register",
    "result_row",
    "table3_from_register",
    "to_report",
]
