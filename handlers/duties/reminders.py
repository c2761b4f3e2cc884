"""Duties: reminders before each shift, "I'm on it", the escalation, /cover, the record after.

What a new shift gets (``schedule_for``, called by the planner for every shift it makes):
three due jobs, ref the shift's id —

* ``shift.remind24`` at start − 24 h and ``shift.remind1`` at start − 1 h: the group's reminder
  (community language; each person named, those the bot cannot write to mentioned) with an
  "I'm on it" button, and a private one to each person on it who started the bot (their own
  language). A private reminder that falls in the community's quiet hours (default
  22:00–08:00) becomes a job of its own, ``shift.dm24`` / ``shift.dm1`` (ref the ShiftPerson
  id), at the end of the quiet hours — unless the shift starts first, then it goes at once.
  The 1 h job then offers every place nobody confirmed to the group ("I'll cover");
* ``shift.record`` at the end: each person served, covered or missed.

Every job looks at the shift when it runs, not when it was planned: a cancelled shift (deleted) gets
nothing; a shift that has begun gets no reminder (a reminder whose moment passed while the
bot was down goes out at once on start if the shift has not begun); a 24 h reminder that
runs when the 1 h one is already due leaves it to the 1 h one; a shift is escalated once.
What a job says is written to the outbox in the job's own transaction (``Work.post``), so
deciding and queueing commit together and the shared sender delivers each message once.

Covering: the first member who volunteers (button or ``/cover 12``) takes the oldest
unconfirmed place. That place's row is removed and the volunteer's row is added with
``covering`` = the person they stand in for, already confirmed; so a shift always has as
many rows as places, each row is someone who is (or was) really on it, a private reminder
job of the person covered finds no row and sends nothing, and "who was covered" stays
readable from ``covering``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.buttons import BadAction
from handlers.core.context import Context, UserError, Work, hint
from handlers.core.i18n import N_, Translator
from handlers.core.input import number_and_rest
from handlers.core.messages import Button
from handlers.core.numbering import find_numbered
from handlers.core.registry import Feature, Needs
from handlers.duties import queries
from handlers.duties.rules import DEFAULT_QUIET, parse_quiet, quiet_until, reminder_moments
from handlers.duties.views import (
    OnIt,
    OnShift,
    WillCover,
    cover_key,
    cover_label,
    escalation_settled,
    escalation_text,
    group_reminder,
    on_it_label,
    private_reminder,
    record_text,
    shift_key,
)
from models import Community, Shift, ShiftOutcome, ShiftPerson, User

feature = Feature("duties.reminders")
feature.audit("duty.covered", N_("{volunteer} covers for {person} on shift #{number} ({duty})"))
feature.audit("duty.missed", N_("Shift #{number} ({duty}) was missed by {names}"))

REMIND_24 = "shift.remind24"
REMIND_1 = "shift.remind1"
DM_24 = "shift.dm24"
DM_1 = "shift.dm1"
RECORD = "shift.record"
SHIFT_JOBS = (REMIND_24, REMIND_1, RECORD)

# --- scheduling -----------------------------------------------------------------------------


def schedule_for(work: Work, shift: Shift) -> None:
    """Schedule what a new shift needs: its two reminders and its record.

    ``shift`` must have its id (flushed). Call it once per shift: a moment already passed
    makes a job due at once (the job then decides whether it still has anything to say).
    """
    early, late = reminder_moments(shift.starts_at)
    work.schedule(REMIND_24, shift.id, early)
    work.schedule(REMIND_1, shift.id, late)
    work.schedule(RECORD, shift.id, shift.ends_at)


async def cancel_for(work: Work, shift_ids: Iterable[int]) -> None:
    """Drop the due jobs of shifts about to be deleted (call it before deleting them).

    A job of a deleted shift finds no row and does nothing, but on SQLite a new shift can
    get the id of a deleted one (rowids are reused without AUTOINCREMENT), and its old
    jobs would then remind the new shift a second time.
    """
    ids = list(shift_ids)
    people = list(
        await work.session.scalars(select(ShiftPerson.id).where(ShiftPerson.shift_id.in_(ids)))
    )
    for shift_id in ids:
        for kind in SHIFT_JOBS:
            await work.cancel_jobs(kind, shift_id)
    for person_id in people:
        for kind in (DM_24, DM_1):
            await work.cancel_jobs(kind, person_id)


def quiet_hours(community: Community) -> tuple[time, time]:
    """The community's quiet hours for private reminders (``/setup quiet=…``), default 22–08."""
    setting = (community.settings or {}).get("quiet")
    if not isinstance(setting, str):
        return DEFAULT_QUIET
    try:
        return parse_quiet(setting)
    except ValueError:
        return DEFAULT_QUIET


# --- reading ----------------------------------------------------------------------------------


async def _locked_shift(session: AsyncSession, shift_id: int) -> Shift | None:
    """The shift, locked for the change about to be made (presses and jobs queue up on it)."""
    shift: Shift | None = await session.scalar(
        select(Shift).where(Shift.id == shift_id).with_for_update(of=Shift)
    )
    return shift


async def people_on(session: AsyncSession, shift_id: int) -> list[ShiftPerson]:
    """The people on one shift, in the order they were put on it."""
    return (await queries.people_on(session, [shift_id]))[shift_id]


async def _names(session: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    users = await session.scalars(select(User).where(User.id.in_(user_ids)))
    return {user.id: user.display_name for user in users}


async def _on_shift(session: AsyncSession, people: Sequence[ShiftPerson]) -> list[OnShift]:
    covered = await _names(session, {p.covering for p in people if p.covering is not None})
    return [
        OnShift(
            user_id=p.user_id,
            name=p.user.display_name,
            started_bot=p.user.started_bot,
            acknowledged=p.acknowledged_at is not None,
            covering=covered.get(p.covering) if p.covering is not None else None,
        )
        for p in people
    ]


async def _community(session: AsyncSession, shift: Shift) -> Community:
    community = await session.get(Community, shift.community_id)
    assert community is not None
    return community


# --- what the messages say -------------------------------------------------------------------


async def _group_message(
    work: Work, t: Translator, shift: Shift, people: Sequence[ShiftPerson]
) -> tuple[str, list[list[Button]]]:
    shown = await _on_shift(work.session, people)
    text = group_reminder(
        t,
        duty=shift.duty.name,
        number=shift.number,
        starts_at=shift.starts_at,
        now=work.now,
        people=shown,
    )
    waiting = any(not p.acknowledged for p in shown) and work.now < shift.ends_at
    buttons = [[work.button(on_it_label(t), OnIt(shift.id))]] if waiting else []
    return str(text), buttons


def _private_message(
    work: Work, t: Translator, community: Community, shift: Shift, person: ShiftPerson
) -> tuple[str, list[list[Button]]]:
    acknowledged = person.acknowledged_at is not None
    text = private_reminder(
        t,
        community=community.title,
        duty=shift.duty.name,
        number=shift.number,
        starts_at=shift.starts_at,
        now=work.now,
        acknowledged=acknowledged,
    )
    buttons = [] if acknowledged else [[work.button(on_it_label(t), OnIt(shift.id))]]
    return str(text), buttons


def _post_private(work: Work, community: Community, shift: Shift, person: ShiftPerson) -> None:
    t = work.reader_translator(person.user, community)
    text, buttons = _private_message(work, t, community, shift, person)
    work.post(person.user_id, text, buttons, key=shift_key(shift.id), copies=True)


async def _cover_message(
    work: Work, t: Translator, shift: Shift, people: Sequence[ShiftPerson]
) -> tuple[str, list[list[Button]]]:
    """The request for cover as it stands: who still lacks anyone, who covered whom."""
    shown = await _on_shift(work.session, people)
    open_names = [p.name for p in shown if not p.acknowledged]
    covers = [(p.name, p.covering) for p in shown if p.covering is not None]
    if not covers and open_names:
        text = escalation_text(
            t,
            duty=shift.duty.name,
            number=shift.number,
            starts_at=shift.starts_at,
            now=work.now,
            open_names=open_names,
        )
    else:
        text = escalation_settled(
            t,
            duty=shift.duty.name,
            number=shift.number,
            covers=[(name, other) for name, other in covers if other is not None],
            open_names=open_names,
        )
    offer = open_names and work.now < shift.ends_at
    buttons = [[work.button(cover_label(t), WillCover(shift.id))]] if offer else []
    return str(text), buttons


# --- the jobs ------------------------------------------------------------------------------


async def _remind(work: Work, shift_id: int, *, early: bool) -> None:
    shift = await _locked_shift(work.session, shift_id)
    if shift is None or work.now >= shift.starts_at:
        return
    if early and work.now >= reminder_moments(shift.starts_at)[1]:
        return  # the 1 h reminder is due too: it says the same, once
    people = await people_on(work.session, shift.id)
    if not people:
        return
    community = await _community(work.session, shift)
    t = work.community_translator(community)
    text, buttons = await _group_message(work, t, shift, people)
    work.post(community.chat_id, text, buttons, key=shift_key(shift.id))
    due = quiet_until(
        work.now, zone=community.timezone, quiet=quiet_hours(community), shift_start=shift.starts_at
    )
    for person in people:
        if not person.user.started_bot:
            continue
        if due > work.now:
            work.schedule(DM_24 if early else DM_1, person.id, due)
        else:
            _post_private(work, community, shift, person)
    if not early:
        await _escalate(work, t, community, shift, people)


async def _escalate(
    work: Work, t: Translator, community: Community, shift: Shift, people: list[ShiftPerson]
) -> None:
    """Offer the group every place nobody confirmed, once per shift."""
    if shift.escalated_at is not None or all(p.acknowledged_at for p in people):
        return
    shift.escalated_at = work.now
    text, buttons = await _cover_message(work, t, shift, people)
    work.post(community.chat_id, text, buttons, key=cover_key(shift.id))


@feature.job(REMIND_24)
async def remind_a_day_before(work: Work, shift_id: int) -> None:
    await _remind(work, shift_id, early=True)


@feature.job(REMIND_1)
async def remind_an_hour_before(work: Work, shift_id: int) -> None:
    """The last reminder, then the escalation of every unconfirmed place."""
    await _remind(work, shift_id, early=False)


async def _remind_privately(work: Work, person_id: int, *, early: bool) -> None:
    """A private reminder that waited for the end of the quiet hours."""
    person = await work.session.get(ShiftPerson, person_id)
    if person is None or not person.user.started_bot:
        return  # covered by someone else since, or cannot be written to
    shift = await _locked_shift(work.session, person.shift_id)
    if shift is None or work.now >= shift.starts_at:
        return
    if early and work.now >= reminder_moments(shift.starts_at)[1]:
        return
    _post_private(work, await _community(work.session, shift), shift, person)


@feature.job(DM_24)
async def remind_privately_a_day_before(work: Work, person_id: int) -> None:
    await _remind_privately(work, person_id, early=True)


@feature.job(DM_1)
async def remind_privately_an_hour_before(work: Work, person_id: int) -> None:
    await _remind_privately(work, person_id, early=False)


@feature.job(RECORD)
async def record_shift(work: Work, shift_id: int) -> None:
    """Each person served (confirmed), covered (stood in) or missed (nobody came)."""
    shift = await _locked_shift(work.session, shift_id)
    if shift is None or shift.recorded_at is not None:
        return
    people = await people_on(work.session, shift.id)
    names: dict[ShiftOutcome, list[str]] = {outcome: [] for outcome in ShiftOutcome}
    for person in people:
        if person.covering is not None:
            person.outcome = ShiftOutcome.COVERED
        elif person.acknowledged_at is not None:
            person.outcome = ShiftOutcome.SERVED
        else:
            person.outcome = ShiftOutcome.MISSED
        names[person.outcome].append(person.user.display_name)
    shift.recorded_at = work.now
    community = await _community(work.session, shift)
    if names[ShiftOutcome.MISSED]:
        work.audit(
            community,
            None,
            "duty.missed",
            number=shift.number,
            duty=shift.duty.name,
            names=", ".join(names[ShiftOutcome.MISSED]),
        )
    if not people:
        return
    t = work.community_translator(community)
    text = record_text(
        t,
        duty=shift.duty.name,
        number=shift.number,
        served=names[ShiftOutcome.SERVED],
        covered=names[ShiftOutcome.COVERED],
        missed=names[ShiftOutcome.MISSED],
    )
    work.edit_posted(community.chat_id, shift_key(shift.id), str(text))
    if shift.escalated_at is not None:
        cover_text, _ = await _cover_message(work, t, shift, people)
        work.edit_posted(community.chat_id, cover_key(shift.id), cover_text)


# --- presses and /cover ---------------------------------------------------------------------


async def _refresh(ctx: Context, community: Community, shift: Shift) -> None:
    """Show the change on the group's reminder, its request for cover and the presser's copy."""
    people = await people_on(ctx.session, shift.id)
    t = ctx.community_translator(community)
    # The group's messages through the outbox: edits queued in commit order (presses queue
    # up on the shift's lock), never an edit of the pressed message by another name.
    text, buttons = await _group_message(ctx, t, shift, people)
    ctx.edit_posted(community.chat_id, shift_key(shift.id), text, buttons)
    if shift.escalated_at is not None:
        text, buttons = await _cover_message(ctx, t, shift, people)
        ctx.edit_posted(community.chat_id, cover_key(shift.id), text, buttons)
    mine = next((p for p in people if p.user_id == ctx.user.id), None)
    if mine is not None and (ctx.user.started_bot or ctx.incoming.chat.is_private):
        reader = ctx.reader_translator(ctx.user, community)
        text, buttons = _private_message(ctx, reader, community, shift, mine)
        ctx.edit_copies(ctx.user.id, shift_key(shift.id), text, buttons)


def _over(t: Translator, shift: Shift) -> UserError:
    return UserError(t("Shift #{number} is over.", number=shift.number))


@feature.button(OnIt, needs=Needs.NOTHING)
async def on_it(ctx: Context, pressed: OnIt) -> None:
    """Only a person on the shift confirms it; it works in the group and in private."""
    shift = await _locked_shift(ctx.session, pressed.shift_id)
    if shift is None:
        raise BadAction("no such shift")
    community = await _community(ctx.session, shift)
    t = ctx.reader_translator(ctx.user, community)
    if ctx.now >= shift.ends_at:
        raise _over(t, shift)
    people = await people_on(ctx.session, shift.id)
    mine = next((p for p in people if p.user_id == ctx.user.id), None)
    if mine is None:
        raise UserError(
            t(
                "Thank you, but shift #{number} is not yours. If it needs cover, "
                "the group will be asked an hour before it starts.",
                number=shift.number,
            )
        )
    if mine.acknowledged_at is not None:
        ctx.answer(t("You already said you are on it. Thank you!"))
        return
    mine.acknowledged_at = ctx.now
    ctx.answer(t("Thank you! Shift #{number} is marked as confirmed.", number=shift.number))
    await _refresh(ctx, community, shift)


async def take_cover(ctx: Context, shift: Shift, t: Translator) -> ShiftPerson:
    """The sender covers the oldest unconfirmed place of an escalated ``shift`` (locked).

    Refuses, with ``t``'s words, a shift that is over or cancelled, a sender already on it,
    and a shift with no place waiting for cover (never asked for, or already taken).
    """
    if ctx.now >= shift.ends_at:
        raise _over(t, shift)
    community = await _community(ctx.session, shift)
    people = await people_on(ctx.session, shift.id)
    if any(p.user_id == ctx.user.id for p in people):
        raise UserError(t("You are already on shift #{number}. Thank you!", number=shift.number))
    open_places = [p for p in people if p.acknowledged_at is None]
    if shift.escalated_at is None or not open_places:
        taken = shift.escalated_at is not None
        raise UserError(
            t("Shift #{number} is already covered. Thank you for offering!", number=shift.number)
            if taken
            else t(
                "Shift #{number} does not need cover: nobody has been asked. Places nobody "
                "confirmed are offered to the group an hour before the shift.",
                number=shift.number,
            )
        )
    place = open_places[0]
    person_id, person_name = place.user_id, place.user.display_name
    await ctx.session.delete(place)
    await ctx.session.flush()
    volunteer = ShiftPerson(
        shift_id=shift.id, user_id=ctx.user.id, acknowledged_at=ctx.now, covering=person_id
    )
    ctx.session.add(volunteer)
    await ctx.session.flush()
    ctx.audit(
        community,
        ctx.user.id,
        "duty.covered",
        volunteer=ctx.user.display_name,
        person=person_name,
        number=shift.number,
        duty=shift.duty.name,
    )
    await _refresh(ctx, community, shift)
    return volunteer


@feature.button(WillCover)
async def will_cover(ctx: Context, pressed: WillCover) -> None:
    shift = await _locked_shift(ctx.session, pressed.shift_id)
    if shift is None or ctx.community is None or shift.community_id != ctx.community.id:
        raise BadAction("no such shift here")
    t = ctx.reader
    await take_cover(ctx, shift, t)
    ctx.answer(t("Thank you! You cover shift #{number}.", number=shift.number))


@feature.command("cover", N_("volunteer for a shift nobody confirmed: /cover SHIFT"))
async def cover_command(ctx: Context) -> None:
    example = "/cover 12"
    number, _ = number_and_rest(
        ctx, ctx.t("Which shift? Give its number, as in “shift #12”."), example
    )
    shift = await find_numbered(ctx.session, Shift, ctx.require_community(), number)
    if shift is None:
        raise UserError(
            hint(ctx.t, ctx.t("There is no shift #{number} here.", number=number), example)
        )
    await take_cover(ctx, shift, ctx.t)
    ctx.reply(
        ctx.t(
            "Thank you, {name}! You cover shift #{number} ({duty}).",
            name=ctx.user.display_name,
            number=shift.number,
            duty=shift.duty.name,
        )
    )
