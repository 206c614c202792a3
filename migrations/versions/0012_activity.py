"""activity log: a chapter's audit events by time (replaces the index on chapter_id alone)

Revision ID: 0012_activity
Revises: 0011_delivery
Create Date: 2026-12-03 07:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_activity'
down_revision = "0011_delivery"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_chapter_id_at', ['chapter_id', 'at'], unique=False)
        # (chapter_id, at) serves every query the one-column index did.
        batch_op.drop_index('ix_audit_events_chapter_id')


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_chapter_id', ['chapter_id'], unique=False)
        batch_op.drop_index('ix_audit_events_chapter_id_at')
