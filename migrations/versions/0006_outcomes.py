"""outcomes of actions: counts, custom metrics, leadership domains, evidence links and files

Revision ID: 0006
Revises: 0005_updated_at
Create Date: 2026-12-02 20:10:35.541054

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005_updated_at'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('chapter_id', sa.Integer(), nullable=False),
    sa.Column('attendance', sa.Integer(), nullable=True),
    sa.Column('people_reached', sa.Integer(), nullable=True),
    sa.Column('commitments', sa.Integer(), nullable=True),
    sa.Column('media_pieces', sa.Integer(), nullable=True),
    sa.Column('signatures', sa.Integer(), nullable=True),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('reflection', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('attendance >= 0', name=op.f('ck_outcomes_attendance_not_negative')),
    sa.CheckConstraint('commitments >= 0', name=op.f('ck_outcomes_commitments_not_negative')),
    sa.CheckConstraint('media_pieces >= 0', name=op.f('ck_outcomes_media_pieces_not_negative')),
    sa.CheckConstraint('people_reached >= 0', name=op.f('ck_outcomes_people_reached_not_negative')),
    sa.CheckConstraint('signatures >= 0', name=op.f('ck_outcomes_signatures_not_negative')),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_outcomes_action_id_actions')),
    sa.ForeignKeyConstraint(['chapter_id'], ['chapters.id'], name=op.f('fk_outcomes_chapter_id_chapters')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_outcomes_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes')),
    sa.UniqueConstraint('action_id', name=op.f('uq_outcomes_action_id'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_chapter_id'), ['chapter_id'], unique=False)

    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mime_type', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_evidence_files_outcome_id_outcomes')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_evidence_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files'))
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_outcome_id'), ['outcome_id'], unique=False)

    op.create_table('evidence_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_evidence_links_outcome_id_outcomes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_links'))
    )
    with op.batch_alter_table('evidence_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_links_outcome_id'), ['outcome_id'], unique=False)

    op.create_table('outcome_domains',
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_outcome_domains_outcome_id_outcomes')),
    sa.PrimaryKeyConstraint('outcome_id', 'domain', name=op.f('pk_outcome_domains'))
    )
    op.create_table('outcome_metrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_outcome_metrics_outcome_id_outcomes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_metrics'))
    )
    with op.batch_alter_table('outcome_metrics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_metrics_outcome_id'), ['outcome_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outcome_metrics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_metrics_outcome_id'))

    op.drop_table('outcome_metrics')
    op.drop_table('outcome_domains')
    with op.batch_alter_table('evidence_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_links_outcome_id'))

    op.drop_table('evidence_links')
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_files_outcome_id'))

    op.drop_table('evidence_files')
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_chapter_id'))

    op.drop_table('outcomes')
