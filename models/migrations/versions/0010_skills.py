"""skills: the registry (skills, aliases, who holds or wants each) and teaching sessions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:35:54.681479

Only new tables; nothing existing changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base


revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_skills_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skills')),
    sa.UniqueConstraint('community_id', 'key', name=op.f('uq_skills_community_id'))
    )
    op.create_table('member_skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('stance', sa.Enum('has', 'wants', name='stance', native_enum=False, length=16), nullable=False),
    sa.Column('since', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_member_skills_skill_id_skills'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_member_skills_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_skills')),
    sa.UniqueConstraint('skill_id', 'user_id', 'stance', name=op.f('uq_member_skills_skill_id'))
    )
    with op.batch_alter_table('member_skills', schema=None) as batch_op:
        batch_op.create_index('ix_member_skills_user_id', ['user_id'], unique=False)

    op.create_table('skill_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_skill_aliases_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_skill_aliases_created_by_users')),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_skill_aliases_skill_id_skills'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_aliases')),
    sa.UniqueConstraint('community_id', 'key', name=op.f('uq_skill_aliases_community_id'))
    )
    op.create_table('teaching_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.BigInteger(), nullable=False),
    sa.Column('starts_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('length_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('asked_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_teaching_sessions_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_teaching_sessions_skill_id_skills'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['users.id'], name=op.f('fk_teaching_sessions_teacher_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teaching_sessions')),
    sa.UniqueConstraint('community_id', 'number', name=op.f('uq_teaching_sessions_community_id'))
    )
    with op.batch_alter_table('teaching_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_teaching_sessions_starts_at', ['starts_at'], unique=False)

    op.create_table('session_seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('signed_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('learned', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['teaching_sessions.id'], name=op.f('fk_session_seats_session_id_teaching_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_seats_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_seats')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_session_seats_session_id'))
    )


def downgrade() -> None:
    op.drop_table('session_seats')
    with op.batch_alter_table('teaching_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_teaching_sessions_starts_at')

    op.drop_table('teaching_sessions')
    op.drop_table('skill_aliases')
    with op.batch_alter_table('member_skills', schema=None) as batch_op:
        batch_op.drop_index('ix_member_skills_user_id')

    op.drop_table('member_skills')
    op.drop_table('skills')
