"""A meeting poll's answers: who can come when, stored openly (these polls are not secret).

Each member has an answer (yes, maybe, no) per slot or none yet; their
ballot counts as cast once every slot has one. The caller holds the poll
row share-locked, as for a vote, so no answer lands after the close.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.tally import SlotCount
from models import Availability, Poll, SlotAnswer, User

Answers = dict[int, Availability]


class SlotAnswers:
    def __init__(self, session: AsyncSession, poll: Poll) -> None:
        self.session = session
        self.poll = poll

    @property
    def slots(self) -> int:
        return len(self.poll.options)

    async def mine(self, user_id: int) -> Answers:
        rows = await self.session.execute(
            select(SlotAnswer.slot, SlotAnswer.answer).where(
                SlotAnswer.poll_id == self.poll.id, SlotAnswer.user_id == user_id
            )
        )
        found: Answers = {}
        for slot, answer in rows:
            found[slot] = answer
        return found

    async def change(
        self, user_id: int, before: Mapping[int, Availability], after: Mapping[int, Availability]
    ) -> None:
        """Write the difference between ``before`` and ``after`` (each slot at most once)."""
        gone = [slot for slot in before if slot not in after]
        if gone:
            await self.session.execute(
                delete(SlotAnswer).where(
                    SlotAnswer.poll_id == self.poll.id,
                    SlotAnswer.user_id == user_id,
                    SlotAnswer.slot.in_(gone),
                )
            )
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        for slot, answer in after.items():
            if before.get(slot) == answer:
                continue
            statement = insert(SlotAnswer).values(
                poll_id=self.poll.id, user_id=user_id, slot=slot, answer=answer
            )
            await self.session.execute(
                statement.on_conflict_do_update(
                    index_elements=["poll_id", "user_id", "slot"], set_={"answer": answer}
                )
            )

    async def counts(self) -> list[SlotCount]:
        rows = await self.session.execute(
            select(SlotAnswer.slot, SlotAnswer.answer, func.count())
            .where(SlotAnswer.poll_id == self.poll.id)
            .group_by(SlotAnswer.slot, SlotAnswer.answer)
        )
        found = {(slot, answer): int(n) for slot, answer, n in rows}
        return [
            SlotCount(
                found.get((slot, Availability.YES), 0),
                found.get((slot, Availability.MAYBE), 0),
                found.get((slot, Availability.NO), 0),
            )
            for slot in range(self.slots)
        ]

    async def complete(self) -> int:
        """How many members have answered every slot: the ballots cast."""
        complete = (
            select(SlotAnswer.user_id)
            .where(SlotAnswer.poll_id == self.poll.id)
            .group_by(SlotAnswer.user_id)
            .having(func.count() == self.slots)
            .subquery()
        )
        found = await self.session.scalar(select(func.count()).select_from(complete))
        return int(found or 0)

    async def names(self, slot: int, answer: Availability) -> list[str]:
        """Who gave ``answer`` for ``slot``, by name."""
        found = await self.session.scalars(
            select(User.display_name)
            .join(SlotAnswer, SlotAnswer.user_id == User.id)
            .where(
                SlotAnswer.poll_id == self.poll.id,
                SlotAnswer.slot == slot,
                SlotAnswer.answer == answer,
            )
            .order_by(User.display_name, User.id)
        )
        return list(found)

    async def of(self, user_ids: Iterable[int]) -> dict[int, Answers]:
        """The answers of each of ``user_ids`` (for their private ballots at the close)."""
        wanted = list(user_ids)
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(SlotAnswer.user_id, SlotAnswer.slot, SlotAnswer.answer).where(
                SlotAnswer.poll_id == self.poll.id, SlotAnswer.user_id.in_(wanted)
            )
        )
        found: dict[int, Answers] = {}
        for user_id, slot, answer in rows:
            found.setdefault(user_id, {})[slot] = answer
        return found
