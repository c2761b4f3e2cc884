"""things and federation: the ledger of shared things; link codes, links, shared needs, offers

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 04:39:19.314389

New tables only. Things: ``things`` (numbered per community, with their counters),
``thing_holdings`` (who holds how many now) and ``thing_moves`` (the append-only hand-overs).
Federation: ``link_codes`` (hashed one-time codes), ``community_links``, ``need_shares`` and
``help_offers``. The downgrade drops them with everything recorded in them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base


revision: str = '0013'
down_revision: str | Sequence[str] | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('community_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inviter_id', sa.Integer(), nullable=False),
    sa.Column('invitee_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'active', 'ended', name='linkstate', native_enum=False, length=16), nullable=False),
    sa.Column('requested_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('inviter_confirmed_by', sa.BigInteger(), nullable=True),
    sa.Column('inviter_confirmed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('invitee_confirmed_by', sa.BigInteger(), nullable=True),
    sa.Column('invitee_confirmed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('activated_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.BigInteger(), nullable=True),
    sa.Column('ended_from', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ended_by'], ['users.id'], name=op.f('fk_community_links_ended_by_users')),
    sa.ForeignKeyConstraint(['ended_from'], ['communities.id'], name=op.f('fk_community_links_ended_from_communities')),
    sa.ForeignKeyConstraint(['invitee_confirmed_by'], ['users.id'], name=op.f('fk_community_links_invitee_confirmed_by_users')),
    sa.ForeignKeyConstraint(['invitee_id'], ['communities.id'], name=op.f('fk_community_links_invitee_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inviter_confirmed_by'], ['users.id'], name=op.f('fk_community_links_inviter_confirmed_by_users')),
    sa.ForeignKeyConstraint(['inviter_id'], ['communities.id'], name=op.f('fk_community_links_inviter_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_links'))
    )
    with op.batch_alter_table('community_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_links_invitee_id'), ['invitee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_links_inviter_id'), ['inviter_id'], unique=False)

    op.create_table('link_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Enum('active', 'used', 'replaced', name='codestate', native_enum=False, length=16), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_link_codes_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_link_codes_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_link_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_link_codes_code_hash'))
    )
    with op.batch_alter_table('link_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_codes_community_id'), ['community_id'], unique=False)

    op.create_table('things',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('in_store', sa.Integer(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_things_added_by_users')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_things_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_things')),
    sa.UniqueConstraint('community_id', 'number', name=op.f('uq_things_community_id')),
    sa.UniqueConstraint('key', 'community_id', name=op.f('uq_things_key'))
    )
    op.create_table('need_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('shared_by', sa.BigInteger(), nullable=False),
    sa.Column('shared_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['community_links.id'], name=op.f('fk_need_shares_link_id_community_links'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_need_shares_need_id_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shared_by'], ['users.id'], name=op.f('fk_need_shares_shared_by_users')),
    sa.ForeignKeyConstraint(['target_id'], ['communities.id'], name=op.f('fk_need_shares_target_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_shares')),
    sa.UniqueConstraint('need_id', 'link_id', name=op.f('uq_need_shares_need_id'))
    )
    with op.batch_alter_table('need_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_need_shares_target_id'), ['target_id'], unique=False)

    op.create_table('thing_holdings',
    sa.Column('thing_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('since', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thing_id'], ['things.id'], name=op.f('fk_thing_holdings_thing_id_things'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_thing_holdings_user_id_users')),
    sa.PrimaryKeyConstraint('thing_id', 'user_id', name=op.f('pk_thing_holdings'))
    )
    with op.batch_alter_table('thing_holdings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thing_holdings_user_id'), ['user_id'], unique=False)

    op.create_table('help_offers',
    sa.Column('share_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('offered_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['share_id'], ['need_shares.id'], name=op.f('fk_help_offers_share_id_need_shares'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_help_offers_user_id_users')),
    sa.PrimaryKeyConstraint('share_id', 'user_id', name=op.f('pk_help_offers'))
    )
    op.create_table('thing_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thing_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('added', 'lent', 'returned', 'given', name='movekind', native_enum=False, length=16), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sa.BigInteger(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('from_user_id', sa.BigInteger(), nullable=True),
    sa.Column('to_user_id', sa.BigInteger(), nullable=True),
    sa.Column('plan_item_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_thing_moves_from_user_id_users')),
    sa.ForeignKeyConstraint(['plan_item_id'], ['plan_items.id'], name=op.f('fk_thing_moves_plan_item_id_plan_items')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_thing_moves_recorded_by_users')),
    sa.ForeignKeyConstraint(['thing_id'], ['things.id'], name=op.f('fk_thing_moves_thing_id_things'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_thing_moves_to_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thing_moves'))
    )
    with op.batch_alter_table('thing_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thing_moves_thing_id'), ['thing_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('thing_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thing_moves_thing_id'))

    op.drop_table('thing_moves')
    op.drop_table('help_offers')
    with op.batch_alter_table('thing_holdings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thing_holdings_user_id'))

    op.drop_table('thing_holdings')
    with op.batch_alter_table('need_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_need_shares_target_id'))

    op.drop_table('need_shares')
    op.drop_table('things')
    with op.batch_alter_table('link_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_codes_community_id'))

    op.drop_table('link_codes')
    with op.batch_alter_table('community_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_links_inviter_id'))
        batch_op.drop_index(batch_op.f('ix_community_links_invitee_id'))

    op.drop_table('community_links')
