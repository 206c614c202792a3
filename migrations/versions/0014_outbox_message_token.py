"""outbox: a random token per message for its Message-ID

Message-IDs were <outbox-N@relay>, and N starts again at 1 in a database made by
`flask import network`: new mail reused the IDs of old mail, and mail programs threaded
or dropped it as duplicates. Messages already queued get a token here too.

Revision ID: 0014_outbox_message_token
Revises: 0013_chapter_months
Create Date: 2026-12-05 04:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_outbox_message_token'
down_revision = '0013_chapter_months'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_token', sa.String(length=32), nullable=True))

    outbox = sa.table('outbox_messages', sa.column('id', sa.Integer), sa.column('message_token', sa.String))
    conn = op.get_bind()
    ids = conn.execute(sa.select(outbox.c.id)).scalars().all()
    for msg_id in ids:
        conn.execute(
            outbox.update().where(outbox.c.id == msg_id).values(message_token=secrets.token_hex(16))
        )

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('message_token', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_messages_message_token'), ['message_token'])


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_messages_message_token'), type_='unique')
        batch_op.drop_column('message_token')
