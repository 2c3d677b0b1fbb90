"""The corpus schema (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Migrations (``migrations/versions``) create and change it; this module is what the code
queries and what a new migration is compared against (``alembic revision --autogenerate``).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # a rowid alias on SQLite

regions = sa.Table(
    "regions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),  # 山东省烟台市芝罘区
    sa.Column("code", sa.String(6)),  # national division code, None when not in the table
    sa.Column("province", sa.Text),
    sa.Column("city", sa.Text),
    sa.Column("county", sa.Text),
)

agencies = sa.Table(
    "agencies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.Text, nullable=False, unique=True),  # check.runner.agency_key
    sa.Column("name", sa.Text, nullable=False),  # the spelling first seen
    sa.Column("kind", sa.String(20)),  # agency.GOVERNMENT, OFFICE, DEPARTMENT, TOWNSHIP
    sa.Column("region_id", sa.Integer, sa.ForeignKey("regions.id")),
)

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, unique=True),  # the source document
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("format", sa.String(8)),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("current", sa.Boolean, nullable=False),
    sa.Column("origin", sa.String(8), nullable=False),  # parse | manual
    sa.Column("nianbao_version", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),  # of the report JSON, to tell a changed parse
    sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id")),
    sa.Column("agency_name", sa.Text),  # as the document prints it
    sa.Column("year", sa.Integer),
    sa.Column("template", sa.String(8)),
    sa.Column("published", sa.String(10)),
    sa.Column("document", sa.JSON, nullable=False),  # report JSON less the table cells
    sa.UniqueConstraint("report_id", "number", name="uq_versions_report_number"),
    sa.Index("ix_versions_current_agency_year", "current", "agency_id", "year"),
)

cells = sa.Table(
    "cells",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False, index=True),
    sa.Column("tbl", sa.String(2), nullable=False),  # t2 t3 t4
    sa.Column("row", sa.String(40), nullable=False),
    sa.Column("col", sa.String(24), nullable=False),
    sa.Column("value", sa.Float),  # None: blank
    sa.Column("raw", sa.Text, nullable=False),
    sa.Column("blank", sa.String(12)),  # None, "empty" or "placeholder"
    sa.Column("unit", sa.String(8)),
    sa.Column("provenance", sa.JSON),  # line / page / bbox / table / row / col
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False, index=True),
    sa.Column("prev_version_id", sa.Integer, sa.ForeignKey("versions.id")),  # series rules
    sa.Column("scope", sa.String(8), nullable=False),  # report | series
    sa.Column("rule", sa.String(16), nullable=False, index=True),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("cells", sa.JSON, nullable=False),
    sa.Column("expected", sa.JSON),
    sa.Column("actual", sa.JSON),
    sa.Column("line", sa.Integer),
    sa.Column("page", sa.Integer),
)

ingest_batches = sa.Table(
    "ingest_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("nianbao_version", sa.String(32), nullable=False),
    sa.Column("reparse", sa.Boolean, nullable=False),
    sa.Column("workers", sa.Integer, nullable=False),
)

ingest_files = sa.Table(
    "ingest_files",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("ingest_batches.id"), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), index=True),  # None when the file could not be read at all
    sa.Column("size", sa.BigInteger),
    sa.Column("status", sa.String(8), nullable=False),  # ok | error | skipped
    sa.Column("message", sa.Text),
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id")),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id")),
    sa.Column("at", sa.DateTime, nullable=False),
)

STATUSES = ("ok", "error", "skipped")
