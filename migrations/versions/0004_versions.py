"""optimistic locking for chapters, campaigns and milestones; longer lead reasons

Revision ID: 0004_versions
Revises: 0003_campaigns
Create Date: 2026-11-23 08:51:16.971540

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_versions'
down_revision = '0003_campaigns'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('chapters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('lead_assignments', schema=None) as batch_op:
        batch_op.alter_column('reason',
               existing_type=sa.VARCHAR(length=500),
               type_=sa.String(length=1000),
               existing_nullable=True)

    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('lead_assignments', schema=None) as batch_op:
        batch_op.alter_column('reason',
               existing_type=sa.String(length=1000),
               type_=sa.VARCHAR(length=500),
               existing_nullable=True)

    with op.batch_alter_table('chapters', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('version')
