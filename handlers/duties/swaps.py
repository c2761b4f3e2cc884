"""Duties: /swap and its answers, the offer to the whole group, and /away.

Who may do what (every command and button needs the sender on the roster):
only someone on a shift may ask to swap it, before it begins, and only with
a member of the community who is not on it already. Only the asked member
may accept or decline; a request unanswered after ``REMIND_AFTER`` is
reminded once, and one still open ``OFFER_BEFORE`` the shift is offered to
the group, where the first member not on the shift takes it. Every answer
is checked again under row locks (the request, the shift, the places on
it), so two presses cannot both win and a request whose asker has left the
shift, or whose shift has begun, takes nobody. /away is the sender's own:
their shifts within the days, not begun yet, go to someone else by the
rotation (least load, not away, not on the shift, not on the shift before
unless nobody else is free).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlalchemy import select

from handlers.core.buttons import BadAction
from handlers.core.context import Context, JobContext, UserError, Work, example, hint
from handlers.core.i18n import N_, Translator
from handlers.core.input import member_named, number_and_rest, numbered
from handlers.core.registry import Feature
from handlers.duties.queries import candidates, previous_people
from handlers.duties.rules import rotate
from handlers.duties.shift_queries import (
    locked_shift,
    open_swaps,
    place_of,
    roster,
    upcoming_shifts,
)
from handlers.duties.views import (
    SwapNo,
    SwapTake,
    SwapYes,
    away_line,
    offer_key,
    swap_asked,
    swap_buttons,
    swap_closed,
    swap_declined,
    swap_declined_told,
    swap_done,
    swap_done_told,
    swap_key,
    swap_offer,
    swap_offered_instead,
    swap_reminder,
    take_buttons,
)
from models import Away, Community, Shift, ShiftPerson, SwapRequest, SwapState, User

feature = Feature("duties.swaps")
feature.audit("duty.swap_asked", N_("{actor} asked {asked} to swap shift #{number}"))
feature.audit("duty.swapped", N_("{actor} took {previous}'s place on shift #{number}"))
feature.audit("duty.swap_declined", N_("{actor} declined to swap shift #{number} with {asker}"))
feature.audit("duty.swap_offered", N_("Shift #{number} was offered to everyone: no answer came"))
feature.audit("duty.away", N_("{actor} is away from {first} to {last}"))
feature.audit(
    "duty.reassigned", N_("Shift #{number} went from {previous} to {actor}: {previous} is away")
)

#: An unanswered request is reminded this long after it was made (once).
REMIND_AFTER = timedelta(hours=4)
#: An unanswered request is offered to the whole group this long before its shift.
OFFER_BEFORE = timedelta(hours=12)
#: The longest absence /away takes, both days counted.
MAX_AWAY_DAYS = 366
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OPEN = (SwapState.ASKED, SwapState.OFFERED)


def swap_moments(now: datetime, starts_at: datetime) -> tuple[datetime | None, datetime]:
    """When a request made at ``now`` is reminded (None: no time for it) and offered to all.

    The offer comes ``OFFER_BEFORE`` the shift; a request made later than
    that has half the time left for the asked member before it is offered.
    """
    offer = starts_at - OFFER_BEFORE
    if offer <= now:
        offer = now + (starts_at - now) / 2
    remind = now + REMIND_AFTER
    return (remind if remind < offer else None), offer


# --- /swap -------------------------------------------------------------------------


def _swap_example(ctx: Context, number: int = 12) -> str:
    return example(f"/swap {number}", "@username")


@feature.command("swap", N_("ask another member to take your place on a shift"))
async def swap(ctx: Context) -> None:
    ctx.require_community()
    number, who = number_and_rest(
        ctx,
        ctx.t(
            "Which shift, and with whom? Give the shift's number from /schedule and their @username."
        ),
        _swap_example(ctx),
    )
    if not who:
        raise UserError(
            hint(ctx.t, ctx.t("Whom do you ask? Add their @username."), _swap_example(ctx, number))
        )
    asked = await member_named(ctx, ctx.require_community(), who, _swap_example(ctx, number))
    unknown = ctx.t("There is no shift #{number}; /schedule lists them.", number=number)
    shift = await numbered(ctx, Shift, number, unknown, _swap_example(ctx))
    if shift.starts_at <= ctx.now:
        raise UserError(
            ctx.t(
                "Shift #{number} has already begun; swaps are for shifts ahead.",
                number=number,
            )
        )
    if await place_of(ctx.session, shift, ctx.user.id) is None:
        raise UserError(
            ctx.t(
                "You are not on shift #{number}; only its people can ask for a swap. "
                "/mine shows your shifts.",
                number=number,
            )
        )
    if asked.id == ctx.user.id:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("You cannot swap with yourself; name another member."),
                _swap_example(ctx, number),
            )
        )
    if await place_of(ctx.session, shift, asked.id) is not None:
        raise UserError(
            hint(
                ctx.t,
                ctx.t(
                    "{name} is already on shift #{number}; ask someone else.",
                    name=asked.display_name,
                    number=number,
                ),
                _swap_example(ctx, number),
            )
        )
    waiting = await ctx.session.scalar(
        select(SwapRequest.id).where(
            SwapRequest.shift_id == shift.id,
            SwapRequest.from_user == ctx.user.id,
            SwapRequest.state.in_(_OPEN),
        )
    )
    if waiting is not None:
        raise UserError(
            ctx.t(
                "You have already asked for a swap of shift #{number}; wait for the answer.",
                number=number,
            )
        )
    request = SwapRequest(
        shift_id=shift.id, from_user=ctx.user.id, to_user=asked.id, created_at=ctx.now
    )
    ctx.session.add(request)
    await ctx.session.flush()
    remind_at, offer_at = swap_moments(ctx.now, shift.starts_at)
    if remind_at is not None:
        ctx.schedule("swap.remind", request.id, remind_at)
    ctx.schedule("swap.offer", request.id, offer_at)
    ctx.log("duty.swap_asked", actor=ctx.user.display_name, asked=asked.display_name, number=number)
    ctx.reply(
        swap_asked(ctx.t, shift, ctx.user, asked, ctx.now),
        swap_buttons(ctx, ctx.t, request.id),
        key=swap_key(request.id),
    )


# --- answers -----------------------------------------------------------------------


@dataclass
class _Pressed:
    swap: SwapRequest
    shift: Shift
    community: Community
    asker: User


async def _locked_swap(work: Work, swap_id: int) -> _Pressed | None:
    """The request, its shift and community, locked in that order, and who asked."""
    swap = await work.session.scalar(
        select(SwapRequest)
        .where(SwapRequest.id == swap_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if swap is None:
        return None
    shift = await locked_shift(work.session, swap.shift_id)
    assert shift is not None  # a request goes with its shift (ON DELETE CASCADE)
    community = await work.session.get(Community, shift.community_id)
    asker = await work.session.get(User, swap.from_user)
    assert community is not None and asker is not None
    return _Pressed(swap, shift, community, asker)


async def _pressed(ctx: Context, swap_id: int) -> _Pressed:
    found = await _locked_swap(ctx, swap_id)
    if found is None or found.community.id != ctx.require_community().id:
        raise BadAction("swap request of another community")
    return found


async def _still_open(work: Work, found: _Pressed) -> ShiftPerson | None:
    """The asker's place, while the request can still be answered; else close it (None)."""
    shift, swap = found.shift, found.swap
    place = None
    if shift.starts_at > work.now:
        place = await place_of(work.session, shift, swap.from_user)
    if place is None:
        _close(work, swap, SwapState.CLOSED)
    return place


def _close(work: Work, swap: SwapRequest, state: SwapState) -> None:
    swap.state, swap.answered_at = state, work.now


async def _cancel_jobs(work: Work, swap: SwapRequest) -> None:
    await work.cancel_jobs("swap.remind", swap.id)
    await work.cancel_jobs("swap.offer", swap.id)


def _refuse_closed(ctx: Context, found: _Pressed, why: str | Markup) -> None:
    """Tell the presser the request is over, and take the buttons off its messages."""
    chat = found.community.chat_id
    text = swap_closed(ctx.t, found.shift, ctx.now)
    ctx.edit_copies(chat, swap_key(found.swap.id), text)
    ctx.edit_posted(chat, offer_key(found.swap.id), text)
    ctx.answer(str(why), alert=True)


async def _refuse_answered(ctx: Context, found: _Pressed) -> None:
    swap = found.swap
    if swap.taken_by is not None:
        taker = await ctx.session.get(User, swap.taken_by)
        assert taker is not None
        message = ctx.reader.gettext(
            "{name} has already taken shift #{number}.",
            name=taker.display_name,
            number=found.shift.number,
        )
    else:
        message = ctx.reader.gettext("This swap request has already been answered.")
    ctx.answer(str(message), alert=True)


async def _hand_over(ctx: Context, found: _Pressed, place: ShiftPerson) -> None:
    """The presser takes the asker's place: the change, its record and the news."""
    swap, shift, asker = found.swap, found.shift, found.asker
    place.user_id, place.user, place.acknowledged_at = ctx.user.id, ctx.user, None
    _close(ctx, swap, SwapState.ACCEPTED)
    swap.taken_by = ctx.user.id
    await _cancel_jobs(ctx, swap)
    ctx.log(
        "duty.swapped",
        actor=ctx.user.display_name,
        previous=asker.display_name,
        number=shift.number,
    )
    chat = found.community.chat_id
    done = swap_done(ctx.t, shift, asker, ctx.user, ctx.now)
    ctx.edit_copies(chat, swap_key(swap.id), done)
    ctx.edit_posted(chat, offer_key(swap.id), done)
    ctx.reply(swap_done_told(ctx.t, shift, asker, ctx.user), quote=True)
    ctx.answer(str(ctx.reader.gettext("You are on shift #{number} now.", number=shift.number)))


@feature.button(SwapYes)
async def accept(ctx: Context, pressed: SwapYes) -> None:
    found = await _pressed(ctx, pressed.swap_id)
    if ctx.user.id != found.swap.to_user:
        await _only_the_asked(ctx, found)
        return
    if found.swap.state is SwapState.OFFERED:
        ctx.answer(
            str(
                ctx.reader.gettext(
                    "No answer came in time, so shift #{number} is offered to everyone: "
                    "press “I'll take it” under the offer.",
                    number=found.shift.number,
                )
            ),
            alert=True,
        )
        return
    if found.swap.state is not SwapState.ASKED:
        await _refuse_answered(ctx, found)
        return
    place = await _still_open(ctx, found)
    if place is None:
        _refuse_closed(ctx, found, _why_closed(ctx, found))
        return
    if await place_of(ctx.session, found.shift, ctx.user.id) is not None:
        _close(ctx, found.swap, SwapState.CLOSED)
        await _cancel_jobs(ctx, found.swap)
        _refuse_closed(
            ctx,
            found,
            ctx.reader.gettext("You are already on shift #{number}.", number=found.shift.number),
        )
        return
    await _hand_over(ctx, found, place)


@feature.button(SwapNo)
async def decline(ctx: Context, pressed: SwapNo) -> None:
    found = await _pressed(ctx, pressed.swap_id)
    swap, shift, asker = found.swap, found.shift, found.asker
    if ctx.user.id != swap.to_user:
        await _only_the_asked(ctx, found)
        return
    if swap.state is not SwapState.ASKED:
        await _refuse_answered(ctx, found)
        return
    _close(ctx, swap, SwapState.DECLINED)
    await _cancel_jobs(ctx, swap)
    ctx.log(
        "duty.swap_declined",
        actor=ctx.user.display_name,
        asker=asker.display_name,
        number=shift.number,
    )
    chat = found.community.chat_id
    ctx.edit_copies(chat, swap_key(swap.id), swap_declined(ctx.t, shift, asker, ctx.user, ctx.now))
    ctx.reply(swap_declined_told(ctx.t, shift, asker, ctx.user), quote=True)
    ctx.answer(str(ctx.reader.gettext("You declined; {name} is told.", name=asker.display_name)))


@feature.button(SwapTake)
async def take(ctx: Context, pressed: SwapTake) -> None:
    """The first member not on the shift to press takes the asker's place."""
    found = await _pressed(ctx, pressed.swap_id)
    if found.swap.state is not SwapState.OFFERED:
        await _refuse_answered(ctx, found)
        return
    place = await _still_open(ctx, found)
    if place is None:
        _refuse_closed(ctx, found, _why_closed(ctx, found))
        return
    if await place_of(ctx.session, found.shift, ctx.user.id) is not None:
        ctx.answer(
            str(
                ctx.reader.gettext("You are already on shift #{number}.", number=found.shift.number)
            ),
            alert=True,
        )
        return
    await _hand_over(ctx, found, place)


async def _only_the_asked(ctx: Context, found: _Pressed) -> None:
    asked = await ctx.session.get(User, found.swap.to_user)
    assert asked is not None
    ctx.answer(
        str(ctx.reader.gettext("Only {name} can answer this request.", name=asked.display_name)),
        alert=True,
    )


def _why_closed(ctx: Context, found: _Pressed) -> Markup:
    number = found.shift.number
    if found.shift.starts_at <= ctx.now:
        return ctx.reader.gettext("Shift #{number} has already begun.", number=number)
    return ctx.reader.gettext(
        "{name} is no longer on shift #{number}, so there is nothing to swap.",
        name=found.asker.display_name,
        number=number,
    )


# --- jobs --------------------------------------------------------------------------


async def _waiting(work: JobContext, swap_id: int) -> tuple[_Pressed, Translator] | None:
    """A request still asked of its member, with the group's translator; None otherwise."""
    found = await _locked_swap(work, swap_id)
    if found is None or found.swap.state is not SwapState.ASKED:
        return None
    if await _still_open(work, found) is None:
        return None
    return found, work.community_translator(found.community)


@feature.job("swap.remind")
async def remind(work: JobContext, swap_id: int) -> None:
    """Remind the asked member once, in the group, with the same buttons."""
    waiting = await _waiting(work, swap_id)
    if waiting is None:
        return
    found, t = waiting
    asked = await work.session.get(User, found.swap.to_user)
    assert asked is not None
    work.post(
        found.community.chat_id,
        swap_reminder(t, found.shift, found.asker, asked, work.now),
        swap_buttons(work, t, found.swap.id),
        key=swap_key(found.swap.id),
        copies=True,
    )


@feature.job("swap.offer")
async def offer(work: JobContext, swap_id: int) -> None:
    """Still unanswered before the shift: the request goes to the whole group."""
    waiting = await _waiting(work, swap_id)
    if waiting is None:
        return
    found, t = waiting
    swap, shift = found.swap, found.shift
    asked = await work.session.get(User, swap.to_user)
    assert asked is not None
    swap.state = SwapState.OFFERED
    await work.cancel_jobs("swap.remind", swap.id)
    chat = found.community.chat_id
    work.edit_posted(
        chat, swap_key(swap.id), swap_offered_instead(t, shift, found.asker, asked, work.now)
    )
    work.post(
        chat,
        swap_offer(t, shift, found.asker, work.now),
        take_buttons(work, t, swap.id),
        key=offer_key(swap.id),
    )
    work.audit(found.community, None, "duty.swap_offered", number=shift.number)


# --- /away -------------------------------------------------------------------------


def _away_example(ctx: Context) -> str:
    today = _today(ctx)
    first, last = today + timedelta(days=7), today + timedelta(days=14)
    return example("/away", f"{first.isoformat()} {last.isoformat()}")


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.t.zone).date()


def _day(ctx: Context, text: str) -> date:
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise UserError(
        hint(
            ctx.t,
            ctx.t("“{value}” is not a date written YYYY-MM-DD.", value=text),
            _away_example(ctx),
        )
    )


def away_days(ctx: Context) -> tuple[date, date]:
    """FROM and TO of /away: real dates, in order, not in the past, at most a year."""
    words = ctx.args.split()
    if len(words) != 2:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("Give the first and the last day you are away, written YYYY-MM-DD."),
                _away_example(ctx),
            )
        )
    first, last = _day(ctx, words[0]), _day(ctx, words[1])
    if first > last:
        problem = ctx.t("The first day comes after the last one.")
    elif first < _today(ctx):
        problem = ctx.t("{day} has passed; absences start today or later.", day=first.isoformat())
    elif (last - first).days + 1 > MAX_AWAY_DAYS:
        problem = ctx.t(
            "That is longer than a year; give at most {days} days.",
            days=ctx.t.number(MAX_AWAY_DAYS),
        )
    else:
        return first, last
    raise UserError(hint(ctx.t, problem, _away_example(ctx)))


def away_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The moments an absence runs between: local midnight of ``first`` to the one after ``last``."""
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return start, end


def overlaps(shift: Shift, start: datetime, end: datetime) -> bool:
    """Whether any of the shift falls within [start, end)."""
    return shift.starts_at < end and shift.ends_at > start


@feature.command("away", N_("say you are away (FROM TO, YYYY-MM-DD): your shifts go to others"))
async def away(ctx: Context) -> None:
    community = ctx.require_community()
    first, last = away_days(ctx)
    ctx.session.add(
        Away(
            community_id=community.id,
            user_id=ctx.user.id,
            first_day=first,
            last_day=last,
            created_at=ctx.now,
        )
    )
    absences = await _absences(ctx, community)
    start, end = away_bounds(first, last, ctx.t.zone)
    mine = [
        shift
        for shift in await upcoming_shifts(
            ctx.session, [community.id], ctx.now, user_id=ctx.user.id
        )
        if shift.starts_at > ctx.now and overlaps(shift, start, end)
    ]
    for request in await open_swaps(ctx.session, [s.id for s in mine], ctx.user.id):
        swap = await ctx.session.get(SwapRequest, request)
        assert swap is not None
        _close(ctx, swap, SwapState.CLOSED)
        await _cancel_jobs(ctx, swap)
        text = swap_closed(ctx.t, next(s for s in mine if s.id == swap.shift_id), ctx.now)
        ctx.edit_posted(community.chat_id, swap_key(swap.id), text)
        ctx.edit_posted(community.chat_id, offer_key(swap.id), text)
    members = await roster(ctx.session, community)
    lines = []
    for listed in mine:
        shift = await locked_shift(ctx.session, listed.id)
        assert shift is not None
        lines.append(str(await _reassign(ctx, community, shift, members, absences)))
    ctx.log(
        "duty.away", actor=ctx.user.display_name, first=first.isoformat(), last=last.isoformat()
    )
    head = ctx.t(
        "{name} is away from {first} to {last}; the rotation skips them.",
        name=ctx.user.display_name,
        first=first.isoformat(),
        last=last.isoformat(),
    )
    ctx.reply("\n".join([str(head), *lines]))


async def _absences(ctx: Context, community: Community) -> list[tuple[int, datetime, datetime]]:
    """Absences not over yet, as (user, from, until) moments in the community's zone."""
    rows = await ctx.session.scalars(
        select(Away).where(Away.community_id == community.id, Away.last_day >= _today(ctx))
    )
    return [(a.user_id, *away_bounds(a.first_day, a.last_day, ctx.t.zone)) for a in rows]


async def _reassign(
    ctx: Context,
    community: Community,
    shift: Shift,
    members: list[User],
    absences: list[tuple[int, datetime, datetime]],
) -> Markup:
    """Give the sender's place on ``shift`` to the next one by the rotation, if anyone is free."""
    place = await place_of(ctx.session, shift, ctx.user.id)
    assert place is not None
    on_it = {person.user_id for person in await _places(ctx, shift)}
    away_now = {user for user, start, end in absences if overlaps(shift, start, end)}
    pool = [
        replace(c, available=c.user_id not in on_it and c.user_id not in away_now)
        for c in await candidates(ctx.session, shift.duty)
    ]
    before = await previous_people(ctx.session, shift.duty, shift.starts_at)
    chosen = rotate(pool, 1, before)
    newcomer = next((u for u in members if u.id in chosen), None)
    if newcomer is not None:
        place.user_id, place.user, place.acknowledged_at = newcomer.id, newcomer, None
        await ctx.session.flush()
        ctx.log(
            "duty.reassigned",
            actor=newcomer.display_name,
            previous=ctx.user.display_name,
            number=shift.number,
        )
    return away_line(ctx.t, shift, ctx.now, newcomer, ctx.user)


async def _places(ctx: Context, shift: Shift) -> list[ShiftPerson]:
    return list(
        await ctx.session.scalars(select(ShiftPerson).where(ShiftPerson.shift_id == shift.id))
    )
