"""Reports back from the corpus, and the cross-year (Y-) checks run over it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

import sqlalchemy as sa

from ..check.runner import Settings, series
from ..check.runner import check_series as run_series
from ..model import Report
from .query import Filters, current, narrowed
from .rows import finding_row, from_rows
from .schema import cells, findings, reports, versions
from .writer import FINDING_COLS, bulk_insert

AGENCIES_PER_CHUNK = 25


def load(conn: sa.Connection, version_ids: Sequence[int]) -> dict[int, Report]:
    """The reports of these versions, rebuilt from their documents and cells."""
    if not version_ids:
        return {}
    docs = conn.execute(
        sa.select(versions.c.id, versions.c.document, reports.c.path)
        .join(reports, reports.c.id == versions.c.report_id)
        .where(versions.c.id.in_(version_ids))
    ).all()
    rows: dict[int, list] = defaultdict(list)
    query = (
        sa.select(
            cells.c.version_id,
            cells.c.tbl,
            cells.c.row,
            cells.c.col,
            cells.c.value,
            cells.c.raw,
            cells.c.blank,
            cells.c.unit,
            cells.c.provenance,
        )
        .where(cells.c.version_id.in_(version_ids))
        .order_by(cells.c.id)
    )
    for vid, *cell in conn.execute(query):
        rows[vid].append(cell)
    out = {}
    for vid, document, path in docs:
        document.setdefault("source", {})["path"] = path
        out[vid] = from_rows(document, rows[vid])
    return out


def groups(
    engine: sa.Engine, filters: Filters | None = None, agency_ids: Sequence[int] | None = None
) -> Iterator[dict[int, Report]]:
    """Current reports, a few whole agencies at a time (version id → Report)."""
    select = narrowed(current(), filters or Filters())
    if agency_ids is not None:
        select = select.where(versions.c.agency_id.in_(agency_ids))
    with engine.connect() as conn:
        by_agency: dict[int | None, list[int]] = defaultdict(list)
        for row in conn.execute(select.order_by(versions.c.agency_id, versions.c.year, versions.c.id)):
            by_agency[row.agency_id].append(row.version_id)
        keys = list(by_agency)
        for i in range(0, len(keys), AGENCIES_PER_CHUNK):
            chunk = [vid for key in keys[i : i + AGENCIES_PER_CHUNK] for vid in by_agency[key]]
            for j in range(0, len(chunk), 2000):  # agencies without a name come as one long list
                yield load(conn, chunk[j : j + 2000])


def series_findings(reports_by_version: dict[int, Report], settings: Settings | None = None):
    """(version id, previous version id, Finding) of the cross-year rules."""
    ids = {id(r): vid for vid, r in reports_by_version.items()}
    out = []
    for prev, cur in series(list(reports_by_version.values())):
        for f in run_series([prev, cur], settings):
            out.append((ids[id(cur)], ids[id(prev)], f))
    return out


def check_series(engine: sa.Engine, agency_ids: Sequence[int]) -> int:
    """Redo the stored cross-year findings of these agencies; returns how many there are now."""
    total = 0
    for i in range(0, len(agency_ids), AGENCIES_PER_CHUNK):
        chunk = list(agency_ids[i : i + AGENCIES_PER_CHUNK])
        loaded = {vid: r for part in groups(engine, agency_ids=chunk) for vid, r in part.items()}
        rows = [(vid, prev, *finding_row(f, "series")) for vid, prev, f in series_findings(loaded)]
        with engine.begin() as conn:
            if loaded:
                conn.execute(
                    findings.delete().where(
                        findings.c.scope == "series", findings.c.version_id.in_(list(loaded))
                    )
                )
            bulk_insert(conn, "findings", FINDING_COLS, rows)
        total += len(rows)
    return total
