"""national comparison: index advisors' decisions by when they were made

The comparison counts the milestones approved and the days to sign-off for the decisions
made within a period; without this index every decision of every year is read.

Revision ID: 0009_national_indexes
Revises: 0008_addendum_files
Create Date: 2026-12-03 07:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_national_indexes'
down_revision = '0008_addendum_files'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('milestone_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_decisions_decided_at'), ['decided_at'], unique=False)


def downgrade():
    with op.batch_alter_table('milestone_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_decisions_decided_at'))
