"""chapters, memberships, invitations and the vision

Revision ID: 0002_chapters
Revises: 0001_foundation
Create Date: 2026-11-23 07:34:49.054791

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_chapters'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chapters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('institution', sa.String(length=160), nullable=False),
    sa.Column('region', sa.String(length=80), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chapters')),
    sa.UniqueConstraint('slug', name=op.f('uq_chapters_slug'))
    )
    with op.batch_alter_table('chapters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chapters_region'), ['region'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chapter_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_invitations_accepted_by_id_users')),
    sa.ForeignKeyConstraint(['chapter_id'], ['chapters.id'], name=op.f('fk_invitations_chapter_id_chapters')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_chapter_id'), ['chapter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_email'), ['email'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chapter_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['chapter_id'], ['chapters.id'], name=op.f('fk_memberships_chapter_id_chapters')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('chapter_id', 'user_id', name=op.f('uq_memberships_chapter_id_user_id'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_chapter_id'), ['chapter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('vision_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chapter_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['chapter_id'], ['chapters.id'], name=op.f('fk_vision_versions_chapter_id_chapters')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_vision_versions_proposed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vision_versions')),
    sa.UniqueConstraint('chapter_id', 'number', name=op.f('uq_vision_versions_chapter_id_number'))
    )
    with op.batch_alter_table('vision_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vision_versions_chapter_id'), ['chapter_id'], unique=False)

    op.create_table('vision_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vision_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['vision_id'], ['vision_versions.id'], name=op.f('fk_vision_goals_vision_id_vision_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vision_goals'))
    )
    with op.batch_alter_table('vision_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vision_goals_vision_id'), ['vision_id'], unique=False)

    op.create_table('vision_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vision_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_vision_responses_user_id_users')),
    sa.ForeignKeyConstraint(['vision_id'], ['vision_versions.id'], name=op.f('fk_vision_responses_vision_id_vision_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vision_responses')),
    sa.UniqueConstraint('vision_id', 'user_id', name=op.f('uq_vision_responses_vision_id_user_id'))
    )
    with op.batch_alter_table('vision_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vision_responses_vision_id'), ['vision_id'], unique=False)


def downgrade():
    with op.batch_alter_table('vision_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vision_responses_vision_id'))

    op.drop_table('vision_responses')
    with op.batch_alter_table('vision_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vision_goals_vision_id'))

    op.drop_table('vision_goals')
    with op.batch_alter_table('vision_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vision_versions_chapter_id'))

    op.drop_table('vision_versions')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_chapter_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_email'))
        batch_op.drop_index(batch_op.f('ix_invitations_chapter_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('chapters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chapters_region'))

    op.drop_table('chapters')
