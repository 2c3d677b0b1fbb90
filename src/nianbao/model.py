"""The Report: the statutory structure of one annual report, every figure with its source."""

from __future__ import annotations

from dataclasses import dataclass, field

from .document import Ref, Source

CONTRACT_VERSION = 1
TABLE_IDS = ("t2", "t3", "t4")
#: Most digits the integer part of a table figure may have. Counts and amounts in 万元 stay far
#: below it; floats are exact up to it. Beyond it a value is an input error (report JSON/YAML,
#: Excel) or a T-VALUE finding (a figure read from a document), never an overflow.
MAX_DIGITS = 15
#: Report years nianbao accepts from a user (report JSON, the form, --year); dates built from
#: a year outside would overflow, and no such report exists.
YEARS = range(1900, 2101)
_FIGURE_BOUND = 10**MAX_DIGITS


def digits(value: int | float) -> int:
    """Digits of the integer part of a finite number (0 counts as one digit)."""
    n = abs(int(value))
    guess = max(1, n.bit_length() * 30103 // 100000)  # the count, or one less (no str(): 4300-digit bound)
    return guess + (n >= 10**guess)


def figure_problem(value: object) -> str | None:
    """Why `value` cannot be a table figure, in Chinese (None when it can: a number or None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "应为数字或 null"
    if isinstance(value, float) and value != value:
        return "NaN 不是数值"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "数值超出范围（无穷大）"
    if abs(value) >= _FIGURE_BOUND:
        return f"数值过大（{digits(value)} 位数字，最多 {MAX_DIGITS} 位）"
    return None


@dataclass
class Cell:
    """One table figure: its value (None for a blank), the raw text and where it was read."""

    value: int | float | None
    raw: str
    ref: Ref = field(default_factory=Ref)
    unit: str | None = None  # a unit printed inside the cell (件, 元, 万元)
    placeholder: bool = False  # a placeholder such as "/", "—", "无" rather than an empty cell

    @property
    def blank(self) -> bool:
        return self.value is None

    def provenance(self) -> dict:
        out: dict = {"raw": self.raw, **self.ref.to_json()}
        if self.unit:
            out["unit"] = self.unit
        if self.value is None:
            out["blank"] = "placeholder" if self.placeholder else "empty"
        return out


def _raw(value: int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _ref(prov: dict) -> Ref:
    values = {k: v for k, v in prov.items() if k in Ref._fields}
    if "bbox" in values:
        values["bbox"] = tuple(values["bbox"])
    return Ref(**values)


def _cell_from(value: int | float | None, prov: dict | None) -> Cell:
    if (value is not None and not isinstance(value, (int, float))) or isinstance(value, bool):
        raise ValueError(f"单元格的值应为数字或 null，而不是 {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not prov:
        return Cell(value, _raw(value))
    ref = _ref(prov)
    return Cell(
        value, prov.get("raw", _raw(value)), ref, prov.get("unit"), prov.get("blank") == "placeholder"
    )


@dataclass
class SectionText:
    title: str
    text: str
    ref: Ref = field(default_factory=Ref)
    number: str = ""  # the numeral as printed (一 … 六), for renumbering checks
    order: int = 0  # position among the headings found


@dataclass
class ExtraRow:
    """A row outside the statutory template (a local extension or a printed subtotal)."""

    table: str
    label: str
    values: dict[str, Cell]
    group: str = ""


@dataclass
class Fact:
    """A metadata value with the text it was read from."""

    value: object
    raw: str
    ref: Ref = field(default_factory=Ref)
    how: str = ""  # title, signature, period, text …


@dataclass
class Report:
    source: Source
    agency: str | None = None
    region: str | None = None
    year: int | None = None
    template: str | None = None
    published: str | None = None
    preamble: str | None = None  # text before the first section heading
    sections: dict[str, SectionText | None] = field(default_factory=dict)
    tables: dict[str, dict[str, dict[str, Cell]]] = field(default_factory=lambda: {t: {} for t in TABLE_IDS})
    extra: list[ExtraRow] = field(default_factory=list)
    facts: dict[str, Fact] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def cell(self, table: str, row: str, col: str) -> Cell | None:
        return self.tables.get(table, {}).get(row, {}).get(col)

    def value(self, table: str, row: str, col: str) -> int | float | None:
        c = self.cell(table, row, col)
        return None if c is None else c.value

    def has_row(self, table: str, row: str) -> bool:
        return row in self.tables.get(table, {})

    def narrative(self) -> str:
        """All running text: the preamble and the six sections, in order."""
        parts = [self.preamble or ""]
        parts += [s.text for s in self.sections.values() if s is not None]
        return "\n".join(p for p in parts if p)

    @classmethod
    def from_json(cls, data: dict, path: str | None = None) -> Report:
        """A Report from the contract's JSON (as `to_json` writes it, or written by hand).

        Cells take their raw text and place from `provenance` when it is there. Unknown
        table rows are kept under `extra` of their table.
        """
        src = data.get("source") or {}
        report = cls(
            source=Source(
                path or src.get("path") or "<json>", src.get("sha256") or "", src.get("format") or "json"
            ),
            agency=data.get("agency"),
            region=data.get("region"),
            year=data.get("year"),
            template=data.get("template"),
            published=data.get("published"),
            preamble=data.get("preamble"),
        )
        prov = data.get("provenance") or {}
        for order, (key, sec) in enumerate((data.get("sections") or {}).items()):
            if sec is None:
                report.sections[key] = None
                continue
            where = prov.get(f"sections.{key}") or {}
            report.sections[key] = SectionText(
                sec.get("title", ""), sec.get("text", ""), _ref(where), order=order
            )
        for key, where in prov.items():
            if "." not in key and isinstance(where, dict) and "how" in where:
                report.facts[key] = Fact(where.get("value"), where.get("raw", ""), _ref(where), where["how"])
        diagnostics = data.get("diagnostics") or {}
        report.missing = list(diagnostics.get("missing", []))
        report.notes = list(diagnostics.get("notes", []))
        for tid in TABLE_IDS:
            for row, cols in (data.get(tid) or {}).items():
                if row == "extra":
                    for extra in cols or []:
                        values = {k: Cell(v, _raw(v)) for k, v in (extra.get("values") or {}).items()}
                        report.extra.append(
                            ExtraRow(tid, extra.get("label", ""), values, extra.get("group", ""))
                        )
                    continue
                report.tables[tid][row] = {
                    col: _cell_from(value, prov.get(f"{tid}.{row}.{col}"))
                    for col, value in (cols or {}).items()
                }
        return report

    def to_json(self) -> dict:
        """The contract's Report JSON (../shared/spec/contract.md §1)."""
        out: dict = {
            "contract": CONTRACT_VERSION,
            "source": {
                "path": self.source.path,
                "sha256": self.source.sha256,
                "format": self.source.format,
            },
            "agency": self.agency,
            "region": self.region,
            "year": self.year,
            "template": self.template,
            "published": self.published,
            "preamble": self.preamble,
            "sections": {
                key: None if s is None else {"title": s.title, "text": s.text}
                for key, s in self.sections.items()
            },
        }
        provenance: dict = {}
        for tid in TABLE_IDS:
            table: dict = {}
            for row, cols in self.tables.get(tid, {}).items():
                table[row] = {col: cell.value for col, cell in cols.items()}
                for col, cell in cols.items():
                    provenance[f"{tid}.{row}.{col}"] = cell.provenance()
            extras = [e for e in self.extra if e.table == tid]
            if extras:
                table["extra"] = [
                    {
                        "label": e.label,
                        "values": {k: c.value for k, c in e.values.items()},
                        **({"group": e.group} if e.group else {}),
                    }
                    for e in extras
                ]
            out[tid] = table
        for key, fact in self.facts.items():
            provenance[key] = {"raw": fact.raw, "how": fact.how, "value": fact.value, **fact.ref.to_json()}
        for key, sec in self.sections.items():
            if sec is not None:
                provenance[f"sections.{key}"] = {"raw": sec.title, **sec.ref.to_json()}
        out["provenance"] = provenance
        out["diagnostics"] = {"missing": list(self.missing), "notes": list(self.notes)}
        return out
