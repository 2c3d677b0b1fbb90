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
    # the workbench's list and report page: the current version of a report, the list's columns
    sa.Index("ix_versions_current_list", "current", "report_id", "agency_id", "year", "template", "published"),
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
    sa.Index("ix_findings_version_severity", "version_id", "severity"),  # the list's counts
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

# ── the workbench (nianbao serve) ────────────────────────────────────────────────────────
ROLES = ("admin", "reviewer", "viewer", "filer")

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),  # argon2id, PHC string
    sa.Column("role", sa.String(8), nullable=False),  # ROLES
    sa.Column("region_code", sa.String(6)),  # None: every region
    sa.Column("agency", sa.Text),  # a filer's agency (its name as the reports print it)
    sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),  # +1 logs out everywhere
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
app_settings = sa.Table(  # the workbench's own settings, e.g. its cookie signing key
    "app_settings",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False, index=True),
    sa.Column("address", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
)
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("user_name", sa.String(64)),  # as it was then
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), index=True),
    sa.Column("detail", sa.JSON),
)

#: A report's review status (nianbao serve): 未审核 / 审核中 / 已通过 / 退回修改.
REVIEW_STATUSES = ("unreviewed", "in_review", "approved", "returned")
#: A decision on a finding.
DECISIONS = ("confirmed", "dismissed")
#: An upload job and each of its files.
JOB_STATUSES = ("queued", "running", "done", "interrupted")
UPLOAD_FILE_STATUSES = ("queued", "stored", "duplicate", "unreadable", "refused")

sources = sa.Table(  # the bytes of uploaded documents, by their sha256 (the source view reads them)
    "sources",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
upload_jobs = sa.Table(
    "upload_jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),  # JOB_STATUSES
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("started_at", sa.DateTime),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("message", sa.Text),
)
upload_files = sa.Table(
    "upload_files",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("job_id", sa.Integer, sa.ForeignKey("upload_jobs.id"), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),  # as uploaded (a zip member: archive.zip!member)
    sa.Column("size", sa.BigInteger),
    sa.Column("sha256", sa.String(64)),
    sa.Column("status", sa.String(12), nullable=False),  # UPLOAD_FILE_STATUSES
    sa.Column("message", sa.Text),
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id")),
    sa.Column("at", sa.DateTime),
)
report_reviews = sa.Table(
    "report_reviews",
    metadata,
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), primary_key=True),
    sa.Column("status", sa.String(12), nullable=False),  # REVIEW_STATUSES
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("at", sa.DateTime, nullable=False),
)
finding_decisions = sa.Table(  # kept by report and finding key, so they outlive a re-parse
    "finding_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), nullable=False, index=True),
    sa.Column("finding_key", sa.String(64), nullable=False),  # sha256 of rule and cells
    sa.Column("rule", sa.String(16), nullable=False),
    sa.Column("decision", sa.String(12), nullable=False),  # DECISIONS
    sa.Column("reason", sa.Text),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("report_id", "finding_key", name="uq_finding_decisions_report_key"),
)
comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), nullable=False, index=True),
    sa.Column("finding_key", sa.String(64)),  # None: on the report
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
corrections = sa.Table(  # a corrected cell: the version it made, the value before and after
    "corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), nullable=False, index=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), nullable=False),
    sa.Column("path", sa.String(80), nullable=False),  # t3.granted.total
    sa.Column("old_raw", sa.Text),
    sa.Column("new_raw", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("at", sa.DateTime, nullable=False),
)
