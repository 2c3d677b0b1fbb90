"""Reading a register of applications (申请登记表, CSV or XLSX) into :class:`Register` records.

Agency staff keep one row per 依申请公开 application. This module turns the file into
:class:`Application` records and the rows it cannot use; :mod:`nianbao.register` computes 表三
and the late replies from them.

**Columns** (Chinese or English headers; white space and full-width forms do not matter):
编号/id, 收到日期/received, 申请人类型/applicant, 办理结果/outcome, 答复日期/replied (required:
received, applicant, outcome, replied), and optionally 是否延期/extended, 补正日期/corrected,
收费通知/fee_notice, 是否缴费/fee_paid. Applicant types and outcomes are matched against the
template's labels, aliases and contract keys (:mod:`nianbao.template.gov`). A blank outcome and
a blank reply date mean "not answered yet". Rows that cannot be used are reported with their row
number and the reason and left out of every count.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..document import Source
from ..normalize import label_key, norm
from ..template import GOV2021, TEMPLATES, Table
from ..template.spec import Group, Item
from . import ReadError, read_file
from .decode import decode_text
from .formats import register_format

# 表三 rows the reader looks up (contract keys, checked against the template below)
NEW, RESULTS_TOTAL = "new_received", "results_total"
for _t in TEMPLATES.values():
    for _k in (NEW, RESULTS_TOTAL):
        _t.t3.row(_k)  # a KeyError here means the template no longer has the row


# ── the register's own columns ─────────────────────────────────────────────────────
@dataclass(frozen=True)
class Column:
    """One column of the register: its key (English header), Chinese header and variants."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.key, self.label, *self.aliases)


COLUMNS = (
    Column("id", "编号", ("序号", "申请编号", "登记编号", "no")),
    Column("received", "收到日期", ("收到申请日期", "收到申请时间", "received_date"), required=True),
    Column("applicant", "申请人类型", ("申请人类别", "applicant_type"), required=True),
    Column("outcome", "办理结果", ("答复结果", "处理结果"), required=True),
    Column("replied", "答复日期", ("答复时间", "reply_date", "replied_date"), required=True),
    Column("extended", "是否延期", ("延期", "延长答复期限")),
    Column("corrected", "补正日期", ("收到补正日期", "补正后收到日期", "correction_received")),
    Column("fee_notice", "收费通知", ("收费通知日期", "发出收费通知")),
    Column("fee_paid", "是否缴费", ("已缴费", "缴费")),
)


# ── records ─────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Application:
    """One usable row of the register."""

    id: str
    received: dt.date
    applicant: str  # 表三 column key
    outcome: str | None = None  # 表三 result row key; None = not answered yet
    replied: dt.date | None = None
    extended: bool = False
    corrected: dt.date | None = None  # corrected application received (条例第三十条)
    fee_notice: dt.date | bool | None = None
    fee_paid: bool | None = None
    row: int = 0  # row number in the register file

    @property
    def start(self) -> dt.date:
        """The day the answer period counts from."""
        return self.corrected or self.received


@dataclass(frozen=True)
class InvalidRow:
    row: int
    id: str
    reason: str

    def to_json(self) -> dict:
        return {"row": self.row, "id": self.id, "reason": self.reason}


@dataclass
class Register:
    source: Source
    applications: list[Application] = field(default_factory=list)
    invalid: list[InvalidRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ── reading values ──────────────────────────────────────────────────────────────────
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIALS = range(32874, 73051)  # Excel serial numbers of 1990-01-01 … 2099-12-31
_TRUE = frozenset({"是", "y", "yes", "true", "1", "√", "✓"})
_FALSE = frozenset({"否", "n", "no", "false", "0", "×", "✗"})


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):  # 1e400 in a sheet's XML
        return "NaN" if value != value else "超出范围的数值"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def _header_key(text: object) -> str:
    key = re.sub(r"\([^()]*\)", "", norm(_text(text))).lower()
    return key.strip(":*")


_HEADERS = {_header_key(name): col.key for col in COLUMNS for name in col.names()}


def read_date(value: object) -> dt.date | None:
    """A date from a register cell: 2025-03-01, 2025/3/1, 2025年3月1日, an Excel date or serial.

    None for a blank cell; ValueError when the cell holds something else.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(_text(value))
        if int(value) == value and int(value) in _SERIALS:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(_text(value))
    text = _text(value)
    if not text:
        return None
    m = _DATE.match(text) or _COMPACT.match(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:  # 2025-02-30
            raise ValueError(text) from None
    if text.isdigit() and int(text) in _SERIALS:
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    raise ValueError(text)


def read_bool(value: object) -> bool | None:
    """是/否, Y/N, true/false, 1/0; None for a blank cell; ValueError otherwise."""
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


# ── matching applicant types and outcomes against the template ────────────────────────
_SEPARATORS = "-_:/、,，·. "


def _forms(text: str, prefixes: Sequence[str]) -> list[str]:
    """The ways to read a label: as written, without enumerators, group labels or brackets."""
    out: list[str] = []
    todo = [norm(text).lower()]
    while todo:
        s = todo.pop(0).strip(_SEPARATORS)
        if not s or s in out:
            continue
        out.append(s)
        todo.append(label_key(s).core)
        todo += [s[len(p) :] for p in prefixes if s.startswith(p) and len(s) > len(p)]
        todo += re.findall(r"\(([^()]+)\)", s)
    return out


def _key(name: str) -> str:
    return norm(name).lower()


@dataclass(frozen=True)
class _Matcher:
    """Looks a cell up among template items; group labels alone are too vague."""

    index: dict[str, str]  # form → item key
    groups: dict[str, str]  # form → printed group label
    prefixes: tuple[str, ...]

    def match(self, text: str) -> tuple[str | None, str | None]:
        """(item key, None) or (None, the vague group label) or (None, None)."""
        forms = _forms(text, self.prefixes)
        for form in forms:
            if form in self.index:
                return self.index[form], None
        for form in forms:
            if form in self.groups:
                return None, self.groups[form]
        return None, None


def _matcher(items: Iterable[Item], groups: Iterable[Group]) -> _Matcher:
    index: dict[str, str] = {}
    for item in items:
        for name in (item.key, *item.names()):
            for form in (_key(name), label_key(name).core.lower()):
                index.setdefault(form, item.key)
    group_forms = {_key(n): g.printed for g in groups for n in g.names()}
    prefixes = tuple(sorted(group_forms, key=len, reverse=True))
    return _Matcher(index, group_forms, prefixes)


def applicant_keys(table: Table) -> tuple[str, ...]:
    """The applicant columns of 表三 (the parts of 总计)."""
    return dict(table.col_sums)["total"]


def result_keys(table: Table) -> tuple[str, ...]:
    """The result rows of 表三 (the parts of （七）总计)."""
    return dict(table.row_sums)[RESULTS_TOTAL]


_T3 = GOV2021.t3
_APPLICANTS = _matcher((_T3.col(NEW, k) for k in applicant_keys(_T3)), _T3.col_groups)
# outcomes of either template: the 2021 rows and the 2019 single （六）其他处理 row
_OUTCOME_ITEMS = {k: t.t3.row(k) for t in TEMPLATES.values() for k in result_keys(t.t3)}
_OUTCOMES = _matcher(
    _OUTCOME_ITEMS.values(), {g.key: g for t in TEMPLATES.values() for g in t.t3.groups}.values()
)


def match_applicant(text: str) -> str:
    """The 表三 column key of an applicant type; ValueError with the reason (Chinese)."""
    key, group = _APPLICANTS.match(text)
    if key and key in applicant_keys(_T3):
        return key
    labels = "、".join(_T3.col(NEW, k).label for k in applicant_keys(_T3))
    printed = (*(c.label for c in _T3.cols), *(g.label for g in _T3.col_groups))
    vague = group or any(_key(text) in _key(label) for label in printed)
    if vague and _key(text):
        raise ValueError(f"申请人类型“{text}”不够具体，须写明是哪一类：{labels}")
    raise ValueError(f"申请人类型“{text}”无法识别，应为：{labels}")


def match_outcome(text: str) -> str:
    """The 表三 result row key of an outcome; ValueError with the reason (Chinese)."""
    key, group = _OUTCOMES.match(text)
    if key:
        return key
    if group:
        raise ValueError(f"办理结果“{text}”只写了“{group}”，须写明其中的具体一项")
    raise ValueError(
        f"办理结果“{text}”无法识别，应为表三“办理结果”中的一项（如“予以公开”“（三）1.属于国家秘密”）"
    )


def outcome_label(key: str) -> str:
    """The printed 表三 label of an outcome key (of either template)."""
    return _OUTCOME_ITEMS[key].printed


# ── the register file → applications ────────────────────────────────────────────────
def read_register(path: str | Path) -> Register:
    """Read a register file (CSV in any common encoding, or XLSX). ReadError when unreadable."""
    return register_from_bytes(read_file(path), str(path))


def register_from_bytes(data: bytes, path: str = "<register>") -> Register:
    """A register held in memory (the format is told from the content)."""
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ReadError(path, "文件为空")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(path, "旧版 Excel（.xls）暂不支持，请另存为 .xlsx 或 CSV")
    if register_format(data).id == "register-xlsx":
        return register_from_rows(_xlsx_rows(data, path), Source(path, digest, "xlsx"))
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(path, "二进制文件，不是 CSV 或 XLSX 登记表")
    text, encoding = decode_text(data)
    if text is None:
        raise ReadError(path, "无法识别文本编码（试过 UTF-8、GB18030、Big5）")
    return register_from_rows(_csv_rows(text, path), Source(path, digest, "csv", encoding))


def _csv_rows(text: str, path: str = "<register>") -> list[list[str]]:
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        return list(reader)
    except csv.Error as exc:
        if "field limit" in str(exc):
            limit = csv.field_size_limit() // 1024
            why = f"有超过 {limit} KiB 的字段（可能是引号没有配对），不像申请登记表"
        else:
            why = "不符合 CSV 格式"
        raise ReadError(path, f"第 {reader.line_num} 行{why}") from None


def _xlsx_rows(data: bytes, path: str) -> list[tuple]:
    from .xlsx import open_workbook

    book = open_workbook(data, path, data_only=True)
    sheets = [list(ws.iter_rows(values_only=True)) for ws in book.worksheets]
    for rows in sheets:  # the first sheet with a header row
        if _find_header(rows)[0] is not None:
            return rows
    return sheets[0] if sheets else []


def _find_header(rows: Sequence[Sequence[object]]) -> tuple[int | None, dict[str, int]]:
    """(index of the header row, column key → position) among the first rows."""
    best: tuple[int | None, dict[str, int]] = (None, {})
    for i, row in enumerate(rows[:20]):
        cols: dict[str, int] = {}
        for j, cell in enumerate(row):
            key = _HEADERS.get(_header_key(cell))
            if key and key not in cols:
                cols[key] = j
        if len(cols) > len(best[1]) and len(cols) >= 2:
            best = (i, cols)
    return best


def register_from_rows(rows: Sequence[Sequence[object]], source: Source | None = None) -> Register:
    """A register from its rows (header row first, possibly after title rows)."""
    source = source or Source("<register>", "", "csv")
    at, cols = _find_header(rows)
    required = [c for c in COLUMNS if c.required]
    if at is None:
        need = "、".join(f"{c.label}（{c.key}）" for c in required)
        raise ReadError(source.path, f"找不到登记表的表头，须有以下列：{need}")
    missing = [c for c in required if c.key not in cols]
    if missing:
        need = "、".join(f"{c.label}（{c.key}）" for c in missing)
        raise ReadError(source.path, f"登记表缺少必需的列：{need}")
    register = Register(source)
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[at + 1 :], start=at + 2):
        cells = {key: row[j] if j < len(row) else None for key, j in cols.items()}
        if not any(_text(v) for v in cells.values()):
            continue
        app, reasons = _application(cells, number)
        if app is None:
            ident = _text(cells.get("id")) or str(number)
            register.invalid.append(InvalidRow(number, ident, "；".join(reasons)))
            continue
        if app.id in seen:
            register.notes.append(f"第{number}行：编号 {app.id} 与第{seen[app.id]}行重复")
        seen.setdefault(app.id, number)
        register.applications.append(app)
    return register


def _application(cells: dict[str, object], number: int) -> tuple[Application | None, list[str]]:
    reasons: list[str] = []

    def get(key: str, reader: Callable[[Any], Any], what: str) -> Any:
        raw = cells.get(key)
        try:
            return reader(raw)
        except ValueError as exc:
            shown = str(exc) if len(str(exc)) <= 40 else str(exc)[:40] + "…"
            reasons.append(
                str(exc) if reader in (match_applicant, match_outcome) else f"{what}“{shown}”无法识别"
            )
            return None

    received = get("received", read_date, "收到日期")
    if received is None and not reasons:
        reasons.append("收到日期为空")
    applicant_text = _text(cells.get("applicant"))
    applicant = get("applicant", match_applicant, "申请人类型") if applicant_text else None
    if not applicant_text:
        reasons.append("申请人类型为空")
    outcome = get("outcome", match_outcome, "办理结果") if _text(cells.get("outcome")) else None
    replied = get("replied", read_date, "答复日期")
    extended = get("extended", read_bool, "是否延期")
    corrected = get("corrected", read_date, "补正日期")
    fee_paid = get("fee_paid", read_bool, "是否缴费")
    fee_text = _text(cells.get("fee_notice"))
    fee_notice: dt.date | bool | None = None
    if fee_text:
        try:
            fee_notice = read_bool(cells.get("fee_notice"))
        except ValueError:
            fee_notice = get("fee_notice", read_date, "收费通知")
    if received and replied and replied < received:
        reasons.append(f"答复日期 {replied} 早于收到日期 {received}")
    if received and corrected and corrected < received:
        reasons.append(f"补正日期 {corrected} 早于收到日期 {received}")
    if corrected and replied and replied < corrected:
        reasons.append(f"答复日期 {replied} 早于补正日期 {corrected}")
    if replied and not outcome and not _text(cells.get("outcome")):
        reasons.append("有答复日期但没有办理结果")
    if outcome and not replied and not _text(cells.get("replied")):
        reasons.append("有办理结果但没有答复日期")
    if reasons or received is None or applicant is None:
        return None, reasons
    app = Application(
        id=_text(cells.get("id")) or str(number),
        received=received,
        applicant=applicant,
        outcome=outcome,
        replied=replied,
        extended=bool(extended),
        corrected=corrected,
        fee_notice=fee_notice,
        fee_paid=fee_paid,
        row=number,
    )
    return app, []


__all__ = [
    "COLUMNS",
    "NEW",
    "RESULTS_TOTAL",
    "Application",
    "Column",
    "InvalidRow",
    "Register",
    "applicant_keys",
    "match_applicant",
    "match_outcome",
    "outcome_label",
    "read_bool",
    "read_date",
    "read_register",
    "register_from_bytes",
    "register_from_rows",
    "result_keys",
]
