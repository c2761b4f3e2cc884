"""What the fund, costs and budget rounds say, and the buttons they carry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from handlers.core.buttons import ButtonData, ListPage
from handlers.core.charts import ChartRequest
from handlers.core.context import Work, hint
from handlers.core.i18n import Translator
from handlers.core.messages import Button, plain_text
from handlers.fund import money, rules
from handlers.fund.queries import Names
from models import Budget, Community, EntryKind, EntryState, FundEntry

#: How much of a note or a plan item's title a line of a list shows.
NOTE_CHARS = 120
TITLE_CHARS = 60
BUTTON_TITLE_CHARS = 32


class FundPage(ListPage):
    KIND = "fund.pg"


@dataclass(frozen=True)
class BudgetPrivately(ButtonData):
    """Send me my private ballot for round ``budget_id``."""

    KIND = "fund.bprv"
    budget_id: int


@dataclass(frozen=True)
class BudgetToggle(ButtonData):
    """Pick (or drop) plan item ``item_id`` on my ballot for round ``budget_id``."""

    KIND = "fund.bpick"
    budget_id: int
    item_id: int


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def cash(t: Translator, minor: int, currency: str) -> str:
    return money.money(minor, currency, t.locale)


def amount_hint(t: Translator, error: money.AmountError, example: str) -> str:
    """Why the amount is not one, with a working example."""
    value = error.value
    problem = {
        money.Problem.NOT_A_NUMBER: t(
            "“{value}” is not an amount. Write it with digits, such as 12.50 or 1200.",
            value=value,
        ),
        money.Problem.SIGNED: t(
            "Write the amount without a sign (not “{value}”): /fund in adds money, "
            "/fund out takes it out.",
            value=value,
        ),
        money.Problem.ZERO: t("The amount must be more than zero."),
        money.Problem.TOO_MANY_DIGITS: t.ngettext(
            "“{value}” has more decimals than the currency: it has {n} digit after the point.",
            "“{value}” has more decimals than the currency: it has {n} digits after the point.",
            error.digits,
            value=value,
        )
        if error.digits
        else t("“{value}” has decimals, but the currency has none.", value=value),
        money.Problem.AMBIGUOUS: t(
            "“{value}” could mean a thousand times more or less: write 1200 for twelve "
            "hundred, 1.20 for one point two.",
            value=value,
        ),
        money.Problem.TOO_LARGE: t(
            "“{value}” is too large for the fund: amounts go up to {largest}.",
            value=value,
            largest=money.plain_number(money.MAX_AMOUNT - 1, t.locale),
        ),
        money.Problem.SPACED: t(
            "Is “{value}” one amount? Write it without spaces (1200 or 1,200.00), then the note.",
            value=value,
        ),
        money.Problem.BAD_GROUPS: t(
            "“{value}” has its digits grouped oddly: group them by three, as in 1 200 000 "
            "or 1,200,000.50, or write them together.",
            value=value,
        ),
    }[error.problem]
    return hint(t, str(problem), example)


def standing_lines(
    t: Translator, standing: rules.Standing, currency: str, budget: Budget | None, now: datetime
) -> list[str]:
    """The fund's balance, and what of it is not free, when anything is not."""
    lines = [str(t("💰 <b>Common fund</b>: {balance}", balance=cash(t, standing.cash, currency)))]
    if standing.committed:
        lines.append(
            str(
                t(
                    "Committed to plan items by budget rounds, not yet paid: {amount}",
                    amount=cash(t, standing.committed, currency),
                )
            )
        )
    if standing.pending:
        lines.append(
            str(
                t(
                    "Asked for, waiting for members' polls: {amount}",
                    amount=cash(t, standing.pending, currency),
                )
            )
        )
    if budget is not None:
        lines.append(
            str(
                t(
                    "Held for budget #{number} until {when}: {amount}",
                    number=budget.number,
                    when=t.moment(budget.closes_at, now=now),
                    amount=cash(t, standing.held, currency),
                )
            )
        )
    if standing.free != standing.cash:
        lines.append(str(t("<b>Free</b>: {amount}", amount=cash(t, standing.free, currency))))
    return lines


def entry_line(
    t: Translator,
    entry: FundEntry,
    names: Names,
    reversed_by: Mapping[int, int],
    now: datetime,
) -> str:
    """One entry of the ledger: number, date, amount, note, who recorded it, and its state."""
    amount = money.signed_money(entry.amount_minor, entry.currency, t.locale)
    date = t.moment(entry.recorded_at, now=now)
    note: str = shorten(entry.note, NOTE_CHARS)
    if entry.kind is EntryKind.COMMITMENT:
        number, title = names.items.get(entry.plan_item_id or 0, (0, ""))
        line = t(
            "<b>#{number}</b> {date} · {amount} committed to plan item #{item} {title} "
            "by budget #{budget}",
            number=entry.number,
            date=date,
            amount=money.money(-entry.amount_minor, entry.currency, t.locale),
            item=number,
            title=shorten(title, TITLE_CHARS),
            budget=names.budgets.get(entry.budget_id or 0, 0),
        )
        return str(line)
    who = names.users.get(entry.recorded_by or 0, "?")
    if entry.kind is EntryKind.REVERSAL:
        text = (
            t(
                "reverses #{target}: {note}",
                target=names.entries.get(entry.reverses_id or 0, 0),
                note=note,
            )
            if note
            else t("reverses #{target}", target=names.entries.get(entry.reverses_id or 0, 0))
        )
        note = text  # Markup: the member's note in it is escaped once, not again below
    parts = [
        t(
            "<b>#{number}</b> {date} · <b>{amount}</b> · {note} — {name}",
            number=entry.number,
            date=date,
            amount=amount,
            note=note,
            name=who,
        )
    ]
    if entry.plan_item_id is not None:
        item_number, _ = names.items.get(entry.plan_item_id, (0, ""))
        parts.append(t("for plan item #{item}", item=item_number))
    poll = names.polls.get(entry.poll_id or 0, 0)
    if entry.state is EntryState.PENDING:
        parts.append(t("⏳ waiting for poll #{poll}, not counted yet", poll=poll))
    elif entry.state is EntryState.REJECTED:
        parts.append(t("✖ rejected by poll #{poll}, not counted", poll=poll))
    elif entry.poll_id is not None:
        parts.append(t("approved by poll #{poll}", poll=poll))
    if entry.id in reversed_by:
        parts.append(t("reversed by #{number}", number=reversed_by[entry.id]))
    return " · ".join(str(part) for part in parts)


def ballot_key(budget: Budget) -> str:
    """Names a voter's private ballots of a round: every copy follows their picks."""
    return f"budget-ballot:{budget.id}"


def message_key(budget: Budget) -> str:
    """Names the round's message in the group, which shows how many have picked."""
    return f"budget:{budget.id}"


def item_costs(budget: Budget) -> dict[int, int]:
    """The round's ballot as it opened: plan item id → cost in minor units."""
    return {int(item): int(cost) for item, cost in budget.items}


def item_label(number: int, title: str, limit: int = TITLE_CHARS) -> str:
    return f"#{number} {shorten(title, limit)}"


def budget_text(
    t: Translator,
    budget: Budget,
    labels: Mapping[int, str],
    *,
    opener: str,
    ballots: int,
    now: datetime,
) -> str:
    """The round's message in the group: what is on the ballot and how many have picked."""
    currency = budget.currency
    lines = [
        t(
            "🗳 <b>Budget #{number}</b>: {amount} to share out · opened by {name}",
            number=budget.number,
            amount=cash(t, budget.amount_minor, currency),
            name=opener,
        ),
        t(
            "Pick the plan items you want funded, as many as fit in {amount}. At the close the "
            "items most members picked are funded, in order, as long as they fit. Nobody sees "
            "what you picked.",
            amount=cash(t, budget.amount_minor, currency),
        ),
    ]
    for item, cost in item_costs(budget).items():
        lines.append(
            Markup("• {label} — {cost}").format(
                label=labels.get(item, "?"), cost=cash(t, cost, currency)
            )
        )
    if budget.closed_at is None:
        lines.append(
            t(
                "Closes {when}. Ballots: {ballots} of {electorate}.",
                when=t.moment(budget.closes_at, now=now),
                ballots=t.number(ballots),
                electorate=t.number(budget.electorate),
            )
        )
    else:
        lines.append(
            t(
                "<b>Closed</b> {when}. Ballots: {ballots} of {electorate}. The result is "
                "posted below.",
                when=t.moment(budget.closed_at, now=now),
                ballots=t.number(ballots),
                electorate=t.number(budget.electorate),
            )
        )
    return "\n".join(str(line) for line in lines)


def budget_buttons(work: Work, t: Translator, budget: Budget) -> list[list[Button]]:
    if budget.closed_at is not None:
        return []
    return [[work.button(str(t("Vote privately")), BudgetPrivately(budget.id))]]


def chosen_line(t: Translator, budget: Budget, picks: Iterable[int]) -> Markup:
    """The running total of a ballot: "€120.00 of €500.00 chosen"."""
    chosen = rules.total(picks, item_costs(budget))
    return t(
        "<b>{chosen} of {amount} chosen</b> ({left} left).",
        chosen=cash(t, chosen, budget.currency),
        amount=cash(t, budget.amount_minor, budget.currency),
        left=cash(t, budget.amount_minor - chosen, budget.currency),
    )


def private_ballot(
    work: Work,
    t: Translator,
    budget: Budget,
    community: Community,
    labels: Mapping[int, str],
    picks: frozenset[int],
    now: datetime,
) -> tuple[str, list[list[Button]]]:
    """A voter's own ballot: a toggle per item, marked when picked, and the running total."""
    lines = [
        t(
            "🗳 Your ballot for budget #{number} of {community}: {amount} to share out. "
            "It closes {when}.",
            number=budget.number,
            community=community.title,
            amount=cash(t, budget.amount_minor, budget.currency),
            when=t.moment(budget.closes_at, now=now),
        ),
        t("Press an item to pick it; press it again to drop it."),
        chosen_line(t, budget, picks),
    ]
    rows = []
    for item, cost in item_costs(budget).items():
        mark = "✅ " if item in picks else ""
        label = f"{mark}{shorten(labels.get(item, '?'), BUTTON_TITLE_CHARS)} · {cash(t, cost, budget.currency)}"
        rows.append([work.button(label, BudgetToggle(budget.id, item))])
    return "\n".join(str(line) for line in lines), rows


def picks_summary(t: Translator, labels: Mapping[int, str], picks: Iterable[int]) -> Markup:
    chosen = [labels.get(item, "?") for item in picks]
    if not chosen:
        return t("You picked nothing.")
    return t("You picked: {items}", items=", ".join(chosen))


def result_lines(
    t: Translator,
    budget: Budget,
    labels: Mapping[int, str],
    support: Mapping[int, int],
    funding: rules.Funding,
    skipped: Sequence[int],
    ballots: int,
) -> list[Markup]:
    """The close: what was funded in order, what was not and why, what stays free."""
    currency = budget.currency
    costs = item_costs(budget)
    lines = [
        t("🗳 <b>Budget #{number} is closed</b>", number=budget.number),
        t(
            "{ballots} of {electorate} members took part.",
            ballots=t.number(ballots),
            electorate=t.number(budget.electorate),
        ),
    ]
    if funding.funded:
        lines.append(t("<b>Funded</b>, most picked first:"))
        for place, item in enumerate(funding.funded, 1):
            # Worked out first: a bare ``t`` among ngettext's arguments hides the plural from
            # pybabel's extractor.
            cost = cash(t, costs[item], currency)
            lines.append(
                t.ngettext(
                    "{place}. {label} — {cost} ({n} pick)",
                    "{place}. {label} — {cost} ({n} picks)",
                    support.get(item, 0),
                    place=place,
                    label=labels.get(item, "?"),
                    cost=cost,
                )
            )
    else:
        lines.append(t("Nothing was funded: nobody picked an item."))
    unfunded = [item for item in costs if item not in funding.funded]
    if unfunded:
        lines.append(t("<b>Not funded</b>:"))
        for item in unfunded:
            if item in skipped:
                why = t("done before the close")
            elif not support.get(item):
                why = t("nobody picked it")
            else:
                why = t.ngettext(
                    "{n} pick; it did not fit in what was left",
                    "{n} picks; it did not fit in what was left",
                    support[item],
                )
            lines.append(
                t(
                    "• {label} — {cost}: {why}",
                    label=labels.get(item, "?"),
                    cost=cash(t, costs[item], currency),
                    why=why,
                )
            )
    lines.append(
        t(
            "Committed: {spent} of {amount}; the fund keeps the rest free.",
            spent=cash(t, funding.spent, currency),
            amount=cash(t, budget.amount_minor, currency),
        )
    )
    return lines


def result_chart(
    t: Translator,
    budget: Budget,
    labels: Mapping[int, str],
    support: Mapping[int, int],
    funding: rules.Funding,
    ballots: int,
) -> ChartRequest:
    """Support per item, funded ones marked; drawn when the outbox is drained."""
    items = list(item_costs(budget))
    return ChartRequest(
        title=shorten(
            plain_text(
                t(
                    "Budget #{number}: {amount}",
                    number=budget.number,
                    amount=cash(t, budget.amount_minor, budget.currency),
                )
            ),
            120,
        ),
        labels=tuple(labels.get(item, "?") for item in items),
        values=tuple(support.get(item, 0) for item in items),
        value_labels=tuple(
            plain_text(
                t("{n} · funded", n=t.number(support.get(item, 0)))
                if item in funding.funded
                else t.number(support.get(item, 0))
            )
            for item in items
        ),
        subtitle=plain_text(
            t(
                "{ballots} of {electorate} took part",
                ballots=t.number(ballots),
                electorate=t.number(budget.electorate),
            )
        ),
    )
