"""national comparison: the per-chapter-per-month summary the dashboard reads

The dashboard at 1,000 chapters took over a second on PostgreSQL computing every metric
from three years of actions, sign-ups and outcomes; these tables hold those counts per
chapter and month, kept by national/summary.py in the same transaction as each change.
Also indexes the moments the current month's last activity is read by.

Revision ID: 0013_chapter_months
Revises: 0012_activity
Create Date: 2026-12-03 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_chapter_months'
down_revision = '0012_activity'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'chapter_months',
        sa.Column('chapter_id', sa.Integer(), sa.ForeignKey('chapters.id'), primary_key=True),
        sa.Column('month', sa.String(length=7), primary_key=True),
        sa.Column('actions_done', sa.Integer(), nullable=False),
        sa.Column('staffed_actions', sa.Integer(), nullable=False),
        sa.Column('professions_sum', sa.Integer(), nullable=False),
        sa.Column('people_reached', sa.Integer(), nullable=False),
        sa.Column('commitments', sa.Integer(), nullable=False),
        sa.Column('signatures', sa.Integer(), nullable=False),
        sa.Column('outcomes_logged', sa.Integer(), nullable=False),
        sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        'chapter_month_domains',
        sa.Column('chapter_id', sa.Integer(), sa.ForeignKey('chapters.id'), primary_key=True),
        sa.Column('month', sa.String(length=7), primary_key=True),
        sa.Column('domain', sa.String(length=40), primary_key=True),
        sa.Column('outcomes', sa.Integer(), nullable=False),
    )
    op.create_table(
        'chapter_month_leads',
        sa.Column('chapter_id', sa.Integer(), sa.ForeignKey('chapters.id'), primary_key=True),
        sa.Column('month', sa.String(length=7), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), primary_key=True),
        sa.Column('leads', sa.Integer(), nullable=False),
    )
    op.create_table(
        'chapter_decisions',
        sa.Column(
            'decision_id', sa.Integer(), sa.ForeignKey('milestone_decisions.id'), primary_key=True
        ),
        sa.Column('chapter_id', sa.Integer(), sa.ForeignKey('chapters.id'), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('approved_milestone_id', sa.Integer(), nullable=True),
    )
    op.create_index('ix_chapter_decisions_chapter_id', 'chapter_decisions', ['chapter_id'])
    for table in ('chapter_decisions', 'chapter_months', 'chapter_month_domains', 'chapter_month_leads'):
        op.create_index(f'ix_{table}_month', table, ['month'], unique=False)
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('milestone_submissions', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_milestone_submissions_submitted_at'), ['submitted_at'], unique=False
        )
    # Existing records are summarised by `flask national rebuild-summary`, which the
    # migration runs itself so an upgraded database is right at once.
    from national.summary import rebuild_with

    rebuild_with(op.get_bind())


def downgrade():
    with op.batch_alter_table('milestone_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_submissions_submitted_at'))
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_created_at'))
    op.drop_table('chapter_decisions')
    op.drop_table('chapter_month_leads')
    op.drop_table('chapter_month_domains')
    op.drop_table('chapter_months')
