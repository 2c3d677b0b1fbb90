"""The corpus: regions, agencies, reports and their versions, cells, findings, ingest log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("code", sa.String(6)),
        sa.Column("province", sa.Text),
        sa.Column("city", sa.Text),
        sa.Column("county", sa.Text),
        sa.PrimaryKeyConstraint("id", name="pk_regions"),
        sa.UniqueConstraint("name", name="uq_regions_name"),
    )
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20)),
        sa.Column("region_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_agencies"),
        sa.UniqueConstraint("key", name="uq_agencies_key"),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name="fk_agencies_region_id_regions"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("format", sa.String(8)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint("sha256", name="uq_reports_sha256"),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("report_id", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("nianbao_version", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("agency_id", sa.Integer),
        sa.Column("agency_name", sa.Text),
        sa.Column("year", sa.Integer),
        sa.Column("template", sa.String(8)),
        sa.Column("published", sa.String(10)),
        sa.Column("document", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_versions"),
        sa.UniqueConstraint("report_id", "number", name="uq_versions_report_number"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name="fk_versions_report_id_reports"),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name="fk_versions_agency_id_agencies"),
    )
    op.create_index("ix_versions_current_agency_year", "versions", ["current", "agency_id", "year"])
    op.create_table(
        "cells",
        sa.Column("id", BigId, nullable=False, autoincrement=True),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("tbl", sa.String(2), nullable=False),
        sa.Column("row", sa.String(40), nullable=False),
        sa.Column("col", sa.String(24), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("blank", sa.String(12)),
        sa.Column("unit", sa.String(8)),
        sa.Column("provenance", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_cells"),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], name="fk_cells_version_id_versions"),
    )
    op.create_index("ix_cells_version_id", "cells", ["version_id"])
    op.create_table(
        "findings",
        sa.Column("id", BigId, nullable=False, autoincrement=True),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("prev_version_id", sa.Integer),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("rule", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("cells", sa.JSON, nullable=False),
        sa.Column("expected", sa.JSON),
        sa.Column("actual", sa.JSON),
        sa.Column("line", sa.Integer),
        sa.Column("page", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], name="fk_findings_version_id_versions"),
        sa.ForeignKeyConstraint(
            ["prev_version_id"], ["versions.id"], name="fk_findings_prev_version_id_versions"
        ),
    )
    op.create_index("ix_findings_version_id", "findings", ["version_id"])
    op.create_index("ix_findings_rule", "findings", ["rule"])
    op.create_table(
        "ingest_batches",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("nianbao_version", sa.String(32), nullable=False),
        sa.Column("reparse", sa.Boolean, nullable=False),
        sa.Column("workers", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_batches"),
    )
    op.create_table(
        "ingest_files",
        sa.Column("id", BigId, nullable=False, autoincrement=True),
        sa.Column("batch_id", sa.Integer, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("size", sa.BigInteger),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("report_id", sa.Integer),
        sa.Column("version_id", sa.Integer),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_files"),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ingest_batches.id"], name="fk_ingest_files_batch_id_ingest_batches"
        ),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name="fk_ingest_files_report_id_reports"),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], name="fk_ingest_files_version_id_versions"),
    )
    op.create_index("ix_ingest_files_sha256", "ingest_files", ["sha256"])


def downgrade() -> None:
    for index, table in (
        ("ix_ingest_files_sha256", "ingest_files"),
        ("ix_findings_rule", "findings"),
        ("ix_findings_version_id", "findings"),
        ("ix_cells_version_id", "cells"),
        ("ix_versions_current_agency_year", "versions"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "ingest_files",
        "ingest_batches",
        "findings",
        "cells",
        "versions",
        "reports",
        "agencies",
        "regions",
    ):
        op.drop_table(table)
