"""Skills: teaching sessions. /teach, the sign-up button and its waitlist, the reminders,
and "did you learn it?" after the session.

A session is numbered per community and posted in the group under the key
``session:{id}``. Its seats are ``SessionSeat`` rows in sign-up order: the
first ``capacity`` of them are seated, the rest wait. Pressing Sign up again
cancels; when a seated member cancels, the first waiting one takes the seat
and is told (privately when they have started the bot, else mentioned in the
group). Every change of the seats happens under a row lock on the session, so
that simultaneous presses are counted one after the other.

Jobs (ref: the session's id): ``session.remind24`` and ``session.remind1``
remind the teacher and the seated participants; ``session.ask`` at the end of
the session asks each participant whether they learned it, and those who did
are offered the skill among what they hold. Each job checks the session's
state when it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlalchemy import delete, exists, func, select

from handlers.core.buttons import BadAction, ButtonData
from handlers.core.context import Context, JobContext, UserError, Work, example, hint
from handlers.core.i18n import N_, Translator
from handlers.core.messages import Button, mention
from handlers.core.numbering import add_numbered
from handlers.core.registry import Feature, Needs
from handlers.core.weekly import digest_moment, next_weekly
from handlers.skills import queries, rules
from handlers.skills.rules import CAPACITY_LIMIT, parse_capacity, parse_session_when
from models import (
    Community,
    Job,
    JobState,
    Member,
    MemberSkill,
    SessionSeat,
    Skill,
    Stance,
    TeachingSession,
    User,
)
from models.skills import SKILL_NAME_LIMIT

feature = Feature("skills.sessions")
feature.audit(
    "session.created",
    N_("{actor} will teach {skill} at session #{number} on {when} ({capacity} seats)"),
)
feature.audit("session.held", N_("Session #{number} ({skill}) took place with {count} people"))

REMINDERS = (("session.remind24", timedelta(hours=24)), ("session.remind1", timedelta(hours=1)))
DIGEST_JOB = "skills.digest"
EXAMPLE = "2026-12-05 18:00"


@dataclass(frozen=True)
class SignUp(ButtonData):
    """Sign up for the session, or cancel one's sign-up (or leave the waitlist)."""

    KIND = "teach.sign"
    session_id: int


@dataclass(frozen=True)
class Learned(ButtonData):
    """After the session: "yes, I learned it"."""

    KIND = "teach.yes"
    session_id: int


@dataclass(frozen=True)
class NotYet(ButtonData):
    """After the session: "not yet"."""

    KIND = "teach.no"
    session_id: int


@dataclass(frozen=True)
class HoldSkill(ButtonData):
    """Add the skill to what I hold (offered to those who learned it)."""

    KIND = "skill.hold"
    skill_id: int


def session_key(teaching: TeachingSession) -> str:
    return f"session:{teaching.id}"


async def find_skill(work: Work, community: Community, name: str) -> Skill | None:
    """The community's skill called ``name`` or known by it as an alias (the registry's rules)."""
    try:
        key = rules.normalise(name)
    except rules.BadName:
        return None
    return await queries.skill_by_key(work.session, community, key)


async def ensure_digest(work: Work, community: Community) -> None:
    """Schedule the community's weekly digest unless one is due or the community turned it off.

    /setup schedules it (anew at each /setup); this covers communities set up
    before the digest existed. Idempotent: at most one due digest job per community.
    """
    moment = digest_moment((community.settings or {}).get("digest"))
    if moment is None:
        return
    due = await work.session.scalar(
        select(
            exists().where(
                Job.kind == DIGEST_JOB, Job.ref_id == community.id, Job.state == JobState.DUE
            )
        )
    )
    if not due:
        work.schedule(DIGEST_JOB, community.id, next_weekly(moment, community.timezone, work.now))


# --- /teach ---------------------------------------------------------------------------


def _usage(t: Translator) -> str:
    skill = t("Plumbing")
    return example("/teach", f"{skill} | {EXAMPLE} | 4")


@feature.command(
    "teach", N_("offer a teaching session: /teach SKILL | YYYY-MM-DD HH:MM | CAPACITY")
)
async def teach(ctx: Context) -> None:
    """Offer a session of a skill in the registry.

    The teacher must be on the roster but need not hold the skill: holding is
    a member's own word (``/skill have`` is one command away), so asking for it
    would add a step and no trust, and a member who has just learned a skill
    elsewhere, or who brings in someone to teach, may still organise a session.
    The skill itself must be in the registry, so that sessions, holders and
    learners all meet under one name.
    """
    community = ctx.require_community()
    ctx.require_member()
    t = ctx.t
    fields = [part.strip() for part in ctx.args.split("|")]
    if len(fields) != 3 or not all(fields):
        raise UserError(
            hint(
                t,
                t(
                    "Give the skill, the date and time, and how many people can come, "
                    "separated by |."
                ),
                _usage(t),
            )
        )
    name, when_text, capacity_text = fields
    skill = await find_skill(ctx, community, name[:SKILL_NAME_LIMIT])
    if skill is None:
        raise UserError(
            hint(
                t,
                t(
                    "“{name}” is not in the skill registry yet. Whoever holds it can add it "
                    "with /skill have {name}.",
                    name=name,
                ),
                _usage(t),
            )
        )
    starts_at = parse_session_when(when_text, community.timezone)
    if starts_at is None:
        raise UserError(
            hint(
                t,
                t(
                    "I can't read “{value}” as a date and time: write YYYY-MM-DD HH:MM, "
                    "in the community's time.",
                    value=when_text,
                ),
                _usage(t),
            )
        )
    if starts_at <= ctx.now:
        raise UserError(
            hint(
                t,
                t(
                    "{when} is in the past. Choose a time still to come.",
                    when=t.moment(starts_at, now=ctx.now),
                ),
                _usage(t),
            )
        )
    capacity = parse_capacity(capacity_text)
    if capacity is None or not 1 <= capacity <= CAPACITY_LIMIT:
        raise UserError(
            hint(
                t,
                t(
                    "The capacity is how many people can come: a whole number from 1 to {limit}.",
                    limit=CAPACITY_LIMIT,
                ),
                _usage(t),
            )
        )
    teaching = TeachingSession(
        community_id=community.id,
        skill_id=skill.id,
        teacher_id=ctx.user.id,
        starts_at=starts_at,
        capacity=capacity,
        created_at=ctx.now,
    )
    await add_numbered(ctx.session, teaching)
    teaching.skill, teaching.teacher = skill, ctx.user
    for kind, before in REMINDERS:
        if starts_at - before > ctx.now:
            ctx.schedule(kind, teaching.id, starts_at - before)
    ctx.schedule("session.ask", teaching.id, _ends_at(teaching))
    local = starts_at.astimezone(t.zone).strftime("%Y-%m-%d %H:%M")
    ctx.log(
        "session.created",
        actor=ctx.user.display_name,
        skill=skill.name,
        number=teaching.number,
        when=local,
        capacity=capacity,
    )
    text, buttons = _card(ctx, t, teaching, [])
    ctx.send(community.chat_id, text, buttons, key=session_key(teaching))
    await ensure_digest(ctx, community)


def _ends_at(teaching: TeachingSession) -> datetime:
    return teaching.starts_at + timedelta(minutes=teaching.length_minutes)


# --- the card ---------------------------------------------------------------------------


async def seats_of(work: Work, teaching: TeachingSession) -> list[SessionSeat]:
    """The session's sign-ups in sign-up order: the first ``capacity`` are seated."""
    rows = await work.session.scalars(
        select(SessionSeat)
        .where(SessionSeat.session_id == teaching.id)
        .order_by(SessionSeat.signed_at, SessionSeat.id)
    )
    return list(rows)


def _names(users: Sequence[User]) -> str:
    return ", ".join(user.display_name for user in users)


def _card(
    work: Work, t: Translator, teaching: TeachingSession, seats: Sequence[SessionSeat]
) -> tuple[str, list[list[Button]]]:
    """The session's message in the group: what, when, who comes, who waits, and its button."""
    seated = [seat.user for seat in seats[: teaching.capacity]]
    waiting = [seat.user for seat in seats[teaching.capacity :]]
    now = work.now
    lines = [
        t(
            "🎓 <b>Session #{number}</b>: {teacher} teaches <b>{skill}</b>",
            number=teaching.number,
            teacher=teaching.teacher.display_name,
            skill=teaching.skill.name,
        ),
        t(
            "{when}, {length}",
            when=t.moment(teaching.starts_at, now=now),
            length=t.duration(timedelta(minutes=teaching.length_minutes)),
        ),
        t(
            "Signed up: {n} of {capacity}",
            n=t.number(len(seated)),
            capacity=t.number(teaching.capacity),
        ),
    ]
    if seated:
        lines.append(t("Coming: {names}", names=_names(seated)))
    if waiting:
        lines.append(
            t.ngettext(
                "Waitlist ({n}): {names}",
                "Waitlist ({n}): {names}",
                len(waiting),
                names=_names(waiting),
            )
        )
    if teaching.asked_at is not None:
        lines.append(t("This session has taken place."))
        return "\n".join(str(line) for line in lines), []
    if not waiting:
        label = t("✋ Sign up ({n}/{capacity})", n=len(seated), capacity=teaching.capacity)
    else:
        label = t.ngettext(
            "✋ Sign up ({seated}/{capacity}, {n} waiting)",
            "✋ Sign up ({seated}/{capacity}, {n} waiting)",
            len(waiting),
            seated=len(seated),
            capacity=teaching.capacity,
        )
    button = work.button(str(label), SignUp(teaching.id))
    return "\n".join(str(line) for line in lines), [[button]]


async def _refresh_card(work: Work, community: Community, teaching: TeachingSession) -> None:
    t = work.community_translator(community)
    text, buttons = _card(work, t, teaching, await seats_of(work, teaching))
    work.edit_posted(community.chat_id, session_key(teaching), text, buttons)


# --- signing up -----------------------------------------------------------------------


async def locked_session(work: Work, session_id: int) -> TeachingSession | None:
    """The session, its row locked (FOR UPDATE) for the change about to be made."""
    return await work.session.scalar(
        select(TeachingSession)
        .where(TeachingSession.id == session_id)
        .with_for_update(of=TeachingSession)
    )


@feature.button(SignUp)
async def sign_up(ctx: Context, pressed: SignUp) -> None:
    """Sign up (seated while there is room, else on the waitlist), or cancel if signed up."""
    community = ctx.require_community()
    teaching = await locked_session(ctx, pressed.session_id)
    if teaching is None or teaching.community_id != community.id:
        raise BadAction("no such session")
    t = ctx.reader
    if teaching.asked_at is not None or ctx.now >= teaching.starts_at:
        raise UserError(t("Session #{number} has already begun.", number=teaching.number))
    if teaching.teacher_id == ctx.user.id:
        raise UserError(t("You are teaching session #{number}.", number=teaching.number))
    seats = await seats_of(ctx, teaching)
    mine = next((i for i, seat in enumerate(seats) if seat.user_id == ctx.user.id), None)
    if mine is None:
        seat = SessionSeat(
            session_id=teaching.id, user_id=ctx.user.id, signed_at=ctx.now, user=ctx.user
        )
        ctx.session.add(seat)
        seats.append(seat)
        place = len(seats) - teaching.capacity
        if place <= 0:
            ctx.answer(t("You are signed up for session #{number}.", number=teaching.number))
        else:
            ctx.answer(
                t(
                    "Session #{number} is full: you are number {place} on the waitlist. "
                    "If a seat frees up, I will tell you.",
                    number=teaching.number,
                    place=place,
                ),
                alert=True,
            )
    else:
        await ctx.session.execute(delete(SessionSeat).where(SessionSeat.id == seats[mine].id))
        was_seated = mine < teaching.capacity
        del seats[mine]
        if was_seated:
            ctx.answer(t("You cancelled your seat at session #{number}.", number=teaching.number))
            if len(seats) >= teaching.capacity:
                _tell_promoted(ctx, community, teaching, seats[teaching.capacity - 1].user)
        else:
            ctx.answer(t("You left the waitlist of session #{number}.", number=teaching.number))
    text, buttons = _card(ctx, ctx.community_translator(community), teaching, seats)
    if ctx.incoming.chat.id == community.chat_id:
        ctx.edit(text, buttons)
    else:
        ctx.edit_posted(community.chat_id, session_key(teaching), text, buttons)


def _tell_promoted(
    ctx: Context, community: Community, teaching: TeachingSession, user: User
) -> None:
    """The first on the waitlist has a seat now: privately if they started the bot, else in the group."""
    if user.started_bot:
        t = ctx.reader_translator(user, community)
        ctx.post(
            user.id,
            t(
                "🎓 A seat opened at session #{number} ({skill}, {when}) in {community}: "
                "it is yours now. Press Sign up there again if you can't come.",
                number=teaching.number,
                skill=teaching.skill.name,
                when=t.moment(teaching.starts_at, now=ctx.now),
                community=community.title,
            ),
        )
        return
    t = ctx.community_translator(community)
    ctx.post(
        community.chat_id,
        t(
            "🎓 {name}, a seat opened at session #{number} ({skill}): it is yours now.",
            name=mention(user.id, user.display_name),
            number=teaching.number,
            skill=teaching.skill.name,
        ),
    )


# --- reminders and the question after ------------------------------------------------


async def _participants(work: Work, teaching: TeachingSession) -> list[User]:
    """Seated participants still on the roster, in sign-up order."""
    seats = (await seats_of(work, teaching))[: teaching.capacity]
    active = set(
        await work.session.scalars(
            select(Member.user_id).where(
                Member.community_id == teaching.community_id,
                Member.left_at.is_(None),
                Member.user_id.in_([seat.user_id for seat in seats]),
            )
        )
    )
    return [seat.user for seat in seats if seat.user_id in active]


async def _remind(work: JobContext, session_id: int) -> None:
    teaching = await work.session.get(TeachingSession, session_id)
    if teaching is None or teaching.asked_at is not None or work.now >= teaching.starts_at:
        return
    community = await work.session.get(Community, teaching.community_id)
    assert community is not None
    people = [teaching.teacher, *await _participants(work, teaching)]
    unreached: list[User] = []
    for user in people:
        if not user.started_bot:
            unreached.append(user)
            continue
        t = work.reader_translator(user, community)
        text = (
            t(
                "⏰ You teach {skill} at session #{number} in {community}: {when}. {n} signed up.",
                skill=teaching.skill.name,
                number=teaching.number,
                community=community.title,
                when=t.moment(teaching.starts_at, now=work.now),
                n=len(people) - 1,
            )
            if user.id == teaching.teacher_id
            else t(
                "⏰ Reminder: session #{number} in {community}, {skill} with {teacher}: {when}.",
                number=teaching.number,
                community=community.title,
                skill=teaching.skill.name,
                teacher=teaching.teacher.display_name,
                when=t.moment(teaching.starts_at, now=work.now),
            )
        )
        work.post(user.id, text)
    if unreached:
        t = work.community_translator(community)
        work.post(
            community.chat_id,
            t(
                "⏰ Session #{number} ({skill} with {teacher}) is on {when}: {names}.",
                number=teaching.number,
                skill=teaching.skill.name,
                teacher=teaching.teacher.display_name,
                when=t.moment(teaching.starts_at, now=work.now),
                names=Markup(", ").join(mention(user.id, user.display_name) for user in unreached),
            ),
        )


@feature.job("session.remind24")
async def remind_a_day_before(work: JobContext, session_id: int) -> None:
    await _remind(work, session_id)


@feature.job("session.remind1")
async def remind_an_hour_before(work: JobContext, session_id: int) -> None:
    await _remind(work, session_id)


def _question_buttons(work: Work, t: Translator, teaching: TeachingSession) -> list[list[Button]]:
    return [
        [
            work.button(str(t("✅ Yes, I learned it")), Learned(teaching.id)),
            work.button(str(t("Not yet")), NotYet(teaching.id)),
        ]
    ]


@feature.job("session.ask")
async def ask_after(work: JobContext, session_id: int) -> None:
    """The session is over: ask each participant whether they learned it."""
    teaching = await locked_session(work, session_id)
    if teaching is None or teaching.asked_at is not None:
        return
    teaching.asked_at = work.now
    community = await work.session.get(Community, teaching.community_id)
    assert community is not None
    people = await _participants(work, teaching)
    unreached: list[User] = []
    for user in people:
        if not user.started_bot:
            unreached.append(user)
            continue
        t = work.reader_translator(user, community)
        work.post(
            user.id,
            t(
                "🎓 Session #{number} in {community} is over: did you learn {skill} "
                "from {teacher}?",
                number=teaching.number,
                community=community.title,
                skill=teaching.skill.name,
                teacher=teaching.teacher.display_name,
            ),
            _question_buttons(work, t, teaching),
        )
    group_t = work.community_translator(community)
    if unreached:
        work.post(
            community.chat_id,
            group_t(
                "🎓 Session #{number} is over. {names}: did you learn {skill}?",
                number=teaching.number,
                names=Markup(", ").join(mention(user.id, user.display_name) for user in unreached),
                skill=teaching.skill.name,
            ),
            _question_buttons(work, group_t, teaching),
        )
    await _refresh_card(work, community, teaching)
    work.audit(
        community,
        None,
        "session.held",
        number=teaching.number,
        skill=teaching.skill.name,
        count=len(people),
    )


async def _my_seat(ctx: Context, session_id: int) -> tuple[TeachingSession, SessionSeat]:
    """The presser's seat at a session that is over; refused if they had none."""
    teaching = await locked_session(ctx, session_id)
    if teaching is None or teaching.asked_at is None:
        raise BadAction("no such session")
    seats = (await seats_of(ctx, teaching))[: teaching.capacity]
    seat = next((seat for seat in seats if seat.user_id == ctx.user.id), None)
    if seat is None:
        raise UserError(ctx.reader("You had no seat at session #{number}.", number=teaching.number))
    return teaching, seat


@feature.button(Learned, needs=Needs.NOTHING)
async def learned(ctx: Context, pressed: Learned) -> None:
    teaching, seat = await _my_seat(ctx, pressed.session_id)
    seat.learned = True
    community = await ctx.session.get(Community, teaching.community_id)
    t = ctx.reader_translator(ctx.user, community)
    ctx.answer(t("Glad to hear it!"))
    holds = await ctx.session.scalar(
        select(func.count(MemberSkill.id)).where(
            MemberSkill.skill_id == teaching.skill_id,
            MemberSkill.user_id == ctx.user.id,
            MemberSkill.stance == Stance.HAS,
        )
    )
    if holds:
        return
    offer = t(
        "{name}, you learned {skill}. Add it to the skills you hold, so others can find you?",
        name=ctx.user.display_name,
        skill=teaching.skill.name,
    )
    button = [
        [
            ctx.button(
                str(t("➕ I hold {skill} now", skill=teaching.skill.name)),
                HoldSkill(teaching.skill_id),
            )
        ]
    ]
    if ctx.incoming.chat.is_private:
        ctx.edit(offer, button)
    else:
        ctx.reply(offer, button)


@feature.button(NotYet, needs=Needs.NOTHING)
async def not_yet(ctx: Context, pressed: NotYet) -> None:
    teaching, seat = await _my_seat(ctx, pressed.session_id)
    seat.learned = False
    community = await ctx.session.get(Community, teaching.community_id)
    t = ctx.reader_translator(ctx.user, community)
    ctx.answer(t("Thank you. Another session may help: /teach is open to everyone."))
    if ctx.incoming.chat.is_private:
        ctx.edit(
            t(
                "Session #{number}: you have not learned {skill} yet.",
                number=teaching.number,
                skill=teaching.skill.name,
            )
        )


@feature.button(HoldSkill, needs=Needs.NOTHING)
async def hold_skill(ctx: Context, pressed: HoldSkill) -> None:
    """The presser now holds the skill (as with /skill have), if they are in its community."""
    skill = await ctx.session.get(Skill, pressed.skill_id)
    if skill is None:
        raise BadAction("no such skill")
    community = await ctx.session.get(Community, skill.community_id)
    t = ctx.reader_translator(ctx.user, community)
    member = await ctx.session.scalar(
        select(Member).where(
            Member.community_id == skill.community_id,
            Member.user_id == ctx.user.id,
            Member.left_at.is_(None),
        )
    )
    if member is None:
        raise UserError(t("You are not on the roster yet. Send /join first."))
    have = await ctx.session.scalar(
        select(MemberSkill).where(
            MemberSkill.skill_id == skill.id,
            MemberSkill.user_id == ctx.user.id,
            MemberSkill.stance == Stance.HAS,
        )
    )
    if have is None:
        ctx.session.add(
            MemberSkill(skill_id=skill.id, user_id=ctx.user.id, stance=Stance.HAS, since=ctx.now)
        )
        await ctx.session.execute(
            delete(MemberSkill).where(
                MemberSkill.skill_id == skill.id,
                MemberSkill.user_id == ctx.user.id,
                MemberSkill.stance == Stance.WANTS,
            )
        )
    done = t("You hold {skill} now.", skill=skill.name)
    ctx.answer(done)
    if ctx.incoming.chat.is_private:
        ctx.edit(done)


# --- hours taught -----------------------------------------------------------------------


@feature.counts_service
async def hours_taught(work: Work, community: Community, t: Translator) -> dict[int, str]:
    """Teaching is work for the community too: the hours each member taught, for /fairness."""
    return {
        user.id: str(t("{hours} h taught", hours=t.number(round(hours, 1))))
        for user, hours in await queries.hours_taught(work.session, community)
    }
