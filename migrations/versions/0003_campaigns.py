"""campaigns, actions, rotation, playbooks and calendar feeds

Revision ID: 0003_campaigns
Revises: 0002_chapters
Create Date: 2026-11-23 07:40:28.584375

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_campaigns'
down_revision = '0002_chapters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unavailabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_unavailabilities_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unavailabilities'))
    )
    with op.batch_alter_table('unavailabilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unavailabilities_user_id'), ['user_id'], unique=False)

    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chapter_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('issue', sa.Text(), nullable=False),
    sa.Column('target_community', sa.String(length=200), nullable=False),
    sa.Column('decision_maker', sa.String(length=200), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=True),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('playbook_slug', sa.String(length=80), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chapter_id'], ['chapters.id'], name=op.f('fk_campaigns_chapter_id_chapters')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users')),
    sa.ForeignKeyConstraint(['goal_id'], ['vision_goals.id'], name=op.f('fk_campaigns_goal_id_vision_goals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_chapter_id'), ['chapter_id'], unique=False)

    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('handoff_note', sa.String(length=1000), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_actions_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['lead_id'], ['users.id'], name=op.f('fk_actions_lead_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_starts_at'), ['starts_at'], unique=False)

    op.create_table('milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('criteria', sa.Text(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_milestones_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('playbooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('source_chapter_id', sa.Integer(), nullable=False),
    sa.Column('source_campaign_id', sa.Integer(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_playbooks_published_by_id_users')),
    sa.ForeignKeyConstraint(['source_campaign_id'], ['campaigns.id'], name=op.f('fk_playbooks_source_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['source_chapter_id'], ['chapters.id'], name=op.f('fk_playbooks_source_chapter_id_chapters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbooks')),
    sa.UniqueConstraint('slug', name=op.f('uq_playbooks_slug')),
    sa.UniqueConstraint('source_campaign_id', name=op.f('uq_playbooks_source_campaign_id'))
    )
    op.create_table('rotation_pool_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_rotation_pool_members_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rotation_pool_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_pool_members')),
    sa.UniqueConstraint('campaign_id', 'user_id', name=op.f('uq_rotation_pool_members_campaign_id_user_id'))
    )
    with op.batch_alter_table('rotation_pool_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_pool_members_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rotation_pool_members_user_id'), ['user_id'], unique=False)

    op.create_table('action_signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_signups_action_id_actions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_action_signups_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_signups')),
    sa.UniqueConstraint('action_id', 'user_id', name=op.f('uq_action_signups_action_id_user_id'))
    )
    with op.batch_alter_table('action_signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_signups_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_signups_user_id'), ['user_id'], unique=False)

    op.create_table('lead_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('previous_user_id', sa.Integer(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('suggested_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_lead_assignments_action_id_actions')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_lead_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['previous_user_id'], ['users.id'], name=op.f('fk_lead_assignments_previous_user_id_users')),
    sa.ForeignKeyConstraint(['suggested_user_id'], ['users.id'], name=op.f('fk_lead_assignments_suggested_user_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lead_assignments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_assignments'))
    )
    with op.batch_alter_table('lead_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_assignments_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lead_assignments_user_id'), ['user_id'], unique=False)

    op.create_table('playbook_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_milestone', sa.Boolean(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('action_kind', sa.String(length=20), nullable=True),
    sa.Column('day_offset', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbooks.id'], name=op.f('fk_playbook_steps_playbook_id_playbooks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playbook_steps'))
    )
    with op.batch_alter_table('playbook_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_playbook_steps_playbook_id'), ['playbook_id'], unique=False)

    op.create_table('swap_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_swap_requests_accepted_by_id_users')),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_swap_requests_action_id_actions')),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_swap_requests_from_user_id_users')),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_swap_requests_to_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_swap_requests'))
    )
    with op.batch_alter_table('swap_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_swap_requests_action_id'), ['action_id'], unique=False)

    with op.batch_alter_table('chapters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_generation', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_generation', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('calendar_generation')

    with op.batch_alter_table('chapters', schema=None) as batch_op:
        batch_op.drop_column('calendar_generation')

    with op.batch_alter_table('swap_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_swap_requests_action_id'))

    op.drop_table('swap_requests')
    with op.batch_alter_table('playbook_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_playbook_steps_playbook_id'))

    op.drop_table('playbook_steps')
    with op.batch_alter_table('lead_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_assignments_user_id'))
        batch_op.drop_index(batch_op.f('ix_lead_assignments_action_id'))

    op.drop_table('lead_assignments')
    with op.batch_alter_table('action_signups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_signups_user_id'))
        batch_op.drop_index(batch_op.f('ix_action_signups_action_id'))

    op.drop_table('action_signups')
    with op.batch_alter_table('rotation_pool_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_pool_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_rotation_pool_members_campaign_id'))

    op.drop_table('rotation_pool_members')
    op.drop_table('playbooks')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_campaign_id'))

    op.drop_table('milestones')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_starts_at'))
        batch_op.drop_index(batch_op.f('ix_actions_lead_id'))
        batch_op.drop_index(batch_op.f('ix_actions_campaign_id'))

    op.drop_table('actions')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_chapter_id'))

    op.drop_table('campaigns')
    with op.batch_alter_table('unavailabilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unavailabilities_user_id'))

    op.drop_table('unavailabilities')
