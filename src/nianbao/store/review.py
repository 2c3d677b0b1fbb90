"""Reviewing reports (the workbench): decisions on findings, comments, a report's review status,
and the review as the report page shows it. Every action is written to the audit log
(users.log); correcting a cell is store/correct.py.

A decision is kept by report and *finding key* (sha256 of the rule id and the finding's cells),
not by the finding's row: a re-ingest, a ``--reparse`` or a correction writes new finding rows,
and a finding that is still there keeps its decision. A finding found in an earlier version of
the report, or decided on, that the current version no longer has is *resolved*.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..check.finding import severity_rank
from ..check.names import cell_name
from ..errors import UserError
from .db import write
from .schema import (
    DECISIONS,
    REVIEW_STATUSES,
    comments,
    corrections,
    finding_decisions,
    findings,
    report_reviews,
    users,
    versions,
)
from .users import User, log, now

STATUS_NAMES = {"unreviewed": "未审核", "in_review": "审核中", "approved": "已通过", "returned": "退回修改"}
DECISION_NAMES = {"confirmed": "已确认", "dismissed": "已忽略"}
MAX_TEXT = 2000  # characters of a reason or a comment
BEIJING = dt.timezone(dt.timedelta(hours=8))


class ReviewError(UserError):
    """A review action that cannot be done as asked (the message is for the user)."""


def finding_key(rule: str, cells: Iterable[str]) -> str:
    """What identifies a finding across versions of its report: its rule and its cells."""
    return hashlib.sha256("\n".join([rule, *sorted(cells)]).encode("utf-8")).hexdigest()


def shown(at: dt.datetime | None, seconds: bool = False) -> str:
    """A stored time (naive UTC) as Beijing time, as the pages and exports show it."""
    if at is None:
        return ""
    local = at.replace(tzinfo=dt.UTC).astimezone(BEIJING)
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Decision:
    decision: str  # DECISIONS
    reason: str | None
    user: str | None
    at: dt.datetime

    @property
    def name(self) -> str:
        return DECISION_NAMES[self.decision]

    @property
    def when(self) -> str:
        return shown(self.at)


@dataclass(frozen=True)
class Note:
    """A comment on a finding."""

    user: str | None
    at: dt.datetime
    text: str

    @property
    def when(self) -> str:
        return shown(self.at)


@dataclass
class Item:
    """A finding with what reviewers decided and said about it."""

    key: str
    rule: str
    severity: str
    message: str
    cells: list[str]
    line: int | None = None
    page: int | None = None
    decision: Decision | None = None
    comments: list[Note] = field(default_factory=list)
    seen_in: int | None = None  # a resolved finding: the last version that had it

    @property
    def anchor(self) -> str:
        return f"f-{self.key[:16]}"


@dataclass(frozen=True)
class Correction:
    path: str
    name: str
    old_raw: str | None
    new_raw: str
    reason: str
    user: str | None
    at: dt.datetime
    version: int

    @property
    def when(self) -> str:
        return shown(self.at)


@dataclass
class Review:
    """The review of one report as its page shows it."""

    report_id: int
    version_id: int
    origin: str  # of the current version: parse | manual
    status: str
    status_user: str | None
    status_at: dt.datetime | None
    items: list[Item]
    resolved: list[Item]
    corrections: list[Correction]

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def status_when(self) -> str:
        return shown(self.status_at)

    @property
    def open(self) -> int:
        """Current findings nobody has decided on yet."""
        return sum(1 for i in self.items if i.decision is None)

    @property
    def statuses(self) -> dict[str, str]:
        return STATUS_NAMES

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)


def _item(f: Any, seen_in: int | None = None) -> Item:
    cells = list(f.cells or [])
    return Item(
        finding_key(f.rule, cells), f.rule, f.severity, f.message, cells, f.line, f.page, seen_in=seen_in
    )


def _current_findings(conn: sa.Connection, version_id: int) -> list[Any]:
    rows = conn.execute(
        sa.select(findings).where(findings.c.version_id == version_id).order_by(findings.c.id)
    )
    return sorted(rows, key=lambda f: -severity_rank(f.severity))


def decisions_for(
    engine: sa.Engine, report_id: int, version_id: int, found: Sequence[Any] | None = None
) -> Review:
    """The current findings of a report (`found`: its findings rows, in the order to show; read
    when not given) with their decisions and comments, the resolved ones, the corrections and
    the review status."""
    decided = finding_decisions
    with engine.connect() as conn:
        rows = list(found) if found is not None else _current_findings(conn, version_id)
        decisions = {
            r.finding_key: r
            for r in conn.execute(
                sa.select(decided, users.c.name.label("user_name"))
                .outerjoin(users, users.c.id == decided.c.user_id)
                .where(decided.c.report_id == report_id)
            )
        }
        notes: dict[str, list[Note]] = defaultdict(list)
        for r in conn.execute(
            sa.select(comments.c.finding_key, comments.c.at, comments.c.text, users.c.name)
            .outerjoin(users, users.c.id == comments.c.user_id)
            .where(comments.c.report_id == report_id, comments.c.finding_key.is_not(None))
            .order_by(comments.c.at, comments.c.id)
        ):
            notes[r.finding_key].append(Note(r.name, r.at, r.text))
        earlier = conn.execute(
            sa.select(findings, versions.c.number)
            .join(versions, versions.c.id == findings.c.version_id)
            .where(versions.c.report_id == report_id, versions.c.id != version_id)
            .order_by(versions.c.number, findings.c.id)
        ).all()
        origin = conn.scalar(sa.select(versions.c.origin).where(versions.c.id == version_id)) or "parse"
        status = conn.execute(
            sa.select(report_reviews.c.status, report_reviews.c.at, users.c.name)
            .outerjoin(users, users.c.id == report_reviews.c.user_id)
            .where(report_reviews.c.report_id == report_id)
        ).first()
        fixes = _corrections(conn, report_id)
    items = [_item(f) for f in rows]
    gone: dict[str, Item] = {}
    for f in earlier:  # later versions overwrite: the last version that had it
        gone[_item(f).key] = _item(f, f.number)
    for key, made in decisions.items():
        gone.setdefault(key, Item(key, made.rule, "info", "（该问题已不存在）", []))
    for key in notes:
        gone.setdefault(key, Item(key, "", "info", "（该问题已不存在）", []))
    for item in [*items, *gone.values()]:
        d = decisions.get(item.key)
        item.decision = Decision(d.decision, d.reason, d.user_name, d.at) if d else None
        item.comments = notes.get(item.key, [])
    current = {i.key for i in items}
    resolved = [i for k, i in gone.items() if k not in current]
    resolved.sort(key=lambda i: (-(i.seen_in or 0), -severity_rank(i.severity)))
    return Review(
        report_id,
        version_id,
        origin,
        status.status if status else "unreviewed",
        status.name if status else None,
        status.at if status else None,
        items,
        resolved,
        fixes,
    )


def _corrections(conn: sa.Connection, report_id: int) -> list[Correction]:
    c = corrections
    query = (
        sa.select(c, users.c.name.label("user_name"), versions.c.number, versions.c.template)
        .join(versions, versions.c.id == c.c.version_id)
        .outerjoin(users, users.c.id == c.c.user_id)
        .where(c.c.report_id == report_id)
        .order_by(c.c.at.desc(), c.c.id.desc())
    )
    out = []
    for r in conn.execute(query):
        name = cell_name(r.template, *r.path.split(".")) if r.path.count(".") == 2 else r.path
        out.append(Correction(r.path, name, r.old_raw, r.new_raw, r.reason, r.user_name, r.at, r.number))
    return out


def clean_text(value: str, what: str, required: bool) -> str:
    """A reason or comment as entered, trimmed; ReviewError when required and empty, or too long."""
    value = value.strip()
    if required and not value:
        raise ReviewError(f"请填写{what}")
    if len(value) > MAX_TEXT:
        raise ReviewError(f"{what}过长（最多 {MAX_TEXT} 个字）")
    return value


def _finding(conn: sa.Connection, version_id: int, key: str) -> Item:
    """The finding of this version with this key; ReviewError when it has none (any more)."""
    for f in conn.execute(sa.select(findings).where(findings.c.version_id == version_id)):
        if finding_key(f.rule, f.cells or []) == key:
            return _item(f)
    raise ReviewError("该问题在报告的当前版本中已不存在（报告可能刚被更新），请刷新页面")


def decide(
    engine: sa.Engine, user: User, report_id: int, version_id: int, key: str, decision: str, reason: str = ""
) -> None:
    """Confirm or dismiss a finding of the report's current version (a dismissal needs a reason);
    a decision already made on it is replaced."""
    if decision not in DECISIONS:
        raise ReviewError(f"未知的决定 {decision!r}")
    reason = clean_text(reason, "忽略理由" if decision == "dismissed" else "说明", decision == "dismissed")

    def run(conn: sa.Connection) -> str:
        item = _finding(conn, version_id, key)
        values = {
            "rule": item.rule,
            "decision": decision,
            "reason": reason or None,
            "user_id": user.id,
            "at": now(),
        }
        mine = sa.and_(finding_decisions.c.report_id == report_id, finding_decisions.c.finding_key == key)
        if conn.execute(sa.select(finding_decisions.c.id).where(mine)).first():
            conn.execute(finding_decisions.update().where(mine).values(**values))
        else:
            conn.execute(finding_decisions.insert().values(report_id=report_id, finding_key=key, **values))
        return item.rule

    rule = write(engine, run)
    action = "confirm" if decision == "confirmed" else "dismiss"
    log(engine, user, action, report_id, {"rule": rule, "finding": key, "reason": reason})


def reopen(engine: sa.Engine, user: User, report_id: int, key: str) -> None:
    """Withdraw the decision on a finding (it is open again)."""
    mine = sa.and_(finding_decisions.c.report_id == report_id, finding_decisions.c.finding_key == key)

    def run(conn: sa.Connection) -> Any:
        row = conn.execute(sa.select(finding_decisions).where(mine)).first()
        if row is None:
            raise ReviewError("该问题尚未作出决定")
        conn.execute(finding_decisions.delete().where(mine))
        return row

    row = write(engine, run)
    log(engine, user, "reopen", report_id, {"rule": row.rule, "finding": key, "was": row.decision})


def comment(engine: sa.Engine, user: User, report_id: int, version_id: int, key: str, text: str) -> None:
    """A comment on a finding of the report's current version."""
    text = clean_text(text, "评论内容", True)

    def run(conn: sa.Connection) -> str:
        item = _finding(conn, version_id, key)
        conn.execute(
            comments.insert().values(
                report_id=report_id, finding_key=key, user_id=user.id, at=now(), text=text
            )
        )
        return item.rule

    rule = write(engine, run)
    log(engine, user, "comment", report_id, {"rule": rule, "finding": key, "text": text})


def set_status(engine: sa.Engine, user: User, report_id: int, status: str) -> bool:
    """Set a report's review status; False when it already had it (nothing is written)."""
    if status not in REVIEW_STATUSES:
        raise ReviewError("未知的审核状态")

    def run(conn: sa.Connection) -> str | None:
        mine = report_reviews.c.report_id == report_id
        old = conn.scalar(sa.select(report_reviews.c.status).where(mine))
        if (old or "unreviewed") == status:
            return status
        values = {"status": status, "user_id": user.id, "at": now()}
        if old is None:
            conn.execute(report_reviews.insert().values(report_id=report_id, **values))
        else:
            conn.execute(report_reviews.update().where(mine).values(**values))
        return old or "unreviewed"

    old = write(engine, run)
    if old == status:
        return False
    log(engine, user, "status", report_id, {"from": old, "to": status})
    return True


__all__ = [
    "DECISION_NAMES",
    "STATUS_NAMES",
    "Correction",
    "Decision",
    "Item",
    "Note",
    "Review",
    "ReviewError",
    "clean_text",
    "comment",
    "decide",
    "decisions_for",
    "finding_key",
    "reopen",
    "set_status",
    "shown",
]
