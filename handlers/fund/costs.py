"""/cost: what an open plan item costs, so that a budget round can fund it.

Any member may set, change or remove (``/cost ID none``) the cost of an
open plan item; every change is logged with the amount before it. A cost
stops changing once a round has it on its running ballot (the ballot shows
the cost it opened with) or has funded it (the fund committed that amount).
"""

from __future__ import annotations

from handlers.core.context import Context, UserError, hint
from handlers.core.i18n import N_
from handlers.core.input import number_and_rest, numbered
from handlers.core.registry import Feature
from handlers.fund.ledger import currency, read_amount
from handlers.fund.queries import lock_fund, running_budget
from handlers.fund.views import cash, item_costs
from models import Budget, PlanCost, PlanItem, PlanStatus

feature = Feature("fund.costs")
feature.audit("cost.set", N_("{actor} set the cost of plan item #{number} to {amount}"))
feature.audit(
    "cost.changed",
    N_("{actor} changed the cost of plan item #{number} from {before} to {amount}"),
)
feature.audit("cost.removed", N_("{actor} removed the cost of plan item #{number} ({before})"))

SAMPLE = "/cost 3 120"


@feature.command("cost", N_("what a plan item costs: /cost ID AMOUNT, or /cost ID none"))
async def set_cost(ctx: Context) -> None:
    community = ctx.require_community()
    number, rest = number_and_rest(
        ctx, ctx.t("Which plan item, and what does it cost? Give its number from /plan."), SAMPLE
    )
    if not rest:
        raise UserError(
            hint(ctx.t, str(ctx.t("What does plan item #{number} cost?", number=number)), SAMPLE)
        )
    unknown = ctx.t("There is no plan item #{number}; /plan lists them.", number=number)
    item = await numbered(ctx, PlanItem, number, unknown, SAMPLE)
    if item.status is PlanStatus.DONE:
        raise UserError(
            ctx.t("Plan item #{number} is already done; only open items get a cost.", number=number)
        )
    await lock_fund(ctx.session, community)
    cost = await ctx.session.get(PlanCost, item.id, with_for_update=True)
    if cost is not None and cost.funded_by is not None:
        funded = await ctx.session.get(Budget, cost.funded_by)
        raise UserError(
            ctx.t(
                "Plan item #{number} is funded by budget #{budget} with {amount}; its cost no "
                "longer changes.",
                number=number,
                budget=funded.number if funded else "?",
                amount=cash(ctx.t, cost.amount_minor, cost.currency),
            )
        )
    budget = await running_budget(ctx.session, community)
    if budget is not None and item.id in item_costs(budget):
        raise UserError(
            ctx.t(
                "Plan item #{number} is on the ballot of budget #{budget} until {when}; its cost "
                "can change after the close.",
                number=number,
                budget=budget.number,
                when=ctx.t.moment(budget.closes_at, now=ctx.now),
            )
        )
    before = cash(ctx.t, cost.amount_minor, cost.currency) if cost is not None else None
    if rest.lower() == "none":
        if cost is None or before is None:
            raise UserError(ctx.t("Plan item #{number} has no cost to remove.", number=number))
        await ctx.session.delete(cost)
        ctx.log("cost.removed", actor=ctx.user.display_name, number=number, before=before)
        ctx.reply(
            ctx.t(
                "Plan item #{number}, {title}, has no cost now (it was {before}).",
                number=number,
                title=item.title,
                before=before,
            )
        )
        return
    amount = read_amount(ctx, rest, SAMPLE)
    code = currency(community)
    shown = cash(ctx.t, amount, code)
    if cost is None:
        ctx.session.add(
            PlanCost(
                plan_item_id=item.id,
                amount_minor=amount,
                currency=code,
                set_by=ctx.user.id,
                set_at=ctx.now,
            )
        )
        ctx.log("cost.set", actor=ctx.user.display_name, number=number, amount=shown)
        reply = ctx.t(
            "Plan item #{number}, {title}, costs {amount}. A budget round can fund it: "
            "/budget AMOUNT | 7d.",
            number=number,
            title=item.title,
            amount=shown,
        )
    else:
        cost.amount_minor, cost.currency = amount, code
        cost.set_by, cost.set_at = ctx.user.id, ctx.now
        ctx.log(
            "cost.changed", actor=ctx.user.display_name, number=number, before=before, amount=shown
        )
        reply = ctx.t(
            "Plan item #{number}, {title}, now costs {amount} (it was {before}).",
            number=number,
            title=item.title,
            amount=shown,
            before=before,
        )
    ctx.reply(reply)
