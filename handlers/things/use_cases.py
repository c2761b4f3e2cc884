"""Things use cases: /things, /thing add, /lend, /return and /give.

Who may do what (every command needs the sender on the roster): the store
is common, so any member adds to it, hands a unit from it to any member on
the roster (themselves included: "I took the ladder") and gives materials
from it to an open plan item. A holder returns what they hold; any member
may also record a return on a holder's behalf (``/return THING @user``) —
the drill is back on the shelf whoever types it — and the reply and the log
say who recorded it. A holder who has left the roster can still be
returned for. Every move is a ``ThingMove`` row and an audit entry.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from handlers.core.context import Context, UserError, example, hint
from handlers.core.i18n import N_
from handlers.core.input import echoed, member_named, numbered, one_named
from handlers.core.numbering import add_numbered, find_numbered, parse_number
from handlers.core.paging import Listed, listing
from handlers.core.registry import Feature
from handlers.things import queries, rules
from handlers.things.rules import Refusal, Refused, Stock
from handlers.things.views import ThingsPage, thing_line, thing_name, where_it_is
from models import MoveKind, PlanItem, PlanStatus, Thing, ThingHolding, User

feature = Feature("things")
feature.audit("thing.added", N_("{actor} added {quantity} × {thing} (#{number}) to the store"))
feature.audit("thing.lent", N_("{actor} handed 1 × {thing} (#{number}) to {holder}"))
feature.audit(
    "thing.returned", N_("{actor} recorded that {holder} returned {quantity} × {thing} (#{number})")
)
feature.audit(
    "thing.given", N_("{actor} gave {quantity} × {thing} (#{number}) to plan item #{item}")
)

_NAMED = re.compile(r"^(?P<thing>.*?)\s+(?P<who>@\S+)$", re.S)


def _add_example(ctx: Context) -> str:
    return example("/thing add", _cement(ctx) + " | 10")


def _lend_example(ctx: Context) -> str:
    return example("/lend", _drill(ctx) + " @username")


def _return_example(ctx: Context) -> str:
    return example("/return", _drill(ctx))


def _give_example(ctx: Context) -> str:
    return example("/give", _cement(ctx) + " 2 | 3")


def _cement(ctx: Context) -> str:
    return str(ctx.t("Cement bags"))


def _drill(ctx: Context) -> str:
    return str(ctx.t("Drill"))


def _refusal(ctx: Context, reason: Refusal, sample: str, value: str = "") -> UserError:
    problem = {
        Refusal.EMPTY_NAME: ctx.t("Name the thing."),
        Refusal.LONG_NAME: ctx.t(
            "A thing's name has at most {limit} characters.", limit=ctx.t.number(rules.NAME_LIMIT)
        ),
        Refusal.BAD_QUANTITY: ctx.t(
            "A quantity is a whole number from 1 to {limit}, not “{value}”.",
            limit=ctx.t.number(rules.QUANTITY_LIMIT),
            value=value,
        ),
        Refusal.TOO_MANY: ctx.t(
            "One thing can have at most {limit} units in all.",
            limit=ctx.t.number(rules.TOTAL_LIMIT),
        ),
    }.get(reason)
    assert problem is not None, reason
    return UserError(hint(ctx.t, problem, sample))


def _quantity(ctx: Context, text: str, sample: str) -> int:
    try:
        return rules.quantity(text)
    except Refused as refused:
        raise _refusal(ctx, refused.reason, sample, echoed(text)) from None


def _key(ctx: Context, name: str, sample: str) -> str:
    try:
        return rules.name_key(name)
    except Refused as refused:
        raise _refusal(ctx, refused.reason, sample) from None


async def _thing(ctx: Context, ref: str, sample: str) -> Thing:
    """The thing ``ref`` means: its number (``3``, ``#3``) or its name in any case."""
    community = ctx.require_community()
    number = parse_number(rules.tidy(ref))
    if number is not None:
        found = await find_numbered(ctx.session, Thing, community, number)
        if found is None:
            problem = ctx.t("There is no thing #{number}; /things lists them.", number=number)
            raise UserError(hint(ctx.t, problem, sample))
        return found
    found = await queries.thing_by_key(ctx.session, community, _key(ctx, ref, sample))
    if found is None:
        problem = ctx.t("There is no thing “{name}”; /things lists them.", name=rules.tidy(ref))
        raise UserError(hint(ctx.t, problem, sample))
    return found


async def _stock(ctx: Context, thing: Thing) -> tuple[dict[int, ThingHolding], Stock]:
    held = await queries.holdings(ctx.session, thing)
    return held, queries.stock_of(thing, held)


def _out(ctx: Context, thing: Thing, held: dict[int, ThingHolding], sample: str) -> UserError:
    rows = sorted(held.values(), key=lambda row: (-row.quantity, row.since))
    return UserError(hint(ctx.t, where_it_is(ctx.t, thing, rows), sample))


def _split_person(ctx: Context) -> tuple[str, str]:
    """``THING @user`` or ``THING | Name``: the thing and who; who is "" when not given."""
    args = ctx.args
    if "|" in args:
        thing, _, who = args.partition("|")
        return thing.strip(), who.strip()
    match = _NAMED.match(args)
    if match:
        return match["thing"].strip(), match["who"]
    return args, ""


# /things ---------------------------------------------------------------------------------------


@listing(
    feature,
    "things",
    N_("shared tools and materials: what is in the store and who holds what"),
    page=ThingsPage,
)
async def list_things(ctx: Context, page: int) -> Listed:
    rows = await queries.ledger(ctx.session, ctx.require_community())
    return Listed(
        str(ctx.t("<b>Shared things</b> — in the store, held, used for the plan:")),
        [thing_line(ctx.t, thing, held) for thing, held in rows],
        hint(ctx.t, ctx.t("The store is empty."), _add_example(ctx)),
    )


# /thing add ------------------------------------------------------------------------------------


@feature.command("thing", N_("add a shared tool or material: /thing add NAME | QUANTITY"))
async def thing_command(ctx: Context) -> None:
    community = ctx.require_community()
    verb, _, rest = ctx.args.partition(" ")
    if verb.lower() != "add":
        problem = ctx.t("Write add, the thing's name and, after |, how many there are.")
        raise UserError(hint(ctx.t, problem, _add_example(ctx)))
    name, bar, amount = rest.partition("|")
    units = _quantity(ctx, amount, _add_example(ctx)) if bar else 1
    key = _key(ctx, name, _add_example(ctx))
    if (number := parse_number(rules.tidy(name))) is not None:
        problem = ctx.t(
            "A thing's name cannot be only a number: {number} means thing #{number}.",
            number=number,
        )
        raise UserError(hint(ctx.t, problem, _add_example(ctx)))
    thing = await queries.thing_by_key(ctx.session, community, key)
    held: dict[int, ThingHolding] = {}
    before = Stock()
    if thing is not None:
        held, before = await _stock(ctx, thing)
    try:
        after = rules.add(before, units)
    except Refused as refused:
        raise _refusal(ctx, refused.reason, _add_example(ctx)) from None
    if thing is None:
        thing = Thing(
            community_id=community.id,
            name=rules.tidy(name),
            key=key,
            in_store=0,
            used=0,
            added_by=ctx.user.id,
            created_at=ctx.now,
        )
        await add_numbered(ctx.session, thing)
        reply = ctx.t(
            "📦 {name} added {thing} to the common store: {n} in store.",
            name=ctx.user.display_name,
            thing=thing_name(thing),
            n=ctx.t.number(after.store),
        )
    else:
        reply = ctx.t(
            "📦 {name} added {added} more to {thing}: {n} in store.",
            name=ctx.user.display_name,
            added=ctx.t.number(units),
            thing=thing_name(thing),
            n=ctx.t.number(after.store),
        )
    await queries.move(ctx.session, thing, held, after, MoveKind.ADDED, units, ctx.user, ctx.now)
    ctx.log(
        "thing.added",
        actor=ctx.user.display_name,
        quantity=units,
        thing=thing.name,
        number=thing.number,
    )
    ctx.reply(reply)


# /lend -----------------------------------------------------------------------------------------


@feature.command("lend", N_("hand a shared thing from the store to a member: /lend THING @user"))
async def lend(ctx: Context) -> None:
    ref, who = _split_person(ctx)
    if not ref:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("Which thing, and to whom? Give its number or name and their @username."),
                _lend_example(ctx),
            )
        )
    if not who:
        raise UserError(
            hint(ctx.t, ctx.t("Whom do you hand it to? Add their @username."), _lend_example(ctx))
        )
    holder = await member_named(ctx, ctx.require_community(), who, _lend_example(ctx))
    thing = await _thing(ctx, ref, _lend_example(ctx))
    held, before = await _stock(ctx, thing)
    try:
        after = rules.lend(before, holder.id)
    except Refused:
        raise _out(ctx, thing, held, _return_example(ctx)) from None
    await queries.move(
        ctx.session, thing, held, after, MoveKind.LENT, 1, ctx.user, ctx.now, receiver=holder.id
    )
    ctx.log(
        "thing.lent",
        actor=ctx.user.display_name,
        thing=thing.name,
        number=thing.number,
        holder=holder.display_name,
    )
    ctx.reply(
        ctx.t(
            "🤝 {name} handed 1 × {thing} to {holder}; {n} left in store.",
            name=ctx.user.display_name,
            thing=thing_name(thing),
            holder=holder.display_name,
            n=ctx.t.number(after.store),
        )
    )


# /return ---------------------------------------------------------------------------------------


@feature.command("return", N_("bring back what you hold of a shared thing: /return THING [@user]"))
async def give_back(ctx: Context) -> None:
    ref, who = _split_person(ctx)
    if not ref:
        problem = ctx.t("Which thing? Give its number or name from /things.")
        raise UserError(hint(ctx.t, problem, _return_example(ctx)))
    thing = await _thing(ctx, ref, _return_example(ctx))
    held, before = await _stock(ctx, thing)
    holder = _holder(ctx, thing, held, who)
    after, units = rules.give_back(before, holder.id)
    await queries.move(
        ctx.session,
        thing,
        held,
        after,
        MoveKind.RETURNED,
        units,
        ctx.user,
        ctx.now,
        giver=holder.id,
    )
    ctx.log(
        "thing.returned",
        actor=ctx.user.display_name,
        holder=holder.display_name,
        quantity=units,
        thing=thing.name,
        number=thing.number,
    )
    reply = ctx.t(
        "↩️ {holder} returned {units} × {thing} to the store; {n} in store now.",
        holder=holder.display_name,
        units=ctx.t.number(units),
        thing=thing_name(thing),
        n=ctx.t.number(after.store),
    )
    if holder.id != ctx.user.id:
        reply = Markup("{reply}\n{by}").format(
            reply=reply, by=ctx.t("Recorded by {name}.", name=ctx.user.display_name)
        )
    ctx.reply(reply)


def _holder(ctx: Context, thing: Thing, held: dict[int, ThingHolding], who: str) -> User:
    """Whose units come back: the sender's, or those of the holder ``who`` names."""
    sample = example("/return", f"{thing.number} @username")
    if not who:
        if ctx.user.id not in held:
            problem = ctx.t(
                "You do not hold {thing}; /things shows who does.", thing=thing_name(thing)
            )
            raise UserError(hint(ctx.t, problem, sample))
        return ctx.user
    unknown = ctx.t(
        "{name} does not hold {thing}; /things shows who does.",
        name=echoed(who),
        thing=thing_name(thing),
    )
    return one_named(ctx, [row.user for row in held.values()], who, unknown, sample)


# /give -----------------------------------------------------------------------------------------


@feature.command(
    "give", N_("use materials from the store for a plan item: /give THING QUANTITY | PLAN_ID")
)
async def give(ctx: Context) -> None:
    left, bar, item_ref = ctx.args.partition("|")
    parts = left.rsplit(maxsplit=1)
    if not bar or len(parts) < 2 or not item_ref.strip():
        problem = ctx.t(
            "Give the thing, how many, then | and the number of the plan item they are for."
        )
        raise UserError(hint(ctx.t, problem, _give_example(ctx)))
    ref, amount = parts
    units = _quantity(ctx, amount, _give_example(ctx))
    item_number = parse_number(item_ref)
    if item_number is None:
        problem = ctx.t("“{value}” is not a number like 5 or #5.", value=echoed(item_ref))
        raise UserError(hint(ctx.t, problem, _give_example(ctx)))
    thing = await _thing(ctx, ref, _give_example(ctx))
    unknown = ctx.t("There is no plan item #{number}; /plan lists them.", number=item_number)
    item = await numbered(ctx, PlanItem, item_number, unknown, _give_example(ctx))
    if item.status is PlanStatus.DONE:
        raise UserError(
            ctx.t(
                "Plan item #{number} is already done; things go to open plan items only.",
                number=item.number,
            )
        )
    held, before = await _stock(ctx, thing)
    try:
        after = rules.use(before, units)
    except Refused as refused:
        if refused.reason is Refusal.ALL_OUT:
            raise _out(ctx, thing, held, _give_example(ctx)) from None
        problem = ctx.t(
            "Only {n} of {thing} in store.", n=ctx.t.number(before.store), thing=thing_name(thing)
        )
        raise UserError(
            hint(ctx.t, problem, example("/give", f"{thing.number} {before.store} | {item.number}"))
        ) from None
    await queries.move(
        ctx.session,
        thing,
        held,
        after,
        MoveKind.GIVEN,
        units,
        ctx.user,
        ctx.now,
        plan_item_id=item.id,
    )
    ctx.log(
        "thing.given",
        actor=ctx.user.display_name,
        quantity=units,
        thing=thing.name,
        number=thing.number,
        item=item.number,
    )
    ctx.reply(
        ctx.t(
            "🧱 {name} gave {units} × {thing} to plan item #{item}, {title}; {n} left in store.",
            name=ctx.user.display_name,
            units=ctx.t.number(units),
            thing=thing_name(thing),
            item=item.number,
            title=item.title,
            n=ctx.t.number(after.store),
        )
    )
