"""Writing parsed files into the corpus, a small batch per transaction (bulk inserts; COPY on
PostgreSQL). Everything about one file (its log line, report, version, cells, findings) is in
the same transaction, so a killed ingest leaves whole files or none.

Each transaction holds the database's write lock (db.write) and looks up the reports it is
about inside it: a file another ingest running at the same time stored first is logged
"skipped" (已由另一次入库写入), not written twice."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

import sqlalchemy as sa

from ..agency import agency_kind
from ..check.runner import agency_key
from ..regions import Region, locate
from .db import write
from .rows import Parsed
from .schema import agencies, ingest_batches, regions, reports, versions

CELL_COLS = ("version_id", "tbl", "row", "col", "value", "raw", "blank", "unit", "provenance")
FINDING_COLS = (
    "version_id",
    "prev_version_id",
    "scope",
    "rule",
    "severity",
    "message",
    "cells",
    "expected",
    "actual",
    "line",
    "page",
)
LOG_COLS = ("batch_id", "path", "sha256", "size", "status", "message", "report_id", "version_id", "at")
STORED_BY_ANOTHER = "已由同时进行的另一次入库写入"


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class FileResult:
    """One input file after its worker is done: a parsed report, or the reason it has none."""

    path: str
    sha256: str | None
    size: int | None
    parsed: Parsed | None = None
    error: str | None = None
    status: str = ""  # set by the writer: ok | error | skipped


def bulk_insert(conn: sa.Connection, table: str, cols: Sequence[str], rows: list[tuple]) -> None:
    """Insert many rows at once: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in cols)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None  # an open Connection holds its driver's connection
        with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" if conn.dialect.paramstyle == "qmark" else "%s" for _ in cols)
    conn.exec_driver_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


class _Last(NamedTuple):
    report_id: int
    number: int
    digest: str
    agency_id: int | None


@dataclass
class _Plan:
    """What the writer will do with one parsed file."""

    res: FileResult
    parsed: Parsed  # res.parsed
    report_id: int | None  # None: a new report
    number: int
    origin: str
    skip: str | None = None  # why no new version is written
    note: str | None = None  # for the log: which version this is
    version_id: int | None = None
    current: bool = True  # False when a later file of the same batch supersedes it


class Writer:
    """Writes FileResults of one ingest batch; remembers agencies and regions it has seen."""

    def __init__(self, engine: sa.Engine, batch_id: int, version: str):
        self.engine = engine
        self.batch_id = batch_id
        self.version = version
        self._agencies: dict[str, int] = {}
        self._regions: dict[str, int] = {}
        self.touched: set[int] = set()  # agencies whose cross-year findings must be redone
        with engine.connect() as conn:
            query = sa.select(ingest_batches.c.reparse).where(ingest_batches.c.id == batch_id)
            self.reparse = bool(conn.scalar(query))

    def write(self, results: Sequence[FileResult]) -> None:
        """Write a small batch in one transaction (statuses are set on the results); run again
        when another writer is in the way (db.write)."""
        write(self.engine, lambda conn: self._write(conn, results), reset=self._forget)

    def _forget(self) -> None:
        """After a failed transaction: ids it inserted are gone."""
        self._agencies.clear()
        self._regions.clear()

    def _write(self, conn: sa.Connection, results: Sequence[FileResult]) -> None:
        at = now()
        plans = self._plan(conn, [(r, r.parsed) for r in results if r.parsed is not None])
        new = [p for p in plans if p.report_id is None]
        if new:
            ids = conn.execute(
                reports.insert().returning(reports.c.id, sort_by_parameter_order=True),
                [
                    {
                        "sha256": p.res.sha256,
                        "path": p.res.path,
                        "format": p.parsed.format,
                        "created_at": at,
                    }
                    for p in new
                ],
            ).scalars()
            for p, rid in zip(new, ids, strict=True):
                p.report_id = rid
        changed = [p.report_id for p in plans if p.number > 1 and not p.skip]
        if changed:
            conn.execute(versions.update().where(versions.c.report_id.in_(changed)).values(current=False))
        self._versions(conn, [p for p in plans if not p.skip], at)
        by_res = {id(p.res): p for p in plans}
        cells: list[tuple] = []
        found: list[tuple] = []
        log: list[tuple] = []
        for res in results:
            plan = by_res.get(id(res))
            vid = plan.version_id if plan else None
            if res.parsed is None:
                res.status = res.status or "error"
            else:
                res.status = "ok" if vid else "skipped"
            if vid and res.parsed is not None:
                cells += [(vid, *c) for c in res.parsed.cells]
                found += [(vid, None, *f) for f in res.parsed.findings]
            message = (plan.skip or plan.note) if plan else res.error
            rid = plan.report_id if plan else None
            log.append((self.batch_id, res.path, res.sha256, res.size, res.status, message, rid, vid, at))
        bulk_insert(conn, "cells", CELL_COLS, cells)
        bulk_insert(conn, "findings", FINDING_COLS, found)
        bulk_insert(conn, "ingest_files", LOG_COLS, log)

    def _plan(self, conn: sa.Connection, results: Sequence[tuple[FileResult, Parsed]]) -> list[_Plan]:
        """For each parsed file: its report (existing or new) and version number, or why it is
        skipped (its parse did not change; or, not re-parsing, another ingest stored it since
        this one began)."""
        shas = {r.sha256 for r, _ in results} | {p.claims for _, p in results}
        known = dict(
            conn.execute(sa.select(reports.c.sha256, reports.c.id).where(reports.c.sha256.in_(shas))).all()
        )
        last: dict[int, _Last] = {}
        if known:
            query = sa.select(
                versions.c.report_id, versions.c.number, versions.c.digest, versions.c.agency_id
            ).where(versions.c.report_id.in_(list(known.values())), versions.c.current.is_(True))
            last = {row.report_id: _Last(*row) for row in conn.execute(query)}
        plans: list[_Plan] = []
        latest: dict[int, _Plan] = {}
        for res, p in results:
            claimed = known.get(p.claims) if p.claims != res.sha256 else None
            report_id = claimed or known.get(res.sha256)
            plan = _Plan(res, p, report_id, 1, "manual" if claimed else "parse")
            prev = None if report_id is None else last.get(report_id)
            if prev is not None and not claimed and not self.reparse and report_id not in latest:
                plan.skip = STORED_BY_ANOTHER  # this run found it new; a run alongside wrote it first
            elif prev is not None:
                if prev.digest == p.digest:
                    plan.skip = f"解析结果未变（第 {prev.number} 版）"
                else:
                    plan.number = prev.number + 1
                    if prev.agency_id:
                        self.touched.add(prev.agency_id)
            if report_id is not None and not plan.skip:
                if report_id in latest:  # two versions of one report in one batch
                    latest[report_id].current = False
                latest[report_id] = plan
                last[report_id] = _Last(report_id, plan.number, p.digest, None)
            plans.append(plan)
        return plans

    def _versions(self, conn: sa.Connection, plans: Sequence[_Plan], at: datetime) -> None:
        if not plans:
            return
        rows = []
        for plan in plans:
            p = plan.parsed
            agency_id = self._agency(conn, p)
            if agency_id:
                self.touched.add(agency_id)
            rows.append(
                {
                    "report_id": plan.report_id,
                    "number": plan.number,
                    "current": plan.current,
                    "origin": plan.origin,
                    "nianbao_version": self.version,
                    "created_at": at,
                    "digest": p.digest,
                    "agency_id": agency_id,
                    "agency_name": p.agency,
                    "year": p.year,
                    "template": p.template,
                    "published": p.published,
                    "document": json.loads(p.document),
                }
            )
        ids = conn.execute(
            versions.insert().returning(versions.c.id, sort_by_parameter_order=True), rows
        ).scalars()
        for plan, vid in zip(plans, ids, strict=True):
            plan.version_id = vid
            if plan.number > 1 or plan.origin == "manual":
                plan.note = f"第 {plan.number} 版" + ("（人工更正）" if plan.origin == "manual" else "")

    def _agency(self, conn: sa.Connection, p: Parsed) -> int | None:
        key = agency_key(p.agency)
        if not key:
            return None
        if key in self._agencies:
            return self._agencies[key]
        found = conn.scalar(sa.select(agencies.c.id).where(agencies.c.key == key))
        if found is None:
            region_id = self._region(conn, locate(p.agency, p.region, p.context))
            found = conn.execute(
                agencies.insert()
                .values(key=key, name=p.agency, kind=agency_kind(p.agency), region_id=region_id)
                .returning(agencies.c.id)
            ).scalar_one()
        self._agencies[key] = found
        return found

    def _region(self, conn: sa.Connection, region: Region) -> int | None:
        name = region.name
        if not name:
            return None
        if name not in self._regions:
            found = conn.scalar(sa.select(regions.c.id).where(regions.c.name == name))
            if found is None:
                found = conn.execute(
                    regions.insert()
                    .values(
                        name=name,
                        code=region.code,
                        province=region.province,
                        city=region.city,
                        county=region.county,
                    )
                    .returning(regions.c.id)
                ).scalar_one()
            self._regions[name] = found
        return self._regions[name]


def log_only(engine: sa.Engine, batch_id: int, results: Iterable[FileResult]) -> None:
    """Record files that need no parsing (already in the corpus), in one transaction."""
    at = now()
    rows = [(batch_id, r.path, r.sha256, r.size, r.status, r.error, None, None, at) for r in results]
    if rows:
        write(engine, lambda conn: bulk_insert(conn, "ingest_files", LOG_COLS, rows))
