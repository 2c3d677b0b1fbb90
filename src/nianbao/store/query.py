"""Selecting from the corpus: the current version of each report, narrowed by filters."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from .schema import agencies, findings, regions, reports, versions


@dataclass(frozen=True)
class Filters:
    """What `export`, `stats` and `check --db` look at (empty: everything)."""

    region: str | None = None  # a name (山东省, 烟台市, 山东省烟台市) or a division code prefix
    years: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()  # reports with a finding of these rules (ids or prefixes)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(r.upper() for r in self.rules))


def current() -> sa.Select:
    """One row per report: its current version, agency and region."""
    return (
        sa.select(
            versions.c.id.label("version_id"),
            reports.c.id.label("report_id"),
            versions.c.number.label("version"),
            reports.c.sha256,
            reports.c.path,
            reports.c.format,
            sa.func.coalesce(agencies.c.name, versions.c.agency_name).label("agency"),
            agencies.c.kind,
            regions.c.name.label("region"),
            regions.c.province,
            regions.c.city,
            regions.c.county,
            regions.c.code.label("region_code"),
            versions.c.year,
            versions.c.template,
            versions.c.published,
            versions.c.agency_id,
        )
        .select_from(versions)
        .join(reports, reports.c.id == versions.c.report_id)
        .outerjoin(agencies, agencies.c.id == versions.c.agency_id)
        .outerjoin(regions, regions.c.id == agencies.c.region_id)
        .where(versions.c.current.is_(True))
    )


def rule_clause(column: sa.ColumnElement, rules: tuple[str, ...]) -> sa.ColumnElement:
    """A rule id or a prefix of one (T3 matches T3-BAL, T3-ROWSUM …)."""
    return sa.or_(*[sa.or_(column == r, column.like(f"{r}-%"), column.like(f"{r}%")) for r in rules])


def narrowed(select: sa.Select, f: Filters) -> sa.Select:
    """`select` (built on `current()`) kept to the reports the filters allow."""
    if f.years:
        select = select.where(versions.c.year.in_(f.years))
    if f.kinds:
        select = select.where(agencies.c.kind.in_(f.kinds))
    if f.region:
        r = f.region.strip()
        if r.isdigit():
            size = 2 if r.endswith("0000") else 4 if r.endswith("00") else 6
            select = select.where(regions.c.code.like(f"{r[:size]}%"))
        else:
            select = select.where(
                sa.or_(
                    regions.c.name.like(f"{r}%"),
                    regions.c.province == r,
                    regions.c.city == r,
                    regions.c.county == r,
                )
            )
    if f.rules:
        hit = sa.select(findings.c.id).where(
            findings.c.version_id == versions.c.id, rule_clause(findings.c.rule, f.rules)
        )
        select = select.where(hit.exists())
    return select


@dataclass(frozen=True)
class Scope:
    """What one user may see: a region (division code; None is every region) and, for agency
    staff, one agency (its name)."""

    region_code: str | None = None
    agency: str | None = None


def region_prefix(code: str) -> str:
    """The code prefix a division covers: 37 for a province, 3706 for a city, all six for a county."""
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def scoped(select: sa.Select, scope: Scope) -> sa.Select:
    """`select` (built on `current()`) kept to the reports in the scope. A report whose region is
    unknown is seen only by users of every region."""
    if scope.region_code:
        select = select.where(regions.c.code.like(f"{region_prefix(scope.region_code)}%"))
    if scope.agency:
        name = sa.func.coalesce(agencies.c.name, versions.c.agency_name)
        select = select.where(name == scope.agency)
    return select
