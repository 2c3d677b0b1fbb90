"""A Report as database rows and back: the cells long form, the rest as one JSON document."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ..check.finding import Finding
from ..document import Ref
from ..model import TABLE_IDS, Cell, Report

# (tbl, row, col, value, raw, blank, unit, provenance JSON)
CellRow = tuple[str, str, str, float | None, str, str | None, str | None, str | None]
# (scope, rule, severity, message, cells JSON, expected JSON, actual JSON, line, page)
FindingRow = tuple[str, str, str, str, str, str | None, str | None, int | None, int | None]
_CELL_META = ("raw", "unit", "blank")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: object) -> str:
    return _ENCODER.encode(value)


@dataclass
class Parsed:
    """What a worker hands back for one file: a report ready to be written."""

    agency: str | None
    region: str | None
    year: int | None
    template: str | None
    published: str | None
    format: str
    claims: str  # sha256 of the document the report is about (a corrected JSON names its original)
    digest: str
    document: str  # JSON
    cells: list[CellRow] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)
    context: str = ""  # opening text, to tell namesake regions apart


def digest_of(data: dict) -> str:
    """A fingerprint of the report JSON, where the file was read from left out."""
    data = {**data, "source": {k: v for k, v in data["source"].items() if k != "path"}}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def finding_row(f: Finding, scope: str = "report") -> FindingRow:
    return (
        scope,
        f.rule,
        f.severity,
        f.message,
        dumps(list(f.cells)),
        None if f.expected is None else dumps(f.expected),
        None if f.actual is None else dumps(f.actual),
        f.line,
        f.page,
    )


def to_rows(report: Report, findings: list[Finding], sha256: str) -> Parsed:
    """Split a report into its cells and its document (everything else)."""
    data = report.to_json()
    digest = digest_of(data)
    prov = data["provenance"]
    cells: list[CellRow] = []
    for tid in TABLE_IDS:
        table = data.get(tid) or {}
        for row, cols in report.tables.get(tid, {}).items():
            for col, cell in cols.items():
                where = {k: v for k, v in prov.pop(f"{tid}.{row}.{col}").items() if k not in _CELL_META}
                blank = None if cell.value is not None else ("placeholder" if cell.placeholder else "empty")
                value = None if cell.value is None else float(cell.value)
                cells.append(
                    (tid, row, col, value, cell.raw, blank, cell.unit, dumps(where) if where else None)
                )
        data[tid] = {"extra": table["extra"]} if "extra" in table else {}
    context = "\n".join(
        filter(None, [report.preamble or "", *(s.text for s in report.sections.values() if s)])
    )
    return Parsed(
        agency=report.agency,
        region=report.region,
        year=report.year,
        template=report.template,
        published=report.published,
        format=report.source.format,
        claims=report.source.sha256 or sha256,
        digest=digest,
        document=dumps(data),
        cells=cells,
        findings=[finding_row(f) for f in findings],
        context=context[:2000],
    )


def from_rows(document: dict, cells) -> Report:
    """A Report from its document and its cell rows (tbl, row, col, value, raw, blank, unit,
    provenance as JSON text or a dict)."""
    report = Report.from_json(document)
    tables = report.tables
    texts = [c[7] for c in cells]
    if any(isinstance(t, str) for t in texts):  # one decode for the whole report
        texts = json.loads("[" + ",".join(t or "null" for t in texts) + "]")
    for (tbl, row, col, value, raw, blank, unit, _), where in zip(cells, texts, strict=True):
        ref = Ref(**where) if where else _NOWHERE
        if ref.bbox is not None:
            x0, y0, x1, y1 = ref.bbox  # a list in JSON
            ref = ref._replace(bbox=(x0, y0, x1, y1))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        tables.setdefault(tbl, {}).setdefault(row, {})[col] = Cell(
            value, raw, ref, unit, blank == "placeholder"
        )
    return report


_NOWHERE = Ref()
