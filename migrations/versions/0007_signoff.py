"""milestone sign-off: submissions and addenda with their evidence outcomes, and advisors' decisions

Revision ID: 0007_signoff
Revises: 0006
Create Date: 2026-12-02 20:18:22.109639

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_signoff'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('milestone_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_milestone_submissions_milestone_id_milestones')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_milestone_submissions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_submissions'))
    )
    with op.batch_alter_table('milestone_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_submissions_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index('ix_milestone_submissions_status_at', ['status', 'submitted_at'], unique=False)

    op.create_table('milestone_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('advisor_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['advisor_id'], ['users.id'], name=op.f('fk_milestone_decisions_advisor_id_users')),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_milestone_decisions_milestone_id_milestones')),
    sa.ForeignKeyConstraint(['submission_id'], ['milestone_submissions.id'], name=op.f('fk_milestone_decisions_submission_id_milestone_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_decisions'))
    )
    with op.batch_alter_table('milestone_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_decisions_milestone_id'), ['milestone_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestone_decisions_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_outcomes',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['outcomes.id'], name=op.f('fk_submission_outcomes_outcome_id_outcomes')),
    sa.ForeignKeyConstraint(['submission_id'], ['milestone_submissions.id'], name=op.f('fk_submission_outcomes_submission_id_milestone_submissions')),
    sa.PrimaryKeyConstraint('submission_id', 'outcome_id', name=op.f('pk_submission_outcomes'))
    )
    with op.batch_alter_table('submission_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_outcomes_outcome_id'), ['outcome_id'], unique=False)


def downgrade():
    with op.batch_alter_table('submission_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_outcomes_outcome_id'))

    op.drop_table('submission_outcomes')
    with op.batch_alter_table('milestone_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_decisions_submission_id'))
        batch_op.drop_index(batch_op.f('ix_milestone_decisions_milestone_id'))

    op.drop_table('milestone_decisions')
    with op.batch_alter_table('milestone_submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_milestone_submissions_status_at')
        batch_op.drop_index(batch_op.f('ix_milestone_submissions_milestone_id'))

    op.drop_table('milestone_submissions')
