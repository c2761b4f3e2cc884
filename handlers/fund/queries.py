"""What the fund reads from the database: entries as the rules see them, the running round,
costs, and the names and numbers an entry's line shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import settings
from handlers.fund import rules
from models import (
    Budget,
    BudgetPick,
    BudgetVoter,
    Community,
    FundEntry,
    Member,
    PlanCost,
    PlanItem,
    PlanStatus,
    Poll,
    User,
)


async def lock_fund(session: AsyncSession, community: Community) -> None:
    """Serialise every change of ``community``'s money (the same lock numbering takes).

    What an out may take depends on every entry and the running round; two
    bot processes deciding at once on PostgreSQL could both spend the same
    free money without it. SQLite's BEGIN IMMEDIATE already serialises.
    """
    await session.execute(
        select(Community.id).where(Community.id == community.id).with_for_update(key_share=True)
    )


def movement(entry: FundEntry) -> rules.Movement:
    return rules.Movement(
        id=entry.id,
        kind=str(entry.kind),
        state=str(entry.state),
        amount=entry.amount_minor,
        reverses=entry.reverses_id,
        plan_item=entry.plan_item_id,
    )


async def entries(session: AsyncSession, community: Community) -> list[FundEntry]:
    """Every entry of the fund, oldest first."""
    found = await session.scalars(
        select(FundEntry).where(FundEntry.community_id == community.id).order_by(FundEntry.number)
    )
    return list(found)


async def done_items(session: AsyncSession, community: Community) -> frozenset[int]:
    found = await session.scalars(
        select(PlanItem.id).where(
            PlanItem.community_id == community.id, PlanItem.status == PlanStatus.DONE
        )
    )
    return frozenset(found)


async def running_budget(
    session: AsyncSession, community: Community, *, lock: bool = False
) -> Budget | None:
    """The round still open in ``community`` (there is one at most), locked when asked."""
    query = select(Budget).where(Budget.community_id == community.id, Budget.closed_at.is_(None))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found: Budget | None = await session.scalar(query)
    return found


@dataclass(frozen=True, slots=True)
class Fund:
    """The fund's entries and where it stands, read together."""

    entries: list[FundEntry]
    movements: list[rules.Movement]
    done: frozenset[int]
    standing: rules.Standing
    budget: Budget | None

    def promised(self, plan_item_id: int | None) -> int:
        """What is left of budgets' commitments to ``plan_item_id``."""
        if plan_item_id is None:
            return 0
        return rules.commitments_left(self.movements, self.done).get(plan_item_id, 0)


async def read_fund(session: AsyncSession, community: Community) -> Fund:
    rows = await entries(session, community)
    movements = [movement(entry) for entry in rows]
    done = await done_items(session, community)
    budget = await running_budget(session, community)
    held = budget.amount_minor if budget is not None else 0
    return Fund(
        rows, movements, done, rules.standing(movements, done_items=done, held=held), budget
    )


@dataclass(frozen=True, slots=True)
class Names:
    """What entry lines name besides the entry: people, polls, plan items, rounds, entries."""

    users: dict[int, str]
    polls: dict[int, int]
    items: dict[int, tuple[int, str]]
    budgets: dict[int, int]
    entries: dict[int, int]


async def _pairs(session: AsyncSession, key: Any, value: Any, ids: set[int]) -> dict[Any, Any]:
    if not ids:
        return {}
    rows = await session.execute(select(key, value).where(key.in_(ids)))
    return dict(rows.all())


async def names(session: AsyncSession, rows: Iterable[FundEntry]) -> Names:
    rows = list(rows)
    items: dict[int, tuple[int, str]] = {}
    item_ids = {r.plan_item_id for r in rows if r.plan_item_id is not None}
    if item_ids:
        found = await session.execute(
            select(PlanItem.id, PlanItem.number, PlanItem.title).where(PlanItem.id.in_(item_ids))
        )
        items = {item_id: (number, title) for item_id, number, title in found}
    return Names(
        users=await _pairs(
            session, User.id, User.display_name, {r.recorded_by for r in rows if r.recorded_by}
        ),
        polls=await _pairs(session, Poll.id, Poll.number, {r.poll_id for r in rows if r.poll_id}),
        items=items,
        budgets=await _pairs(
            session, Budget.id, Budget.number, {r.budget_id for r in rows if r.budget_id}
        ),
        entries={r.id: r.number for r in rows},
    )


async def currencies_kept(session: AsyncSession, community: Community) -> set[str]:
    """The currencies amounts of ``community`` are kept in: its entries, costs and rounds."""
    found: set[str] = set()
    for model in (FundEntry, Budget):
        found.update(
            await session.scalars(
                select(model.currency).where(model.community_id == community.id).distinct()
            )
        )
    found.update(
        await session.scalars(
            select(PlanCost.currency)
            .join(PlanItem, PlanItem.id == PlanCost.plan_item_id)
            .where(PlanItem.community_id == community.id)
            .distinct()
        )
    )
    return found


async def costed_open_items(
    session: AsyncSession, community: Community
) -> list[tuple[PlanItem, PlanCost]]:
    """Open plan items that carry a cost and no round has funded yet, oldest first."""
    rows = await session.execute(
        select(PlanItem, PlanCost)
        .join(PlanCost, PlanCost.plan_item_id == PlanItem.id)
        .where(
            PlanItem.community_id == community.id,
            PlanItem.status != PlanStatus.DONE,
            PlanCost.funded_by.is_(None),
        )
        .order_by(PlanItem.number)
    )
    return [(item, cost) for item, cost in rows]


async def plan_items(session: AsyncSession, ids: Iterable[int]) -> dict[int, PlanItem]:
    ids = list(ids)
    if not ids:
        return {}
    found = await session.scalars(select(PlanItem).where(PlanItem.id.in_(ids)))
    return {item.id: item for item in found}


async def enrol(session: AsyncSession, budget: Budget, community: Community) -> int:
    """Fix who may take part in ``budget``: the roster now, less those who joined within
    ``member_days``; returns how many."""
    cutoff = settings.joined_by(community, budget.opened_at)
    members = await session.scalars(
        select(Member.user_id).where(
            Member.community_id == community.id,
            Member.left_at.is_(None),
            Member.joined_at <= cutoff,
        )
    )
    voters = [BudgetVoter(budget_id=budget.id, user_id=user_id) for user_id in members]
    session.add_all(voters)
    await session.flush()
    return len(voters)


async def may_pick(session: AsyncSession, budget: Budget, user_id: int) -> tuple[bool, bool]:
    """(on the roster now, on the round's electorate); the voter's row is locked, so one
    voter's presses are applied one after the other."""
    row = (
        await session.execute(
            select(Member.left_at, BudgetVoter.user_id)
            .select_from(Member)
            .outerjoin(
                BudgetVoter,
                (BudgetVoter.budget_id == budget.id) & (BudgetVoter.user_id == Member.user_id),
            )
            .where(Member.community_id == budget.community_id, Member.user_id == user_id)
        )
    ).first()
    if row is None or row.left_at is not None:
        return False, False
    if row.user_id is None:
        return True, False
    await session.execute(
        select(BudgetVoter.user_id)
        .where(BudgetVoter.budget_id == budget.id, BudgetVoter.user_id == user_id)
        .with_for_update()
    )
    return True, True


async def picks_of(session: AsyncSession, budget: Budget, user_id: int) -> frozenset[int]:
    found = await session.scalars(
        select(BudgetPick.plan_item_id).where(
            BudgetPick.budget_id == budget.id, BudgetPick.user_id == user_id
        )
    )
    return frozenset(found)


async def ballots_cast(session: AsyncSession, budget: Budget) -> int:
    """How many voters have picked at least one item."""
    found = await session.scalar(
        select(func.count(func.distinct(BudgetPick.user_id))).where(
            BudgetPick.budget_id == budget.id
        )
    )
    return int(found or 0)


async def support(session: AsyncSession, budget: Budget) -> dict[int, int]:
    rows = await session.execute(
        select(BudgetPick.plan_item_id, func.count())
        .where(BudgetPick.budget_id == budget.id)
        .group_by(BudgetPick.plan_item_id)
    )
    return dict(rows.all())


async def pickers(
    session: AsyncSession, budget: Budget, user_ids: Iterable[int]
) -> dict[int, frozenset[int]]:
    """The picks of each of ``user_ids`` (the voters whose private ballots the close edits)."""
    ids = list(user_ids)
    found: dict[int, set[int]] = {user_id: set() for user_id in ids}
    if ids:
        rows = await session.execute(
            select(BudgetPick.user_id, BudgetPick.plan_item_id).where(
                BudgetPick.budget_id == budget.id, BudgetPick.user_id.in_(ids)
            )
        )
        for user_id, item_id in rows:
            found[user_id].add(item_id)
    return {user_id: frozenset(items) for user_id, items in found.items()}


async def latest_budget(session: AsyncSession, community: Community) -> Budget | None:
    found: Budget | None = await session.scalar(
        select(Budget)
        .where(Budget.community_id == community.id)
        .order_by(Budget.number.desc())
        .limit(1)
    )
    return found
