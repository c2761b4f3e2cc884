"""Claiming due work and pending outbox messages, safely across processes.

A job runs in its own transaction together with the claim of its row
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers with
``BEGIN IMMEDIATE``), so a job is done exactly once even with two bots
running, and a crash mid-job leaves it due for the next wake-up.

Slow work stays out of these transactions: a result chart is queued as the
data to draw it and drawn after the outbox claim has committed (``Claimed``).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.charts import ChartRenderer, ChartRequest
from handlers.core.context import JobContext, Services
from handlers.core.messages import MAX_COPIES, Button, Document, Outgoing
from handlers.core.registry import Registry
from models import Job, JobState, OutboxMessage, OutboxState, PostedMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SENDING_LEASE = timedelta(minutes=5)


async def run_due_jobs(
    sessions: async_sessionmaker[AsyncSession],
    services: Services,
    registry: Registry,
    limit: int = 100,
) -> int:
    """Run up to ``limit`` due jobs, one transaction each; returns how many ran."""
    done = 0
    while done < limit:
        async with sessions() as session, session.begin():
            job = await session.scalar(
                select(Job)
                .where(Job.state == JobState.DUE, Job.due_at <= services.clock.now())
                .order_by(Job.due_at, Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if job is None:
                return done
            job_id, kind, ref_id = job.id, job.kind, job.ref_id
            try:
                async with session.begin_nested():
                    await registry.jobs[kind](JobContext(session, services, registry), ref_id)
                    job.state = JobState.DONE
                    job.claimed_at = services.clock.now()
            except Exception as error:
                log.exception("job %s %s(%s) failed", job_id, kind, ref_id)
                job.attempts += 1
                job.error = repr(error)[:500]
                if job.attempts >= MAX_ATTEMPTS:
                    job.state = JobState.FAILED
                else:
                    job.due_at = services.clock.now() + timedelta(seconds=30 * job.attempts)
        done += 1
    return done


@dataclass(slots=True)
class Claimed:
    """An outbox message leased to this process, with the chart still to draw for it."""

    id: int
    message: Outgoing
    chart: ChartRequest | None = None
    caption_only: bool = False

    async def ready(self, render: ChartRenderer) -> Outgoing | None:
        """The message to send, its chart drawn; call it with no transaction open.

        When drawing fails the text goes out alone, so a result is never lost
        to a picture; None when the text was only the picture's caption.
        """
        if self.chart is None:
            return self.message
        try:
            self.message.photo = await render(self.chart)
        except Exception:
            log.exception("chart of outbox message %s failed; sending the text alone", self.id)
            return None if self.caption_only else self.message
        return self.message


async def claim_outbox(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    limit: int = 50,
    *,
    mine: Collection[int] = (),
) -> list[Claimed]:
    """Lease pending messages to this process; a lease older than SENDING_LEASE is retaken.

    ``mine``: the rows this process is sending right now. Their lease may look old when
    the clock jumps (the sandbox's and the tests' time travel), but they are not lost, so
    they are never taken again while they are on their way.
    """
    retake = (OutboxMessage.state == OutboxState.SENDING) & (
        OutboxMessage.claimed_at < now - SENDING_LEASE
    )
    if mine:
        retake = retake & OutboxMessage.id.not_in(list(mine))
    async with sessions() as session, session.begin():
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where((OutboxMessage.state == OutboxState.PENDING) | retake)
                .order_by(OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        claimed = []
        for row in rows:
            row.state = OutboxState.SENDING
            row.claimed_at = now
            row.attempts += 1
            chart = row.payload.get("chart")
            claimed.append(
                Claimed(
                    row.id,
                    _outgoing(row),
                    ChartRequest.from_json(chart) if chart is not None else None,
                    bool(row.payload.get("caption_only")),
                )
            )
        return claimed


async def posted_message_ids(
    sessions: async_sessionmaker[AsyncSession], chat_id: int, key: str
) -> list[int]:
    """The Telegram ids of the messages posted under ``key`` in ``chat_id``, oldest first."""
    async with sessions() as session:
        found = await session.scalars(
            select(PostedMessage.message_id)
            .where(PostedMessage.chat_id == chat_id, PostedMessage.key == key)
            .order_by(PostedMessage.id)
        )
        return list(found)


async def chats_with_posted(session: AsyncSession, key: str) -> list[int]:
    """Every chat holding a message posted under ``key`` (the voters with a private ballot)."""
    found = await session.scalars(
        select(PostedMessage.chat_id)
        .where(PostedMessage.key == key)
        .distinct()
        .order_by(PostedMessage.chat_id)
    )
    return list(found)


async def posted_key(session: AsyncSession, chat_id: int, message_id: int) -> str | None:
    """The key the message ``message_id`` of ``chat_id`` was posted under, if it was named."""
    found: str | None = await session.scalar(
        select(PostedMessage.key)
        .where(PostedMessage.chat_id == chat_id, PostedMessage.message_id == message_id)
        .order_by(PostedMessage.id.desc())
        .limit(1)
    )
    return found


async def record_posted(
    sessions: async_sessionmaker[AsyncSession], sent: Outgoing, message_id: int, now: datetime
) -> None:
    """Remember which message carries ``sent.key``.

    A newer post under the key replaces the earlier one, unless it is one more
    of several ``copies``; of those the newest MAX_COPIES stay named.
    """
    if not sent.key:
        return
    same = (PostedMessage.chat_id == sent.chat_id) & (PostedMessage.key == sent.key)
    async with sessions() as session, session.begin():
        if sent.copies:
            older = select(PostedMessage.id).where(same).order_by(PostedMessage.id.desc())
            await session.execute(
                delete(PostedMessage).where(
                    PostedMessage.id.in_(older.offset(MAX_COPIES - 1))
                    | (same & (PostedMessage.message_id == message_id))
                )
            )
        else:
            await session.execute(delete(PostedMessage).where(same))
        session.add(
            PostedMessage(chat_id=sent.chat_id, key=sent.key, message_id=message_id, posted_at=now)
        )


async def finish_outbox(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    *,
    sent: Collection[int] = (),
    failed: Collection[int] = (),
) -> None:
    """Mark messages sent or given up, in one transaction, and forget what they said.

    The text, buttons and attachment are no longer needed once a message is
    out (or never will be), and some of it is private: the close of a secret
    poll tells each voter how they voted, in their own chat, and a kept copy
    would pair the voter with their vote in the database.
    """
    if not sent and not failed:
        return
    forget: dict[str, Any] = {"payload": {}, "photo": None}
    async with sessions() as session, session.begin():
        if sent:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(list(sent)))
                .values(state=OutboxState.SENT, sent_at=now, **forget)
            )
        if failed:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(list(failed)))
                .values(state=OutboxState.FAILED, sent_at=None, **forget)
            )


def _outgoing(row: OutboxMessage) -> Outgoing:
    """The message a row holds; ``row.photo`` holds the bytes of its photo or document.

    The payload's ``attachment`` says which (and a document's name and type); a row with
    bytes and no ``attachment`` was queued, with its chart drawn, before charts were drawn
    at sending time: a photo.
    """
    payload = row.payload
    buttons = [[Button(label, data) for label, data in line] for line in payload["buttons"]]
    attachment = payload.get("attachment") or {}
    photo, document = row.photo, None
    if row.photo is not None and attachment.get("kind") == "document":
        photo = None
        document = Document(attachment["filename"], row.photo, attachment["mime_type"])
    return Outgoing(
        chat_id=row.chat_id,
        text=payload["text"],
        buttons=buttons,
        photo=photo,
        document=document,
        reply_to_message_id=payload.get("reply_to"),
        disable_preview=not payload.get("preview", False),
        key=payload.get("key"),
        edit_key=payload.get("edit_key"),
        copies=bool(payload.get("copies")),
    )
