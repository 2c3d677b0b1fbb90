"""The report list and the report page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from ..agency import KIND_NAMES
from ..check.finding import SEVERITIES, severity_rank
from ..check.names import cell_name
from ..check.registry import RULES
from ..render.layout import layouts
from ..store.query import Scope, current, region_prefix, scoped
from ..store.schema import findings, regions, versions
from ..store.series import load
from ..store.users import User
from ..template import SECTIONS, TEMPLATES
from .app import page
from .deps import CurrentUser

router = APIRouter()
PAGE_SIZE = 50
SORTS = {
    "agency": "机关",
    "year": "年度",
    "errors": "错误数",
    "published": "发布日期",
}
FINDING_FILTERS = {"error": "有错误", "warning": "有警告（无错误）", "none": "无问题"}
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}


def scope_of(user: User) -> Scope:
    return Scope(user.region_code, user.agency if user.role == "filer" else None)


def _count(severity: str) -> sa.ScalarSelect[Any]:
    return (
        sa.select(sa.func.count())
        .where(findings.c.version_id == versions.c.id, findings.c.severity == severity)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class ListQuery:
    """The report list's filters, as the query string gives them."""

    region: str = ""
    year: int | None = None
    kind: str = ""
    template: str = ""
    findings: str = ""
    q: str = ""
    sort: str = "agency"
    desc: bool = False
    page: int = 1

    @classmethod
    def of(cls, request: Request) -> ListQuery:
        p = request.query_params
        year = p.get("year", "")
        page_no = p.get("page", "1")
        return cls(
            region=p.get("region", "") if p.get("region", "").isdigit() else "",
            year=int(year) if year.isdigit() and len(year) == 4 else None,
            kind=p.get("kind", "") if p.get("kind", "") in KIND_NAMES else "",
            template=p.get("template", "") if p.get("template", "") in (*TEMPLATES, "legacy", "hybrid") else "",
            findings=p.get("findings", "") if p.get("findings", "") in FINDING_FILTERS else "",
            q=p.get("q", "").strip()[:100],
            sort=p.get("sort", "agency") if p.get("sort", "agency") in SORTS else "agency",
            desc=p.get("desc") == "1",
            page=max(1, int(page_no)) if page_no.isdigit() and len(page_no) < 7 else 1,
        )

    def select(self, scope: Scope) -> sa.Select:
        """The current reports these filters and the user's scope allow, with finding counts."""
        errors, warnings = _count("error").label("errors"), _count("warning").label("warnings")
        query = scoped(current().add_columns(errors, warnings), scope)
        if self.region:
            query = query.where(regions.c.code.like(f"{region_prefix(self.region)}%"))
        if self.year:
            query = query.where(versions.c.year == self.year)
        if self.kind:
            query = query.where(current().selected_columns.kind == self.kind)
        if self.template:
            query = query.where(versions.c.template == self.template)
        if self.q:
            escaped = self.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(current().selected_columns.agency.like(f"%{escaped}%", escape="\\"))
        has = sa.select(findings.c.id).where(findings.c.version_id == versions.c.id)
        if self.findings == "error":
            query = query.where(has.where(findings.c.severity == "error").exists())
        elif self.findings == "warning":
            query = query.where(
                has.where(findings.c.severity == "warning").exists(),
                ~has.where(findings.c.severity == "error").exists(),
            )
        elif self.findings == "none":
            query = query.where(~has.exists())
        return query

    def ordered(self, query: sa.Select) -> sa.Select:
        cols = query.selected_columns
        key = {"agency": cols.agency, "year": cols.year, "errors": cols.errors, "published": cols.published}
        first = key[self.sort].desc() if self.desc else key[self.sort].asc()
        return query.order_by(first, cols.report_id)

    def link(self, **changes: Any) -> str:
        """This view's URL with some filters changed (page back to 1 unless given)."""
        values = {
            "region": self.region,
            "year": self.year or "",
            "kind": self.kind,
            "template": self.template,
            "findings": self.findings,
            "q": self.q,
            "sort": self.sort,
            "desc": "1" if self.desc else "",
            "page": 1,
        }
        values.update(changes)
        from urllib.parse import urlencode

        kept = {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}
        return "/reports" + (f"?{urlencode(kept)}" if kept else "")


def _choices(request: Request, scope: Scope) -> dict[str, Any]:
    """The values the filters offer: the years and regions of the reports the user can see."""
    base = scoped(current(), scope).subquery()
    with request.app.state.engine.connect() as conn:
        years = [r[0] for r in conn.execute(sa.select(base.c.year).distinct().order_by(base.c.year.desc())) if r[0]]
        codes = [
            r[0]
            for r in conn.execute(sa.select(base.c.region_code).distinct().order_by(base.c.region_code))
            if r[0]
        ]
    return {"years": years, "regions": region_options(codes)}


def region_options(codes: list[str]) -> list[tuple[str, str, int]]:
    """(code, name, depth) of every province, city and county above the codes given, in tree order."""
    from .. import regions as divisions

    names = divisions.table().names
    wanted: set[str] = set()
    for code in codes:
        wanted.update(c for c in (code[:2] + "0000", code[:4] + "00", code) if c in names)
    return [(c, names[c], divisions.level(c) - 1) for c in sorted(wanted)]


@router.get("/reports")
def report_list(request: Request, user: CurrentUser) -> Response:
    q = ListQuery.of(request)
    scope = scope_of(user)
    query = q.select(scope)
    with request.app.state.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        pages = max(1, -(-total // PAGE_SIZE))
        rows = conn.execute(q.ordered(query).limit(PAGE_SIZE).offset((min(q.page, pages) - 1) * PAGE_SIZE)).all()
    context = {
        "q": q,
        "rows": rows,
        "total": total,
        "pages": pages,
        "page_no": min(q.page, pages),
        "sorts": SORTS,
        "kinds": KIND_NAMES,
        "templates": ("2019", "2021", "hybrid", "legacy"),
        "finding_filters": FINDING_FILTERS,
        **_choices(request, scope),
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "report-table":
        return page(request, "_report_table.html", context)
    return page(request, "reports.html", context)


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
