"""Classified preventive actions; source names unique per classification.

Actions get a ``confidentiality`` column; an existing action is classified as high as the
highest alert or assessment it links to, so its links never show more than before to anyone
cleared for the action. Source names become unique per classification level rather than
globally, so naming a new source never reveals a confidential one of the same name.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

RAISE_TO_LINKED = (
    "UPDATE actions SET confidentiality = '{level}' WHERE id IN ("
    "SELECT action_id FROM action_alerts JOIN alerts ON alerts.id = action_alerts.alert_id "
    "WHERE alerts.confidentiality = '{level}' "
    "UNION SELECT action_id FROM action_assessments "
    "JOIN assessments ON assessments.id = action_assessments.assessment_id "
    "WHERE assessments.confidentiality = '{level}')"
)


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "confidentiality", sa.String(length=20), nullable=False, server_default="public"
            )
        )
    for level in ("restricted", "confidential"):  # in rising order: the highest link wins
        op.execute(RAISE_TO_LINKED.format(level=level))
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sources_name", type_="unique")
        batch_op.create_unique_constraint(
            "uq_sources_name_confidentiality", ["name", "confidentiality"]
        )


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sources_name_confidentiality", type_="unique")
        batch_op.create_unique_constraint("uq_sources_name", ["name"])
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("confidentiality")
