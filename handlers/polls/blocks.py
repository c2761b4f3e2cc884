"""A consent poll's blocks and their reasons, kept as secret as the ballots they belong to.

A block counts only with a reason. Pressing Block records that the voter
owes one (a row whose ``reason`` is empty); the reason, given by /block,
by replying to the poll's message or to the bot's private question, makes
the ballot a block. Rows are found by the voter's ballot token (see
``handlers.core.ballots``): no member id, no timestamp, no row order, so
while the poll is open they are exactly as secret as the ballots, and at
the close they are deleted once the result has published the reasons,
sorted, without names. This module is the one place that reads or writes
``poll_block_reasons``; its caller holds the poll row locked, as for the ballots.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.ballots import SealedBox, ballot_token
from models import BlockReason, Poll

#: The longest reason kept; a block is a short objection, and every reason goes in the result.
REASON_CHARS = 300


class BlockReasons:
    """The blocks of ``poll``, a consent poll that is open (its ballot key is set)."""

    def __init__(self, session: AsyncSession, poll: Poll) -> None:
        self.session = session
        self.poll = poll

    def _mine(self, user_id: int) -> ColumnElement[bool]:
        key = self.poll.ballot_key
        if key is None:
            raise SealedBox(self.poll)
        token = ballot_token(key, user_id)
        return (BlockReason.poll_id == self.poll.id) & (BlockReason.token == token)

    async def awaits_reason(self, user_id: int) -> bool:
        """Whether ``user_id`` pressed Block and has not yet said why."""
        found = await self.session.scalar(
            select(func.count())
            .select_from(BlockReason)
            .where(self._mine(user_id), BlockReason.reason.is_(None))
        )
        return bool(found)

    async def await_reason(self, user_id: int) -> None:
        await self._put(user_id, None)

    async def give(self, user_id: int, reason: str) -> None:
        """``user_id``'s ballot is now a block (the caller marks it) for ``reason``."""
        await self._put(user_id, reason[:REASON_CHARS])

    async def drop(self, user_id: int) -> None:
        """No block of ``user_id`` any more, given or awaited."""
        await self.session.execute(delete(BlockReason).where(self._mine(user_id)))

    async def _put(self, user_id: int, reason: str | None) -> None:
        key = self.poll.ballot_key
        if key is None:
            raise SealedBox(self.poll)
        values: dict[str, Any] = {
            "poll_id": self.poll.id,
            "token": ballot_token(key, user_id),
            "reason": reason,
        }
        dialect = self.session.get_bind().dialect.name
        statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(BlockReason)
        await self.session.execute(
            statement.values(values).on_conflict_do_update(
                index_elements=["poll_id", "token"], set_={"reason": reason}
            )
        )

    async def reasons(self) -> list[str]:
        """Every reason given, sorted: in no order that could say whose it is."""
        found = await self.session.scalars(
            select(BlockReason.reason).where(
                BlockReason.poll_id == self.poll.id, BlockReason.reason.is_not(None)
            )
        )
        return sorted(reason for reason in found if reason is not None)

    async def awaiting(self) -> int:
        """How many blocks were pressed and never given a reason."""
        found = await self.session.scalar(
            select(func.count())
            .select_from(BlockReason)
            .where(BlockReason.poll_id == self.poll.id, BlockReason.reason.is_(None))
        )
        return int(found or 0)

    async def clear(self) -> None:
        """At the close, after the result has the reasons: nothing of the blocks stays."""
        await self.session.execute(delete(BlockReason).where(BlockReason.poll_id == self.poll.id))
