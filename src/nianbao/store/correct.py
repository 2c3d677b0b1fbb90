"""Correcting a cell of a report (the workbench): a new version of the report (origin "manual",
the next number, current; the old one stays) with the cell as entered, checked again at once,
and a `corrections` row with who, when, the raw text before and after, and why."""

from __future__ import annotations

import json
from typing import NamedTuple

import sqlalchemy as sa

from ..check import check
from ..check.names import cell_name, col_item, row_item
from ..document import Ref
from ..model import TABLE_IDS, Cell
from ..normalize import read_value
from ..version import __version__
from .db import write
from .review import ReviewError, clean_text
from .rows import to_rows
from .schema import corrections, reports, versions
from .series import check_series, load
from .users import User, log, now
from .writer import CELL_COLS, FINDING_COLS, bulk_insert


def cell_of(engine: sa.Engine, version_id: int, path: str) -> tuple[str, Cell | None]:
    """(the cell's name as the report prints it, the cell or None when the report lacks it) of a
    cell of the report's template; ReviewError for anything else."""
    parts = path.split(".")
    if len(parts) != 3 or parts[0] not in TABLE_IDS:
        raise ReviewError("报告中没有这个单元格")
    with engine.connect() as conn:
        report = load(conn, [version_id])[version_id]
    tbl, row, col = parts
    cell = report.cell(tbl, row, col)
    if cell is None and not _declared(report.template, tbl, row, col):
        raise ReviewError("报告中没有这个单元格")
    return cell_name(report.template, tbl, row, col), cell


def _declared(template: str | None, tbl: str, row: str, col: str) -> bool:
    return row_item(template, tbl, row) is not None and col_item(template, tbl, row, col) is not None


class Corrected(NamedTuple):
    version_id: int
    number: int
    old_raw: str | None
    agency_id: int | None


def correct_cell(
    engine: sa.Engine, user: User, report_id: int, path: str, raw: str, reason: str
) -> Corrected:
    """Correct one cell: a new current version of the report with the cell as entered, its
    single-report checks run again at once (and its agency's cross-year checks), and a
    `corrections` row. ReviewError for a cell the report's tables lack, a text that is not a
    figure, or no reason."""
    parts = path.split(".")
    if len(parts) != 3 or parts[0] not in TABLE_IDS:
        raise ReviewError("报告中没有这个单元格")
    tbl, row, col = parts
    raw = raw.strip()
    value = read_value(raw)
    if value is None:
        raise ReviewError(
            f"“{raw[:40]}”不是有效的数值：请填写数字（可带千分位或单位，如 1,234、12件），空白可填“/”或留空"
        )
    reason = clean_text(reason, "更正理由", True)

    def run(conn: sa.Connection) -> Corrected:
        old = conn.execute(
            sa.select(versions, reports.c.sha256)
            .join(reports, reports.c.id == versions.c.report_id)
            .where(versions.c.report_id == report_id, versions.c.current.is_(True))
        ).first()
        if old is None:
            raise ReviewError("报告不存在")
        report = load(conn, [old.id])[old.id]
        cell = report.cell(tbl, row, col)
        if cell is None and not _declared(report.template, tbl, row, col):
            raise ReviewError("报告中没有这个单元格")
        if cell is not None and cell.raw == raw:
            raise ReviewError("新值与原值相同，无需更正")
        ref = cell.ref if cell is not None else Ref()
        report.tables.setdefault(tbl, {}).setdefault(row, {})[col] = Cell(
            value.value, raw, ref, value.unit, value.placeholder
        )
        parsed = to_rows(report, check(report), old.sha256)
        number = (
            conn.scalar(sa.select(sa.func.max(versions.c.number)).where(versions.c.report_id == report_id))
            + 1
        )
        copied = {k: v for k, v in old._mapping.items() if k in versions.c and k != "id"}
        conn.execute(versions.update().where(versions.c.report_id == report_id).values(current=False))
        vid = conn.execute(
            versions.insert()
            .values(
                {
                    **copied,
                    "number": number,
                    "current": True,
                    "origin": "manual",
                    "nianbao_version": __version__,
                    "created_at": now(),
                    "digest": parsed.digest,
                    "document": json.loads(parsed.document),
                }
            )
            .returning(versions.c.id)
        ).scalar_one()
        bulk_insert(conn, "cells", CELL_COLS, [(vid, *c) for c in parsed.cells])
        bulk_insert(conn, "findings", FINDING_COLS, [(vid, None, *f) for f in parsed.findings])
        conn.execute(
            corrections.insert().values(
                report_id=report_id,
                version_id=vid,
                path=path,
                old_raw=cell.raw if cell is not None else None,
                new_raw=raw,
                reason=reason,
                user_id=user.id,
                at=now(),
            )
        )
        return Corrected(vid, number, cell.raw if cell is not None else None, old.agency_id)

    done = write(engine, run)
    if done.agency_id is not None:
        check_series(engine, [done.agency_id])
    detail = {"path": path, "old": done.old_raw, "new": raw, "reason": reason, "version": done.number}
    log(engine, user, "correct", report_id, detail)
    return done


__all__ = ["Corrected", "cell_of", "correct_cell"]
