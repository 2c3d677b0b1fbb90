"""Reports back from the corpus, and the cross-year (Y-) checks run over it.

Of several current reports of one agency and year (different source documents), the cross-year
rules compare the one with the latest 发布日期 (a report with a date before one without), then
the smallest sha256 of the source document, then the smallest path (check.runner.stands_for_year);
each other one gets a Y-DUP finding. The choice is made on the reports, not on the order they
were written in, so two ingests of the same files store the same findings whatever the worker
count or order. The stored findings are replaced under the write lock against the versions
current at that moment (see `_redo`), so two ingests running at once leave them complete.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

import sqlalchemy as sa

from ..check.runner import Settings
from ..check.runner import series_findings as run_series_findings
from ..model import Report
from .db import engine_for, write
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
    raw = conn.connection.driver_connection
    assert raw is not None  # an open Connection holds its driver's connection
    cursor = raw.cursor()
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
    """(version id, other version id, Finding) of the rules over several reports of an agency:
    the cross-year rules (the other is the previous year's) and Y-DUP (the other is the report
    that stands for the year)."""
    ids = {id(r): vid for vid, r in reports_by_version.items()}
    found = run_series_findings(list(reports_by_version.values()), settings)
    return [(ids[id(report)], ids[id(other)], f) for report, other, f in found]


def paired(conn: sa.Connection, agency_ids: Sequence[int]) -> tuple[list[int], list[list[int]]]:
    """(every current version of these agencies, per agency the versions the cross-year rules
    need: those of a year with a neighbour year or with more than one report). Which report of
    a year is compared is the runner's choice (check.runner.stands_for_year), made on the
    loaded reports, so it does not depend on the order they were written in.
    """
    query = (
        sa.select(versions.c.id, versions.c.agency_id, versions.c.year)
        .where(versions.c.current.is_(True), versions.c.agency_id.in_(agency_ids))
        .order_by(versions.c.agency_id, versions.c.year, versions.c.id)
    )
    every: list[int] = []
    years: dict[tuple[int, int], list[int]] = defaultdict(list)
    for vid, agency, year in conn.execute(query):
        every.append(vid)
        if year is not None:
            years[(agency, year)].append(vid)
    by_agency: dict[int, list[int]] = defaultdict(list)
    for (a, y), vids in years.items():
        if len(vids) > 1 or (a, y - 1) in years or (a, y + 1) in years:
            by_agency[a] += vids
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
        total += _redo(engine, agency_ids[i : i + AGENCIES_PER_CHUNK * 20], workers)
    return total


def _redo(engine: sa.Engine, agency_ids: Sequence[int], workers: int) -> int:
    """Compute the findings from the versions current now, then replace the stored ones under
    the write lock, if no other ingest changed these agencies' versions in between; if one
    did, compute them again under the lock (where nothing changes)."""
    with engine.connect() as conn:
        seen = paired(conn, agency_ids)
    rows = _compute(engine, *seen, workers)

    def replace(conn: sa.Connection) -> int:
        nonlocal seen, rows
        now = paired(conn, agency_ids)
        if now != seen:
            seen, rows = now, _compute(engine, *now, workers)
        every = now[0]
        for i in range(0, len(every), 5000):
            stale = sa.and_(findings.c.scope == "series", findings.c.version_id.in_(every[i : i + 5000]))
            conn.execute(findings.delete().where(stale))
        bulk_insert(conn, "findings", FINDING_COLS, rows)
        return len(rows)

    return write(engine, replace)


def _compute(engine: sa.Engine, every: list[int], agencies: list[list[int]], workers: int) -> list[tuple]:
    jobs: list[list[int]] = [[]]
    for vids in agencies:  # a job holds whole agencies, about 500 reports
        if len(jobs[-1]) >= 500:
            jobs.append([])
        jobs[-1] += vids
    if workers > 1 and len(jobs) > 1:
        url = engine.url.render_as_string(hide_password=False)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return [r for part in pool.map(_chunk_findings, [(url, j) for j in jobs]) for r in part]
    return [r for j in jobs if j for r in _chunk_findings((engine, j))]
