"""several posted messages per key: every copy of a private ballot

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posted_messages") as batch:
        batch.drop_constraint("uq_posted_messages_chat_id", type_="unique")
        batch.create_index("ix_posted_messages_key_chat_id", ["key", "chat_id"])


def downgrade() -> None:
    # Back to one message per key: keep the newest copy of each.
    posted = sa.table("posted_messages", sa.column("id"), sa.column("chat_id"), sa.column("key"))
    newest = (
        sa.select(sa.func.max(posted.c.id)).group_by(posted.c.chat_id, posted.c.key).scalar_subquery()
    )
    op.execute(posted.delete().where(posted.c.id.not_in(newest)))
    with op.batch_alter_table("posted_messages") as batch:
        batch.drop_index("ix_posted_messages_key_chat_id")
        batch.create_unique_constraint("uq_posted_messages_chat_id", ["chat_id", "key"])
