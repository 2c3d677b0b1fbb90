"""The report list and the report page."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response, StreamingResponse

from .. import regions
from ..agency import KIND_NAMES
from ..check.finding import SEVERITIES, severity_rank
from ..check.names import cell_name
from ..check.output import SEVERITY_NAMES
from ..check.registry import RULES
from ..csvsafe import SafeWriter
from ..export import Column, write_xlsx
from ..render.layout import layouts
from ..store.listing import (
    DOWNLOAD_COLUMNS,
    FINDING_FILTERS,
    SORTS,
    ListFilters,
    download_rows,
    list_page,
)
from ..store.query import Scope, current, scoped
from ..store.review import STATUS_NAMES, decisions_for
from ..store.schema import findings
from ..store.series import load
from ..store.users import User, log
from ..template import SECTIONS
from .app import page
from .deps import CurrentUser

router = APIRouter()
PAGE_SIZE = 50
#: An XLSX download holds at most this many reports (a CSV download streams them all).
XLSX_MAX_REPORTS = 100_000
TEMPLATE_CHOICES = ("2019", "2021", "hybrid", "legacy")


def scope_of(user: User) -> Scope:
    return Scope(user.region_code, user.agency if user.role == "filer" else None)


def _choice(value: str, allowed: Any) -> str:
    return value if value in allowed else ""


@dataclass(frozen=True)
class ListQuery(ListFilters):
    """The report list's filters as the query string gives them (anything invalid is dropped)."""

    @classmethod
    def of(cls, request: Request) -> ListQuery:
        p = request.query_params
        year, page_no, region = p.get("year", ""), p.get("page", "1"), p.get("region", "")
        return cls(
            region=region if region.isdigit() and len(region) == 6 else "",
            year=int(year) if year.isdigit() and len(year) == 4 else None,
            kind=_choice(p.get("kind", ""), KIND_NAMES),
            template=_choice(p.get("template", ""), TEMPLATE_CHOICES),
            findings=_choice(p.get("findings", ""), FINDING_FILTERS),
            status=_choice(p.get("status", ""), STATUS_NAMES),
            q=p.get("q", "").strip()[:100],
            sort=_choice(p.get("sort", ""), SORTS) or "agency",
            desc=p.get("desc") == "1",
            page=max(1, int(page_no)) if page_no.isdigit() and len(page_no) < 7 else 1,
        )

    def query_string(self, **changes: Any) -> str:
        """This view's query string with some values changed (page back to 1 unless given)."""
        values = {
            "region": self.region,
            "year": self.year or "",
            "kind": self.kind,
            "template": self.template,
            "findings": self.findings,
            "status": self.status,
            "q": self.q,
            "sort": self.sort,
            "desc": "1" if self.desc else "",
            "page": 1,
        }
        values.update(changes)
        kept = {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}
        return f"?{urlencode(kept)}" if kept else ""

    def link(self, **changes: Any) -> str:
        """This view's URL with some values changed."""
        return "/reports" + self.query_string(**changes)

    def download(self, fmt: str) -> str:
        """The download of this view (every page) as csv or xlsx."""
        return f"/reports.{fmt}" + self.query_string(page=1)


@router.get("/reports")
def report_list(request: Request, user: CurrentUser) -> Response:
    q = ListQuery.of(request)
    scope = scope_of(user)
    with request.app.state.engine.connect() as conn:
        view = list_page(conn, q, scope, PAGE_SIZE)
    context = {
        "q": q,
        "rows": view.rows,
        "total": view.total,
        "pages": max(1, -(-view.total // PAGE_SIZE)),
        "page_no": view.page,
        "tree": view.tree,
        "unknown_region": view.unknown_region,
        "region_name": regions.from_code(q.region).name if q.region else "",
        "years": view.years,
        "sorts": SORTS,
        "kinds": KIND_NAMES,
        "templates": TEMPLATE_CHOICES,
        "finding_filters": FINDING_FILTERS,
        "statuses": STATUS_NAMES,
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "report-view":
        return page(request, "_report_view.html", context)
    return page(request, "reports.html", context)


def _filename(fmt: str) -> str:
    return f"reports-{dt.date.today():%Y%m%d}.{fmt}"


@router.get("/reports.csv")
def reports_csv(request: Request, user: CurrentUser) -> StreamingResponse:
    """The current view (every page, in its order) as CSV in UTF-8 with a BOM, streamed."""
    q = ListQuery.of(request)
    engine = request.app.state.engine
    log(engine, user, "download_list", detail={"format": "csv", "query": q.query_string()})

    def chunks() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = SafeWriter(buffer)
        buffer.write("\ufeff")
        writer.writerow([label for _, label in DOWNLOAD_COLUMNS])
        with engine.connect() as conn:
            for n, row in enumerate(download_rows(conn, q, scope_of(user)), 1):
                writer.writerow(row)
                if n % 1000 == 0:
                    yield buffer.getvalue().encode("utf-8")
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    disposition = f'attachment; filename="{_filename("csv")}"'
    return StreamingResponse(
        chunks(), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )


@router.get("/reports.xlsx")
def reports_xlsx(request: Request, user: CurrentUser) -> Response:
    """The current view as XLSX (at most XLSX_MAX_REPORTS reports; a last row says when the
    view held more)."""
    q = ListQuery.of(request)
    engine = request.app.state.engine
    log(engine, user, "download_list", detail={"format": "xlsx", "query": q.query_string()})
    columns = [
        Column(key, label, "int" if key in ("report_id", "year", "errors", "warnings") else "str")
        for key, label in DOWNLOAD_COLUMNS
    ]
    with engine.connect() as conn:
        rows = list(download_rows(conn, q, scope_of(user), limit=XLSX_MAX_REPORTS + 1))
    if len(rows) > XLSX_MAX_REPORTS:
        rows = rows[:XLSX_MAX_REPORTS]
        note = f"仅含前 {XLSX_MAX_REPORTS} 份报告；请缩小筛选范围，或下载 CSV（不限行数）"
        rows.append([None, note] + [None] * (len(columns) - 2))
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/{_filename('xlsx')}"
        write_xlsx(path, columns, rows, sheet="报告列表")
        data = Path(path).read_bytes()
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_filename("xlsx")}"'},
    )


def visible_version(request: Request, user: User, report_id: int) -> Any:
    """The current version row of a report the user may see; 404 otherwise (the same answer for
    a report that does not exist and one of another region: nothing is given away)."""
    query = scoped(current(), scope_of(user)).where(current().selected_columns.report_id == report_id)
    with request.app.state.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise HTTPException(status_code=404)
    return row


@router.get("/reports/{report_id}")
def report_page(report_id: int, request: Request, user: CurrentUser) -> Response:
    row = visible_version(request, user, report_id)
    with request.app.state.engine.connect() as conn:
        report = load(conn, [row.version_id])[row.version_id]
        found = conn.execute(
            sa.select(findings).where(findings.c.version_id == row.version_id).order_by(findings.c.id)
        ).all()
    found = sorted(found, key=lambda f: -severity_rank(f.severity))
    worst: dict[str, str] = {}
    for f in found:
        for path in f.cells or []:
            if path not in worst or severity_rank(f.severity) > severity_rank(worst[path]):
                worst[path] = f.severity
    context = {
        "row": row,
        "report": report,
        "findings": found,
        "counts": {s: sum(1 for f in found if f.severity == s) for s in reversed(SEVERITIES)},
        "worst": worst,
        "tables": layouts(report),
        "sections": [(s, report.sections.get(s.key)) for s in SECTIONS],
        "severity_names": SEVERITY_NAMES,
        "rules": RULES,
        "review": decisions_for(request.app.state.engine, row.report_id, row.version_id, found),
    }
    return page(request, "report.html", context)


@router.get("/reports/{report_id}/cells/{path}")
def cell_detail(report_id: int, path: str, request: Request, user: CurrentUser) -> Response:
    """One cell: its raw text, unit, provenance and findings (an htmx fragment)."""
    row = visible_version(request, user, report_id)
    parts = path.split(".")
    if len(parts) != 3 or parts[0] not in ("t2", "t3", "t4"):
        raise HTTPException(status_code=404)
    with request.app.state.engine.connect() as conn:
        report = load(conn, [row.version_id])[row.version_id]
        found = [
            f
            for f in conn.execute(sa.select(findings).where(findings.c.version_id == row.version_id)).all()
            if path in (f.cells or [])
        ]
    cell = report.cell(*parts)
    context = {
        "path": path,
        "name": cell_name(report.template, *parts),
        "cell": cell,
        "findings": found,
        "severity_names": SEVERITY_NAMES,
    }
    return page(request, "_cell.html", context)


__all__ = ["router"]
