"""The core at work for a connected runtime: app, sender, scheduler and outbox.

The service is handed everything up front — settings, a database's sessions, the runtime as
a ``Telegram`` port (deliver a message, answer a callback, ask whether someone is a chat
admin, set the menu) and the bot's username — so what it builds is built once. Updates reach
it through ``Service.handle_update``, the sink the runtime's intake feeds; who builds, starts
and stops the parts, in which order, is ``bot.cli.Courtyard``.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.sender import PermanentError, Sender
from bot.settings import Settings
from bot.updates import to_incoming
from handlers.core.app import App
from handlers.core.buttons import ButtonCodec
from handlers.core.charts import ChartRenderer, render_result_chart_isolated
from handlers.core.clock import Clock, SystemClock
from handlers.core.context import Services
from handlers.core.i18n import SUPPORTED
from handlers.core.jobs import (
    Claimed,
    claim_outbox,
    finish_outbox,
    posted_message_ids,
    record_posted,
    run_due_jobs,
)
from handlers.core.messages import CallbackAnswer, MenuUpdate, Outgoing, Reply
from handlers.core.registry import Feature

log = logging.getLogger(__name__)
RECENT_UPDATES = 10_000
JOBS_PER_PASS = 100  # due jobs run between two drains of the outbox
FINISH_EVERY = 0.1  # seconds: deliveries recorded together
IN_FLIGHT = 100  # outbox messages claimed and not yet sent, at most (about 3 s at 30/s)
CHARTS_AT_ONCE = 2  # child processes drawing charts at a time (~45 MB each)

# Telegram wants ISO 639-1 codes for per-language menus; "" is everyone else.
MENU_LANGUAGE_CODES = {"en": "", "ru": "ru", "zh_Hans": "zh"}


class Telegram(Protocol):
    """The calls the service makes of a runtime (a runtime's own lifecycle is ``Runtime``'s)."""

    async def deliver(self, message: Outgoing) -> Any: ...

    async def answer_callback(self, answer: CallbackAnswer) -> None: ...

    async def is_admin(self, chat_id: int, user_id: int) -> bool: ...

    async def set_menu(
        self, commands: list[tuple[str, str]], language_code: str, scope_chat_id: int | None = None
    ) -> None: ...


def _edited_message(message: Outgoing) -> int | None:
    """Edits of one message supersede each other in the sender; anything else is sent as is."""
    return message.edit_message_id


class Service:
    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        telegram: Telegram,
        *,
        bot_username: str,
        features: Sequence[Feature],
        clock: Clock | None = None,
        chart_renderer: ChartRenderer = render_result_chart_isolated,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.telegram = telegram
        self.clock = clock or SystemClock()
        secret = settings.bot_token.get_secret_value() if settings.bot_token else "sandbox"
        self.services = Services(
            clock=self.clock,
            codec=ButtonCodec(hashlib.sha256(secret.encode()).digest()),
            bot_username=bot_username,
            public_url=settings.public_url,
        )
        self.app = App(
            self.sessions,
            self.services,
            telegram,
            features,
        )
        #: Draws the charts the outbox asks for, after the claim has committed.
        self.chart_renderer = chart_renderer
        self._drawing = asyncio.Semaphore(CHARTS_AT_ONCE)
        self.sender: Sender[Outgoing, Any] | None = None
        self.scheduler: AsyncIOScheduler | None = None
        self._ticking = False
        self._dirty = False
        self._tick_lock = asyncio.Lock()
        self._inflight: set[asyncio.Task[Any]] = set()
        self._recent_updates: OrderedDict[int, None] = OrderedDict()
        #: Postings of a key in a chat still on their way (several when they are copies).
        self._posting: dict[tuple[int, str], list[asyncio.Event]] = {}
        #: Per chat, named messages already sent whose ids are being recorded.
        self._recording: dict[int, list[asyncio.Event]] = {}
        self._draining: asyncio.Task[None] | None = None
        self._drain_again = False
        self._to_finish: tuple[list[int], list[int]] = ([], [])
        #: Outbox rows this process has claimed and not yet finished.
        self._on_the_way: set[int] = set()
        #: Each chat's latest outbox messages on their way, for the next batch to follow.
        self._chat_sending: dict[int, asyncio.Task[None]] = {}
        self._finishing: asyncio.Future[None] | None = None

    async def start(self) -> None:
        """Start sending and waking (due work runs at once), then publish the command menu."""
        self.sender = Sender(
            self.telegram.deliver,
            per_second=self.settings.send_per_second,
            group_per_minute=self.settings.send_group_per_minute,
            private_per_second=self.settings.send_private_per_second,
            coalesce=_edited_message,
            edit_interval=self.settings.send_edit_interval,
        )
        await self.sender.start()
        self.scheduler = AsyncIOScheduler(
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
        )
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.settings.tick_seconds,
            id="tick",
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.start()
        await self._publish_menu()

    async def _publish_menu(self) -> None:
        for language in SUPPORTED:
            code = MENU_LANGUAGE_CODES[language]
            await self.telegram.set_menu(self.app.registry.menu(language), code)

    async def stop(self) -> None:
        """Finish updates in flight, then stop waking and sending (draining what is queued)."""
        inflight = self._inflight - {asyncio.current_task()}
        if inflight:
            await asyncio.wait(inflight, timeout=10)
        if self.scheduler is not None:
            # APScheduler cancels running and handed-out jobs on shutdown, whatever
            # ``wait`` says. Pause new ticks, give handed-out ones a loop turn to reach
            # the tick lock, and queue a tick of our own behind them (the lock is FIFO):
            # when it returns, none is left to cancel.
            self.scheduler.pause()
            await asyncio.sleep(0)
            await self.tick()
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self.sender is not None:
            await self.sender.stop(drain=True, timeout=5)
            self.sender = None

    async def handle_update(self, update: Mapping[str, Any]) -> None:
        """One update from Telegram: convert, run the use case, send the replies.

        A webhook that answered too slowly gets the same update again; the
        recent update ids let us drop the repeat.
        """
        update_id = update.get("update_id")
        if isinstance(update_id, int):
            if update_id in self._recent_updates:
                return
            self._recent_updates[update_id] = None
            if len(self._recent_updates) > RECENT_UPDATES:
                self._recent_updates.popitem(last=False)
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        try:
            events = to_incoming(update, self.services.bot_username, self.clock.now())
        except Exception:
            # The converter reads defensively; this only guards the intake against a bug.
            log.exception("could not read update %s", update_id)
            return
        for incoming in events:
            if incoming.reply_to is not None:
                await self._postings_recorded(incoming.chat.id)
            replies = await self.app.handle(incoming)
            await self.dispatch(replies)
        self.poke()

    async def dispatch(self, replies: list[Reply]) -> None:
        pending = []
        for reply in replies:
            if isinstance(reply, CallbackAnswer):
                try:
                    await self.telegram.answer_callback(reply)
                except PermanentError as error:
                    log.warning("callback answer refused: %s", error)
            elif isinstance(reply, MenuUpdate):
                try:
                    await self.telegram.set_menu(
                        self.app.registry.menu(reply.language), "", scope_chat_id=reply.chat_id
                    )
                except Exception as error:  # a menu is a nicety; the reply must still go out
                    log.warning("menu of chat %s not set: %s", reply.chat_id, error)
            else:
                pending.append(self.send(reply))
        for result in await asyncio.gather(*pending, return_exceptions=True):
            if isinstance(result, BaseException):
                log.warning("reply not delivered: %s", result)

    async def send(self, message: Outgoing) -> Any:
        """Send through the rate-limited sender, keeping track of named messages.

        A keyed message's Telegram id is recorded once it is known; an edit of a
        key waits for a posting of that key still in flight, then edits every
        message posted under it (and ``edit_message_id``, if also given). An
        edit of a key never posted (or posted by a bot long gone) is dropped.
        """
        assert self.sender is not None
        if message.edit_key is not None:
            # Every posting of the key still on its way, copies included: the edit must
            # see all their ids, however long each one's record takes.
            for posting in list(self._posting.get((message.chat_id, message.edit_key), ())):
                await posting.wait()
            ids = await posted_message_ids(self.sessions, message.chat_id, message.edit_key)
            if message.edit_message_id is not None and message.edit_message_id not in ids:
                ids.append(message.edit_message_id)
            # All copies at once: each is its own message to the sender, coalesced on its own.
            sent = [self.sender.submit(replace(message, edit_message_id=i)) for i in ids]
            results = await asyncio.gather(*sent)
            return results[-1] if results else None
        if message.key is None:
            return await self.sender.submit(message)
        slot = (message.chat_id, message.key)
        posting = asyncio.Event()
        self._posting.setdefault(slot, []).append(posting)
        try:
            result = await self.sender.submit(message)
            recorded = asyncio.Event()
            self._recording.setdefault(message.chat_id, []).append(recorded)
            try:
                await self._remember(message, result)
            finally:
                recorded.set()
                recording = self._recording[message.chat_id]
                recording.remove(recorded)
                if not recording:
                    del self._recording[message.chat_id]
            return result
        finally:
            posting.set()
            waiting = self._posting[slot]
            waiting.remove(posting)
            if not waiting:
                del self._posting[slot]

    async def _postings_recorded(self, chat_id: int) -> None:
        """Wait until the named messages already sent to ``chat_id`` have their ids recorded.

        A reply to one of them is routed by that record (``Feature.on_reply``), and a reply
        can come before it is written: the message shows in the chat first. Messages not
        yet sent cannot be replied to, so a busy chat's queue holds nothing up.
        """
        for recorded in list(self._recording.get(chat_id, ())):
            await recorded.wait()

    async def _remember(self, sent: Outgoing, result: Any) -> None:
        """Record the Telegram message id of a keyed message so later work can edit it."""
        message_id = getattr(result, "message_id", None)
        if sent.key and isinstance(message_id, int):
            try:
                await record_posted(self.sessions, sent, message_id, self.clock.now())
            except Exception:
                log.exception("could not record posted message %s", sent.key)

    def poke(self) -> None:
        """Run a tick soon: after a change that may have queued outbox messages or moved time."""
        if self._ticking:
            self._dirty = True
        elif self.scheduler is not None and self.scheduler.running:
            job = self.scheduler.get_job("tick")
            if job is not None:
                job.modify(next_run_time=datetime.now(UTC))

    async def tick(self) -> None:
        """Run due jobs and drain the outbox until nothing is left to do."""
        async with self._tick_lock:
            self._ticking = True
            try:
                while True:
                    self._dirty = False
                    ran = await run_due_jobs(
                        self.sessions, self.services, self.app.registry, limit=JOBS_PER_PASS
                    )
                    # What the jobs queued is sent while the next jobs run (1,000 reminders
                    # due at once keep the sender busy from the first hundred on); a full
                    # pass may have left due work behind: go on now, not at the next tick.
                    self._drain_soon()
                    if self._dirty or ran >= JOBS_PER_PASS:
                        continue
                    if self._draining is not None:
                        await self._draining
                    # A poke while the outbox drained (a vote's edit, queued meanwhile)
                    # finds this tick still running: it is this tick's to serve.
                    if not self._dirty:
                        break
            except Exception:
                log.exception("tick failed")
            finally:
                self._ticking = False

    def _drain_soon(self) -> None:
        """Drain the outbox in the background, again if it is draining already."""
        self._drain_again = True
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain_while_asked())

    async def _drain_while_asked(self) -> None:
        while self._drain_again:
            self._drain_again = False
            await self.drain_outbox()

    async def drain_outbox(self) -> None:
        """Send what the outbox holds, drawing its charts once the claim has committed.

        Chats are served side by side, so one chat's chart holds up only the
        messages queued after it in that chat (whose order is kept).
        """
        # The next batch is claimed while this one is still being sent (up to IN_FLIGHT
        # messages), so the sender never waits for a claim; a chat's messages of a later
        # batch are handed on only once its earlier ones are out, which keeps their order.
        sending: dict[asyncio.Task[None], int] = {}  # task → how many messages it sends
        while batch := await claim_outbox(self.sessions, self.clock.now(), mine=self._on_the_way):
            self._on_the_way.update(item.id for item in batch)
            chats: dict[int, list[Claimed]] = {}
            for item in batch:
                chats.setdefault(item.message.chat_id, []).append(item)
            for chat_id, items in chats.items():
                task = asyncio.create_task(self._after(self._chat_sending.get(chat_id), items))
                self._chat_sending[chat_id] = task
                task.add_done_callback(functools.partial(self._forget_chat, chat_id))
                sending[task] = len(items)
            if any(item.chart is not None for item in batch):
                # A chart is drawn with nothing of ours in the database meanwhile (drawing
                # takes a second; a claim beside it would hold SQLite's writer): claim the
                # next batch once this one is out.
                await asyncio.wait(sending)
                sending.clear()
            while sum(sending.values()) >= IN_FLIGHT:
                finished, _ = await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    del sending[task]
        if sending:
            await asyncio.wait(sending)

    async def _after(self, earlier: asyncio.Task[None] | None, items: list[Claimed]) -> None:
        """Send one chat's claimed messages once its earlier ones are out."""
        if earlier is not None:
            await asyncio.wait([earlier])
        await self._send_claimed(items)

    def _forget_chat(self, chat_id: int, done: asyncio.Task[None]) -> None:
        if self._chat_sending.get(chat_id) is done:
            del self._chat_sending[chat_id]

    async def _send_claimed(self, items: list[Claimed]) -> None:
        """One chat's messages in order: their charts drawn first, then all handed to the sender."""
        ready = [await self._draw(item) for item in items]
        results = await asyncio.gather(
            *(self._send_ready(message) for message in ready), return_exceptions=True
        )
        sent: list[int] = []
        failed: list[int] = []
        for item, message, result in zip(items, ready, results, strict=True):
            if isinstance(result, BaseException):
                log.warning("outbox message %s not delivered: %s", item.id, result)
            (
                sent if message is not None and not isinstance(result, BaseException) else failed
            ).append(item.id)
        await self._finished(sent, failed)

    async def _finished(self, sent: list[int], failed: list[int]) -> None:
        """Record what was delivered, for many chats in one transaction.

        A burst (1,000 reminders) would otherwise cost a write transaction per
        message, each waiting its turn for SQLite's one writer with the jobs that
        are still deciding. Chats finishing within ``FINISH_EVERY`` of each other
        share one; the window is short, so a crash leaves little delivered but
        unrecorded (sent again after its lease, see the README's guarantees).
        """
        self._to_finish[0].extend(sent)
        self._to_finish[1].extend(failed)
        if self._finishing is None:
            self._finishing = asyncio.get_running_loop().create_future()
            done = self._finishing
            await asyncio.sleep(FINISH_EVERY)
            (sent_ids, failed_ids), self._to_finish = self._to_finish, ([], [])
            self._finishing = None
            try:
                await finish_outbox(
                    self.sessions, self.clock.now(), sent=sent_ids, failed=failed_ids
                )
            except Exception:
                log.exception("could not record %s delivered outbox messages", len(sent_ids))
            finally:
                self._on_the_way.difference_update(sent_ids)
                self._on_the_way.difference_update(failed_ids)
                done.set_result(None)
        else:
            await asyncio.shield(self._finishing)

    async def _send_ready(self, message: Outgoing | None) -> Any:
        """None is a chart's caption alone, left unsent because the chart could not be drawn."""
        return None if message is None else await self.send(message)

    async def _draw(self, item: Claimed) -> Outgoing | None:
        if item.chart is None:
            return item.message
        async with self._drawing:
            return await item.ready(self.chart_renderer)
