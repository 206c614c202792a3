"""when users, actions and milestones last changed, for the calendar feeds' validators

Revision ID: 0005_updated_at
Revises: 0004_versions
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_updated_at'
down_revision = '0004_versions'
branch_labels = None
depends_on = None

# Existing rows get a value before the column becomes NOT NULL: their creation time where
# the table has one, else the time of the upgrade (milestones).
BACKFILL = {
    'users': 'created_at',
    'actions': 'created_at',
    'milestones': 'CURRENT_TIMESTAMP',
}


def upgrade():
    for table, source in BACKFILL.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        op.execute(f'UPDATE {table} SET updated_at = {source}')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True),
                                  nullable=False)


def downgrade():
    for table in reversed(list(BACKFILL)):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('updated_at')
