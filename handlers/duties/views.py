"""What duty messages say and the buttons they carry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.core.buttons import ButtonData, ListPage
from handlers.core.i18n import Translator
from handlers.duties.rules import Recurrence, parse_when
from models import Duty, DutyState, Shift, ShiftPerson


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
