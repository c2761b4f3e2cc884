"""How the plan reads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.buttons import ListPage
from handlers.core.i18n import Translator
from handlers.plan.queries import PlanRow
from models import PlanItem, PlanStatus
from models.money import Budget, PlanCost


class PlanPage(ListPage):
    KIND = "plan.pg"


def plan_entry(t: Translator, row: PlanRow, now: datetime, cost: Cost | None = None) -> str:
    """An item's line (with its cost), then who proposed the way it meets its need and what its
    vote decided."""
    lines = [costed_line(t, row.item, row.noted, now, cost)]
    if row.item.proposal is not None:
        lines.append(t("💡 proposed by {name}", name=row.item.proposal.author.display_name))
    if row.outcome is not None:
        lines.append(t("📌 Outcome of poll #{poll}: {text}", poll=row.poll, text=row.outcome))
    return "\n".join(str(line) for line in lines)


def plan_line(t: Translator, item: PlanItem, noted: datetime | None, now: datetime) -> str:
    values = {"number": item.number, "title": item.title}
    if item.taker is None:
        return t("<b>#{number}</b> {title} — planned, nobody has taken it yet", **values)
    name = item.taker.display_name
    if item.status is PlanStatus.DONE and item.done_at is not None:
        return t(
            "<b>#{number}</b> {title} — done by {name}, {date}",
            name=name,
            date=t.moment(item.done_at, now=now),
            **values,
        )
    if noted is None:
        return t("<b>#{number}</b> {title} — in progress, taken by {name}", name=name, **values)
    return t(
        "<b>#{number}</b> {title} — in progress, taken by {name}; latest note {date}",
        name=name,
        date=t.moment(noted, now=now),
        **values,
    )


#: What a plan item costs (minor units, currency) and the number of the budget round that
#: funded it, read from the fund's tables (``models.money``).
Cost = tuple[int, str, int | None]


async def plan_costs(session: AsyncSession, items: Iterable[PlanItem]) -> dict[int, Cost]:
    """The cost of each of ``items`` that has one."""
    rows = await session.execute(
        select(PlanCost.plan_item_id, PlanCost.amount_minor, PlanCost.currency, Budget.number)
        .outerjoin(Budget, Budget.id == PlanCost.funded_by)
        .where(PlanCost.plan_item_id.in_([item.id for item in items]))
    )
    return {item: (amount, currency, budget) for item, amount, currency, budget in rows}


def costed_line(
    t: Translator, item: PlanItem, noted: datetime | None, now: datetime, cost: Cost | None
) -> str:
    """``plan_line`` and, for an item with a cost, " · costs €120.00" or " · €120.00, funded
    by budget #2"."""
    line = plan_line(t, item, noted, now)
    if cost is None:
        return line
    amount, currency, budget = cost
    shown = format_currency(
        Decimal(amount).scaleb(-get_currency_precision(currency)), currency, locale=t.locale
    )
    if budget is None:
        note = t(" · costs {amount}", amount=shown)
    else:
        note = t(" · {amount}, funded by budget #{budget}", amount=shown, budget=budget)
    return str(Markup(line) + note)
