"""Things: what the ledger reads from the database and how a move is written back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.things.rules import Stock
from models import Community, MoveKind, Thing, ThingHolding, ThingMove, User


async def thing_by_key(session: AsyncSession, community: Community, key: str) -> Thing | None:
    """The community's thing of that normalised name, locked for the change about to be made."""
    found: Thing | None = await session.scalar(
        select(Thing)
        .where(Thing.community_id == community.id, Thing.key == key)
        .with_for_update(of=Thing)
    )
    return found


async def holdings(session: AsyncSession, thing: Thing) -> dict[int, ThingHolding]:
    """Who holds units of ``thing`` (user id → row), locked with it."""
    rows = await session.scalars(
        select(ThingHolding)
        .where(ThingHolding.thing_id == thing.id)
        .with_for_update(of=ThingHolding)
    )
    return {row.user_id: row for row in rows}


def stock_of(thing: Thing, held: dict[int, ThingHolding]) -> Stock:
    return Stock(thing.in_store, {uid: row.quantity for uid, row in held.items()}, thing.used)


async def move(
    session: AsyncSession,
    thing: Thing,
    held: dict[int, ThingHolding],
    after: Stock,
    kind: MoveKind,
    units: int,
    by: User,
    now: datetime,
    *,
    giver: int | None = None,
    receiver: int | None = None,
    plan_item_id: int | None = None,
) -> None:
    """Record one hand-over (``None`` as giver or receiver is the store) and make the thing's
    counters and holdings say what ``after`` says: one never changes without the other."""
    thing.in_store, thing.used = after.store, after.used
    for user_id in set(held) | set(after.held):
        count = after.holding(user_id)
        row = held.get(user_id)
        if row is None:
            session.add(ThingHolding(thing_id=thing.id, user_id=user_id, quantity=count, since=now))
        elif count == 0:
            await session.delete(row)
        else:
            row.quantity = count
    session.add(
        ThingMove(
            thing_id=thing.id,
            kind=kind,
            quantity=units,
            recorded_by=by.id,
            at=now,
            from_user_id=giver,
            to_user_id=receiver,
            plan_item_id=plan_item_id,
        )
    )
    await session.flush()


async def ledger(
    session: AsyncSession, community: Community
) -> list[tuple[Thing, list[ThingHolding]]]:
    """Every thing by number, each with who holds it (most units first, then longest held)."""
    things = list(
        await session.scalars(
            select(Thing).where(Thing.community_id == community.id).order_by(Thing.number)
        )
    )
    held: dict[int, list[ThingHolding]] = {thing.id: [] for thing in things}
    if things:
        rows = await session.scalars(
            select(ThingHolding)
            .where(ThingHolding.thing_id.in_(list(held)))
            .order_by(ThingHolding.quantity.desc(), ThingHolding.since)
        )
        for row in rows:
            held[row.thing_id].append(row)
    return [(thing, held[thing.id]) for thing in things]
