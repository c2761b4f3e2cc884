"""poll kinds: consent block reasons, meeting-slot answers, hidden and keep-open polls

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 04:18:10.915581

- ``poll_block_reasons``: a consent poll's blocks by ballot token (no member id, no
  timestamp, WITHOUT ROWID on SQLite), as secret as the ballots they belong to.
- ``poll_slot_answers``: meeting polls are open, so each answer names its member.
- ``polls.hidden``, ``polls.keep_open`` (false for every existing poll) and ``polls.slots``.
- An index on ``posted_messages (chat_id, message_id)``: a reply to a bot message is routed
  by the key of the message it answers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base


revision: str = '0014'
down_revision: str | Sequence[str] | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('poll_block_reasons',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_block_reasons_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('poll_id', 'token', name=op.f('pk_poll_block_reasons')),
    sqlite_with_rowid=False
    )
    op.create_table('poll_slot_answers',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Enum('yes', 'maybe', 'no', name='availability', native_enum=False, length=16), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_slot_answers_poll_id_polls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_poll_slot_answers_user_id_users')),
    sa.PrimaryKeyConstraint('poll_id', 'user_id', 'slot', name=op.f('pk_poll_slot_answers'))
    )
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('keep_open', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('slots', sa.JSON(), nullable=True))

    with op.batch_alter_table('posted_messages', schema=None) as batch_op:
        batch_op.create_index('ix_posted_messages_chat_id_message_id', ['chat_id', 'message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('posted_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_posted_messages_chat_id_message_id')

    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_column('slots')
        batch_op.drop_column('keep_open')
        batch_op.drop_column('hidden')

    op.drop_table('poll_slot_answers')
    op.drop_table('poll_block_reasons')
