"""outbox delivery: who holds a message's claim and when it lapses

Revision ID: 0011_delivery
Revises: 0010_notifications
Create Date: 2026-12-03 07:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_delivery'
down_revision = "0010_notifications"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claim_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_messages_status_claim_expires_at', ['status', 'claim_expires_at'], unique=False)

    # Messages a worker of the previous release was sending: its claims lapse at once.
    op.execute(
        "UPDATE outbox_messages SET claim_expires_at = claimed_at WHERE status = 'sending'"
    )


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_status_claim_expires_at')
        batch_op.drop_column('claim_expires_at')
        batch_op.drop_column('claimed_by')
