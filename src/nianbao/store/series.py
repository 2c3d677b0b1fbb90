"""Reports back from the corpus, and the cross-year (Y-) checks run over it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

import sqlalchemy as sa

from ..check.runner import Settings, series
from ..check.runner import check_series as run_series
from ..model import Report
from .db import engine_for
from .query import Filters, current, narrowed
from .rows import finding_row, from_rows
from .schema import findings, reports, versions
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
    ids = ",".join(str(int(v)) for v in version_ids)
    sql = (  # plain tuples, provenance as text: decoded per report in one go (rows.from_rows)
        'SELECT version_id, tbl, "row", col, value, raw, blank, unit, CAST(provenance AS TEXT) '
        f"FROM cells WHERE version_id IN ({ids}) ORDER BY id"
    )
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        for row in cursor:
            rows[row[0]].append(row[1:])
    finally:
        cursor.close()
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


def paired(conn: sa.Connection, agency_ids: Sequence[int]) -> tuple[list[int], list[list[int]]]:
    """(every current version of these agencies, per agency the versions with a neighbour year).

    Of several reports of one agency and year, the first (lowest version id) stands for that
    year, as check.runner.series picks it.
    """
    query = (
        sa.select(versions.c.id, versions.c.agency_id, versions.c.year)
        .where(versions.c.current.is_(True), versions.c.agency_id.in_(agency_ids))
        .order_by(versions.c.agency_id, versions.c.year, versions.c.id)
    )
    every: list[int] = []
    first: dict[tuple[int, int], int] = {}
    for vid, agency, year in conn.execute(query):
        every.append(vid)
        if year is not None:
            first.setdefault((agency, year), vid)
    by_agency: dict[int, list[int]] = defaultdict(list)
    for (a, y), v in first.items():
        if (a, y - 1) in first or (a, y + 1) in first:
            by_agency[a].append(v)
    return every, list(by_agency.values())


def _chunk_findings(job: tuple[str | sa.Engine, list[int]]) -> list[tuple]:
    """Worker: load these versions and run the cross-year rules over them."""
    url, version_ids = job
    engine = engine_for(url) if isinstance(url, str) else url
    try:
        with engine.connect() as conn:
            loaded = load(conn, version_ids)
    finally:
        if isinstance(url, str):
            engine.dispose()
    return [(vid, prev, *finding_row(f, "series")) for vid, prev, f in series_findings(loaded)]


def check_series(engine: sa.Engine, agency_ids: Sequence[int], workers: int = 1) -> int:
    """Redo the stored cross-year findings of these agencies (in worker processes when
    workers > 1); returns how many there are now."""
    total = 0
    for i in range(0, len(agency_ids), AGENCIES_PER_CHUNK * 20):
        with engine.connect() as conn:
            chunk = paired(conn, agency_ids[i : i + AGENCIES_PER_CHUNK * 20])
        total += _redo(engine, *chunk, workers)
    return total


def _redo(engine: sa.Engine, every: list[int], agencies: list[list[int]], workers: int) -> int:
    jobs: list[list[int]] = [[]]
    for vids in agencies:  # a job holds whole agencies, about 500 reports
        if len(jobs[-1]) >= 500:
            jobs.append([])
        jobs[-1] += vids
    if workers > 1 and len(jobs) > 1:
        url = engine.url.render_as_string(hide_password=False)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            rows = [r for part in pool.map(_chunk_findings, [(url, j) for j in jobs]) for r in part]
    else:
        rows = [r for j in jobs if j for r in _chunk_findings((engine, j))]
    with engine.begin() as conn:
        for i in range(0, len(every), 5000):
            stale = sa.and_(findings.c.scope == "series", findings.c.version_id.in_(every[i : i + 5000]))
            conn.execute(findings.delete().where(stale))
        bulk_insert(conn, "findings", FINDING_COLS, rows)
    return len(rows)
