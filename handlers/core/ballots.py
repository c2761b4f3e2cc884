"""The secret ballot box of one poll: who voted is kept apart from what they voted.

Any feature that puts a question to members (polls, elections, recall votes)
stores its ballots here and knows nothing of the tables; this module knows
nothing of features. The guarantee, and what it does not cover, is in the
README ("Secret ballots: what is guaranteed").

- While a poll is open, a ballot is found by its token, HMAC-SHA256 of the
  voter's id under the poll's ``ballot_key``. That is what lets a member see
  and change their own vote, and it is also why, while the poll is open,
  whoever holds the database *and* the key can link members to ballots.
- ``seal()`` erases the key and re-writes every ballot with a random token,
  in the order of their choices, in the closing transaction: afterwards no
  stored value, row order or writing transaction leads from a ballot back to
  a member, and nothing can recompute the tokens.
- ``poll_participation`` holds who has a ballot, for turnout and reminders.
  It changes in the same statement sequence as the ballot, under the same
  row lock, so it is always exactly the set of members with a ballot.

Concurrency is the one of a ballot row: every press locks the voter's
ballot row (``FOR UPDATE``), a first press inserts it with ``ON CONFLICT DO
NOTHING`` and retries on top of a concurrent insert. The caller holds the
poll row locked (shared by voters, exclusively by the close), so no press
lands in a sealed box. Totals stay exact with any number of concurrent
presses, on PostgreSQL as on SQLite.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.choices import Choice, decode_choice, encode_choice
from models import Participation, Poll, SecretBallot

__all__ = ["BallotBox", "Choice", "SealedBox", "ballot_token"]

KEY_BYTES = 32
MARK_ATTEMPTS = 3


class SealedBox(RuntimeError):
    """The box has no key (its poll is closed): no ballot can be found or marked any more."""

    def __init__(self, poll: Poll) -> None:
        super().__init__(f"the ballot box of poll {poll.id} is sealed")
        self.poll = poll


def ballot_token(key: bytes, user_id: int) -> str:
    """The token of ``user_id``'s ballot under ``key``: 64 hex digits, useless without the key."""
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()


class BallotBox:
    """The ballots of ``poll``; the caller has locked the poll row and owns the transaction."""

    def __init__(self, session: AsyncSession, poll: Poll) -> None:
        self.session = session
        self.poll = poll

    @staticmethod
    def new_key() -> bytes:
        """A fresh key for a poll that opens: set it as ``poll.ballot_key``."""
        return os.urandom(KEY_BYTES)

    @property
    def sealed(self) -> bool:
        return self.poll.ballot_key is None

    def _token(self, user_id: int) -> str:
        key = self.poll.ballot_key
        if key is None:
            raise SealedBox(self.poll)
        return ballot_token(key, user_id)

    def _ballot(self, token: str) -> ColumnElement[bool]:
        return (SecretBallot.poll_id == self.poll.id) & (SecretBallot.token == token)

    async def mine(self, user_id: int) -> Choice | None:
        """``user_id``'s current choice, None without a ballot; raises SealedBox once closed."""
        stored = await self.session.scalar(
            select(SecretBallot.choice).where(self._ballot(self._token(user_id)))
        )
        return None if stored is None else decode_choice(stored)

    async def mark(
        self, user_id: int, change: Callable[[Choice | None], Choice | None]
    ) -> tuple[Choice | None, Choice | None]:
        """Apply one press: the ballot becomes ``change(current)``, None withdraws it.

        Returns (before, after). ``change`` may be called more than once (when
        a concurrent first press by the same member wins the insert), always
        with the ballot as it then is, so it must be a pure function of it.
        """
        token = self._token(user_id)
        mine = self._ballot(token)
        for _attempt in range(MARK_ATTEMPTS):
            stored = await self.session.scalar(
                select(SecretBallot.choice).where(mine).with_for_update()
            )
            before = None if stored is None else decode_choice(stored)
            after = change(before)
            if after == before:
                return before, after
            if before is None:
                assert after is not None
                created = await self.session.scalar(
                    self._insert_ignoring_conflict(
                        SecretBallot,
                        {"poll_id": self.poll.id, "token": token, "choice": encode_choice(after)},
                    ).returning(SecretBallot.poll_id)
                )
                if created is None:
                    continue  # a concurrent press created the row first: apply ours on top of it
                await self.session.execute(
                    self._insert_ignoring_conflict(
                        Participation, {"poll_id": self.poll.id, "user_id": user_id}
                    )
                )
            elif after is None:
                await self.session.execute(delete(SecretBallot).where(mine))
                await self.session.execute(
                    delete(Participation).where(
                        Participation.poll_id == self.poll.id, Participation.user_id == user_id
                    )
                )
            else:
                await self.session.execute(
                    update(SecretBallot).where(mine).values(choice=encode_choice(after))
                )
            return before, after
        raise RuntimeError(f"a ballot in poll {self.poll.id} kept changing under us")

    def _insert_ignoring_conflict(
        self, table: type[SecretBallot] | type[Participation], values: dict[str, Any]
    ) -> Any:
        dialect = self.session.get_bind().dialect.name
        statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(values)
        return statement.on_conflict_do_nothing()

    async def totals(self) -> list[tuple[Choice, int]]:
        """Every distinct choice with how many ballots say exactly it; works sealed too."""
        rows = await self.session.execute(
            select(SecretBallot.choice, func.count())
            .where(SecretBallot.poll_id == self.poll.id)
            .group_by(SecretBallot.choice)
        )
        return [(decode_choice(choice), int(n)) for choice, n in rows]

    async def count(self) -> int:
        """How many ballots are in the box."""
        found = await self.session.scalar(
            select(func.count())
            .select_from(SecretBallot)
            .where(SecretBallot.poll_id == self.poll.id)
        )
        return int(found or 0)

    def has_voted(self, user_id_column: Any) -> ColumnElement[bool]:
        """SQL truth of "this member has a ballot", for queries such as who to remind."""
        return exists().where(
            Participation.poll_id == self.poll.id, Participation.user_id == user_id_column
        )

    async def choices_of(self, user_ids: Iterable[int]) -> dict[int, Choice]:
        """The choices of those of ``user_ids`` who voted: for telling each their vote at the close.

        Read them before ``seal()``; afterwards this raises SealedBox.
        """
        by_token = {self._token(user_id): user_id for user_id in user_ids}
        if not by_token:
            return {}
        rows = await self.session.execute(
            select(SecretBallot.token, SecretBallot.choice).where(
                SecretBallot.poll_id == self.poll.id, SecretBallot.token.in_(list(by_token))
            )
        )
        return {by_token[token]: decode_choice(choice) for token, choice in rows}

    async def seal(self) -> None:
        """Close the box for good: erase the key, then re-write every ballot anonymously.

        Erasing the key alone would leave each ballot row as it was cast: on
        PostgreSQL its ``xmin`` is the transaction that also wrote the
        voter's participation row, and physical row order follows the order
        of voting. Re-written in this transaction with random tokens, sorted
        by choice, the rows tell nothing beyond the totals.
        """
        self.poll.ballot_key = None
        await self.session.flush()
        ballots = SecretBallot.poll_id == self.poll.id
        cast = sorted(await self.session.scalars(select(SecretBallot.choice).where(ballots)))
        if not cast:
            return
        await self.session.execute(delete(SecretBallot).where(ballots))
        await self.session.execute(
            insert(SecretBallot),
            [
                {"poll_id": self.poll.id, "token": secrets.token_hex(KEY_BYTES), "choice": c}
                for c in cast
            ],
        )
