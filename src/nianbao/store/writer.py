"""Writing parsed files into the corpus, a small batch per transaction (bulk inserts; COPY on
PostgreSQL). Everything about one file (its log line, report, version, cells, findings) is in
the same transaction, so a killed ingest leaves whole files or none."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from ..agency import agency_kind
from ..check.runner import agency_key
from ..regions import Region, locate
from .rows import Parsed
from .schema import agencies, regions, reports, versions

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
        with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" if conn.dialect.paramstyle == "qmark" else "%s" for _ in cols)
    conn.exec_driver_sql(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


class Writer:
    """Writes FileResults of one ingest batch; remembers agencies and regions it has seen."""

    def __init__(self, engine: sa.Engine, batch_id: int, version: str):
        self.engine = engine
        self.batch_id = batch_id
        self.version = version
        self._agencies: dict[str, int] = {}
        self._regions: dict[str, int] = {}
        self.touched: set[int] = set()  # agencies whose cross-year findings must be redone

    def write(self, results: Sequence[FileResult]) -> None:
        """Write a small batch in one transaction (statuses are set on the results)."""
        try:
            with self.engine.begin() as conn:
                self._write(conn, results)
        except Exception:
            self._agencies.clear()
            self._regions.clear()
            raise

    def _write(self, conn: sa.Connection, results: Sequence[FileResult]) -> None:
        cells: list[tuple] = []
        found: list[tuple] = []
        log: list[tuple] = []
        at = now()
        for res in results:
            report_id = version_id = None
            message = res.error
            if res.parsed is None:
                res.status = res.status or "error"
            else:
                report_id, version_id, message = self._report(conn, res, at)
                res.status = "ok" if version_id else "skipped"
                if version_id:
                    cells += [(version_id, *c) for c in res.parsed.cells]
                    found += [(version_id, None, *f) for f in res.parsed.findings]
            log.append(
                (
                    self.batch_id,
                    res.path,
                    res.sha256,
                    res.size,
                    res.status,
                    message,
                    report_id,
                    version_id,
                    at,
                )
            )
        bulk_insert(conn, "cells", CELL_COLS, cells)
        bulk_insert(conn, "findings", FINDING_COLS, found)
        bulk_insert(conn, "ingest_files", LOG_COLS, log)

    def _report(
        self, conn: sa.Connection, res: FileResult, at: datetime
    ) -> tuple[int, int | None, str | None]:
        """The report a parsed file belongs to, and its new version (None: unchanged)."""
        p = res.parsed
        assert p is not None and res.sha256 is not None
        origin = "parse"
        report_id = None
        if p.claims != res.sha256:  # a corrected report JSON naming the document it corrects
            report_id = conn.scalar(sa.select(reports.c.id).where(reports.c.sha256 == p.claims))
            origin = "manual" if report_id else origin
        if report_id is None:
            report_id = conn.scalar(sa.select(reports.c.id).where(reports.c.sha256 == res.sha256))
        number = 1
        if report_id is None:
            report_id = conn.execute(
                reports.insert()
                .values(sha256=res.sha256, path=res.path, format=p.format, created_at=at)
                .returning(reports.c.id)
            ).scalar_one()
        else:
            last = conn.execute(
                sa.select(versions.c.number, versions.c.digest, versions.c.agency_id).where(
                    versions.c.report_id == report_id, versions.c.current.is_(True)
                )
            ).first()
            if last is not None:
                if last.digest == p.digest:
                    return report_id, None, f"解析结果未变（第 {last.number} 版）"
                number = last.number + 1
                if last.agency_id:
                    self.touched.add(last.agency_id)
                conn.execute(versions.update().where(versions.c.report_id == report_id).values(current=False))
        agency_id = self._agency(conn, p)
        if agency_id:
            self.touched.add(agency_id)
        version_id = conn.execute(
            versions.insert()
            .values(
                report_id=report_id,
                number=number,
                current=True,
                origin=origin,
                nianbao_version=self.version,
                created_at=at,
                digest=p.digest,
                agency_id=agency_id,
                agency_name=p.agency,
                year=p.year,
                template=p.template,
                published=p.published,
                document=json.loads(p.document),
            )
            .returning(versions.c.id)
        ).scalar_one()
        note = "人工更正" if origin == "manual" else None
        return (
            report_id,
            version_id,
            (f"第 {number} 版" + (f"（{note}）" if note else "")) if number > 1 or note else None,
        )

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
    with engine.begin() as conn:
        bulk_insert(conn, "ingest_files", LOG_COLS, rows)
