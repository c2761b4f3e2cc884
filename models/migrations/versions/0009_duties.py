"""duties: duties, their shifts and the people on them, absences and swap requests

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:12:46.967328

Only new tables; nothing existing changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base


revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('away',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_away_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_away_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_away'))
    )
    with op.batch_alter_table('away', schema=None) as batch_op:
        batch_op.create_index('ix_away_community_id_user_id', ['community_id', 'user_id'], unique=False)

    op.create_table('duties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('recurrence', sa.String(length=64), nullable=False),
    sa.Column('length_minutes', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('active', 'paused', 'ended', name='dutystate', native_enum=False, length=16), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('anchor', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_duties_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_duties_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duties'))
    )
    with op.batch_alter_table('duties', schema=None) as batch_op:
        batch_op.create_index('ix_duties_community_id_state', ['community_id', 'state'], unique=False)

    op.create_table('shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duty_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('escalated_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_shifts_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['duty_id'], ['duties.id'], name=op.f('fk_shifts_duty_id_duties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts')),
    sa.UniqueConstraint('community_id', 'number', name=op.f('uq_shifts_community_id')),
    sa.UniqueConstraint('duty_id', 'starts_at', name=op.f('uq_shifts_duty_id'))
    )
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.create_index('ix_shifts_community_id_starts_at', ['community_id', 'starts_at'], unique=False)

    op.create_table('shift_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('acknowledged_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('covering', sa.BigInteger(), nullable=True),
    sa.Column('outcome', sa.Enum('served', 'covered', 'missed', name='shiftoutcome', native_enum=False, length=16), nullable=True),
    sa.ForeignKeyConstraint(['covering'], ['users.id'], name=op.f('fk_shift_people_covering_users')),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_shift_people_shift_id_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_shift_people_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift_people')),
    sa.UniqueConstraint('shift_id', 'user_id', name=op.f('uq_shift_people_shift_id'))
    )
    with op.batch_alter_table('shift_people', schema=None) as batch_op:
        batch_op.create_index('ix_shift_people_user_id', ['user_id'], unique=False)

    op.create_table('swap_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('from_user', sa.BigInteger(), nullable=False),
    sa.Column('to_user', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.Enum('asked', 'offered', 'accepted', 'declined', 'closed', name='swapstate', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('taken_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['from_user'], ['users.id'], name=op.f('fk_swap_requests_from_user_users')),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], name=op.f('fk_swap_requests_shift_id_shifts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taken_by'], ['users.id'], name=op.f('fk_swap_requests_taken_by_users')),
    sa.ForeignKeyConstraint(['to_user'], ['users.id'], name=op.f('fk_swap_requests_to_user_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_swap_requests'))
    )
    with op.batch_alter_table('swap_requests', schema=None) as batch_op:
        batch_op.create_index('ix_swap_requests_shift_id', ['shift_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('swap_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_swap_requests_shift_id')

    op.drop_table('swap_requests')
    with op.batch_alter_table('shift_people', schema=None) as batch_op:
        batch_op.drop_index('ix_shift_people_user_id')

    op.drop_table('shift_people')
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_index('ix_shifts_community_id_starts_at')

    op.drop_table('shifts')
    with op.batch_alter_table('duties', schema=None) as batch_op:
        batch_op.drop_index('ix_duties_community_id_state')

    op.drop_table('duties')
    with op.batch_alter_table('away', schema=None) as batch_op:
        batch_op.drop_index('ix_away_community_id_user_id')

    op.drop_table('away')
