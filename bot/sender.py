"""The one outgoing-message sender shared by both runtimes (aiogram and python-telegram-bot).

Why it exists: Telegram enforces flood limits only by answering 429 (about 30 messages/s per
bot, 20 messages/min per group, about 1 message/s per private chat), and neither framework
keeps us inside them the way we need:

* aiogram has no outgoing rate limiter at all (aiogram#1875);
* PTB's ``AIORateLimiter`` uses a leaky bucket of size 20 per group, which lets up to 39
  messages into one minute after an idle spell (#3772), and one 429 halts *every* chat
  (#3765, #4003).

So this module owns the policy, framework-neutral: the runtime hands us a *transport*
coroutine that performs one API call and maps failures onto :class:`RetryAfter`,
:class:`TransientError` and :class:`PermanentError`.

Guarantees:

* replies first: messages that cannot be merged are tried strictly in submission order per
  chat (a retry of message N happens before N+1 is tried), and never wait behind an edit;
* edits coalesce: an edit (the ``coalesce`` function gives it a key, e.g. the id of the message
  it edits) replaces an earlier edit of the same key that has not gone out yet, so only the
  newest state is sent and every submitter of a replaced edit gets the newest one's result;
  one key is edited at most once per ``edit_interval`` seconds, and edits go only while no
  message of the chat is waiting;
* chats are independent: a chat waiting on a 429, a backoff or its own limit never delays
  another chat, except through the shared global limit;
* global limit: an :class:`aiolimiter.AsyncLimiter` of ``per_second`` per second (a burst of
  ``per_second`` is allowed, as Telegram tolerates);
* group limit (negative chat ids): a true sliding window, at most ``group_per_minute`` sends in
  any ``group_window`` seconds, bursts allowed, edits included; edits leave ``edit_reserve``
  places of the window free, so a reply always finds room within seconds; written by hand
  because aiolimiter's leaky bucket lets ``2 * limit - 1`` through in a window (the PTB bug
  above);
* private limit (positive chat ids): consecutive sends at least ``1 / private_per_second``
  apart;
* a worker task and a queue exist per chat only while it has work; a chat's limiter state is
  dropped once it no longer constrains anything, so idle chats cost nothing.

Any limit set to 0 or ``None`` is disabled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from aiolimiter import AsyncLimiter

__all__ = [
    "HasChatId",
    "PermanentError",
    "RetryAfter",
    "SendError",
    "Sender",
    "TransientError",
]

log = logging.getLogger(__name__)

#: Added to every ``retry_after`` Telegram asks for, so the retry lands after the ban ends.
RETRY_AFTER_MARGIN = 0.1
#: The most a backoff exponent grows; keeps ``2 ** attempt`` finite whatever max_retries is.
_MAX_EXPONENT = 32
_LOG_TEXT_LIMIT = 50
_TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class SendError(Exception):
    """Base class of the errors a transport raises."""


class RetryAfter(SendError):
    """Telegram answered 429 for this chat: wait ``retry_after`` seconds, then retry."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"flood control: retry after {retry_after} s")
        self.retry_after = float(retry_after)


class TransientError(SendError):
    """A 5xx answer or a network problem: worth retrying with backoff."""


class PermanentError(SendError):
    """400, 403 and the like (bad request, bot blocked): retrying cannot help."""


class HasChatId(Protocol):
    """All the sender needs to know about a message."""

    @property
    def chat_id(self) -> int: ...


T = TypeVar("T", bound=HasChatId)
R = TypeVar("R")


def _describe(exc: BaseException) -> str:
    """A short, token-free description of an error for the log (never the message text)."""
    if not isinstance(exc, SendError):
        # Foreign exceptions (aiohttp, httpx...) may quote a URL holding the bot token.
        return type(exc).__name__
    text = _TOKEN_RE.sub("<redacted>", str(exc))
    if len(text) > _LOG_TEXT_LIMIT:
        text = text[: _LOG_TEXT_LIMIT - 1] + "…"
    return f"{type(exc).__name__}: {text}"


def _retrieve(future: asyncio.Future[Any]) -> None:
    # Failures are logged by the sender; fire-and-forget submitters must not get
    # "Future exception was never retrieved" noise on top.
    if not future.cancelled():
        future.exception()


class _Window:
    """At most ``limit`` events in any ``period`` seconds (a sliding log of send times)."""

    __slots__ = ("_period", "_times")

    def __init__(self, limit: int, period: float) -> None:
        self._times: deque[float] = deque(maxlen=limit)
        self._period = period

    def delay(self, now: float, spare: int = 0) -> float:
        """Seconds to wait before one more event fits and still leaves ``spare`` places free."""
        times = self._times
        limit = times.maxlen or 0
        room = limit - 1 - min(max(spare, 0), limit - 1)
        recent = [t for t in times if t > now - self._period]
        if len(recent) <= room:
            return 0.0
        return max(0.0, recent[len(recent) - room - 1] + self._period - now)

    def record(self, now: float) -> None:
        self._times.append(now)

    def expires(self) -> float:
        """When the window forgets every recorded event."""
        return self._times[-1] + self._period if self._times else float("-inf")


@dataclass(eq=False, slots=True)
class _Item(Generic[T, R]):
    """One message to deliver, and everyone waiting for it (several when edits coalesced)."""

    message: T
    futures: list[asyncio.Future[R]]
    key: Hashable | None = None

    def withdrawn(self) -> bool:
        return all(future.done() for future in self.futures)

    def resolve(self, result: R) -> None:
        for future in self.futures:
            if not future.done():
                future.set_result(result)

    def fail(self, exc: BaseException) -> None:
        for future in self.futures:
            if not future.done():
                future.set_exception(exc)

    def cancel(self) -> None:
        for future in self.futures:
            future.cancel()


@dataclass(eq=False, slots=True)
class _Chat(Generic[T, R]):
    window: _Window | None
    #: Messages that are all sent, in order, before any edit.
    queue: deque[_Item[T, R]] = field(default_factory=deque)
    #: Edits waiting, one per key (the newest state), in order of their first submission.
    edits: dict[Hashable, _Item[T, R]] = field(default_factory=dict)
    #: When each key was last edited, for ``edit_interval``.
    edited_at: dict[Hashable, float] = field(default_factory=dict)
    #: Set on every submission: wakes a worker that waits for an edit's turn.
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    not_before: float = float("-inf")  # a 429 or a backoff holds the chat until then
    release: asyncio.TimerHandle | None = None

    def expires(self, edit_interval: float) -> float:
        window = self.window.expires() if self.window is not None else float("-inf")
        edited = max(self.edited_at.values(), default=float("-inf")) + edit_interval
        return max(window, self.not_before, edited)

    def busy(self) -> bool:
        return bool(self.queue or self.edits)


def _enabled(limit: float | None) -> bool:
    return limit is not None and limit > 0


class Sender(Generic[T, R]):
    """Rate-limited, per-chat FIFO delivery of outgoing messages through ``transport``.

    ``transport(message)`` performs one API call and returns its result, or raises
    :class:`RetryAfter`, :class:`TransientError` or :class:`PermanentError`; any other
    exception is treated as permanent. Each attempt (first try or retry) counts against the
    limits.

    A message is tried at most ``1 + 2 * max_retries`` times: up to ``max_retries`` retries
    after :class:`TransientError` (backoff ``backoff * 2**n`` capped at ``max_backoff``, with
    jitter between half and all of it) and up to ``max_retries`` waits on :class:`RetryAfter`
    (``retry_after`` + :data:`RETRY_AFTER_MARGIN`, for that chat only). The future then gets
    the last error. Use one sender per event loop; ``submit`` needs :meth:`start` first.
    """

    def __init__(
        self,
        transport: Callable[[T], Awaitable[R]],
        *,
        per_second: float | None = 30,
        group_per_minute: int | None = 20,
        private_per_second: float | None = 1,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        group_window: float = 60.0,
        coalesce: Callable[[T], Hashable | None] | None = None,
        edit_interval: float = 3.0,
        edit_reserve: int | None = None,
    ) -> None:
        self._transport = transport
        self._coalesce = coalesce
        self._edit_interval = max(0.0, edit_interval)
        self._per_second = per_second if _enabled(per_second) else None
        self._group_limit = (
            int(group_per_minute) if group_per_minute and group_per_minute > 0 else None
        )
        self._group_window = group_window
        if self._group_limit is not None and group_window <= 0:
            self._group_limit = None
        self._private_gap = (
            1.0 / private_per_second
            if private_per_second is not None and private_per_second > 0
            else None
        )
        limit = self._group_limit or 0
        self._edit_reserve = limit // 4 if edit_reserve is None else max(0, edit_reserve)
        self._max_retries = max(0, max_retries)
        self._backoff = max(0.0, backoff)
        self._max_backoff = max(0.0, max_backoff)

        self._chats: dict[int, _Chat[T, R]] = {}
        self._pending = 0
        self._running = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._global: AsyncLimiter | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Accept messages. Idempotent; a stopped sender can be started again."""
        if self._running:
            return
        self._loop = asyncio.get_running_loop()
        # A fresh limiter per start: aiolimiter binds itself to the loop it first runs on.
        rate = self._per_second
        if rate is None:
            self._global = None
        elif rate >= 1:
            self._global = AsyncLimiter(rate, 1.0)
        else:
            self._global = AsyncLimiter(1, 1.0 / rate)
        self._running = True

    async def stop(self, *, drain: bool = True, timeout: float = 10) -> None:  # noqa: ASYNC109
        """Stop accepting messages; with ``drain`` deliver what is queued first.

        Returns within about ``timeout`` seconds: whatever is still undelivered then (or at
        once without ``drain``) is cancelled, its workers are cancelled and awaited, and the
        futures of those messages are cancelled.
        """
        if not self._running:
            return
        self._running = False
        loop = asyncio.get_running_loop()
        timeout = max(0.0, timeout)
        deadline = loop.time() + timeout
        # Keep a little of the budget for cancelling whatever the drain leaves behind.
        cancel_budget = min(0.5, timeout / 4)
        tasks = [chat.task for chat in self._chats.values() if chat.task is not None]
        try:
            if drain and tasks:
                await asyncio.wait(tasks, timeout=max(0.0, timeout - cancel_budget))
        finally:
            left = [task for task in tasks if not task.done()]
            for task in left:
                task.cancel()
            if left:
                await asyncio.wait(left, timeout=max(0.0, deadline - loop.time()))
            self._discard_all()

    def _discard_all(self) -> None:
        for chat in self._chats.values():
            if chat.release is not None:
                chat.release.cancel()
            for item in [*chat.queue, *chat.edits.values()]:
                item.cancel()
            chat.queue.clear()
            chat.edits.clear()
        self._chats.clear()
        self._pending = 0

    # -- submitting ------------------------------------------------------------------------

    def submit(self, message: T) -> asyncio.Future[R]:
        """Queue ``message``; the future gets the transport's result or the final error.

        Cancelling the future withdraws the message if its delivery has not started and
        stops any further retries of it.
        """
        if not self._running:
            raise RuntimeError("Sender is not running: call start() first (or it was stopped)")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        future.add_done_callback(_retrieve)
        chat_id = message.chat_id
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(window=self._new_window(chat_id))
        key = self._coalesce(message) if self._coalesce is not None else None
        if key is None:
            chat.queue.append(_Item(message, [future]))
        elif (waiting := chat.edits.get(key)) is not None:
            waiting.message = message  # only the newest state goes out, in the first one's place
            waiting.futures.append(future)
        else:
            chat.edits[key] = _Item(message, [future], key)
        self._pending += 1
        chat.wakeup.set()
        if chat.task is None:
            if chat.release is not None:
                chat.release.cancel()
                chat.release = None
            chat.task = loop.create_task(self._work(chat_id, chat), name=f"sender:{chat_id}")
        return future

    async def send(self, message: T) -> R:
        """Submit ``message`` and wait for its delivery."""
        return await self.submit(message)

    def pending(self) -> int:
        """Messages submitted and not yet finished (queued, waiting or in flight)."""
        return self._pending

    def tracked_chats(self) -> int:
        """Chats the sender currently holds any state for (queue, worker or limiter)."""
        return len(self._chats)

    def _new_window(self, chat_id: int) -> _Window | None:
        if chat_id < 0:
            if self._group_limit is None:
                return None
            return _Window(self._group_limit, self._group_window)
        if self._private_gap is None:
            return None
        return _Window(1, self._private_gap)

    # -- per-chat worker -------------------------------------------------------------------

    async def _work(self, chat_id: int, chat: _Chat[T, R]) -> None:
        loop = asyncio.get_running_loop()
        try:
            while chat.busy():
                chat.wakeup.clear()
                if chat.queue:
                    item = chat.queue[0]
                    await self._guarded(chat_id, chat, item, None)
                    chat.queue.popleft()
                    self._pending -= len(item.futures)
                    continue
                key, ready = min(
                    (
                        (key, chat.edited_at.get(key, float("-inf")) + self._edit_interval)
                        for key in chat.edits
                    ),
                    key=lambda pair: pair[1],
                )
                if (wait := ready - loop.time()) > 0:
                    await self._nap(chat, wait)
                    continue
                item = chat.edits.pop(key)
                spare = self._edit_reserve if chat_id < 0 else 0
                if not await self._guarded(chat_id, chat, item, spare):
                    # A message came while the edit waited for room: it goes first. A newer
                    # edit of the key that came meanwhile takes over this one's waiters.
                    newer = chat.edits.pop(key, None)
                    if newer is not None:
                        item.message = newer.message
                        item.futures.extend(newer.futures)
                    chat.edits = {key: item, **chat.edits}
                    continue
                chat.edited_at[key] = loop.time()
                self._pending -= len(item.futures)
        finally:
            chat.task = None
            self._release(chat_id, chat)

    @staticmethod
    async def _nap(chat: _Chat[T, R], seconds: float) -> None:
        """Sleep up to ``seconds``, or less if something is submitted to the chat."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(chat.wakeup.wait(), seconds)

    async def _guarded(
        self, chat_id: int, chat: _Chat[T, R], item: _Item[T, R], spare: int | None
    ) -> bool:
        try:
            return await self._deliver(chat_id, chat, item, spare)
        except Exception as exc:  # a bug of ours must not strand the queue
            log.error("chat %s: sender failure: %s", chat_id, _describe(exc))
            item.fail(exc)
            return True

    async def _deliver(
        self, chat_id: int, chat: _Chat[T, R], item: _Item[T, R], spare: int | None
    ) -> bool:
        """Try ``item`` until it is delivered or failed (True).

        ``spare`` is given for an edit: it waits until the group window keeps that many places
        free, and gives way (False) as soon as a message is waiting in the chat.
        """
        loop = asyncio.get_running_loop()
        transient = flood = 0
        while True:
            # Wait for this chat's own turn first, so no global capacity is spent meanwhile.
            # Re-check after waking: the loop may fire a timer up to its clock resolution early.
            delay = self._chat_delay(chat, loop.time(), spare or 0)
            while delay > 0:
                if spare is None:
                    await asyncio.sleep(delay)
                else:
                    chat.wakeup.clear()
                    await self._nap(chat, delay)
                    if chat.queue:
                        return False
                delay = self._chat_delay(chat, loop.time(), spare or 0)
            if item.withdrawn():  # every submitter withdrew while we waited
                return True
            if self._global is not None:
                await self._global.acquire()
            if chat.window is not None:
                chat.window.record(loop.time())
            try:
                result = await self._transport(item.message)
            except RetryAfter as exc:
                flood += 1
                if flood > self._max_retries:
                    log.warning("chat %s: giving up after %d flood waits", chat_id, flood)
                    item.fail(exc)
                    return True
                wait = max(0.0, exc.retry_after) + RETRY_AFTER_MARGIN
                log.info("chat %s: flood control, retrying in %.1f s", chat_id, wait)
                chat.not_before = max(chat.not_before, loop.time() + wait)
            except TransientError as exc:
                if transient >= self._max_retries:
                    log.warning(
                        "chat %s: giving up after %d tries: %s",
                        chat_id,
                        transient + 1,
                        _describe(exc),
                    )
                    item.fail(exc)
                    return True
                wait = self._backoff_delay(transient)
                transient += 1
                log.info(
                    "chat %s: %s, retry %d in %.2f s", chat_id, _describe(exc), transient, wait
                )
                chat.not_before = max(chat.not_before, loop.time() + wait)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    item.cancel()  # the sender is stopping
                    raise
                # The transport cancelled itself (e.g. an inner timeout): fail this message only.
                log.warning("chat %s: the transport was cancelled; message dropped", chat_id)
                item.cancel()
                return True
            except Exception as exc:
                log.warning("chat %s: message not delivered: %s", chat_id, _describe(exc))
                item.fail(exc)
                return True
            else:
                item.resolve(result)
                return True

    @staticmethod
    def _chat_delay(chat: _Chat[T, R], now: float, spare: int) -> float:
        delay = chat.not_before - now
        if chat.window is not None:
            delay = max(delay, chat.window.delay(now, spare))
        return delay

    def _backoff_delay(self, attempt: int) -> float:
        ceiling = min(self._max_backoff, self._backoff * 2.0 ** min(attempt, _MAX_EXPONENT))
        return ceiling * random.uniform(0.5, 1.0)  # "equal jitter": never below half

    def _release(self, chat_id: int, chat: _Chat[T, R]) -> None:
        """Forget an idle chat once its limits no longer constrain the next message."""
        chat.release = None
        if self._chats.get(chat_id) is not chat or chat.task is not None or chat.busy():
            return
        loop = self._loop or asyncio.get_running_loop()
        remaining = chat.expires(self._edit_interval) - loop.time()
        if remaining <= 0:
            del self._chats[chat_id]
        else:
            chat.release = loop.call_later(remaining, self._release, chat_id, chat)
