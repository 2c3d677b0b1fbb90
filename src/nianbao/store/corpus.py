"""`Corpus`: the library face of the database that `nianbao ingest` fills."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

import sqlalchemy as sa

from ..check.finding import Finding
from ..check.runner import Settings, agency_key, check, check_series, series
from ..model import Report
from . import schema
from .db import DEFAULT_DB, connect
from .ingest import Progress, Summary, ingest
from .query import Filters, current, narrowed, rule_clause
from .series import groups, load


class Corpus:
    """A corpus of reports in a database (a SQLite file path, or a PostgreSQL URL)."""

    def __init__(self, db: str | None = None):
        self.db = db or DEFAULT_DB
        self.engine = connect(self.db)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ── writing ──────────────────────────────────────────────────────────────────
    def ingest(
        self,
        paths: Iterable[str],
        jobs: int | None = None,
        reparse: bool = False,
        progress: Callable[[int], Progress] | None = None,
    ) -> Summary:
        """Parse, check and store files, folders and zip archives (see store.ingest)."""
        return ingest(self.engine, paths, jobs=jobs, reparse=reparse, progress=progress)

    # ── reading ──────────────────────────────────────────────────────────────────
    def counts(self) -> dict[str, int]:
        """Rows in each table."""
        with self.engine.connect() as conn:
            return {
                t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in schema.metadata.sorted_tables
            }

    def current(self, filters: Filters | None = None) -> list[sa.Row]:
        """The current version of each report the filters allow, with agency and region."""
        select = narrowed(current(), filters or Filters()).order_by(schema.versions.c.id)
        with self.engine.connect() as conn:
            return list(conn.execute(select))

    def reports(self, filters: Filters | None = None) -> Iterator[dict[int, Report]]:
        """Current reports (version id → Report), a few whole agencies at a time."""
        return groups(self.engine, filters)

    def report(self, version_id: int) -> Report:
        with self.engine.connect() as conn:
            return load(conn, [version_id])[version_id]

    def findings_query(self, filters: Filters | None = None) -> sa.Select:
        """Stored findings of current versions, with the report columns of `current()`."""
        f = filters or Filters()
        base = narrowed(current(), Filters(f.region, f.years, f.kinds)).subquery("cur")
        fd = schema.findings
        select = (
            sa.select(base, *[c for c in fd.c if c.name not in ("id", "version_id")])
            .join(fd, fd.c.version_id == base.c.version_id)
            .order_by(base.c.version_id, fd.c.id)
        )
        return select.where(rule_clause(fd.c.rule, f.rules)) if f.rules else select

    def check(self, settings: Settings | None = None, filters: Filters | None = None) -> list[Finding]:
        """Run the rules afresh over the current reports (nothing is stored)."""
        out: list[Finding] = []
        for loaded in self.reports(filters):
            reports = list(loaded.values())
            out += [f for r in reports for f in check(r, settings)]
            out += check_series(reports, settings)
        return out

    def neighbours(self, reports: Sequence[Report]) -> list[Report]:
        """Current corpus reports of the same agencies, one year before or after each report."""
        wanted = {(agency_key(r.agency), y) for r in reports if r.year for y in (r.year - 1, r.year + 1)}
        keys = sorted({k for k, _ in wanted if k})
        if not keys:
            return []
        select = current().where(schema.agencies.c.key.in_(keys))
        with self.engine.connect() as conn:
            rows = [
                r.version_id
                for r in conn.execute(select.add_columns(schema.agencies.c.key))
                if (r.key, r.year) in wanted
            ]
            return list(load(conn, rows).values())

    def check_with(self, reports: Sequence[Report], settings: Settings | None = None) -> list[Finding]:
        """Cross-year findings between the given reports and their neighbours in the corpus.

        A given report stands for its agency and year: corpus reports of a year a given report
        has are left out (of several given ones, check.runner.stands_for_year picks)."""
        mine = {id(r) for r in reports}
        given = {(agency_key(r.agency), r.year) for r in reports}
        others = [n for n in self.neighbours(reports) if (agency_key(n.agency), n.year) not in given]
        pairs = [(p, c) for p, c in series([*reports, *others]) if {id(p), id(c)} & mine]
        pairs = [(p, c) for p, c in pairs if not (id(p) in mine and id(c) in mine)]  # those run anyway
        return [f for p, c in pairs for f in check_series([p, c], settings)]
