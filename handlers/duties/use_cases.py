"""Duty use cases: /duty new|edit|pause|resume|end, /duties, /schedule, and shifts planned ahead.

Who may do what: every member on the roster may create, change, pause,
resume and end a duty — duties belong to everyone, like the plan — and every
change is answered in the group and written to the audit log.

Shifts are made ahead of time by the job ``duty.plan`` (at creation, then
daily): every shift that starts before ``rules.assign_until(now)`` exists,
with its people chosen by ``rules.rotate`` from the roster as it is when the
shift is made, so joining and leaving take effect from the next shift not yet
made. Changing, pausing or ending a duty cancels (deletes) its shifts that
have not begun; changing or resuming plans them again.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from handlers.core.context import Context, UserError, Work, hint
from handlers.core.i18n import N_, Translator
from handlers.core.input import checked
from handlers.core.numbering import add_numbered
from handlers.core.paging import Listed, listing, show
from handlers.core.registry import Feature
from handlers.duties import reminders
from handlers.duties.queries import (
    absences,
    away_during,
    candidates,
    duty_named,
    last_start,
    live_duties,
    people_on,
    previous_people,
    upcoming,
)
from handlers.duties.rules import (
    Reason,
    Recurrence,
    WhenError,
    assign_until,
    parse_length,
    parse_people,
    parse_when,
    plan_rotation,
    starts,
)
from handlers.duties.views import DutiesPage, SchedulePage, duty_line, shift_line
from models import Community, Duty, DutyState, Shift, ShiftPerson
from models.duties import NAME_LIMIT

SCHEDULE_AHEAD = timedelta(days=14)
NEXT_SHOWN = 3  # shifts shown under each duty in /duties
PLAN_EVERY = timedelta(days=1)

feature = Feature("duties")
feature.audit("duty.created", N_("{actor} created the duty {name}: {when}"))
feature.audit("duty.changed", N_("{actor} changed the duty {name}: {when}"))
feature.audit("duty.paused", N_("{actor} paused the duty {name}"))
feature.audit("duty.resumed", N_("{actor} resumed the duty {name}"))
feature.audit("duty.ended", N_("{actor} ended the duty {name}"))

NEW_EXAMPLE = "/duty new Night watch | daily 22:00 | 8h | 2"
VERBS = ("new", "edit", "pause", "resume", "end")


# Reading /duty ---------------------------------------------------------------------------------


def _when_hint(t: Translator, reason: Reason, value: str) -> str:
    problems = {
        Reason.EMPTY: t("Say when the shifts start."),
        Reason.UNKNOWN_FORM: t("I can't read “{value}” as a time for shifts.", value=value),
        Reason.BAD_TIME: t("“{value}” has no time like 22:00.", value=value),
        Reason.BAD_DAY: t("“{value}” names a day I don't know; use mon, tue … sun.", value=value),
        Reason.BAD_INTERVAL: t("“{value}”: every 1 to 365 days.", value=value),
        Reason.BAD_DATE: t("“{value}” has no date like 2026-12-24.", value=value),
        Reason.IN_THE_PAST: t("“{value}” is in the past.", value=value),
    }
    forms = t(
        "WHEN is one of: <code>daily 22:00</code>, <code>weekly mon,thu 19:00</code>, "
        "<code>every 3 days 08:00</code>, <code>once 2026-12-24 18:00</code>."
    )
    return hint(t, f"{problems[reason]}\n{forms}", NEW_EXAMPLE)


def _fields(ctx: Context, text: str) -> tuple[str, Recurrence, int, int]:
    """``NAME | WHEN | LENGTH | PEOPLE``: the name, recurrence, minutes and head count."""
    parts = [part.strip() for part in text.split("|")]
    if len(parts) != 4 or not all(parts):
        raise UserError(
            hint(
                ctx.t,
                ctx.t(
                    "Give the duty's name, when it starts, how long a shift lasts and how many "
                    "people it needs, separated by |."
                ),
                NEW_EXAMPLE,
            )
        )
    name, when, length, people = parts
    return _name(ctx, name), _recurrence(ctx, when), _minutes(ctx, length), _people(ctx, people)


def _name(ctx: Context, name: str) -> str:
    if len(name) > NAME_LIMIT:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("A duty's name has at most {limit} characters.", limit=NAME_LIMIT),
                NEW_EXAMPLE,
            )
        )
    return checked(ctx, name, NEW_EXAMPLE)


def _recurrence(ctx: Context, text: str) -> Recurrence:
    try:
        rec = parse_when(text)
    except WhenError as error:
        raise UserError(_when_hint(ctx.t, error.reason, text)) from None
    community = ctx.require_community()
    if rec.kind == "once" and not starts(
        rec,
        anchor=ctx.now,
        after=ctx.now,
        until=ctx.now + timedelta(days=3660),
        zone=community.timezone,
    ):
        raise UserError(_when_hint(ctx.t, Reason.IN_THE_PAST, text))
    return rec


def _minutes(ctx: Context, text: str) -> int:
    try:
        length = parse_length(text)
    except ValueError:
        raise UserError(
            hint(
                ctx.t,
                ctx.t(
                    "“{value}” is not a shift length from 5 minutes to 7 days, "
                    "like 8h, 90m or 1h30m.",
                    value=text,
                ),
                NEW_EXAMPLE,
            )
        ) from None
    return int(length.total_seconds() // 60)


def _people(ctx: Context, text: str) -> int:
    try:
        return parse_people(text)
    except ValueError:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("“{value}” is not a number of people from 1 to 20.", value=text),
                NEW_EXAMPLE,
            )
        ) from None


async def _duty(ctx: Context, name: str, sample: str) -> Duty:
    community = ctx.require_community()
    duty = await duty_named(ctx.session, community, name) if name else None
    if duty is None:
        names = ", ".join(d.name for d in await live_duties(ctx.session, community))
        problem = (
            ctx.t("There is no duty called “{name}”. Duties: {names}.", name=name, names=names)
            if names
            else ctx.t("There are no duties yet.")
        )
        raise UserError(hint(ctx.t, str(problem), sample))
    return duty


# /duty -----------------------------------------------------------------------------------------


@feature.command(
    "duty",
    N_(
        "create or change a duty: /duty new NAME | WHEN | LENGTH | PEOPLE; "
        "/duty edit, pause, resume, end NAME"
    ),
)
async def duty_command(ctx: Context) -> None:
    verb, _, rest = ctx.args.partition(" ")
    verb = verb.lower()
    if verb not in VERBS:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("Start with new, edit, pause, resume or end."),
                NEW_EXAMPLE,
            )
        )
    if verb == "new":
        await _new(ctx, rest.strip())
    elif verb == "edit":
        await _edit(ctx, rest.strip())
    else:
        await _change_state(ctx, verb, rest.strip())


async def _new(ctx: Context, text: str) -> None:
    community = ctx.require_community()
    name, rec, minutes, people = _fields(ctx, text)
    if await duty_named(ctx.session, community, name) is not None:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("There is already a duty called “{name}”.", name=name),
                f"/duty edit {name} | {rec.text()} | {minutes}m | {people}",
            )
        )
    duty = Duty(
        community_id=community.id,
        name=name,
        recurrence=rec.text(),
        length_minutes=minutes,
        people=people,
        created_by=ctx.user.id,
        created_at=ctx.now,
        anchor=ctx.now,
    )
    ctx.session.add(duty)
    await ctx.session.flush()
    await plan(ctx, duty)
    ctx.log("duty.created", actor=ctx.user.display_name, name=name, when=rec.text())
    await _announce(ctx, duty, ctx.t("🛡 New duty, done by everyone in turn:"))


async def _edit(ctx: Context, text: str) -> None:
    name, rec, minutes, people = _fields(ctx, text)
    duty = await _duty(ctx, name, "/duty edit Night watch | daily 21:00 | 8h | 2")
    duty.recurrence, duty.length_minutes, duty.people = rec.text(), minutes, people
    duty.anchor = ctx.now
    await _cancel_coming(ctx, duty)
    if duty.state is DutyState.ACTIVE:
        await plan(ctx, duty)
    ctx.log("duty.changed", actor=ctx.user.display_name, name=duty.name, when=rec.text())
    await _announce(ctx, duty, ctx.t("The duty is changed; shifts not begun are planned anew:"))


async def _change_state(ctx: Context, verb: str, name: str) -> None:
    duty = await _duty(ctx, name, f"/duty {verb} Night watch")
    values = {"name": duty.name}
    if verb == "pause":
        if duty.state is DutyState.PAUSED:
            raise UserError(ctx.t("{name} is already paused.", **values))
        duty.state = DutyState.PAUSED
        await _cancel_coming(ctx, duty)
        ctx.log("duty.paused", actor=ctx.user.display_name, **values)
        ctx.reply(
            ctx.t(
                "⏸ {name} is paused; its shifts not begun are cancelled. "
                "/duty resume {name} brings it back.",
                **values,
            )
        )
    elif verb == "resume":
        if duty.state is DutyState.ACTIVE:
            raise UserError(ctx.t("{name} is not paused.", **values))
        duty.state, duty.anchor = DutyState.ACTIVE, ctx.now
        await plan(ctx, duty)
        ctx.log("duty.resumed", actor=ctx.user.display_name, **values)
        await _announce(ctx, duty, ctx.t("▶️ The duty is back:"))
    else:
        duty.state = DutyState.ENDED
        await _cancel_coming(ctx, duty)
        ctx.log("duty.ended", actor=ctx.user.display_name, **values)
        ctx.reply(ctx.t("{name} has ended; its shifts not begun are cancelled.", **values))


async def _cancel_coming(work: Work, duty: Duty) -> None:
    """Shifts that have not begun are cancelled: their rows go (they have no history yet),
    with their people and swap requests, and their jobs find nothing left to do."""
    coming = Shift.duty_id == duty.id, Shift.starts_at > work.now
    await reminders.cancel_for(work, await work.session.scalars(select(Shift.id).where(*coming)))
    await work.session.execute(delete(Shift).where(*coming))


async def _announce(ctx: Context, duty: Duty, title: str) -> None:
    community = ctx.require_community()
    shifts = (await upcoming(ctx.session, community, ctx.now, ctx.now + SCHEDULE_AHEAD, duty))[
        :NEXT_SHOWN
    ]
    people = await people_on(ctx.session, [s.id for s in shifts])
    lines = [str(title), duty_line(ctx.t, duty)]
    lines += [shift_line(ctx.t, s, people[s.id], ctx.now) for s in shifts]
    lines.append(str(ctx.t("/schedule shows the next two weeks, /mine your own shifts.")))
    ctx.reply("\n".join(lines))


# Planning ahead --------------------------------------------------------------------------------


async def plan(work: Work, duty: Duty) -> list[Shift]:
    """Make the duty's shifts up to ``assign_until(now)``, people chosen by the rotation.

    Idempotent: a shift that exists is not made again (a duty's starts are
    unique), so a repeated or late run only fills what is missing. The next run
    is scheduled for a day later.
    """
    community = await work.session.get(Community, duty.community_id)
    assert community is not None
    made: list[Shift] = []
    if duty.state is DutyState.ACTIVE:
        rec = parse_when(duty.recurrence)
        after = max(work.now, await last_start(work.session, duty) or work.now)
        moments = starts(
            rec,
            anchor=duty.anchor,
            after=after,
            until=assign_until(work.now),
            zone=community.timezone,
        )
        if moments:
            periods = await absences(work.session, community)
            length = timedelta(minutes=duty.length_minutes)
            chosen = plan_rotation(
                await candidates(work.session, duty),
                duty.people,
                moments,
                await previous_people(work.session, duty, moments[0]),
                lambda user_id, at: away_during(
                    periods, community.timezone, user_id, at, at + length
                ),
            )
            for moment, people in zip(moments, chosen, strict=True):
                shift = Shift(
                    community_id=community.id,
                    duty_id=duty.id,
                    duty=duty,
                    starts_at=moment,
                    ends_at=moment + length,
                )
                await add_numbered(work.session, shift)
                work.session.add_all(ShiftPerson(shift_id=shift.id, user_id=u) for u in people)
                reminders.schedule_for(work, shift)
                made.append(shift)
    await work.cancel_jobs("duty.plan", duty.id)
    if duty.state is DutyState.ACTIVE:
        work.schedule("duty.plan", duty.id, work.now + PLAN_EVERY)
    return made


@feature.job("duty.plan")
async def plan_job(work: Work, duty_id: int) -> None:
    duty = await work.session.get(Duty, duty_id, with_for_update=True)
    if duty is not None:
        await plan(work, duty)


# Reading the duties ----------------------------------------------------------------------------


@listing(feature, "duties", N_("duties and the next shifts with who is on them"), page=DutiesPage)
async def list_duties(ctx: Context, page: int) -> Listed:
    community = ctx.require_community()
    duties = await live_duties(ctx.session, community)
    shifts = await upcoming(ctx.session, community, ctx.now, ctx.now + SCHEDULE_AHEAD, None)
    people = await people_on(ctx.session, [s.id for s in shifts])
    lines = []
    for duty in duties:
        mine = [s for s in shifts if s.duty_id == duty.id][:NEXT_SHOWN]
        entry = [duty_line(ctx.t, duty)]
        entry += [shift_line(ctx.t, s, people[s.id], ctx.now) for s in mine]
        lines.append("\n".join(entry))
    return Listed(
        str(ctx.t("<b>Duties</b>, done by everyone in turn:")),
        lines,
        hint(ctx.t, ctx.t("There are no duties yet."), NEW_EXAMPLE),
        size=5,
    )


@feature.command("schedule", N_("upcoming shifts, two weeks ahead: /schedule [NAME]"))
async def schedule(ctx: Context) -> None:
    duty = await _duty(ctx, ctx.args, "/schedule Night watch") if ctx.args else None
    await _show_schedule(ctx, duty.id if duty else 0, 0)


@feature.button(SchedulePage)
async def schedule_page(ctx: Context, pressed: SchedulePage) -> None:
    await _show_schedule(ctx, pressed.duty_id, pressed.page)


async def _show_schedule(ctx: Context, duty_id: int, page: int) -> None:
    community = ctx.require_community()
    duty = await ctx.session.get(Duty, duty_id) if duty_id else None
    if duty is not None and duty.community_id != community.id:
        duty = None
    shifts = await upcoming(ctx.session, community, ctx.now, ctx.now + SCHEDULE_AHEAD, duty)
    people = await people_on(ctx.session, [s.id for s in shifts])
    header = (
        ctx.t("<b>Schedule of {name}</b>, next two weeks:", name=duty.name)
        if duty is not None
        else ctx.t("<b>Schedule</b>, next two weeks:")
    )
    listed = Listed(
        str(header),
        [shift_line(ctx.t, s, people[s.id], ctx.now) for s in shifts],
        hint(ctx.t, ctx.t("No shifts in the next two weeks."), NEW_EXAMPLE),
    )
    show(ctx, listed, lambda n: SchedulePage(duty_id, n), page)


__all__ = ["feature", "plan"]
