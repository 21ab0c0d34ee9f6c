"""Reports: the language triage detected and how relevant the report is to atrocity risk.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("relevance", sa.Float(), nullable=True))
        batch_op.create_index(batch_op.f("ix_reports_relevance"), ["relevance"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_relevance"))
        batch_op.drop_column("relevance")
        batch_op.drop_column("language")
