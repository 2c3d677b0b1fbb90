"""Reading the audit log (written by users.log): the workbench's /audit page and its CSV export,
filtered by user, action and report, newest first."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..csvsafe import SafeWriter
from .query import Scope, current, region_prefix
from .review import DECISION_NAMES, STATUS_NAMES, shown
from .schema import audit

ACTION_NAMES = {
    "login": "登录",
    "logout": "退出",
    "confirm": "确认问题",
    "dismiss": "忽略问题",
    "reopen": "撤销决定",
    "comment": "评论",
    "correct": "更正单元格",
    "status": "更改审核状态",
    "download_list": "下载报告列表",
    "upload": "上传",
}
DETAIL_NAMES = {
    "rule": "规则",
    "reason": "理由",
    "text": "内容",
    "path": "单元格",
    "old": "原值",
    "new": "新值",
    "version": "版本",
    "from": "原状态",
    "to": "新状态",
    "was": "原决定",
    "address": "地址",
    "format": "格式",
    "query": "筛选条件",
    "job": "上传任务",
    "files": "文件数",
    "bytes": "字节数",
}
CSV_HEADER = ("时间（北京时间）", "用户", "操作", "报告编号", "机关", "详情")
PAGE_SIZE = 50
_CHUNK = 1000


@dataclass(frozen=True)
class AuditFilter:
    """Which lines of the log to show (empty: all)."""

    user: str = ""
    action: str = ""
    report: int | None = None


@dataclass(frozen=True)
class Entry:
    id: int
    at: dt.datetime
    user: str | None
    action: str
    report_id: int | None
    agency: str | None
    detail: Any

    @property
    def action_name(self) -> str:
        return ACTION_NAMES.get(self.action, self.action)

    @property
    def when(self) -> str:
        return shown(self.at, seconds=True)

    @property
    def text(self) -> str:
        return describe(self.detail)


def describe(detail: Any) -> str:
    """A line's detail for a reader: 规则：T3-BAL；理由：…"""
    if not isinstance(detail, dict):
        return ""
    parts = []
    for key, value in detail.items():
        if key == "finding":  # a hash says nothing to a reader
            continue
        if key in ("old", "new"):
            value = "（空）" if value in (None, "") else value
        elif value in (None, ""):
            continue
        elif key in ("from", "to"):
            value = STATUS_NAMES.get(value, value)
        elif key == "was":
            value = DECISION_NAMES.get(value, value)
        elif key == "version":
            value = f"第 {value} 版"
        parts.append(f"{DETAIL_NAMES.get(key, key)}：{value}")
    return "；".join(parts)


def _query(f: AuditFilter, scope: Scope) -> sa.Select:
    cur = current().subquery()
    query = (
        sa.select(
            audit.c.id,
            audit.c.at,
            audit.c.user_name,
            audit.c.action,
            audit.c.report_id,
            cur.c.agency,
            audit.c.detail,
        )
        .select_from(audit)
        .outerjoin(cur, cur.c.report_id == audit.c.report_id)
    )
    if scope.region_code:  # lines about a report outside the region are not shown
        inside = cur.c.region_code.like(f"{region_prefix(scope.region_code)}%")
        query = query.where(sa.or_(audit.c.report_id.is_(None), inside))
    if f.user:
        query = query.where(audit.c.user_name == f.user)
    if f.action:
        query = query.where(audit.c.action == f.action)
    if f.report is not None:
        query = query.where(audit.c.report_id == f.report)
    return query


def _entry(row: Any) -> Entry:
    return Entry(row.id, row.at, row.user_name, row.action, row.report_id, row.agency, row.detail)


def audit_page(
    engine: sa.Engine, f: AuditFilter, scope: Scope, number: int
) -> tuple[list[Entry], int, int, int]:
    """(the lines of page `number`, how many lines match, how many pages, the page shown)."""
    query = _query(f, scope)
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        pages = max(1, -(-total // PAGE_SIZE))
        number = min(max(1, number), pages)
        rows = conn.execute(
            query.order_by(audit.c.id.desc()).limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
        )
        return [_entry(r) for r in rows], total, pages, number


def audit_entries(engine: sa.Engine, f: AuditFilter, scope: Scope) -> Iterator[Entry]:
    """Every matching line, newest first, read a chunk at a time."""
    query = _query(f, scope).order_by(audit.c.id.desc()).limit(_CHUNK)
    last: int | None = None
    while True:
        with engine.connect() as conn:
            page = query if last is None else query.where(audit.c.id < last)
            rows = [_entry(r) for r in conn.execute(page)]
        yield from rows
        if len(rows) < _CHUNK:
            return
        last = rows[-1].id


def audit_csv(entries: Iterator[Entry]) -> Iterator[str]:
    """The lines as CSV text (UTF-8 BOM first, for spreadsheets), cells made safe (csvsafe)."""
    buffer = io.StringIO()
    out = SafeWriter(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    out.writerow(CSV_HEADER)
    yield "\ufeff" + buffer.getvalue()
    for entry in entries:
        buffer.seek(0)
        buffer.truncate()
        out.writerow(
            [
                entry.when,
                entry.user or "",
                entry.action_name,
                entry.report_id or "",
                entry.agency or "",
                entry.text,
            ]
        )
        yield buffer.getvalue()


def audit_choices(engine: sa.Engine) -> tuple[list[str], list[str]]:
    """The user names and actions the log holds, for the filters."""
    with engine.connect() as conn:
        names = [
            n for n in conn.scalars(sa.select(audit.c.user_name).distinct().order_by(audit.c.user_name)) if n
        ]
        actions = list(conn.scalars(sa.select(audit.c.action).distinct().order_by(audit.c.action)))
    return names, actions


__all__ = [
    "ACTION_NAMES",
    "CSV_HEADER",
    "PAGE_SIZE",
    "AuditFilter",
    "Entry",
    "audit_choices",
    "audit_csv",
    "audit_entries",
    "audit_page",
    "describe",
]
