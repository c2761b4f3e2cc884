"""/ical: the upcoming shifts as an .ics file; a re-import updates rather than duplicates."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar

from handlers.core.messages import Document, Outgoing, Reply
from tests.support import Driver, text
from tests.unit.duty_rows import add_duty, add_shift, named

NOW = datetime.fromisoformat("2026-03-02T09:00:00+00:00")


def _document(replies: list[Reply]) -> tuple[Document, str]:
    [sent] = [r for r in replies if isinstance(r, Outgoing) and r.document is not None]
    assert sent.document is not None
    return sent.document, sent.text


async def test_ical_sends_the_upcoming_shifts_as_events_with_stable_uids(
    driver: Driver,
) -> None:
    alice, bob = named(driver, "Alice"), named(driver, "Bob")
    chat = await driver.community(alice, bob, setup="Europe/Berlin en")
    watch = await add_duty(driver, chat, alice, "Night watch", people=2)
    bins = await add_duty(driver, chat, alice, "Bins, & more; <b>")
    await add_shift(driver, chat, watch, NOW - timedelta(days=1), [alice])  # over: left out
    await add_shift(driver, chat, watch, NOW + timedelta(days=1), [alice, bob])
    await add_shift(driver, chat, bins, NOW + timedelta(days=2), [bob], length=timedelta(hours=1))

    document, caption = _document(await driver.send(bob, chat, "/ical"))
    assert document.filename.endswith(".ics") and document.mime_type == "text/calendar"
    assert "2 shifts ahead" in caption
    calendar = icalendar.Calendar.from_ical(document.content)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Night watch #2", "Bins, & more; <b> #3"]
    assert [str(e["description"]) for e in events] == ["Alice, Bob", "Bob"]
    assert [e.decoded("dtstart") for e in events] == [
        NOW + timedelta(days=1),
        NOW + timedelta(days=2),
    ]
    assert events[1].decoded("dtend") == NOW + timedelta(days=2, hours=1)
    uids = [str(e["uid"]) for e in events]
    assert all(uid.startswith("shift-") and uid.endswith("@courtyard") for uid in uids)

    driver.clock.advance(timedelta(hours=1))
    again, _ = _document(await driver.send(alice, chat, "/ical"))
    assert [str(e["uid"]) for e in icalendar.Calendar.from_ical(again.content).walk("VEVENT")] == (
        uids
    )


async def test_ical_without_shifts_says_how_to_get_some(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    reply = text(await driver.send(alice, chat, "/ical"))
    assert "no shifts ahead" in reply and "Example: <code>/duty new " in reply
