"""Per-community numbers (#1, #2 ...) for needs, plan items, problems and polls."""

from __future__ import annotations

import re
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Community
from models.base import Numbered

#: The largest number a row can have (the column is a 32-bit integer).
LARGEST_NUMBER = 2**31 - 1
N = TypeVar("N", bound=Numbered)
_NUMBER = re.compile(r"#?\s*([0-9]{1,100})")  # int() of thousands of digits raises


def parse_number(text: str) -> int | None:
    """The number in ``5``, ``#5`` or ``# 5``, as members write them; ``None`` for anything else."""
    match = _NUMBER.fullmatch(text.strip())
    return int(match[1]) if match else None


async def add_numbered(session: AsyncSession, row: Numbered) -> None:
    """Insert ``row`` with the next number of its kind in its community.

    Locking the community row keeps two bot processes from picking the same
    number on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
    writers. The unique constraint stays as the last word.
    """
    model = type(row)
    await session.execute(
        select(Community.id).where(Community.id == row.community_id).with_for_update(key_share=True)
    )
    top = await session.scalar(
        select(func.max(model.number)).where(model.community_id == row.community_id)
    )
    row.number = (top or 0) + 1
    session.add(row)
    await session.flush()


async def find_numbered(
    session: AsyncSession, model: type[N], community: Community, number: int
) -> N | None:
    """``community``'s row of ``model`` numbered ``number``, locked for the change about to be made."""
    if number > LARGEST_NUMBER:
        return None
    found: N | None = await session.scalar(
        select(model)
        .where(model.community_id == community.id, model.number == number)
        .with_for_update(of=model)
    )
    return found
