"""secret ballots: participation and ballots apart, tokens under a per-poll key

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 11:00:00.000000

Upgrade moves every ballot. An open poll gets its key now and each ballot the
token of its voter under it, so voters still find and change their ballot.
A closed poll keeps no key: its ballots get random tokens, which unlinks
them from their voters for good (totals stay the same). Digit strings
("013") become comma-separated indices ("0,1,3").

Downgrade brings back one row per voter for open polls, whose key still
links ballots to voters (cast_at, which is no longer kept, becomes the
poll's opening time). Ballots of closed polls cannot be given back to
anyone, and inventing owners would forge votes, so they are dropped: their
published count stays in ``polls.result``. A ballot that marks an option
past the tenth cannot be written as digits, so downgrade refuses it.
"""

import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base


revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

polls = sa.table(
    "polls",
    sa.column("id", sa.Integer()),
    sa.column("opened_at", models.base.UTCDateTime()),
    sa.column("closed_at", models.base.UTCDateTime()),
    sa.column("ballot_key", sa.LargeBinary()),
)
old_ballots = sa.table(
    "poll_ballots",
    sa.column("poll_id", sa.Integer()),
    sa.column("user_id", sa.BigInteger()),
    sa.column("choice", sa.String(10)),
    sa.column("cast_at", models.base.UTCDateTime()),
)


def _token(key: bytes, user_id: int) -> str:
    """As handlers.core.ballots.ballot_token, frozen here as this migration wrote it."""
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()


def _create_new_tables() -> None:
    op.create_table(
        "poll_ballots",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("choice", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name=op.f("fk_poll_ballots_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", "token", name=op.f("pk_poll_ballots")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "poll_participation",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name=op.f("fk_poll_participation_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_poll_participation_user_id_users")
        ),
        sa.PrimaryKeyConstraint("poll_id", "user_id", name=op.f("pk_poll_participation")),
        sqlite_with_rowid=False,
    )


def _create_old_table() -> None:
    op.create_table(
        "poll_ballots",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.Column("cast_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name=op.f("fk_poll_ballots_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_poll_ballots_user_id_users")
        ),
        sa.PrimaryKeyConstraint("poll_id", "user_id", name=op.f("pk_poll_ballots")),
    )


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("polls") as batch:
        batch.add_column(sa.Column("ballot_key", sa.LargeBinary(), nullable=True))
    open_ids = set(bind.scalars(sa.select(polls.c.id).where(polls.c.closed_at.is_(None))))
    keys = {poll_id: os.urandom(32) for poll_id in sorted(open_ids)}
    for poll_id, key in keys.items():
        bind.execute(polls.update().where(polls.c.id == poll_id).values(ballot_key=key))
    cast = bind.execute(
        sa.select(old_ballots.c.poll_id, old_ballots.c.user_id, old_ballots.c.choice)
    ).all()
    op.drop_table("poll_ballots")
    _create_new_tables()

    def token(poll_id: int, user_id: int) -> str:
        key = keys.get(poll_id)
        return secrets.token_hex(32) if key is None else _token(key, user_id)

    # Written in key order, not in the order the old table kept (the order of voting).
    ballots = sorted(
        ({"poll_id": p, "token": token(p, u), "choice": ",".join(c)} for p, u, c in cast),
        key=lambda row: (row["poll_id"], row["token"]),
    )
    if ballots:
        op.bulk_insert(sa.table("poll_ballots", *(sa.column(n) for n in ballots[0])), ballots)
        op.bulk_insert(
            sa.table("poll_participation", sa.column("poll_id"), sa.column("user_id")),
            [{"poll_id": p, "user_id": u} for p, u, _ in sorted(cast)],
        )


def downgrade() -> None:
    bind = op.get_bind()
    open_polls = bind.execute(
        sa.select(polls.c.id, polls.c.opened_at, polls.c.ballot_key).where(
            polls.c.closed_at.is_(None), polls.c.ballot_key.is_not(None)
        )
    ).all()
    participation = sa.table("poll_participation", sa.column("poll_id"), sa.column("user_id"))
    new_ballots = sa.table(
        "poll_ballots", sa.column("poll_id"), sa.column("token"), sa.column("choice")
    )
    rows = []
    for poll_id, opened_at, key in open_polls:
        choices = dict(
            bind.execute(
                sa.select(new_ballots.c.token, new_ballots.c.choice).where(
                    new_ballots.c.poll_id == poll_id
                )
            ).all()
        )
        voters = bind.scalars(
            sa.select(participation.c.user_id).where(participation.c.poll_id == poll_id)
        )
        for user_id in voters:
            choice = choices.get(_token(bytes(key), user_id))
            if choice is None:
                continue
            indices = choice.split(",")
            if any(len(i) > 1 for i in indices):
                raise RuntimeError(
                    f"poll {poll_id} has a ballot for an option past the tenth ({choice}); "
                    "the old schema cannot hold it"
                )
            rows.append(
                {
                    "poll_id": poll_id,
                    "user_id": user_id,
                    "choice": "".join(indices),
                    "cast_at": opened_at,
                }
            )
    op.drop_table("poll_participation")
    op.drop_table("poll_ballots")
    _create_old_table()
    if rows:
        op.bulk_insert(old_ballots, rows)
    if bind.dialect.name == "sqlite":
        # Native since SQLite 3.35; a batch copy of polls would cascade into its children.
        op.execute("ALTER TABLE polls DROP COLUMN ballot_key")
    else:
        op.drop_column("polls", "ballot_key")
