"""The JSON Schema of the Report JSON, generated from the template declaration.

Nothing here lists a row or a column: every table key, printed label and description comes
from :mod:`nianbao.template.gov`, so the schema follows the templates when they change.
The checked-in copy at ``schema/report.schema.json`` is regenerated with
``nianbao schema > schema/report.schema.json`` (a test fails when it is stale).
"""

from __future__ import annotations

from .model import CONTRACT_VERSION, TABLE_IDS
from .template import SECTIONS, TEMPLATES, Group, Item, Table

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = f"urn:nianbao:report:contract-{CONTRACT_VERSION}"
SOURCE_FORMATS = ("txt", "md", "html", "docx", "doc", "pdf", "image", "xlsx", "csv", "json", "yaml")
# Template values besides the statutory ones (contract.md §1).
TEMPLATE_VALUES = (*sorted(TEMPLATES), "hybrid", "legacy")
# Tables that may carry rows outside the template under "extra" (contract.md §1).
EXTRA_TABLES = ("t2", "t3")

_KIND = {"count": "件数", "delta": "增减数，可为负数", "amount": "金额"}
_SEP = " › "


def _unique(items) -> list:
    return list(dict.fromkeys(items))


def _scoped(texts: dict[str, list[str]]) -> str:
    """One text when all templates print the same, else "2021：…；2019：…" (maps text → template ids)."""
    if len(texts) == 1:
        ((text, ids),) = texts.items()
        return text if len(ids) == len(TEMPLATES) else f"{text}（{'、'.join(ids)} 模板）"
    return "；".join(f"{'、'.join(ids)}：{text}" for text, ids in texts.items())


def _col_text(col: Item) -> str:
    text = _KIND.get(col.kind, col.kind)
    if col.kind == "amount" and not col.unit:
        return f"{text}（模板未规定单位，印制的单位见 provenance）"
    if col.unit != "件" and col.unit not in col.label:
        return f"{text}（单位：{col.unit}）"
    return text


def _context(table: Table, row: Item) -> str:
    """Where a row sits in the printed table: its 表二 caption, or its rowspan groups."""
    for block in table.blocks:
        if row in block.rows:
            return block.caption + _SEP
    groups: list[Group] = []
    key = row.group
    while key:
        group = table.group(key)
        groups.insert(0, group)
        key = group.parent
    return "".join(g.printed + _SEP for g in groups if g.label != row.label)


def _merged(rows: dict[str, dict], keys: list[str]) -> dict[str, dict]:
    """`rows` with the new `keys` added in printed order: each before the next key already there."""
    order = list(rows)
    for n, key in enumerate(keys):
        if key in rows:
            continue
        after = next((k for k in keys[n + 1 :] if k in order), None)
        order.insert(order.index(after) if after else len(order), key)
        rows[key] = {"labels": [], "where": {}, "cols": {}}
    return {k: rows[k] for k in order}


def _table(table_id: str) -> dict:
    """表二/三/四: row → column → number|null, rows and columns the union over templates."""
    rows: dict[str, dict] = {}
    titles: dict[str, list[str]] = {}
    for tpl in TEMPLATES.values():
        table = tpl.table(table_id)
        titles.setdefault(f"{table.number} {table.title}", []).append(tpl.id)
        rows = _merged(rows, [r.key for r in table.all_rows()])
        for row in table.all_rows():
            entry = rows[row.key]
            entry["labels"].append(row.label)
            entry["where"].setdefault(_context(table, row) + row.printed, []).append(tpl.id)
            for col in table.cols_of(row.key):
                c = entry["cols"].setdefault(col.key, {"labels": [], "text": {}})
                c["labels"].append(col.label)
                c["text"].setdefault(_col_text(col), []).append(tpl.id)
    properties: dict = {}
    for key, entry in rows.items():
        properties[key] = {
            "title": " / ".join(_unique(entry["labels"])),
            "description": _scoped(entry["where"]),
            "type": "object",
            "properties": {
                ck: {
                    "title": " / ".join(_unique(c["labels"])),
                    "description": _scoped(c["text"]),
                    "$ref": "#/$defs/value",
                }
                for ck, c in entry["cols"].items()
            },
            "additionalProperties": False,
        }
    if table_id in EXTRA_TABLES:
        all_cols = _unique(ck for e in rows.values() for ck in e["cols"])
        properties["extra"] = _extra(all_cols)
    return {
        "title": " / ".join(titles),
        "description": "行 → 列 → 数值。报告未印制的整行不出现。",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def _extra(cols: list[str]) -> dict:
    return {
        "title": "模板以外的行",
        "description": "地方增加的行或报告自行印制的小计行，按印制的行名保留。",
        "type": "array",
        "items": {
            "type": "object",
            "required": ["label", "values"],
            "properties": {
                "label": {"title": "行名（原文）", "type": "string"},
                "values": {
                    "title": "列 → 数值",
                    "type": "object",
                    "propertyNames": {"enum": cols},
                    "additionalProperties": {"$ref": "#/$defs/value"},
                },
                "group": {
                    "title": "所属分组或行的键",
                    "description": "小计行所属的分组（如 refused），或另一模板的行键。",
                    "type": "string",
                },
            },
            "additionalProperties": False,
        },
    }


def _sections() -> dict:
    return {
        "title": "六个法定部分",
        "description": "每部分为 {title: 原文标题, text: 正文}；报告缺少该部分时为 null。",
        "type": "object",
        "properties": {
            s.key: {
                "title": s.printed,
                "oneOf": [{"type": "null"}, {"$ref": "#/$defs/section"}],
            }
            for s in SECTIONS
        },
        "required": [s.key for s in SECTIONS],
        "additionalProperties": False,
    }


def _defs() -> dict:
    return {
        "value": {
            "title": "单元格数值",
            "description": "数字（印制的单位另记于 provenance）；"
            "null 表示空白或占位符（如 /、—、无），不是 0。",
            "type": ["number", "null"],
        },
        "section": {
            "type": "object",
            "required": ["title", "text"],
            "properties": {
                "title": {"title": "标题（原文）", "type": "string"},
                "text": {"title": "正文", "type": "string"},
            },
            "additionalProperties": False,
        },
        "provenance": {
            "title": "来源",
            "description": "读出该值的原文及位置；"
            "键为 t2.行.列、t3.行.列、t4.组.列、sections.部分，或元数据名（year、agency …）。",
            "type": "object",
            "required": ["raw"],
            "properties": {
                "raw": {"title": "原文", "type": "string"},
                "line": {"title": "行号", "type": "integer"},
                "page": {"title": "页码", "type": "integer"},
                "bbox": {
                    "title": "页面位置",
                    "type": "array",
                    "items": {"type": "number"},
                    "minItems": 4,
                    "maxItems": 4,
                },
                "table": {"title": "源表格序号", "type": "integer"},
                "row": {"title": "源表格行", "type": "integer"},
                "col": {"title": "源表格列", "type": "integer"},
                "confidence": {"title": "识别置信度", "type": "number"},
                "unit": {"title": "单元格内印制的单位", "type": "string"},
                "blank": {"title": "空白类型", "enum": ["empty", "placeholder"]},
                "how": {"title": "取得方式", "type": "string"},
            },
        },
    }


def report_schema() -> dict:
    """The JSON Schema (draft 2020-12) of :meth:`nianbao.model.Report.to_json`."""
    properties: dict = {
        "contract": {"title": "合同版本", "const": CONTRACT_VERSION},
        "source": {
            "title": "来源文件",
            "type": "object",
            "required": ["path", "sha256", "format"],
            "properties": {
                "path": {"title": "路径", "type": "string"},
                "sha256": {"title": "文件 SHA-256", "type": "string", "pattern": "^[0-9a-f]{64}$"},
                "format": {"title": "格式", "enum": list(SOURCE_FORMATS)},
            },
            "additionalProperties": False,
        },
        "agency": {"title": "机关", "type": ["string", "null"]},
        "region": {"title": "地区", "type": ["string", "null"]},
        "year": {"title": "报告年度（统计年度）", "type": ["integer", "null"]},
        "template": {
            "title": "表格模板",
            "description": "；".join(f"{t.id}：{t.document}" for t in TEMPLATES.values())
            + "；hybrid：两种模板混用；legacy：2019 年以前，无法定表格；null：无法判断。",
            "enum": [*TEMPLATE_VALUES, None],
        },
        "published": {
            "title": "发布或落款日期",
            "type": ["string", "null"],
            "pattern": r"^\d{4}-\d{2}-\d{2}$",
        },
        "preamble": {
            "title": "前言",
            "description": "第一个章节标题之前的正文（标题、编制依据、统计期限等）。",
            "type": ["string", "null"],
        },
        "sections": _sections(),
        **{tid: _table(tid) for tid in TABLE_IDS},
        "provenance": {
            "title": "来源",
            "type": "object",
            "additionalProperties": {"$ref": "#/$defs/provenance"},
        },
        "diagnostics": {
            "title": "诊断",
            "type": "object",
            "required": ["missing", "notes"],
            "properties": {
                "missing": {"title": "缺失的部分或行", "type": "array", "items": {"type": "string"}},
                "notes": {"title": "注意事项", "type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": False,
        },
    }
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "政府信息公开工作年度报告（Report JSON）",
        "description": "nianbao parse 输出的报告 JSON（合同版本 "
        f"{CONTRACT_VERSION}），由 {'、'.join(t.document for t in TEMPLATES.values())} 模板声明生成。",
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
        "$defs": _defs(),
    }
