"""What duty messages say and the buttons they carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from handlers.core.buttons import ButtonData, ListPage
from handlers.core.context import Work
from handlers.core.i18n import Translator
from handlers.core.messages import Button
from models import Shift, User


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


# --- swaps, /away, /mine, /fairness, /ical (handlers.duties.swaps, .standing, .calendar) ----


class FairnessPage(ListPage):
    KIND = "duty.fair.pg"


def mention(user: User) -> Markup:
    """``user``'s name, linked so that Telegram tells them they are named."""
    return Markup('<a href="tg://user?id={id}">{name}</a>').format(
        id=user.id, name=user.display_name
    )


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
        asked=mention(asked),
        asker=asker.display_name,
        shift=shift_label(t, shift, now),
    )


def swap_reminder(t: Translator, shift: Shift, asker: User, asked: User, now: datetime) -> Markup:
    return t(
        "🔁 {asked}, {asker} is still waiting for your answer: will you take their place "
        "on shift {shift}?",
        asked=mention(asked),
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
        asker=mention(asker),
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
        asker=mention(asker),
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
            name=mention(absent),
            number=shift.number,
        )
    return t("• {shift}: {name} instead.", shift=shift_label(t, shift, now), name=mention(newcomer))


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
