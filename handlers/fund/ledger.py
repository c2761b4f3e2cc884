"""The common fund's ledger: /fund, /fund in, /fund out, /fund reverse, and the poll that
decides an "out" above the community's limit.

Who may do what: anyone in the group may read /fund (every entry is
public); recording and reversing need the sender on the roster. Every entry,
its approval or rejection and every reversal goes to the audit log.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from handlers.core import paging, settings
from handlers.core.context import Context, UserError, Work, example, hint
from handlers.core.i18n import N_, Translator
from handlers.core.input import checked, numbered
from handlers.core.numbering import add_numbered, find_numbered, parse_number
from handlers.core.outcome import Outcome
from handlers.core.paging import Listed
from handlers.core.registry import Feature, Needs, VoteRequest
from handlers.core.settings import Setting
from handlers.fund import money, rules
from handlers.fund.queries import Fund, currencies_kept, lock_fund, movement, names, read_fund
from handlers.fund.views import FundPage, amount_hint, cash, entry_line, standing_lines
from models import (
    Budget,
    Community,
    EntryKind,
    EntryState,
    FundEntry,
    PlanItem,
    Poll,
    PollKind,
)

feature = Feature("fund.ledger")
feature.audit("fund.in", N_("{actor} recorded entry #{number}: {amount} in — {note}"))
feature.audit("fund.out", N_("{actor} recorded entry #{number}: {amount} out — {note}"))
feature.audit(
    "fund.out_asked",
    N_(
        "{actor} asked to pay {amount} out of the fund (entry #{number}): {note}; poll #{poll} decides"
    ),
)
feature.audit(
    "fund.out_approved", N_("Poll #{poll} approved entry #{number}: {amount} out is recorded")
)
feature.audit(
    "fund.out_rejected", N_("Poll #{poll} rejected entry #{number}: {amount} out is not paid")
)
feature.audit("fund.reversed", N_("{actor} reversed entry #{target} with entry #{number}"))
feature.audit(
    "fund.committed",
    N_("Budget #{budget} committed {amount} to plan item #{item} (entry #{number})"),
)

IN_EXAMPLE = N_("20 Bake sale")
OUT_EXAMPLE = N_("35.50 Light bulbs for the stairwell")


def _show_currency(t: Translator, code: Any) -> str:
    """Markup, not str: /setup adds it to its own Markup, which would escape it again."""
    return t(
        "The fund keeps its money in {code} ({name}).",
        code=code,
        name=money.currency_name(str(code), t.locale),
    )


async def _currency_changed(work: Work, community: Community, code: Any) -> None:
    """Amounts are never added across currencies, so the currency is fixed once money is kept."""
    kept = await currencies_kept(work.session, community)
    if kept - {code}:
        t = work.t if isinstance(work, Context) else work.community_translator(community)
        raise UserError(
            t(
                "The fund already keeps amounts in {kept}: its entries, costs or budget rounds "
                "use it, so the currency cannot change.",
                kept=", ".join(sorted(kept)),
            )
        )


CURRENCY = feature.setting(
    Setting(
        name="currency",
        default="EUR",
        parse=money.parse_currency,
        show=_show_currency,
        problem=N_(
            "currency is the ISO 4217 code of a currency in use, such as EUR, RUB or CNY, "
            "not “{value}”."
        ),
        example="/setup currency=EUR",
        changed=_currency_changed,
    )
)


def _parse_limit(raw: str) -> str:
    """Kept as the Decimal's plain text ("500", "99.5"): settings hold JSON."""
    amount = money.parse_amount(raw, money.LIMIT_DIGITS, zero=True)
    return format(amount.normalize(), "f")


def _show_limit(t: Translator, limit: Any) -> str:
    return t(
        "Payments out of the fund above {limit} need a members' poll.",
        limit=money.plain_number(Decimal(str(limit)), t.locale),
    )


FUND_LIMIT = feature.setting(
    Setting(
        name="fund_limit",
        default="100",
        parse=_parse_limit,
        show=_show_limit,
        problem=N_(
            "fund_limit is the largest payment out of the fund that needs no members' poll, "
            "in the fund's currency: a number such as 100 or 250.50, not “{value}”."
        ),
        example="/setup fund_limit=500",
    )
)


def currency(community: Community) -> str:
    return str(settings.value(community, CURRENCY))


def limit_major(community: Community) -> Decimal:
    return Decimal(str(settings.value(community, FUND_LIMIT)))


def limit(community: Community) -> Decimal:
    """The limit in minor units of the community's currency (fractional in yen for 99.5)."""
    return money.limit_in_minor(limit_major(community), currency(community))


def read_amount(ctx: Context, text: str, example: str) -> int:
    """``text`` as minor units of the community's currency, or a UserError saying why not."""
    code = currency(ctx.require_community())
    try:
        amount = money.parse_amount(text, money.digits_of(code), currency=code)
    except money.AmountError as error:
        raise UserError(amount_hint(ctx.t, error, example)) from None
    return money.to_minor(amount, code)


def fund_hint(t: Translator) -> str:
    return hint(
        t,
        str(t("Write /fund to see the fund, /fund in or /fund out with an amount and a note.")),
        example("/fund in", t(IN_EXAMPLE)),
    )


@feature.command(
    "fund",
    N_(
        "the common fund: /fund shows it; /fund in AMOUNT NOTE, /fund out AMOUNT NOTE, "
        "/fund reverse N"
    ),
    needs=Needs.COMMUNITY,
)
async def fund_command(ctx: Context) -> None:
    word, *more = ctx.args.split(maxsplit=1) or [""]
    action, rest = word.lower(), more[0] if more else ""
    if not action:
        paging.show(ctx, await fund_listing(ctx), FundPage, 0)
        return
    ctx.require_member()
    if action == "in":
        await record_in(ctx, rest)
    elif action == "out":
        await record_out(ctx, rest)
    elif action == "reverse":
        await reverse(ctx, rest)
    else:
        raise UserError(fund_hint(ctx.t))


@feature.button(FundPage, needs=Needs.COMMUNITY)
async def turn_page(ctx: Context, pressed: FundPage) -> None:
    paging.show(ctx, await fund_listing(ctx), FundPage, pressed.page)


async def fund_listing(ctx: Context) -> Listed:
    """The balance, then every entry, newest first."""
    community = ctx.require_community()
    fund = await read_fund(ctx.session, community)
    header = standing_lines(ctx.t, fund.standing, currency(community), fund.budget, ctx.now)
    named = await names(ctx.session, fund.entries)
    reversed_by = {e.reverses_id: e.number for e in fund.entries if e.reverses_id is not None}
    lines = [
        entry_line(ctx.t, entry, named, reversed_by, ctx.now) for entry in reversed(fund.entries)
    ]
    empty = "\n".join(
        [
            *header,
            hint(
                ctx.t,
                str(ctx.t("The fund has no entries yet.")),
                example("/fund in", ctx.t(IN_EXAMPLE)),
            ),
        ]
    )
    return Listed("\n".join([*header, str(ctx.t("<b>Entries</b>, newest first:"))]), lines, empty)


def _balance(t: Translator, fund: Fund, code: str) -> str:
    """What the fund holds after a change, and what of it is free when that differs."""
    if fund.standing.free == fund.standing.cash:
        return str(t("The fund holds {balance}.", balance=cash(t, fund.standing.cash, code)))
    return str(
        t(
            "The fund holds {balance} ({free} free).",
            balance=cash(t, fund.standing.cash, code),
            free=cash(t, fund.standing.free, code),
        )
    )


async def _new_entry(ctx: Context, community: Community, **values: Any) -> FundEntry:
    entry = FundEntry(
        community_id=community.id,
        currency=currency(community),
        recorded_by=ctx.user.id,
        recorded_at=ctx.now,
        **values,
    )
    await add_numbered(ctx.session, entry)
    return entry


def _amount_and_note(ctx: Context, rest: str, missing: str, sample: str) -> tuple[int, str]:
    """The amount in minor units and the note after it (``money.split_amount``)."""
    code = currency(ctx.require_community())
    try:
        amount_text, note = money.split_amount(rest, money.digits_of(code))
    except money.AmountError as error:
        raise UserError(amount_hint(ctx.t, error, sample)) from None
    if not amount_text:
        raise UserError(hint(ctx.t, missing, sample))
    return read_amount(ctx, amount_text, sample), note


async def record_in(ctx: Context, rest: str) -> None:
    community = ctx.require_community()
    sample = example("/fund in", ctx.t(IN_EXAMPLE))
    amount, note = _amount_and_note(ctx, rest, ctx.t("How much came in, and from what?"), sample)
    if not note:
        raise UserError(hint(ctx.t, str(ctx.t("Add a note: what is this money?")), sample))
    checked(ctx, note, sample)
    await lock_fund(ctx.session, community)
    entry = await _new_entry(ctx, community, kind=EntryKind.IN, amount_minor=amount, note=note)
    code = entry.currency
    shown = cash(ctx.t, amount, code)
    ctx.log("fund.in", actor=ctx.user.display_name, number=entry.number, amount=shown, note=note)
    fund = await read_fund(ctx.session, community)
    ctx.reply(
        "\n".join(
            (
                str(
                    ctx.t(
                        "💰 Entry #{number}: {amount} in — {note}. Recorded by {name}.",
                        number=entry.number,
                        amount=shown,
                        note=note,
                        name=ctx.user.display_name,
                    )
                ),
                _balance(ctx.t, fund, code),
            )
        )
    )


async def _charged_item(ctx: Context, text: str, sample: str) -> PlanItem:
    number = parse_number(text)
    if number is None:
        raise UserError(
            hint(
                ctx.t,
                str(
                    ctx.t(
                        "After “|” comes the number of the plan item the money is for, "
                        "not “{value}”.",
                        value=text,
                    )
                ),
                sample,
            )
        )
    unknown = ctx.t("There is no plan item #{number}; /plan lists them.", number=number)
    return await numbered(ctx, PlanItem, number, unknown, sample)


async def record_out(ctx: Context, rest: str) -> None:
    """An out within the limit (or covered by a budget's commitment) is recorded at once;
    above it, it waits for a poll the bot opens, which nobody can close early."""
    community = ctx.require_community()
    sample = example("/fund out", ctx.t(OUT_EXAMPLE))
    amount, note = _amount_and_note(ctx, rest, ctx.t("How much went out, and for what?"), sample)
    item: PlanItem | None = None
    if "|" in note:
        note, _, item_text = note.rpartition("|")
        note = note.strip()
        item = await _charged_item(ctx, item_text.strip(), sample)
    if not note:
        raise UserError(hint(ctx.t, str(ctx.t("Add a note: what is this money for?")), sample))
    checked(ctx, note, sample)
    await lock_fund(ctx.session, community)
    fund = await read_fund(ctx.session, community)
    code = currency(community)
    promised = fund.promised(item.id if item else None)
    decision = rules.decide_out(
        amount, limit=limit(community), free=fund.standing.free, promised=promised
    )
    if decision is rules.OutDecision.NOT_ENOUGH:
        raise UserError(_not_enough(ctx.t, fund, amount, promised, code, ctx.now))
    asking = decision is rules.OutDecision.ASK_MEMBERS
    entry = await _new_entry(
        ctx,
        community,
        kind=EntryKind.OUT,
        state=EntryState.PENDING if asking else EntryState.RECORDED,
        amount_minor=-amount,
        note=note,
        plan_item_id=item.id if item else None,
    )
    shown = cash(ctx.t, amount, code)
    if not asking:
        ctx.log(
            "fund.out", actor=ctx.user.display_name, number=entry.number, amount=shown, note=note
        )
        fund = await read_fund(ctx.session, community)
        lines = [
            ctx.t(
                "💸 Entry #{number}: {amount} out — {note}. Recorded by {name}.",
                number=entry.number,
                amount=shown,
                note=note,
                name=ctx.user.display_name,
            )
        ]
        if item is not None:
            lines.append(ctx.t("It is paid for plan item #{item}.", item=item.number))
        ctx.reply("\n".join([*map(str, lines), _balance(ctx.t, fund, code)]))
        return
    poll = await ctx.open_vote(
        VoteRequest(
            question=ctx.t(
                "Pay {amount} out of the common fund? {note} (entry #{number}, asked by {name})",
                amount=shown,
                note=note,
                number=entry.number,
                name=ctx.user.display_name,
            ).unescape(),
            options=[str(ctx.t("Yes")), str(ctx.t("No"))],
            kind=PollKind.SINGLE,
            subject=("fund", entry.id),
            by_bot=True,
        )
    )
    entry.poll_id = poll.id
    ctx.log(
        "fund.out_asked",
        actor=ctx.user.display_name,
        number=entry.number,
        amount=shown,
        note=note,
        poll=poll.number,
    )
    ctx.reply(
        ctx.t(
            "⏳ Entry #{number}: {amount} out — {note}. That is above the fund's limit of "
            "{limit}, so it waits for poll #{poll}: it is recorded only if the members "
            "approve it.",
            number=entry.number,
            amount=shown,
            note=note,
            limit=money.major(limit_major(community), code, ctx.t.locale),
            poll=poll.number,
        )
    )


def _not_enough(
    t: Translator, fund: Fund, amount: int, promised: int, code: str, now: datetime
) -> str:
    lines = [
        t(
            "The fund cannot pay {amount}: it has {free} free.",
            amount=cash(t, amount, code),
            free=cash(t, fund.standing.free + promised, code),
        ),
        *standing_lines(t, fund.standing, code, fund.budget, now),
    ]
    return "\n".join(str(line) for line in lines)


async def reverse(ctx: Context, rest: str) -> None:
    """A reversal undoes a recorded in or out, once; it is never reversed itself."""
    community = ctx.require_community()
    sample = example("/fund reverse 3", ctx.t("Typed the wrong amount"))
    number, note = _number_and_note(ctx, rest, sample)
    if note:
        checked(ctx, note, sample)
    await lock_fund(ctx.session, community)
    unknown = ctx.t("There is no entry #{number}; /fund lists them.", number=number)
    target = await find_numbered(ctx.session, FundEntry, community, number)
    if target is None:
        raise UserError(hint(ctx.t, str(unknown), sample))
    fund = await read_fund(ctx.session, community)
    why = rules.why_not_reverse(movement(target), fund.movements)
    if why is not None:
        raise UserError(_no_reversal(ctx.t, why, target, fund))
    entry = await _new_entry(
        ctx,
        community,
        kind=EntryKind.REVERSAL,
        amount_minor=-target.amount_minor,
        note=note,
        reverses_id=target.id,
    )
    ctx.log("fund.reversed", actor=ctx.user.display_name, number=entry.number, target=number)
    fund = await read_fund(ctx.session, community)
    lines = [
        ctx.t(
            "↩ Entry #{number} reverses entry #{target} ({amount} — {note}). Recorded by {name}.",
            number=entry.number,
            target=number,
            amount=money.signed_money(target.amount_minor, target.currency, ctx.t.locale),
            note=target.note,
            name=ctx.user.display_name,
        ),
        _balance(ctx.t, fund, target.currency),
    ]
    if fund.standing.free < 0:
        lines.append(
            ctx.t(
                "⚠️ The fund now has less than it owes to commitments and waiting polls: "
                "{free} free.",
                free=cash(ctx.t, fund.standing.free, target.currency),
            )
        )
    ctx.reply("\n".join(map(str, lines)))


def _number_and_note(ctx: Context, rest: str, sample: str) -> tuple[int, str]:
    parts = rest.split(maxsplit=1)
    if not parts:
        raise UserError(hint(ctx.t, str(ctx.t("Which entry? Give its number from /fund.")), sample))
    number = parse_number(parts[0])
    if number is None:
        raise UserError(
            hint(
                ctx.t, str(ctx.t("“{value}” is not a number like 5 or #5.", value=parts[0])), sample
            )
        )
    return number, parts[1].strip() if len(parts) > 1 else ""


def _no_reversal(t: Translator, why: rules.NoReversal, target: FundEntry, fund: Fund) -> str:
    number = target.number
    if why is rules.NoReversal.A_REVERSAL:
        return str(
            t(
                "Entry #{number} is itself a reversal and cannot be reversed: record the "
                "original entry again instead.",
                number=number,
            )
        )
    if why is rules.NoReversal.A_COMMITMENT:
        return str(
            t(
                "Entry #{number} is a budget round's commitment, decided by the members: it is "
                "not reversed. It ends when the plan item is paid or done.",
                number=number,
            )
        )
    if why is rules.NoReversal.ALREADY_REVERSED:
        by = next(e.number for e in fund.entries if e.reverses_id == target.id)
        return str(t("Entry #{number} is already reversed by entry #{by}.", number=number, by=by))
    if target.state is EntryState.PENDING:
        return str(
            t(
                "Entry #{number} is not recorded: it is waiting for its poll. Nothing to reverse.",
                number=number,
            )
        )
    return str(t("Entry #{number} was rejected by its poll and never counted.", number=number))


@feature.on_close("fund")
async def out_poll_closed(work: Work, poll: Poll, outcome: Outcome) -> None:
    """A passed poll records the out it decides on; any other end rejects it."""
    entry = await work.session.get(FundEntry, poll.subject_id, with_for_update=True)
    if entry is None or entry.state is not EntryState.PENDING or entry.poll_id != poll.id:
        return
    community = await work.session.get(Community, entry.community_id)
    assert community is not None
    t = work.community_translator(community)
    shown = cash(t, -entry.amount_minor, entry.currency)
    details = {"number": entry.number, "amount": shown, "poll": poll.number}
    if outcome.passed:
        entry.state = EntryState.RECORDED
        work.audit(community, None, "fund.out_approved", **details)
        fund = await read_fund(work.session, community)
        text = t(
            "✅ Poll #{poll} approved entry #{number}: {amount} out — {note}. It is recorded.",
            note=entry.note,
            **details,
        )
        work.post(community.chat_id, "\n".join((str(text), _balance(t, fund, entry.currency))))
        return
    entry.state = EntryState.REJECTED
    work.audit(community, None, "fund.out_rejected", **details)
    work.post(
        community.chat_id,
        t(
            "✖ Poll #{poll} did not approve entry #{number}: {amount} out — {note}. Nothing is "
            "paid; the entry stays in the ledger as rejected.",
            note=entry.note,
            **details,
        ),
    )


async def commit(
    work: Work, community: Community, budget: Budget, item: PlanItem, cost: int
) -> FundEntry:
    """A round's promise of ``cost`` to ``item``: an entry of the ledger, by nobody but the
    members' round."""
    entry = FundEntry(
        community_id=community.id,
        kind=EntryKind.COMMITMENT,
        amount_minor=-cost,
        currency=budget.currency,
        note=item.title,
        recorded_by=None,
        recorded_at=work.now,
        plan_item_id=item.id,
        budget_id=budget.id,
    )
    await add_numbered(work.session, entry)
    t = work.community_translator(community)
    work.audit(
        community,
        None,
        "fund.committed",
        budget=budget.number,
        amount=cash(t, cost, budget.currency),
        item=item.number,
        number=entry.number,
    )
    return entry
