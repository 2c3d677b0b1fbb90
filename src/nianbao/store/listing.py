"""The workbench's report list as queries: its filters, the region tree's counts, and the rows
of a download of the current view. Every query is bounded by a user's Scope (query.scoped).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa

from .. import regions as divisions
from .query import Scope, current, region_prefix, scoped
from .review import STATUS_NAMES
from .schema import REVIEW_STATUSES, agencies, findings, regions, report_reviews, versions

FINDING_FILTERS = {"error": "有错误", "warning": "有警告（无错误）", "none": "无问题"}
SORTS = {"agency": "机关", "year": "年度", "errors": "错误数", "published": "发布日期"}
#: The columns of a download (key, Chinese header).
DOWNLOAD_COLUMNS = (
    ("report_id", "报告编号"),
    ("agency", "机关"),
    ("year", "年度"),
    ("region", "地区"),
    ("template", "模板"),
    ("published", "发布日期"),
    ("errors", "错误数"),
    ("warnings", "警告数"),
    ("status", "审核状态"),
    ("path", "来源文件"),
    ("format", "来源格式"),
)


def _count(severity: str) -> sa.ScalarSelect[Any]:
    return (
        sa.select(sa.func.count())
        .where(findings.c.version_id == versions.c.id, findings.c.severity == severity)
        .scalar_subquery()
    )


#: The review status of the report in the row (report_reviews joined on versions.report_id).
review_status = sa.func.coalesce(report_reviews.c.status, REVIEW_STATUSES[0])
#: The same without the join (for a filter: looked up only when asked for).
_status_of = sa.func.coalesce(
    sa.select(report_reviews.c.status)
    .where(report_reviews.c.report_id == versions.c.report_id)
    .scalar_subquery(),
    REVIEW_STATUSES[0],
)
AGENCY = sa.func.coalesce(agencies.c.name, versions.c.agency_name)  # as current() names it
_REVIEWS = report_reviews.c.report_id == versions.c.report_id


def _lean(*columns: Any) -> sa.Select:
    """The current versions with their agency and region (no report row, no document): what
    the list's filters, counts and sorting need, so that an index can cover them."""
    return (
        sa.select(*columns)
        .select_from(versions)
        .outerjoin(agencies, agencies.c.id == versions.c.agency_id)
        .outerjoin(regions, regions.c.id == agencies.c.region_id)
        .where(versions.c.current.is_(True))
    )


@dataclass(frozen=True)
class ListFilters:
    """What the report list shows: filters (empty: all), sort and page. Values are trusted to
    be valid (the workbench checks the query string)."""

    region: str = ""  # a division code: the province, city or county and everything under it
    year: int | None = None
    kind: str = ""
    template: str = ""
    findings: str = ""  # FINDING_FILTERS
    status: str = ""  # REVIEW_STATUSES
    q: str = ""  # part of the agency's name
    sort: str = "agency"  # SORTS
    desc: bool = False
    page: int = 1

    def where(self, query: sa.Select, scope: Scope, region: bool = True, year: bool = True) -> sa.Select:
        """`query` (from versions joined to agencies and regions) kept to the scope and these
        filters (the region and year filters left out when False: the region tree and the
        years are counted across them)."""
        query = scoped(query, scope)
        if region and self.region:
            query = query.where(regions.c.code.like(f"{region_prefix(self.region)}%"))
        if year and self.year:
            query = query.where(versions.c.year == self.year)
        if self.kind:
            query = query.where(agencies.c.kind == self.kind)
        if self.template:
            query = query.where(versions.c.template == self.template)
        if self.status:
            query = query.where(_status_of == self.status)
        if self.q:
            escaped = self.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(AGENCY.like(f"%{escaped}%", escape="\\"))
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

    def order(self, query: sa.Select) -> sa.Select:
        """`query` in the view's order (ties by report id)."""
        key = {
            "agency": AGENCY,
            "year": versions.c.year,
            "published": versions.c.published,
            "errors": _count("error"),
        }[self.sort]
        if self.desc:
            return query.order_by(key.desc(), versions.c.report_id.desc())
        return query.order_by(key.asc(), versions.c.report_id)

    def select(self, scope: Scope) -> sa.Select:
        """Every report of the view, in its order: current() columns, the review status, the
        error and warning counts."""
        query = (
            current()
            .add_columns(review_status.label("status"), _count("error").label("errors"))
            .add_columns(_count("warning").label("warnings"))
            .outerjoin(report_reviews, _REVIEWS)
        )
        return self.order(self.where(query, scope))


@dataclass
class RegionNode:
    """One division of the region tree: its code, name, the reports under it, and its children
    when it is open (the chosen region, a division above it, or the only one at its level);
    `hidden` sub-divisions otherwise, shown when it is chosen."""

    code: str
    name: str
    count: int
    children: list[RegionNode]
    hidden: int = 0

    def holds(self, code: str) -> bool:
        """Whether `code` is this division or lies under it."""
        return bool(code) and code.startswith(region_prefix(self.code))


@dataclass(frozen=True)
class ListPage:
    """One page of the list and what the filters offer beside it."""

    total: int  # reports in the view
    page: int  # the page shown (a page past the end shows the last one)
    rows: list[dict[str, Any]]  # current() columns, status, errors, warnings
    tree: list[RegionNode]  # provinces › cities › counties, counted under the other filters
    unknown_region: int  # reports of the tree's count whose region is not known
    years: list[int]  # the years of the reports in the scope, latest first


def list_page(conn: sa.Connection, filters: ListFilters, scope: Scope, size: int) -> ListPage:
    """The page of the list the filters ask for. Two passes over the current versions, each
    kept to what an index can cover: one grouped by region (the total and the region tree),
    one sorting only the keys for the page's ids; then the page's rows and the years."""
    query = _lean(regions.c.code, sa.func.count()).group_by(regions.c.code)
    by_region: dict[str | None, int] = dict(
        conn.execute(filters.where(query, scope, region=False)).tuples().all()
    )
    prefix = region_prefix(filters.region) if filters.region else None
    total = sum(n for code, n in by_region.items() if prefix is None or (code or "").startswith(prefix))
    tree, unknown = _tree(by_region, filters.region)
    years_query = scoped(_lean(versions.c.year).distinct(), scope).order_by(versions.c.year.desc())
    years = [y for y in conn.execute(years_query).scalars() if y]
    page = min(filters.page, max(1, -(-total // size)))
    keys = filters.order(filters.where(_lean(versions.c.id), scope)).limit(size).offset((page - 1) * size)
    ids = list(conn.execute(keys).scalars())
    rows: list[dict[str, Any]] = []
    if ids:
        query = current().add_columns(review_status.label("status")).outerjoin(report_reviews, _REVIEWS)
        found = {r.version_id: dict(r._mapping) for r in conn.execute(query.where(versions.c.id.in_(ids)))}
        counts = finding_counts(conn, ids)
        for vid in ids:
            row = found[vid]
            row["errors"], row["warnings"] = counts.get(vid, (0, 0))
            rows.append(row)
    return ListPage(total, page, rows, tree, unknown, years)


def finding_counts(conn: sa.Connection, version_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(errors, warnings) of each of these versions that has any."""
    query = (
        sa.select(findings.c.version_id, findings.c.severity, sa.func.count())
        .where(findings.c.version_id.in_(version_ids), findings.c.severity.in_(("error", "warning")))
        .group_by(findings.c.version_id, findings.c.severity)
    )
    out: dict[int, tuple[int, int]] = {}
    for vid, severity, n in conn.execute(query):
        errors, warnings = out.get(vid, (0, 0))
        out[vid] = (n, warnings) if severity == "error" else (errors, n)
    return out


def _tree(by_region: dict[str | None, int], chosen: str) -> tuple[list[RegionNode], int]:
    """The region tree of report counts by division code, open down to the `chosen` region;
    and the count of reports of unknown regions."""
    names = divisions.table().names
    counts: dict[str, int] = {}
    unknown = 0
    for code, n in by_region.items():
        if not code:
            unknown += n
            continue
        for level in _levels(code):
            counts[level] = counts.get(level, 0) + n
    nodes: dict[str, RegionNode] = {}
    roots: list[RegionNode] = []
    for code in sorted(counts):
        node = RegionNode(code, names[code], counts[code], [])
        nodes[code] = node
        parent = next((p for p in (code[:4] + "00", code[:2] + "0000") if p != code and p in nodes), None)
        (nodes[parent].children if parent else roots).append(node)
    _close(roots, chosen)
    return roots, unknown


@cache
def _levels(code: str) -> tuple[str, ...]:
    """The province, city and county codes of the division table a code lies in."""
    names = divisions.table().names
    return tuple(c for c in dict.fromkeys((code[:2] + "0000", code[:4] + "00", code)) if c in names)


def _close(nodes: list[RegionNode], chosen: str) -> None:
    """Hide the children of every node but those open (see RegionNode)."""
    for node in nodes:
        if node.holds(chosen) or len(nodes) == 1:
            _close(node.children, chosen)
        else:
            node.hidden, node.children = len(node.children), []


def download_rows(
    conn: sa.Connection, filters: ListFilters, scope: Scope, limit: int | None = None
) -> Iterator[list[Any]]:
    """Every report of the view (no paging) as DOWNLOAD_COLUMNS values, streamed; at most
    `limit` rows. Statuses are their Chinese names (review.STATUS_NAMES)."""
    query = filters.select(scope)
    if limit is not None:
        query = query.limit(limit)
    result = conn.execution_options(stream_results=True, yield_per=2000).execute(query)
    for row in result:
        m = row._mapping
        values = [m[key] for key, _ in DOWNLOAD_COLUMNS]
        values[8] = STATUS_NAMES.get(values[8], values[8])
        yield values


__all__ = [
    "DOWNLOAD_COLUMNS",
    "FINDING_FILTERS",
    "SORTS",
    "ListFilters",
    "ListPage",
    "RegionNode",
    "download_rows",
    "finding_counts",
    "list_page",
]
