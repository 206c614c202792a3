"""addendum files: PDFs and images sent with a correction to signed-off work

Revision ID: 0008_addendum_files
Revises: 0007_signoff
Create Date: 2026-12-03 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_addendum_files'
down_revision = "0007_signoff"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('addendum_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mime_type', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['milestone_submissions.id'], name=op.f('fk_addendum_files_submission_id_milestone_submissions')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_addendum_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addendum_files'))
    )
    with op.batch_alter_table('addendum_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addendum_files_submission_id'), ['submission_id'], unique=False)


def downgrade():
    with op.batch_alter_table('addendum_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addendum_files_submission_id'))

    op.drop_table('addendum_files')
