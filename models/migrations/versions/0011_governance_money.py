"""governance and money: roles, terms, elections, petitions, rules; the fund, costs, budgets

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 04:16:10.966047

New tables, and one change: ``polls.creator_id`` may be empty, for polls the
bot opens itself (a job's election vote, a rule petition's poll) that nobody
may close early. The downgrade puts NOT NULL back and so fails while such a
poll exists.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base


revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('budgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('opened_by', sa.BigInteger(), nullable=False),
    sa.Column('opened_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('electorate', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_budgets_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by'], ['users.id'], name=op.f('fk_budgets_opened_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budgets')),
    sa.UniqueConstraint('community_id', 'number', name=op.f('uq_budgets_community_id'))
    )
    op.create_table('rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('repealed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_rules_community_id_communities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules')),
    sa.UniqueConstraint('community_id', 'number', name=op.f('uq_rules_community_id'))
    )
    op.create_table('budget_voters',
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_budget_voters_budget_id_budgets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_budget_voters_user_id_users')),
    sa.PrimaryKeyConstraint('budget_id', 'user_id', name=op.f('pk_budget_voters'))
    )
    op.create_table('roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('term_days', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'active', 'rejected', name='rolestatus', native_enum=False, length=16), nullable=False),
    sa.Column('proposed_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_roles_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_roles_poll_id_polls')),
    sa.ForeignKeyConstraint(['proposed_by'], ['users.id'], name=op.f('fk_roles_proposed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roles')),
    sa.UniqueConstraint('community_id', 'number', name=op.f('uq_roles_community_id'))
    )
    op.create_table('budget_picks',
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('plan_item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_budget_picks_budget_id_budgets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_item_id'], ['plan_items.id'], name=op.f('fk_budget_picks_plan_item_id_plan_items')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_budget_picks_user_id_users')),
    sa.PrimaryKeyConstraint('budget_id', 'user_id', 'plan_item_id', name=op.f('pk_budget_picks'))
    )
    with op.batch_alter_table('budget_picks', schema=None) as batch_op:
        batch_op.create_index('ix_budget_picks_budget_id_item', ['budget_id', 'plan_item_id'], unique=False)

    op.create_table('elections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('phase', sa.Enum('nominating', 'voting', 'done', 'failed', name='electionphase', native_enum=False, length=16), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('opened_by', sa.BigInteger(), nullable=True),
    sa.Column('opened_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('nominations_close_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('vote_hours', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_elections_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_elections_poll_id_polls')),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_elections_role_id_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elections')),
    sa.UniqueConstraint('community_id', 'number', name=op.f('uq_elections_community_id'))
    )
    with op.batch_alter_table('elections', schema=None) as batch_op:
        batch_op.create_index('ix_elections_role_id', ['role_id'], unique=False)

    op.create_table('fund_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('in', 'out', 'reversal', 'commitment', name='entrykind', native_enum=False, length=16), nullable=False),
    sa.Column('state', sa.Enum('recorded', 'pending', 'rejected', name='entrystate', native_enum=False, length=16), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.BigInteger(), nullable=True),
    sa.Column('recorded_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('poll_id', sa.Integer(), nullable=True),
    sa.Column('plan_item_id', sa.Integer(), nullable=True),
    sa.Column('budget_id', sa.Integer(), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['budget_id'], ['budgets.id'], name=op.f('fk_fund_entries_budget_id_budgets')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_fund_entries_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_item_id'], ['plan_items.id'], name=op.f('fk_fund_entries_plan_item_id_plan_items')),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_fund_entries_poll_id_polls')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_fund_entries_recorded_by_users')),
    sa.ForeignKeyConstraint(['reverses_id'], ['fund_entries.id'], name=op.f('fk_fund_entries_reverses_id_fund_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_entries')),
    sa.UniqueConstraint('community_id', 'number', name=op.f('uq_fund_entries_community_id')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_fund_entries_reverses_id'))
    )
    op.create_table('plan_costs',
    sa.Column('plan_item_id', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('set_by', sa.BigInteger(), nullable=False),
    sa.Column('set_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('funded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['funded_by'], ['budgets.id'], name=op.f('fk_plan_costs_funded_by_budgets')),
    sa.ForeignKeyConstraint(['plan_item_id'], ['plan_items.id'], name=op.f('fk_plan_costs_plan_item_id_plan_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by'], ['users.id'], name=op.f('fk_plan_costs_set_by_users')),
    sa.PrimaryKeyConstraint('plan_item_id', name=op.f('pk_plan_costs'))
    )
    op.create_table('nominations',
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('nominated_by', sa.BigInteger(), nullable=False),
    sa.Column('nominated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], name=op.f('fk_nominations_election_id_elections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['nominated_by'], ['users.id'], name=op.f('fk_nominations_nominated_by_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_nominations_user_id_users')),
    sa.PrimaryKeyConstraint('election_id', 'user_id', name=op.f('pk_nominations'))
    )
    op.create_table('terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('started_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.Enum('expired', 'resigned', 'recalled', 'left', name='termend', native_enum=False, length=16), nullable=True),
    sa.Column('election_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], name=op.f('fk_terms_election_id_elections')),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_terms_role_id_roles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_terms_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms'))
    )
    with op.batch_alter_table('terms', schema=None) as batch_op:
        batch_op.create_index('ix_terms_role_id_user_id', ['role_id', 'user_id'], unique=False)

    op.create_table('petitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('recall', 'rule', 'amend', 'repeal', name='petitionkind', native_enum=False, length=16), nullable=False),
    sa.Column('state', sa.Enum('open', 'voting', 'passed', 'failed', 'expired', name='petitionstate', native_enum=False, length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=False),
    sa.Column('opened_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('electorate', sa.Integer(), nullable=False),
    sa.Column('notices', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=True),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('poll_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_petitions_author_id_users')),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_petitions_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_petitions_poll_id_polls')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_petitions_rule_id_rules')),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_petitions_term_id_terms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petitions')),
    sa.UniqueConstraint('community_id', 'number', name=op.f('uq_petitions_community_id'))
    )
    op.create_table('petition_signers',
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petition_signers_petition_id_petitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_petition_signers_user_id_users')),
    sa.PrimaryKeyConstraint('petition_id', 'user_id', name=op.f('pk_petition_signers'))
    )
    op.create_table('rule_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('recall', 'rule', 'amend', 'repeal', name='petitionkind', native_enum=False, length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('adopted_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=True),
    sa.Column('poll_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_rule_versions_petition_id_petitions')),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_rule_versions_poll_id_polls')),
    sa.ForeignKeyConstraint(['rule_id'], ['rules.id'], name=op.f('fk_rule_versions_rule_id_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_versions')),
    sa.UniqueConstraint('rule_id', 'version', name=op.f('uq_rule_versions_rule_id'))
    )
    op.create_table('signatures',
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('signed_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_signatures_petition_id_petitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_signatures_user_id_users')),
    sa.PrimaryKeyConstraint('petition_id', 'user_id', name=op.f('pk_signatures'))
    )
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.alter_column('creator_id',
               existing_type=sa.BIGINT(),
               nullable=True)



def downgrade() -> None:
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.alter_column('creator_id',
               existing_type=sa.BIGINT(),
               nullable=False)

    op.drop_table('signatures')
    op.drop_table('rule_versions')
    op.drop_table('petition_signers')
    op.drop_table('petitions')
    with op.batch_alter_table('terms', schema=None) as batch_op:
        batch_op.drop_index('ix_terms_role_id_user_id')

    op.drop_table('terms')
    op.drop_table('nominations')
    op.drop_table('plan_costs')
    op.drop_table('fund_entries')
    with op.batch_alter_table('elections', schema=None) as batch_op:
        batch_op.drop_index('ix_elections_role_id')

    op.drop_table('elections')
    with op.batch_alter_table('budget_picks', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_picks_budget_id_item')

    op.drop_table('budget_picks')
    op.drop_table('roles')
    op.drop_table('budget_voters')
    op.drop_table('rules')
    op.drop_table('budgets')
