"""Report JSON/YAML as input: decoded and checked against the contract's schema before use.

The checks follow :func:`nianbao.schema.report_schema` (types, known rows, columns and keys,
enums, patterns), without its ``required`` lists: a hand-written report may leave parts out.
Beyond the schema: no NaN or infinity, no figure of more than :data:`model.MAX_DIGITS` digits,
a year in :data:`model.YEARS`, a real publication date. Every problem is a :class:`ReportDataError`
with a Chinese message naming the JSON path (``t3.granted.total``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from functools import cache
from typing import Any

from .model import MAX_DIGITS, TABLE_IDS, YEARS, Report, digits, figure_problem

#: Top-level keys that are not part of a report but may be in nianbao's own output (ignored).
IGNORED_KEYS = ("register",)
_MAX_SHOWN_ERRORS = 3
_CAP = 20  # errors collected before the checks stop
_TYPE_NAMES = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "null": "null",
    "object": "对象（{…}）",
    "array": "列表（[…]）",
    "boolean": "true 或 false",
}


_SURROGATE = re.compile("[\ud800-\udfff]")
_PATTERN_TEXT = {
    r"^\d{4}-\d{2}-\d{2}$": "应为 YYYY-MM-DD 格式的日期",
    "^[0-9a-f]{64}$": "应为 64 位十六进制数字",
}


class ReportDataError(ValueError):
    """Report JSON/YAML that cannot be used; the message is for the user (Chinese)."""


class _Bad:
    """A number the decoder would not give faithfully (NaN, infinity, too many digits)."""

    def __init__(self, why: str):
        self.why = why


# ── decoding ──────────────────────────────────────────────────────────────────────────
def _json_int(text: str) -> int | _Bad:
    n = len(text.lstrip("-"))
    return _Bad(f"数值过大（{n} 位数字，最多 {MAX_DIGITS} 位）") if n > MAX_DIGITS else int(text)


def _json_float(text: str) -> float | _Bad:
    value = float(text)
    return value if math.isfinite(value) else _Bad(f"数值 {text[:20]} 超出范围")


def _json_constant(name: str) -> _Bad:
    return _Bad(f"{name} 不是有效的 JSON 数值（JSON 只允许有限的数字）")


_JSON_PROBLEMS = (
    ("Expecting property name", "此处应为双引号括起的键"),
    ("Expecting ':'", "缺少冒号"),
    ("Expecting ','", "缺少逗号或括号未闭合"),
    ("Expecting value", "此处应有一个值"),
    ("Unterminated string", "字符串没有结束引号"),
    ("Invalid control character", "字符串中有控制字符（换行等须写作转义）"),
    ("Invalid \\uXXXX", "无效的 \\u 转义"),
    ("Invalid \\escape", "无效的反斜杠转义"),
    ("Extra data", "JSON 值之后还有多余的内容"),
)


def decode_json(text: str) -> Any:
    """Text → Python values; numbers that would not survive are markers the checks report."""
    try:
        return json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        what = next((zh for en, zh in _JSON_PROBLEMS if exc.msg.startswith(en)), "无法解析")
        raise ReportDataError(f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列{what}") from None
    except RecursionError:
        raise ReportDataError("JSON 嵌套层数过多") from None


@cache
def _yaml_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader whose integers of too many digits become markers (no 4300-digit error)."""

    def integer(loader, node):
        text = loader.construct_scalar(node)
        n = sum(c.isdigit() for c in text)
        if n > MAX_DIGITS:
            return _Bad(f"数值过大（{n} 位数字，最多 {MAX_DIGITS} 位）")
        return yaml.SafeLoader.construct_yaml_int(loader, node)

    Loader.add_constructor("tag:yaml.org,2002:int", integer)
    return Loader


def decode_yaml(text: str) -> Any:
    """YAML text → Python values (safe types only); dates become ISO text as in JSON."""
    try:
        import yaml
    except ImportError:  # pragma: no cover
        raise ReportDataError("读取 YAML 需要 PyYAML（pip install pyyaml）") from None
    try:
        data = yaml.load(text, Loader=_yaml_loader())  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise ReportDataError(f"YAML 格式错误{('：' + where) if where else ''}") from None
    except yaml.YAMLError:
        raise ReportDataError("YAML 格式错误") from None
    except (ValueError, OverflowError):  # a timestamp such as 2023-13-45
        raise ReportDataError("YAML 中有无法识别的日期或数值") from None
    except RecursionError:
        raise ReportDataError("YAML 嵌套层数过多") from None
    return _dates_as_text(data)


def _dates_as_text(data: Any) -> Any:
    """An unquoted `published: 2024-03-01` is a date to YAML: the contract has it as text."""
    if isinstance(data, dict) and isinstance(data.get("published"), dt.date):
        data["published"] = data["published"].isoformat()[:10]
    return data


# ── checking ──────────────────────────────────────────────────────────────────────────
@cache
def _schema() -> dict:
    from .schema import report_schema

    return report_schema()


def _shown(value: Any) -> str:
    """A wrong value as the user wrote it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"文字“{value[:30]}{'…' if len(value) > 30 else ''}”"
    if isinstance(value, (int, float)):
        return f"数字 {value if digits(value) <= 30 else '（' + str(digits(value)) + ' 位）'}"
    if isinstance(value, dict):
        return "对象（{…}）"
    if isinstance(value, list):
        return "列表（[…]）"
    if isinstance(value, dt.date):
        return f"日期 {value.isoformat()[:10]}（作为文字须加引号）"
    return "无法识别的值"


def _but(value: Any) -> str:
    """“而不是 …” naming the wrong value (a space before null, true, false)."""
    shown = _shown(value)
    return f"而不是{' ' if shown.isascii() else ''}{shown}"


def _is(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    return kind == "array" and isinstance(value, list)


def _types(schema: dict) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


class _Checker:
    def __init__(self) -> None:
        self.root = _schema()
        self.errors: list[tuple[str, str]] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append((path or "（顶层）", message))

    def resolve(self, schema: dict) -> dict:
        ref = schema.get("$ref")
        return self.root["$defs"][ref.rsplit("/", 1)[-1]] if ref else schema

    def check(self, value: Any, schema: dict, path: str) -> None:
        schema = self.resolve(schema)
        if "oneOf" in schema:
            branches = [self.resolve(b) for b in schema["oneOf"]]
            match = next((b for b in branches if any(_is(value, t) for t in _types(b))), None)
            if match is None:
                kinds = [t for b in branches for t in _types(b)]
                return self.wrong_type(value, kinds, path)
            return self.check(value, match, path)
        if "const" in schema:
            const = schema["const"]
            if type(value) is not type(const) or value != const:
                self.fail(path, f"应为 {const}，{_but(value)}")
            return
        if "enum" in schema:
            if not any(type(value) is type(v) and value == v for v in schema["enum"]):
                allowed = "、".join("null" if v is None else str(v) for v in schema["enum"])
                self.fail(path, f"应为 {allowed} 之一，{_but(value)}")
            return
        kinds = _types(schema)
        if kinds and not any(_is(value, t) for t in kinds):
            return self.wrong_type(value, kinds, path)
        if isinstance(value, dict):
            self.check_object(value, schema, path)
        elif isinstance(value, list):
            self.check_array(value, schema, path)
        elif isinstance(value, str) and value and "pattern" in schema:  # "": not known
            if not re.search(schema["pattern"], value):
                self.fail(path, f"{_PATTERN_TEXT.get(schema['pattern'], '格式不对')}，{_but(value)}")
        elif _is(value, "number"):
            problem = figure_problem(value)
            if problem:
                self.fail(path, problem)

    def wrong_type(self, value: Any, kinds: list[str], path: str) -> None:
        if isinstance(value, _Bad):
            return self.fail(path, value.why)
        if "number" in kinds and "integer" in kinds:
            kinds = [k for k in kinds if k != "integer"]
        wanted = "应为" + "或".join(_TYPE_NAMES[k] for k in kinds)
        self.fail(
            path,
            re.sub(r"(?<=[^\x00-\x7f])(?=null)|(?<=null)(?=[^\x00-\x7f])", " ", wanted) + f"，{_but(value)}",
        )

    def check_object(self, value: dict, schema: dict, path: str) -> None:
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        names = schema.get("propertyNames", {}).get("enum")
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                self.fail(path, f"键 {_shown(key)} 应为文字")
            elif key in props:
                self.check(item, props[key], where)
            elif not path and key in IGNORED_KEYS:
                continue
            elif extra is False or (names is not None and key not in names):
                known = list(names or props)
                shown = "、".join(known[:12]) + (f" 等 {len(known)} 个" if len(known) > 12 else "")
                self.fail(where, f"未知的{_noun(path, names)}“{key}”（可用：{shown}）")
            elif isinstance(extra, dict):
                self.check(item, extra, where)
            if len(self.errors) > _CAP:
                return

    def check_array(self, value: list, schema: dict, path: str) -> None:
        low, high = schema.get("minItems"), schema.get("maxItems")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            self.fail(path, f"应有 {low} 项，而不是 {len(value)} 项" if low == high else "项数不对")
            return
        items = schema.get("items")
        for n, item in enumerate(value):
            if items:
                self.check(item, items, f"{path}[{n}]")
            if len(self.errors) > _CAP:
                return


def _noun(path: str, names) -> str:
    """What an unknown key under `path` is: a row of a table, a column of a row, or a key."""
    parts = path.split(".")
    if parts[0] in TABLE_IDS and len(parts) == 1:
        return "行"
    if names is not None or (parts[0] in TABLE_IDS and len(parts) == 2):
        return "列"
    return "键"


def _unusable(data: Any) -> tuple[str, str] | None:
    """The first NaN, infinity, too long number or lone surrogate anywhere (also where the schema
    does not look)."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Bad):
            return path or "（顶层）", value.why
        if isinstance(value, str) and _SURROGATE.search(value):
            return path or "（顶层）", "含有无效的 Unicode 字符（孤立的代理项，如 \\ud800）"
        if isinstance(value, float) and not math.isfinite(value):
            return path or "（顶层）", "NaN 不是数值" if value != value else "数值超出范围（无穷大）"
        if isinstance(value, (dict, list)):
            if id(value) in seen:  # YAML aliases: each container once
                continue
            seen.add(id(value))
            pairs = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in reversed(list(pairs)):
                step = f"[{key}]" if isinstance(value, list) else (f".{key}" if path else str(key))
                stack.append((path + step, item))
    return None


def _semantics(data: dict, checker: _Checker) -> None:
    """What the schema cannot say: a plausible year, a real date, scalar fact values."""
    year = data.get("year")
    if _is(year, "integer") and year not in YEARS:
        checker.fail("year", f"年度 {year} 超出范围（{YEARS.start}—{YEARS.stop - 1}）")
    published = data.get("published")
    if isinstance(published, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
        try:
            dt.date.fromisoformat(published)
        except ValueError:
            checker.fail("published", f"日期 {published} 不存在")
    provenance = data.get("provenance")
    if isinstance(provenance, dict):
        for key, where in provenance.items():
            if isinstance(where, dict) and "value" in where:
                value = where["value"]
                if not (value is None or isinstance(value, (str, int, float))):
                    checker.fail(f"provenance.{key}.value", f"应为文字、数字或 null，{_but(value)}")


def validate(data: Any) -> dict:
    """`data` if it is a usable report; ReportDataError naming the first problems otherwise."""
    if not isinstance(data, dict):
        raise ReportDataError(f"顶层应为对象（{{…}}），{_but(data)}")
    if not any(k in data for k in ("t2", "t3", "t4", "agency", "year")):
        raise ReportDataError("缺少报告的键（t2/t3/t4、agency、year）")
    bad = _unusable(data)
    if bad:
        raise ReportDataError(f"{bad[0]}：{bad[1]}")
    checker = _Checker()
    checker.check(data, checker.root, "")
    if not checker.errors:
        _semantics(data, checker)
    if checker.errors:
        shown = "；".join(f"{p}：{m}" for p, m in checker.errors[:_MAX_SHOWN_ERRORS])
        more = len(checker.errors) - _MAX_SHOWN_ERRORS
        if more > 0:
            shown += f"；另有 {more} 处问题" if len(checker.errors) <= _CAP else "；另有更多问题"
        raise ReportDataError(shown)
    return data


__all__ = ["YEARS", "ReportDataError", "decode_json", "decode_yaml", "validate"]


def load_report_bytes(data: bytes, name: str, yaml: bool = False) -> Report:
    """A Report written as contract JSON (or YAML) held in memory, checked before use.

    ReportDataError (Chinese message naming the JSON path) when it is not UTF-8, not JSON/YAML,
    or not a usable report.
    """
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReportDataError(f"不是 UTF-8 编码的文本（第 {exc.start + 1} 字节）") from None
    parsed = decode_yaml(text) if yaml else decode_json(text)
    try:
        return Report.from_json(validate(parsed), path=name)
    except (TypeError, AttributeError, ValueError) as exc:
        raise ReportDataError(str(exc)) from None
