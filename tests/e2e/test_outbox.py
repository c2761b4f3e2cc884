"""Work posted to the outbox reaches Telegram whole: a photo, a file, a reply, a link's preview."""

from __future__ import annotations

import struct
import zlib

from handlers.core.context import JobContext
from handlers.core.messages import Document
from tests.e2e.conftest import World


def _png() -> bytes:
    """A real one-pixel PNG: Telegram refuses a photo it cannot decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x4c\xaf\x50")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def test_a_job_posts_a_photo_a_file_a_reply_and_a_link_with_its_preview(
    world: World,
) -> None:
    emu = world.emulator
    alice = emu.add_user("Alice")
    group = emu.add_group("Maple Court", admins=[alice])
    asked = await emu.send_text(alice, group, "Who takes the bins out this week?")
    photo = _png()
    duties = Document("duties.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")

    async with world.service.sessions() as session, session.begin():
        work = JobContext(session, world.service.services, world.service.app.registry)
        work.post(group.id, "The yard in <b>spring</b>", photo=photo)
        work.post(group.id, "Duties for March", document=duties, reply_to=asked.message_id)
        work.post(group.id, "Bob does, Alice.", reply_to=asked.message_id)
        work.post(group.id, "Minutes: https://example.org/minutes", preview=True)
        work.post(group.id, "Agenda: https://example.org/agenda")
    world.service.poke()

    sent = await emu.wait_for_bot_messages(group, 5, since=asked.message_id, timeout=10)
    picture, file, reply, minutes, agenda = sent
    assert picture.photo == photo and picture.caption_html == "The yard in <b>spring</b>"
    assert picture.reply_to is None
    assert file.document is not None and file.caption == "Duties for March"
    assert file.reply_to == asked.message_id, "a file can answer a message too"
    assert (file.document.filename, file.document.data) == ("duties.ics", duties.content)
    assert reply.text == "Bob does, Alice." and reply.reply_to == asked.message_id
    assert minutes.link_preview_options is None, "the preview shown, as Telegram's default"
    assert agenda.link_preview_options == {"is_disabled": True}, "no preview unless asked"
    assert minutes.reply_to is None and agenda.reply_to is None
