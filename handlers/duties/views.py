"""What duty messages say and the buttons they carry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup

from handlers.core.buttons import ButtonData, ListPage
from handlers.core.context import Work
from handlers.core.i18n import Translator
from handlers.core.messages import Button, mention
from handlers.duties.rules import Recurrence, parse_when
from models import Duty, DutyState, Shift, ShiftPerson, User


@dataclass(frozen=True)
class OnIt(ButtonData):
    """ "I'm on it": the person on a shift acknowledges it."""

    KIND = "shift.ack"
    shift_id: int


@dataclass(frozen=True)
class WillCover(ButtonData):
    """ "I'll cover": a volunteer takes an unacknowledged place on a shift."""

    KIND = "shift.cover"
    shift_id: int


@dataclass(frozen=True)
class SwapYes(ButtonData):
    KIND = "swap.yes"
    swap_id: int


@dataclass(frozen=True)
class SwapNo(ButtonData):
    KIND = "swap.no"
    swap_id: int


@dataclass(frozen=True)
class SwapTake(ButtonData):
    """A swap nobody answered, offered to the whole group: the first to press takes it."""

    KIND = "swap.take"
    swap_id: int


class DutiesPage(ListPage):
    KIND = "duties.pg"


@dataclass(frozen=True)
class SchedulePage(ButtonData):
    """A page of /schedule; ``duty_id`` 0 is every duty."""

    KIND = "sched.pg"
    duty_id: int
    page: int


def how_often(t: Translator, rec: Recurrence) -> str:
    """A duty's recurrence as people say it: "every day at 22:00", "Mon, Thu at 22:00"."""
    at = rec.at.strftime("%H:%M")
    if rec.kind == "daily":
        return str(t("every day at {time}", time=at))
    if rec.kind == "weekly":
        return str(t("every {days} at {time}", days=t.weekdays(rec.weekdays), time=at))
    if rec.kind == "every":
        return str(
            t.ngettext("every {n} day at {time}", "every {n} days at {time}", rec.interval, time=at)
        )
    assert rec.on is not None
    return str(t("once, on {date} at {time}", date=rec.on.isoformat(), time=at))


def duty_line(t: Translator, duty: Duty) -> str:
    """ "Night watch — every day at 22:00, 8 hours, 2 people" (and "paused" when it is)."""
    values = {
        "name": duty.name,
        "when": how_often(t, parse_when(duty.recurrence)),
        "length": t.duration(timedelta(minutes=duty.length_minutes)),
    }
    if duty.state is DutyState.PAUSED:
        return str(
            t.ngettext(
                "<b>{name}</b> — {when}, {length}, {n} person — paused",
                "<b>{name}</b> — {when}, {length}, {n} people — paused",
                duty.people,
                **values,
            )
        )
    return str(
        t.ngettext(
            "<b>{name}</b> — {when}, {length}, {n} person",
            "<b>{name}</b> — {when}, {length}, {n} people",
            duty.people,
            **values,
        )
    )


def shift_line(t: Translator, shift: Shift, people: Sequence[ShiftPerson], now: datetime) -> str:
    """ "#12 Night watch, Fri 4 Dec, 22:00 CET — Alice, Bob" ("nobody yet" when empty)."""
    names = ", ".join(person.user.display_name for person in people)
    return str(
        t(
            "#{number} {duty}, {when} — {people}",
            number=shift.number,
            duty=shift.duty.name,
            when=t.moment(shift.starts_at, now=now),
            people=names or t("nobody yet"),
        )
    )


# --- reminders, "I'm on it", the escalation and cover (handlers.duties.reminders) ---------


def shift_key(shift_id: int) -> str:
    """The name of a shift's reminder: the group's latest one, and each person's private copies."""
    return f"shift:{shift_id}"


def cover_key(shift_id: int) -> str:
    """The name of the group message asking for cover."""
    return f"shift:{shift_id}:cover"


def named(user_id: int, name: str, *, notify: bool) -> Markup:
    """``name``, as a mention when the bot cannot write to them privately (else plain)."""
    if notify:
        return mention(user_id, name)
    return Markup("{name}").format(name=name)


@dataclass(frozen=True, slots=True)
class OnShift:
    """One person on a shift as a reminder shows them."""

    user_id: int
    name: str
    started_bot: bool
    acknowledged: bool
    covering: str | None = None


def _when(t: Translator, starts_at: datetime, now: datetime) -> Markup:
    left = starts_at - now
    return t(
        "{when} (in {left})",
        when=t.moment(starts_at, now=now),
        left=t.duration(left if left > timedelta(0) else timedelta(0)),
    )


def _person_line(t: Translator, person: OnShift) -> Markup:
    name = named(person.user_id, person.name, notify=not person.started_bot)
    if person.covering is not None:
        return t("🤝 {name} — covering for {other}", name=name, other=person.covering)
    if person.acknowledged:
        return t("✅ {name} — on it", name=name)
    return t("⏳ {name} — not confirmed yet", name=name)


def group_reminder(
    t: Translator,
    *,
    duty: str,
    number: int,
    starts_at: datetime,
    now: datetime,
    people: Sequence[OnShift],
) -> Markup:
    """The group's reminder of a shift: when, and each person with whether they confirmed."""
    lines = [
        t(
            "⏰ <b>{duty}</b>, shift #{number}, starts {when}.",
            duty=duty,
            number=number,
            when=_when(t, starts_at, now),
        ),
        *(_person_line(t, person) for person in people),
    ]
    if any(not person.acknowledged for person in people):
        lines.append(t("If this is you, press “I'm on it”."))
    return Markup("\n").join(lines)


def private_reminder(
    t: Translator,
    *,
    community: str,
    duty: str,
    number: int,
    starts_at: datetime,
    now: datetime,
    acknowledged: bool,
) -> Markup:
    """A person's own reminder of their shift, in their language."""
    lines = [
        t(
            "⏰ You are on <b>{duty}</b> (shift #{number}) in {community}, {when}.",
            duty=duty,
            number=number,
            community=community,
            when=_when(t, starts_at, now),
        ),
        t("✅ You said you are on it. Thank you!")
        if acknowledged
        else t("Please press “I'm on it” so your neighbours know."),
    ]
    return Markup("\n").join(lines)


def on_it_label(t: Translator) -> str:
    return str(t("✋ I'm on it"))


def cover_label(t: Translator) -> str:
    return str(t("🙋 I'll cover"))


def escalation_text(
    t: Translator,
    *,
    duty: str,
    number: int,
    starts_at: datetime,
    now: datetime,
    open_names: Sequence[str],
) -> Markup:
    """The group is asked to cover the places nobody confirmed."""
    return t(
        "🆘 <b>{duty}</b>, shift #{number}, starts {when} and nobody has confirmed for: {names}.\n"
        "Can someone cover? Press “I'll cover” or send /cover {number}.",
        duty=duty,
        number=number,
        when=_when(t, starts_at, now),
        names=", ".join(open_names),
    )


def escalation_settled(
    t: Translator,
    *,
    duty: str,
    number: int,
    covers: Sequence[tuple[str, str]],
    open_names: Sequence[str],
) -> Markup:
    """The request for cover once someone took a place or confirmed after all."""
    lines = [t("<b>{duty}</b>, shift #{number}:", duty=duty, number=number)]
    lines += [t("🤝 {name} covers for {other}. Thank you!", name=n, other=o) for n, o in covers]
    if open_names:
        lines.append(
            t(
                "Still without anyone: {names}. /cover {number}",
                names=", ".join(open_names),
                number=number,
            )
        )
    else:
        lines.append(t("Every place is taken now."))
    return Markup("\n").join(lines)


def record_text(
    t: Translator,
    *,
    duty: str,
    number: int,
    served: Sequence[str],
    covered: Sequence[str],
    missed: Sequence[str],
) -> Markup:
    """The group reminder once the shift is over and recorded."""
    lines = [t("🏁 <b>{duty}</b>, shift #{number}, is over.", duty=duty, number=number)]
    if served:
        lines.append(t("Served: {names}", names=", ".join(served)))
    if covered:
        lines.append(t("Covered: {names}", names=", ".join(covered)))
    if missed:
        lines.append(t("Missed: {names}", names=", ".join(missed)))
    return Markup("\n").join(lines)


# --- swaps, /away, /mine, /fairness, /ical (handlers.duties.swaps, .standing, .calendar) ----


class FairnessPage(ListPage):
    KIND = "duty.fair.pg"


def mention_user(user: User) -> Markup:
    """``user``'s name, linked so that Telegram tells them they are named."""
    return mention(user.id, user.display_name)


def shift_label(t: Translator, shift: Shift, now: datetime) -> Markup:
    """``#12 Night watch, Fri 4 Dec, 22:00 CET``: the number, the duty and the local start."""
    return t(
        "#{number} {duty}, {when}",
        number=shift.number,
        duty=shift.duty.name,
        when=t.moment(shift.starts_at, now=now),
    )


def swap_key(swap_id: int) -> str:
    """The name of a swap request's messages (the request and its reminder)."""
    return f"swap:{swap_id}"


def offer_key(swap_id: int) -> str:
    """The name of the message offering an unanswered swap to the whole group."""
    return f"swap.offer:{swap_id}"


def swap_buttons(work: Work, t: Translator, swap_id: int) -> list[list[Button]]:
    return [
        [
            work.button(str(t("Accept")), SwapYes(swap_id)),
            work.button(str(t("Decline")), SwapNo(swap_id)),
        ]
    ]


def take_buttons(work: Work, t: Translator, swap_id: int) -> list[list[Button]]:
    return [[work.button(str(t("I'll take it")), SwapTake(swap_id))]]


def swap_asked(t: Translator, shift: Shift, asker: User, asked: User, now: datetime) -> Markup:
    return t(
        "🔁 {asked}, {asker} asks you to take their place on shift {shift}. Only you can answer.",
        asked=mention_user(asked),
        asker=asker.display_name,
        shift=shift_label(t, shift, now),
    )


def swap_reminder(t: Translator, shift: Shift, asker: User, asked: User, now: datetime) -> Markup:
    return t(
        "🔁 {asked}, {asker} is still waiting for your answer: will you take their place "
        "on shift {shift}?",
        asked=mention_user(asked),
        asker=asker.display_name,
        shift=shift_label(t, shift, now),
    )


def swap_offered_instead(
    t: Translator, shift: Shift, asker: User, asked: User, now: datetime
) -> Markup:
    return t(
        "{asker} asked {asked} to take their place on shift {shift}; no answer came, "
        "so it is offered to everyone.",
        asker=asker.display_name,
        asked=asked.display_name,
        shift=shift_label(t, shift, now),
    )


def swap_offer(t: Translator, shift: Shift, asker: User, now: datetime) -> Markup:
    return t(
        "🙋 Shift {shift} needs someone: {asker} asked for a swap and got no answer. "
        "Anyone not on the shift can take their place.",
        shift=shift_label(t, shift, now),
        asker=asker.display_name,
    )


def swap_done(t: Translator, shift: Shift, asker: User, taker: User, now: datetime) -> Markup:
    return t(
        "✅ {taker} took {asker}'s place on shift {shift}.",
        taker=taker.display_name,
        asker=asker.display_name,
        shift=shift_label(t, shift, now),
    )


def swap_done_told(t: Translator, shift: Shift, asker: User, taker: User) -> Markup:
    return t(
        "{asker}: {taker} takes your place on shift #{number}; it is theirs now.",
        asker=mention_user(asker),
        taker=taker.display_name,
        number=shift.number,
    )


def swap_declined(t: Translator, shift: Shift, asker: User, asked: User, now: datetime) -> Markup:
    return t(
        "{asked} declined to take {asker}'s place on shift {shift}.",
        asked=asked.display_name,
        asker=asker.display_name,
        shift=shift_label(t, shift, now),
    )


def swap_declined_told(t: Translator, shift: Shift, asker: User, asked: User) -> Markup:
    return t(
        "{asker}: {asked} declined. Ask someone else with <code>/swap {number} @username</code>.",
        asker=mention_user(asker),
        asked=asked.display_name,
        number=shift.number,
    )


def swap_closed(t: Translator, shift: Shift, now: datetime) -> Markup:
    return t("This swap request for shift {shift} is closed.", shift=shift_label(t, shift, now))


def away_line(
    t: Translator, shift: Shift, now: datetime, newcomer: User | None, absent: User
) -> Markup:
    """What became of one of an absent member's shifts."""
    if newcomer is None:
        return t(
            "• {shift}: nobody else is free, so it stays with {name}; ask someone with "
            "<code>/swap {number} @username</code>.",
            shift=shift_label(t, shift, now),
            name=mention_user(absent),
            number=shift.number,
        )
    return t(
        "• {shift}: {name} instead.", shift=shift_label(t, shift, now), name=mention_user(newcomer)
    )


def record_line(t: Translator, served: int, covered: int, missed: int) -> Markup:
    return t(
        "served {served} · covered {covered} · missed {missed}",
        served=t.number(served),
        covered=t.number(covered),
        missed=t.number(missed),
    )


def people_names(users: list[User]) -> str:
    """Plain names for a calendar or a line: ``Alice, Bob``."""
    return ", ".join(user.display_name for user in users)
