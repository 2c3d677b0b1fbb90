"""Indexes for the workbench at 100,000 reports: the report list (current versions with the
list's columns; finding counts by severity) and the report page (a report's current version).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_versions_current_list",
        "versions",
        ["current", "report_id", "agency_id", "year", "template", "published"],
    )
    op.create_index("ix_findings_version_severity", "findings", ["version_id", "severity"])


def downgrade() -> None:
    op.drop_index("ix_findings_version_severity", "findings")
    op.drop_index("ix_versions_current_list", "versions")
