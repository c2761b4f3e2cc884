"""Participatory budget rounds, as Decidim runs them: /budget AMOUNT | 7d, private ballots
with a running total, and the close that funds the items most members picked.

Who may do what: any member opens a round (one running per community, for
no more than the fund has free); who may pick is the roster at the opening,
less anyone who joined within ``member_days``, and still on the roster when
pressing; only the opener closes a round early (``/budget close``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.sql import ColumnElement

from handlers.core import jobs, limits
from handlers.core.buttons import BadAction
from handlers.core.context import Context, JobContext, UserError, Work, hint
from handlers.core.i18n import N_, Translator
from handlers.core.numbering import add_numbered
from handlers.core.registry import Feature, Needs
from handlers.fund import rules
from handlers.fund.ledger import commit, currency, read_amount
from handlers.fund.queries import (
    ballots_cast,
    costed_open_items,
    enrol,
    latest_budget,
    lock_fund,
    may_pick,
    pickers,
    picks_of,
    plan_items,
    read_fund,
    running_budget,
    support,
)
from handlers.fund.views import (
    BudgetPrivately,
    BudgetToggle,
    ballot_key,
    budget_buttons,
    budget_text,
    cash,
    chosen_line,
    item_costs,
    item_label,
    message_key,
    picks_summary,
    private_ballot,
    result_chart,
    result_lines,
)
from models import Budget, BudgetPick, Community, PlanCost, PlanStatus, User

feature = Feature("fund.budgets")
feature.audit(
    "budget.opened",
    N_("{actor} opened budget #{number}: {amount} over {items} plan items, closing {closes}"),
)
feature.audit("budget.closed_early", N_("{actor} closed budget #{number} early"))
feature.audit(
    "budget.closed",
    N_(
        "Budget #{number} closed: {spent} of {amount} committed to plan items ({funded}); "
        "{ballots} of {electorate} took part"
    ),
)

SAMPLE = "/budget 500 | 7d"


async def _labels(work: Work, budget: Budget) -> dict[int, str]:
    items = await plan_items(work.session, item_costs(budget))
    return {item_id: item_label(item.number, item.title) for item_id, item in items.items()}


async def _community(work: Work, budget: Budget) -> Community:
    community = await work.session.get(Community, budget.community_id)
    assert community is not None
    return community


async def _group_text(work: Work, t: Translator, budget: Budget) -> str:
    opener = await work.session.get(User, budget.opened_by)
    return budget_text(
        t,
        budget,
        await _labels(work, budget),
        opener=opener.display_name if opener else "?",
        ballots=await ballots_cast(work.session, budget),
        now=work.now,
    )


@feature.command(
    "budget",
    N_("a participatory budget round over costed plan items: /budget AMOUNT | 7d"),
    needs=Needs.COMMUNITY,
)
async def budget_command(ctx: Context) -> None:
    args = ctx.args
    if not args:
        await show_round(ctx)
    elif args.lower() == "close":
        await close_early(ctx)
    else:
        await open_round(ctx, args)


async def show_round(ctx: Context) -> None:
    """The running round's message again, with its button; else the latest result. Anyone in
    the group may look, as at /fund."""
    community = ctx.require_community()
    budget = await running_budget(ctx.session, community)
    if budget is not None:
        text = await _group_text(ctx, ctx.t, budget)
        ctx.reply(text, budget_buttons(ctx, ctx.t, budget), key=message_key(budget))
        return
    latest = await latest_budget(ctx.session, community)
    if latest is None or latest.result is None:
        raise UserError(
            hint(
                ctx.t,
                str(
                    ctx.t(
                        "No budget round has been held yet. Give plan items a cost with /cost, "
                        "then open one:"
                    )
                ),
                SAMPLE,
            )
        )
    ctx.reply("\n".join(map(str, _result(ctx.t, latest, await _labels(ctx, latest)))))


def _result(t: Translator, budget: Budget, labels: Mapping[int, str]) -> list[Any]:
    result = budget.result or {}
    funding = rules.Funding(
        tuple(result.get("funded", ())), int(result.get("spent", 0)), int(result.get("left", 0))
    )
    picked = {int(item): int(n) for item, n in result.get("support", ())}
    return result_lines(
        t, budget, labels, picked, funding, result.get("skipped", ()), result.get("ballots", 0)
    )


async def open_round(ctx: Context, args: str) -> None:
    ctx.require_member()
    community = ctx.require_community()
    amount_text, _, length_text = args.partition("|")
    amount = read_amount(ctx, amount_text.strip(), SAMPLE)
    length = rules.parse_round(length_text) if length_text.strip() else rules.DEFAULT_ROUND
    if length is None:
        raise UserError(
            hint(
                ctx.t,
                str(
                    ctx.t(
                        "After “|” comes how long the round runs, from one hour to 90 days: "
                        "48h, 7d or 2w (not “{value}”).",
                        value=length_text.strip(),
                    )
                ),
                SAMPLE,
            )
        )
    await lock_fund(ctx.session, community)
    code = currency(community)
    fund = await read_fund(ctx.session, community)
    if fund.budget is not None:
        raise UserError(
            ctx.t(
                "Budget #{number} is running until {when}; one round at a time. /budget shows it.",
                number=fund.budget.number,
                when=ctx.t.moment(fund.budget.closes_at, now=ctx.now),
            )
        )
    if amount > fund.standing.free:
        raise UserError(
            ctx.t(
                "A round can share out only money the fund has free: {free}, not {amount}.",
                free=cash(ctx.t, max(fund.standing.free, 0), code),
                amount=cash(ctx.t, amount, code),
            )
        )
    costed = [
        rules.Costed(item.id, item.number, cost.amount_minor)
        for item, cost in await costed_open_items(ctx.session, community)
        if cost.currency == code
    ]
    ballot = rules.ballot(costed, amount)
    if not ballot.items:
        raise UserError(
            hint(
                ctx.t,
                str(
                    ctx.t(
                        "No open plan item has a cost that fits in {amount}. Give items a cost "
                        "first:",
                        amount=cash(ctx.t, amount, code),
                    )
                ),
                "/cost 3 120",
            )
        )
    budget = Budget(
        community_id=community.id,
        amount_minor=amount,
        currency=code,
        opened_by=ctx.user.id,
        opened_at=ctx.now,
        closes_at=ctx.now + length,
        electorate=0,
        items=[[c.item, c.cost] for c in ballot.items],
    )
    await add_numbered(ctx.session, budget)
    budget.electorate = await enrol(ctx.session, budget, community)
    ctx.schedule("budget.close", budget.id, budget.closes_at)
    ctx.log(
        "budget.opened",
        actor=ctx.user.display_name,
        number=budget.number,
        amount=cash(ctx.t, amount, code),
        items=len(ballot.items),
        closes=ctx.t.moment(budget.closes_at, now=ctx.now),
    )
    text = await _group_text(ctx, ctx.t, budget)
    left_off = [
        ctx.t(
            "Not on the ballot, costing more than the round: {items}.",
            items=", ".join(f"#{c.number}" for c in ballot.too_dear),
        )
        if ballot.too_dear
        else None,
        ctx.t(
            "Not on the ballot, which holds {n} items at most: {items}.",
            n=rules.BALLOT_ITEMS,
            items=", ".join(f"#{c.number}" for c in ballot.crowded_out),
        )
        if ballot.crowded_out
        else None,
    ]
    text = "\n".join([text, *(str(line) for line in left_off if line is not None)])
    ctx.reply(text, budget_buttons(ctx, ctx.t, budget), key=message_key(budget))


async def _voting_round(ctx: Context, budget_id: int) -> tuple[Budget, Community, Translator]:
    """The round, share-locked against its close, once the presser may pick in it."""
    budget = await _locked(ctx, Budget.id == budget_id, share=True)
    if budget is None:
        raise BadAction("no such budget")
    community = await _community(ctx, budget)
    t = ctx.reader_translator(ctx.user, community)
    if budget.closed_at is not None or ctx.now >= budget.closes_at:
        raise UserError(
            t("Budget #{number} is closed; picks are no longer taken.", number=budget.number)
        )
    on_roster, enrolled = await may_pick(ctx.session, budget, ctx.user.id)
    if not on_roster:
        raise UserError(t("You are not on the roster yet. Send /join first."))
    if not enrolled:
        raise UserError(
            t(
                "Sorry, you cannot pick in budget #{number}: who may take part was fixed when it "
                "opened, before you joined or too soon after.",
                number=budget.number,
            )
        )
    return budget, community, t


async def _locked(work: Work, where: ColumnElement[bool], *, share: bool) -> Budget | None:
    found: Budget | None = await work.session.scalar(
        select(Budget)
        .where(where)
        .with_for_update(read=share)
        .execution_options(populate_existing=True)
    )
    return found


@feature.button(BudgetPrivately, needs=Needs.NOTHING)
async def private_button(ctx: Context, pressed: BudgetPrivately) -> None:
    """Send the presser their own ballot, in their private chat."""
    budget, community, t = await _voting_round(ctx, pressed.budget_id)
    if not ctx.user.started_bot:
        raise UserError(
            t(
                "I can't write to you yet: open a private chat with @{bot}, press Start "
                "(or send /start), then press this button again.",
                bot=ctx.services.bot_username,
            )
        )
    picks = await picks_of(ctx.session, budget, ctx.user.id)
    text, buttons = private_ballot(
        ctx, t, budget, community, await _labels(ctx, budget), picks, ctx.now
    )
    ctx.send(ctx.user.id, text, buttons, key=ballot_key(budget), copies=True)
    ctx.answer(t("I have sent you a private ballot."))


@feature.button(BudgetToggle, needs=Needs.NOTHING)
async def toggle_button(ctx: Context, pressed: BudgetToggle) -> None:
    """Pick or drop one item; a pick that would go over the round's amount is refused."""
    budget, community, t = await _voting_round(ctx, pressed.budget_id)
    costs = item_costs(budget)
    if pressed.item_id not in costs:
        raise BadAction("no such item on this ballot")
    labels = await _labels(ctx, budget)
    before = await picks_of(ctx.session, budget, ctx.user.id)
    try:
        after = rules.toggle(before, pressed.item_id, costs, budget.amount_minor)
    except rules.TooMuch as too_much:
        raise UserError(
            t(
                "{item} costs {cost}: with it you would choose {total} of {amount}. Drop "
                "another item first.",
                item=labels.get(pressed.item_id, "?"),
                cost=cash(t, costs[pressed.item_id], budget.currency),
                total=cash(t, too_much.would_be, budget.currency),
                amount=cash(t, budget.amount_minor, budget.currency),
            )
        ) from None
    mine = (BudgetPick.budget_id == budget.id) & (BudgetPick.user_id == ctx.user.id)
    if pressed.item_id in after:
        await ctx.session.execute(
            insert(BudgetPick).values(
                budget_id=budget.id, user_id=ctx.user.id, plan_item_id=pressed.item_id
            )
        )
        said = t("You picked {item}.", item=labels.get(pressed.item_id, "?"))
    else:
        await ctx.session.execute(
            delete(BudgetPick).where(mine, BudgetPick.plan_item_id == pressed.item_id)
        )
        said = t("You dropped {item}.", item=labels.get(pressed.item_id, "?"))
    ctx.answer(f"{said} {chosen_line(t, budget, after)}")
    text, buttons = private_ballot(ctx, t, budget, community, labels, after, ctx.now)
    ctx.edit_copies(ctx.user.id, ballot_key(budget), text, buttons)
    if bool(before) != bool(after):
        group_t = ctx.community_translator(community)
        ctx.edit_posted(
            community.chat_id,
            message_key(budget),
            await _group_text(ctx, group_t, budget),
            budget_buttons(ctx, group_t, budget),
        )


async def close_early(ctx: Context) -> None:
    community = ctx.require_community()
    ctx.require_member()
    budget = await _locked(
        ctx, (Budget.community_id == community.id) & Budget.closed_at.is_(None), share=False
    )
    if budget is None:
        raise UserError(ctx.t("No budget round is running."))
    if budget.opened_by != ctx.user.id:
        raise UserError(
            ctx.t(
                "Only the member who opened budget #{number} can close it early. Otherwise it "
                "closes by itself on {when}.",
                number=budget.number,
                when=ctx.t.moment(budget.closes_at, now=ctx.now),
            )
        )
    ctx.log("budget.closed_early", actor=ctx.user.display_name, number=budget.number)
    await close_round(ctx, budget, community, closed_by=ctx.user)


@feature.job("budget.close")
async def close_at_deadline(work: JobContext, budget_id: int) -> None:
    budget = await _locked(work, Budget.id == budget_id, share=False)
    if budget is not None and budget.closed_at is None:
        await close_round(work, budget, await _community(work, budget))


async def close_round(
    work: Work, budget: Budget, community: Community, *, closed_by: User | None = None
) -> rules.Funding:
    """Count the picks, fund the items most picked that fit, and publish it; the caller has
    locked the round. Who picked what is erased here: only the support per item stays.

    An item done before the close is not funded. Should the fund hold less than
    the round's amount by now (a reversed "in" took money away), the round funds
    within what it holds.
    """
    session = work.session
    budget.closed_at = work.now if closed_by is not None else min(work.now, budget.closes_at)
    await lock_fund(session, community)
    costs = item_costs(budget)
    items = await plan_items(session, costs)
    picked = await support(session, budget)
    ballots = await ballots_cast(session, budget)
    skipped = [i for i in costs if i not in items or items[i].status is PlanStatus.DONE]
    await session.flush()
    fund = await read_fund(session, community)
    funding = rules.fund(
        (
            rules.Candidate(item, cost, picked.get(item, 0), items[item].number)
            for item, cost in costs.items()
            if item not in skipped
        ),
        min(budget.amount_minor, max(fund.standing.free, 0)),
    )
    for item_id in funding.funded:
        await commit(work, community, budget, items[item_id], costs[item_id])
        cost = await session.get(PlanCost, item_id)
        if cost is not None:
            cost.funded_by = budget.id
    budget.result = {
        "ballots": ballots,
        "electorate": budget.electorate,
        "support": [[item, picked.get(item, 0)] for item in costs],
        "funded": list(funding.funded),
        "skipped": skipped,
        "spent": funding.spent,
        "left": budget.amount_minor - funding.spent,
    }
    labels = {i: item_label(item.number, item.title) for i, item in items.items()}
    await _close_private_ballots(work, budget, community, labels, funding)
    await session.execute(delete(BudgetPick).where(BudgetPick.budget_id == budget.id))
    t = work.community_translator(community)
    work.edit_posted(community.chat_id, message_key(budget), await _group_text(work, t, budget))
    lines = list(map(str, _result(t, budget, labels)))
    if closed_by is not None:
        lines.insert(1, str(t("Closed early by {name}.", name=closed_by.display_name)))
    text = "\n".join(lines)
    chart = result_chart(t, budget, labels, picked, funding, ballots)
    if len(text) <= limits.CAPTION:
        work.post(community.chat_id, text, chart=chart)
    else:
        work.post(community.chat_id, lines[0], chart=chart, caption_only=True)
        work.post(community.chat_id, text)
    work.audit(
        community,
        None,
        "budget.closed",
        number=budget.number,
        funded=len(funding.funded),
        spent=cash(t, funding.spent, budget.currency),
        amount=cash(t, budget.amount_minor, budget.currency),
        ballots=ballots,
        electorate=budget.electorate,
    )
    if closed_by is not None:
        await work.cancel_jobs("budget.close", budget.id)
    return funding


async def _close_private_ballots(
    work: Work,
    budget: Budget,
    community: Community,
    labels: Mapping[int, str],
    funding: rules.Funding,
) -> None:
    """Each voter's private ballots lose their buttons and show their own picks and what was
    funded: the only place their picks are ever shown, to them alone."""
    key = ballot_key(budget)
    chats = await jobs.chats_with_posted(work.session, key)
    if not chats:
        return
    picks = await pickers(work.session, budget, chats)
    voters = await work.session.scalars(select(User).where(User.id.in_(chats)))
    for voter in voters:
        t = work.reader_translator(voter, community)
        funded = ", ".join(labels.get(item, "?") for item in funding.funded)
        lines = (
            t(
                "🗳 Budget #{number} of {community} is closed.",
                number=budget.number,
                community=community.title,
            ),
            picks_summary(t, labels, sorted(picks.get(voter.id, ()))),
            t("Funded: {items}.", items=funded) if funded else t("Nothing was funded."),
        )
        work.edit_posted(voter.id, key, "\n".join(str(line) for line in lines))
