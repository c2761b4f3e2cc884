"""Updates in, exactly as Telegram wrote them: long polling and the webhook, for both runtimes.

Why not the frameworks' own loops: aiogram's Dispatcher and PTB's Updater parse every update
into their models before any handler runs, and the only way back to a dictionary is a
re-serialisation that is not what Telegram sent. aiogram's ``model_dump`` even raises on a
``link_preview_options`` inside a callback's message (its ``Default`` sentinels do not
serialise), which silenced every button of the default runtime. So a runtime supplies one
call — "getUpdates, answered as JSON" — and this module does the rest the same way for both:

* the sink receives each update's original JSON object; fields nobody knows are simply there;
* updates are handed out in arrival order, each as its own task (the core keeps one chat's
  updates in order with its per-chat lock), so a slow chat never stalls the others;
* a failed getUpdates is retried with backoff, a 429 after its ``retry_after``; nothing in an
  update's content can stop the loop;
* on stop, fetching ends, the offset of everything handed out is confirmed to Telegram (a
  zero-timeout getUpdates, as Telegram confirms updates only when a higher offset is asked
  for), and updates in flight finish;
* the webhook refuses a request without Telegram's secret header (compared in constant time),
  answers at once and handles the update after answering, as Telegram redelivers on a slow
  answer; repeated ``update_id``s are dropped by the sink.

aiohttp is imported only when a webhook starts: the PTB runtime in polling mode never loads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.sender import RetryAfter

if TYPE_CHECKING:
    from aiohttp import web

__all__ = [
    "SECRET_HEADER",
    "FetchUpdates",
    "Poller",
    "UpdateSink",
    "Webhook",
    "WebhookServer",
    "open_intake",
]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: ``fetch(offset, wait)``: one getUpdates call, its result as Telegram's JSON.
FetchUpdates = Callable[[int | None, int], Awaitable[Sequence[object]]]


@dataclass(frozen=True, slots=True)
class Webhook:
    """Receive updates by webhook instead of long polling.

    Telegram sends ``secret`` in the X-Telegram-Bot-Api-Secret-Token header;
    requests without it are refused, so nobody else can feed us updates.
    """

    url: str
    secret: str
    host: str
    port: int
    path: str = "/telegram/webhook"


#: Where each update goes, as Telegram's JSON object (``Service.handle_update``).
UpdateSink = Callable[[Mapping[str, Any]], Coroutine[Any, Any, None]]


class _Tasks:
    """Tasks started for updates: kept until done, their failures logged, awaitable at stop."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("update handling failed: %s", type(error).__name__, exc_info=error)

    async def wait(self, grace: float) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace)


def _update_id(update: Mapping[str, Any]) -> int | None:
    value = update.get("update_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Poller:
    """Long polling through ``fetch``; each update goes to ``sink`` as its own task."""

    def __init__(
        self,
        fetch: FetchUpdates,
        sink: UpdateSink,
        *,
        wait: int = 10,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self._fetch = fetch
        self._sink = sink
        self._wait = wait
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._offset: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._work = _Tasks()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="courtyard:poller")

    async def stop(self, grace: float = 10) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self._offset is not None:
            try:
                await asyncio.wait_for(self._fetch(self._offset, 0), timeout=5)
            except Exception as error:
                log.warning("could not confirm the last updates: %s", type(error).__name__)
        await self._work.wait(grace)

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                batch = await self._fetch(self._offset, self._wait)
            except RetryAfter as error:
                await asyncio.sleep(error.retry_after)
                continue
            except Exception as error:
                failures += 1
                delay = min(self._max_backoff, self._backoff * 2 ** min(failures, 16))
                log.warning("getUpdates failed (%s); retrying in %.1f s", error, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            for update in batch:
                self._take(update)

    def _take(self, update: object) -> None:
        if not isinstance(update, Mapping):
            log.warning("ignoring an update that is not an object")
            return
        update_id = _update_id(update)
        if update_id is not None and (self._offset is None or update_id >= self._offset):
            self._offset = update_id + 1
        self._work.spawn(self._sink(update))


class WebhookServer:
    """Telegram's webhook: secret checked, answered at once, the update handled after."""

    def __init__(self, sink: UpdateSink, webhook: Webhook) -> None:
        self._sink = sink
        self._path = webhook.path
        self._secret = webhook.secret.encode()
        self._host = webhook.host
        self._port = webhook.port
        self._runner: web.AppRunner | None = None
        self._work = _Tasks()

    async def start(self) -> None:
        from aiohttp import web

        app = web.Application()
        app.router.add_post(self._path, self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()

    async def stop(self, grace: float = 10) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        await self._work.wait(grace)

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=401, text="Unauthorized")
        try:
            update = await request.json()
        except ValueError:
            return web.Response(status=400, text="Bad Request: not JSON")
        if not isinstance(update, dict):
            return web.Response(status=400, text="Bad Request: not an update object")
        self._work.spawn(self._sink(update))
        return web.Response()


def open_intake(
    fetch: FetchUpdates, sink: UpdateSink, webhook: Webhook | None
) -> Poller | WebhookServer:
    """The webhook server when one is configured, else long polling through ``fetch``."""
    if webhook is None:
        return Poller(fetch, sink)
    return WebhookServer(sink, webhook)
