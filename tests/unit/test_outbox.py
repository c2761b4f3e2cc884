"""A message posted to the outbox comes out of it as it went in: photo, document, reply, preview."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.charts import ChartRequest
from handlers.core.clock import FixedClock
from handlers.core.context import JobContext
from handlers.core.jobs import claim_outbox, finish_outbox
from handlers.core.messages import Button, Document, Outgoing
from models import OutboxMessage
from tests.support import Driver

GROUP = -100_777
PNG = b"\x89PNG\r\n\x1a\n a picture"
ICS = Document("duties.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")


async def _through_the_outbox(driver: Driver, *posts: dict[str, object]) -> list[Outgoing]:
    async with driver.sessions() as session, session.begin():
        work = JobContext(session, driver.services, driver.app.registry)
        for post in posts:
            work.post(GROUP, **post)  # type: ignore[arg-type]
    return [item.message for item in await claim_outbox(driver.sessions, driver.clock.now())]


async def test_a_photo_a_document_a_reply_and_a_preview_survive_the_outbox(
    driver: Driver,
) -> None:
    vote = [[Button("Vote", "v:1")]]
    photo, document, reply, preview = await _through_the_outbox(
        driver,
        {"text": "The yard in spring", "photo": PNG, "buttons": vote},
        {"text": "Duties for March", "document": ICS, "key": "duties:3"},
        {"text": "Noted, Alice.", "reply_to": 41},
        {"text": "Minutes: https://example.org/minutes", "preview": True},
    )
    assert photo.photo == PNG and photo.document is None and photo.buttons == vote
    assert photo.text == "The yard in spring"
    assert document.document == ICS and document.photo is None and document.key == "duties:3"
    assert reply.reply_to_message_id == 41 and reply.photo is None and reply.document is None
    assert not preview.disable_preview
    assert all(m.disable_preview for m in (photo, document, reply)), "no preview unless asked"
    assert preview.reply_to_message_id is None


async def test_a_plain_post_comes_out_as_before(driver: Driver) -> None:
    [plain] = await _through_the_outbox(driver, {"text": "Reminder", "key": "poll:1"})
    assert plain == Outgoing(GROUP, "Reminder", key="poll:1")


async def test_a_row_with_bytes_and_no_attachment_is_a_photo(
    sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    """Rows queued before charts were drawn at sending time carry the drawn chart alone."""
    async with sessions() as session, session.begin():
        payload = {"text": "Result", "key": None, "buttons": []}
        session.add(
            OutboxMessage(chat_id=GROUP, payload=payload, photo=PNG, created_at=clock.now())
        )
    [item] = await claim_outbox(sessions, clock.now())
    assert item.message.photo == PNG and item.message.document is None


@pytest.mark.parametrize(
    "attachments",
    [
        {"photo": PNG, "document": ICS},
        {"photo": PNG, "chart": ChartRequest("Q", ("a",), (1,), ("1",))},
    ],
)
async def test_one_message_carries_one_attachment(
    driver: Driver, attachments: dict[str, object]
) -> None:
    async with driver.sessions() as session:
        work = JobContext(session, driver.services, driver.app.registry)
        with pytest.raises(ValueError, match="one chart, photo or document"):
            work.post(GROUP, "Both?", **attachments)  # type: ignore[arg-type]


@pytest.mark.parametrize("sent", [True, False])
async def test_a_finished_message_keeps_no_copy_of_what_it_said(driver: Driver, sent: bool) -> None:
    """A secret poll's close tells each voter their vote in private: once that message is
    out (or given up), the database must not pair the voter's chat with it."""
    async with driver.sessions() as session, session.begin():
        work = JobContext(session, driver.services, driver.app.registry)
        work.post(4242, "Your vote: Green", photo=PNG)
    [claimed] = await claim_outbox(driver.sessions, driver.clock.now())
    done = {"sent" if sent else "failed": [claimed.id]}
    await finish_outbox(driver.sessions, driver.clock.now(), **done)
    async with driver.sessions() as session:
        row = await session.get(OutboxMessage, claimed.id)
    assert row is not None and row.payload == {} and row.photo is None
