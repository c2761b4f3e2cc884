"""Duties: /ical, the community's upcoming shifts as an .ics file calendar apps import.

Each shift is one VEVENT whose UID is the shift's (``shift-12@courtyard``
from its row id), so importing a newer file updates the events instead of
adding copies. Times are in UTC; calendar apps show them in their own zone.
Any member may ask for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from handlers.core.context import Context, UserError, example, hint
from handlers.core.i18n import N_
from handlers.core.messages import Document
from handlers.core.registry import Feature
from handlers.duties.queries import people_on
from handlers.duties.shift_queries import upcoming_shifts
from handlers.duties.views import people_names

feature = Feature("duties.calendar")

ICS_MIME = "text/calendar"
ICS_FILENAME = "duties.ics"


@dataclass(frozen=True, slots=True)
class ShiftEvent:
    """What a calendar says of one shift; plain text (the file is not HTML)."""

    shift_id: int
    number: int
    duty: str
    starts_at: datetime
    ends_at: datetime
    people: str


def shift_uid(shift_id: int) -> str:
    """The event's identity across exports: the same shift is always the same event."""
    return f"shift-{shift_id}@courtyard"


def ics(title: str, events: Sequence[ShiftEvent], stamp: datetime) -> bytes:
    """An iCalendar (RFC 5545) file of ``events``; ``stamp`` is when it was made."""
    import icalendar  # here, not at the top: only /ical pays for loading it

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Courtyard//Duties//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", title)
    for shown in events:
        event = icalendar.Event()
        event.add("uid", shift_uid(shown.shift_id))
        event.add("dtstamp", stamp)
        event.add("dtstart", shown.starts_at)
        event.add("dtend", shown.ends_at)
        event.add("summary", f"{shown.duty} #{shown.number}")
        event.add("description", shown.people)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


@feature.command("ical", N_("the duty schedule as a calendar file (.ics)"))
async def ical(ctx: Context) -> None:
    community = ctx.require_community()
    shifts = await upcoming_shifts(ctx.session, [community.id], ctx.now)
    if not shifts:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("There are no shifts ahead to put in a calendar yet."),
                example("/duty new", ctx.t("Night watch") + " | daily 22:00 | 8h | 2"),
            )
        )
    people = await people_on(ctx.session, [shift.id for shift in shifts])
    events = [
        ShiftEvent(
            shift.id,
            shift.number,
            shift.duty.name,
            shift.starts_at,
            shift.ends_at,
            people_names([p.user for p in people[shift.id]]),
        )
        for shift in shifts
    ]
    content = ics(community.title, events, ctx.now)
    caption = ctx.t.ngettext(
        "The duty schedule, {n} shift ahead. Open the file to add it to your calendar; "
        "importing a newer one updates the events.",
        "The duty schedule, {n} shifts ahead. Open the file to add them to your calendar; "
        "importing a newer one updates the events.",
        len(events),
    )
    ctx.reply(caption, document=Document(ICS_FILENAME, content, ICS_MIME))
