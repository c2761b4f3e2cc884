"""The sandbox's web chat: a static page, a small JSON API, a live WebSocket and the clock.

Why it is built on the emulator's own aiohttp application: the page and the Bot API then
share one port and one event loop, so what the page shows is the emulator's state itself,
never a copy that could drift. Everything a person can do on the page goes through the
emulator's scenario API (``send_text``, ``press``, ``join`` ...), the same calls the
end-to-end tests make.

Answers have the Bot API's shape — ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": 400, "description": "Bad Request: ..."}`` — so refusals read
like the ones Telegram gives, and the page shows them as a notice.

The page's labels come from the project's gettext catalogs (see :data:`LABELS`); bot
messages reach the page only as ``safe_html``, re-rendered from entities by the emulator,
and names only as text. Nothing the bot or a user typed is ever inserted as raw HTML.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import mimetypes
import re
import weakref
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import WSMsgType, web

from bot.sandbox.communities import GroupFacts, zone_abbreviation
from bot.sandbox.demo import kinds_to_tell
from bot.sandbox.emulator import Emulator
from bot.sandbox.emulator_http import ApiError, error_response, json_object, ok_response
from bot.sandbox.emulator_models import EmuChat, EmulatorError, EmuMessage, EmuUser
from bot.sandbox.telegram_html import utf16_len
from handlers.core.clock import ShiftableClock
from handlers.core.i18n import LANGUAGE_NAMES, N_, SUPPORTED, Translator, resolve_language

__all__ = ["LABELS", "SandboxWeb", "labels"]

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")

MAX_TEXT = 4096  # Telegram's limit for one message, in UTF-16 code units
MAX_NAME = 64  # a first name
MAX_TITLE = 128  # a group title
#: The languages a new member's Telegram app can be set to (Telegram's codes).
MEMBER_LANGUAGES = ("en", "ru", "zh-hans")
#: What a new member tells the bot with /iam once on a roster (``MemberKind``'s values).
MEMBER_KINDS = ("resident", "worker")
#: How far one move of the clock may go; further jumps are made in several steps.
MAX_CLOCK_STEP = timedelta(days=400)
#: Telegram's per-language command menus, as the bot sets them with setMyCommands.
MENU_LANGUAGES = ("", "ru", "zh")
LANGUAGE_COOKIE = "courtyard_lang"

#: Every label the page shows, by key. Each text is a literal in an N_() call so that
#: ``locales/update.sh`` extracts it; :func:`labels` translates them for one language.
#: ``{name}``-style placeholders are filled in by the page.
LABELS: dict[str, str] = {
    "app_title": N_("Courtyard sandbox"),
    "tagline": N_("The whole bot in your browser: play every neighbour, no Telegram needed."),
    "groups": N_("Groups"),
    "people": N_("People"),
    "add_group": N_("Add a group"),
    "group_title": N_("Group name"),
    "group_owner_hint": N_("The person you are playing creates it and adds the bot."),
    "add_member": N_("Add a member"),
    "member_name": N_("Name"),
    "telegram_language": N_("Telegram language"),
    "add_to_open_group": N_("Also join the open group"),
    "add": N_("Add"),
    "create": N_("Create"),
    "playing_as": N_("You are playing"),
    "group_chat": N_("Group chat"),
    "private_chat": N_("Private chat with the bot"),
    "join_group": N_("Join the group"),
    "leave_group": N_("Leave the group"),
    "message_placeholder": N_("Write a message or a /command"),
    "send": N_("Send"),
    "menu": N_("Menu"),
    "menu_title": N_("The bot's command menu"),
    "sandbox_time": N_("Sandbox time"),
    "plus_hour": N_("+1 hour"),
    "plus_day": N_("+1 day"),
    "move_clock": N_("Move the clock"),
    "clock_date": N_("Date and time"),
    "clock_hint": N_("Time only moves forward; reminders and deadlines that fall due run at once."),
    "clock_moved": N_("The clock moved to {time}."),
    "interface_language": N_("Interface language"),
    "admin": N_("admin"),
    "resident": N_("resident"),
    "worker": N_("worker"),
    "not_on_roster": N_("not on the roster"),
    "member_kind": N_("Resident or worker"),
    "member_kind_hint": N_("They tell the bot with /iam once they are on the group's roster."),
    "bot": N_("bot"),
    "not_in_group": N_("not in this group"),
    "edited": N_("edited"),
    "download": N_("Download {name}"),
    "image_from_bot": N_("Image sent by the bot"),
    "joined": N_("{name} joined the group"),
    "left": N_("{name} left the group"),
    "typing": N_("{name} is typing…"),
    "no_messages": N_("No messages yet."),
    "private_empty": N_("Send /start to begin a private chat with the bot."),
    "not_member_hint": N_("{name} is not in this group. Join it to write here."),
    "delete": N_("Delete"),
    "dismiss": N_("Dismiss"),
    "refused": N_("Refused:"),
    "bot_api_errors": N_("Bot API errors"),
    "reconnecting": N_("Connection lost. Reconnecting…"),
    "unreachable": N_("The sandbox is not reachable. Is “courtyard run” still running?"),
    "no_answer": N_("The bot did not answer the button press."),
    "open_sidebar": N_("Groups and people"),
    "close": N_("Close"),
    "messages": N_("Messages"),
}


def labels(language: str) -> dict[str, str]:
    """The page's labels in ``language`` (one of ``SUPPORTED``; English otherwise)."""
    t = Translator(language)
    translated = {}
    for key, message in LABELS.items():
        placeholders = {name: "{" + name + "}" for name in re.findall(r"\{(\w+)\}", message)}
        translated[key] = str(t(message, **placeholders))
    return translated


def _script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: Reads what the bot knows of a group (:func:`bot.sandbox.communities.read_group`).
FactsReader = Callable[[int], Awaitable[GroupFacts | None]]


@web.middleware
async def _api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn refusals and emulator errors on /api/ into Bot-API-shaped answers."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error)
    except EmulatorError as error:
        return error_response(_emulator_failure(error))


def _emulator_failure(error: EmulatorError) -> ApiError:
    """The emulator raises one error type for everything; its wording tells a 403 apart."""
    reason = str(error)
    if "not a member" in reason or "someone else's" in reason:
        return ApiError.forbidden(reason)
    return ApiError.bad_request(reason)


class SandboxWeb:
    """The page's routes on the emulator's application, and the live feed to the browsers.

    ``tick`` runs the bot's due work after the clock moves; ``changed`` is called after
    anything that should be saved (the world file).

    ``facts`` reads the bot's database for a group; the page shows what it returns (the
    roster's kinds, the community's time zone), refreshed whenever the bot has spoken in
    the group. ``kinds`` maps user ids to the kind a person tells the bot once they are on
    a roster (the demo's personas, members added with the form); ``told`` remembers
    (chat id, user id) pairs already dealt with, so a kind changed by hand stays changed.
    """

    def __init__(
        self,
        emulator: Emulator,
        clock: ShiftableClock,
        *,
        tick: Callable[[], Awaitable[None]],
        changed: Callable[[], None] = lambda: None,
        kinds: dict[int, str] | None = None,
        facts: FactsReader | None = None,
        told: set[tuple[int, int]] | None = None,
    ) -> None:
        self.emulator = emulator
        self.clock = clock
        self.kinds = kinds if kinds is not None else {}
        self.told = told if told is not None else set()
        #: Group chat id → what the bot knows of it (None: not a community yet).
        self.communities: dict[int, GroupFacts | None] = {}
        self._facts = facts
        self._stale: set[int] = set()
        self._refresher: asyncio.Task[None] | None = None
        self._tick = tick
        self._changed = changed
        self._clients: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._sockets: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()
        self._feed: asyncio.Queue[dict[str, Any]] | None = None
        self._forwarder: asyncio.Task[None] | None = None
        self._clock_lock = asyncio.Lock()
        # The assets' hash in their URLs: a browser never runs a stale app.js after an upgrade.
        digest = hashlib.sha256()
        for name in ("app.js", "style.css"):
            digest.update((STATIC_DIR / name).read_bytes())
        self._index = (
            (STATIC_DIR / "index.html")
            .read_text(encoding="utf-8")
            .replace("__VERSION__", digest.hexdigest()[:12])
        )

    # -- wiring ----------------------------------------------------------------------------

    def install(self, app: web.Application) -> web.Application:
        """Add the page's routes to the emulator's application (one port for both)."""
        app.middlewares.append(_api_errors)
        router = app.router
        router.add_get("/", self.index)
        router.add_static("/static/", STATIC_DIR, append_version=False)
        router.add_get("/files/{path:.+}", self.download)
        router.add_get("/api/state", self.state)
        router.add_get("/api/labels", self.labels)
        router.add_get("/api/live", self.live)
        router.add_post("/api/users", self.add_user)
        router.add_post("/api/groups", self.add_group)
        router.add_post("/api/chats/{chat_id}/messages", self.send)
        router.add_delete("/api/chats/{chat_id}/messages/{message_id}", self.delete)
        router.add_post("/api/chats/{chat_id}/messages/{message_id}/press", self.press)
        router.add_post("/api/chats/{chat_id}/members", self.join)
        router.add_delete("/api/chats/{chat_id}/members/{user_id}", self.leave)
        router.add_get("/api/clock", self.get_clock)
        router.add_post("/api/clock", self.move_clock)
        app.on_startup.append(self._start_feed)
        app.on_shutdown.append(self._close_clients)
        return app

    @property
    def open_pages(self) -> int:
        """How many pages are connected to the live feed now."""
        return len(self._clients)

    async def _start_feed(self, _app: web.Application) -> None:
        self._feed = self.emulator.subscribe()
        self._forwarder = asyncio.create_task(self._forward(self._feed))

    def refresh_groups(self) -> None:
        """Read every group's community again (once the bot runs; a restored world has some)."""
        for chat in self.emulator.chats:
            if not chat.is_private:
                self._refresh_soon(chat.id)

    async def _forward(self, feed: asyncio.Queue[dict[str, Any]]) -> None:
        """One subscription to the emulator, fanned out to every open page."""
        while True:
            event = await feed.get()
            if event["type"] not in ("press", "chat_action", "commands"):
                self._changed()
            if event["type"] in ("message", "edit") and event["message"]["is_bot"]:
                chat_id = int(event["message"]["chat_id"])
                if chat_id < 0:  # the bot has answered in a group: its state may be new
                    self._refresh_soon(chat_id)
            try:
                page_event = self._page_event(event)
            except Exception:  # one odd event must not end the feed for every page
                log.exception("cannot show a %s event on the page", event.get("type"))
                continue
            if page_event is not None:
                self._broadcast(page_event)

    def _broadcast(self, event: dict[str, Any]) -> None:
        for client in list(self._clients):
            client.put_nowait(event)

    def _refresh_soon(self, chat_id: int) -> None:
        if self._facts is None:
            return
        self._stale.add(chat_id)
        if self._refresher is None or self._refresher.done():
            self._refresher = asyncio.create_task(self._refresh_stale())

    async def _refresh_stale(self) -> None:
        """Read the stale groups one at a time; a burst of bot messages costs one read each."""
        assert self._facts is not None
        while self._stale:
            chat_id = self._stale.pop()
            try:
                facts = await self._facts(chat_id)
            except Exception:  # the page goes on with what it knew
                log.exception("cannot read the community of chat %s", chat_id)
                continue
            if chat_id not in self.communities or self.communities[chat_id] != facts:
                self.communities[chat_id] = facts
                self._broadcast(
                    {
                        "type": "community",
                        "chat_id": chat_id,
                        "community": facts.to_dict() if facts else None,
                    }
                )
                self._broadcast({"type": "clock", "clock": self._clock()})  # a new zone
            if facts is not None:
                await self._tell_kinds(chat_id, facts)

    async def _tell_kinds(self, chat_id: int, facts: GroupFacts) -> None:
        """Newcomers on the roster say ``/iam worker`` in the group, as a person would."""
        try:
            chat = self.emulator.get_chat(chat_id)
        except EmulatorError:
            return
        for user_id, text in kinds_to_tell(chat, facts.kinds, self.kinds, self.told):
            self._changed()
            try:
                await self.emulator.send_text(user_id, chat, text)
            except EmulatorError as error:  # left the group in the meantime
                log.info("%s not sent for user %s: %s", text, user_id, error)

    async def _close_clients(self, _app: web.Application) -> None:
        """Close open pages first, or the server's shutdown would wait for them."""
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
            self._refresher = None
        if self._forwarder is not None:
            self._forwarder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._forwarder
            self._forwarder = None
        if self._feed is not None:
            self.emulator.unsubscribe(self._feed)
            self._feed = None
        for client in list(self._clients):
            client.put_nowait(None)
        for socket in list(self._sockets):
            with contextlib.suppress(Exception):
                await socket.close(code=1001, message=b"the sandbox is stopping")

    # -- what the page sees ----------------------------------------------------------------

    def _page_message(self, message: dict[str, Any]) -> dict[str, Any]:
        """A message as the page may use it: the raw HTML and token-bearing links removed."""
        page = {
            key: value
            for key, value in message.items()
            if key not in ("html", "caption_html", "download")
        }
        page["file_url"] = f"/files/{message['file_path']}" if message.get("file_path") else None
        return page

    def _page_user(self, user: EmuUser) -> dict[str, Any]:
        """A person; their kind is not here but in each group's roster (``communities``)."""
        return self.emulator.user_to_dict(user)

    def _page_event(self, event: dict[str, Any]) -> dict[str, Any] | None:
        kind = event["type"]
        if kind in ("message", "edit"):
            return {**event, "message": self._page_message(event["message"])}
        if kind == "user":
            user = self.emulator.get_user(int(event["user"]["id"]))
            return {"type": "user", "user": self._page_user(user)}
        if kind == "commands":
            return {"type": "commands", "commands": self._commands()}
        if kind == "press":
            return None
        return event

    def _commands(self) -> dict[str, list[list[str]]]:
        return {
            code: [list(item) for item in self.emulator.commands(code)] for code in MENU_LANGUAGES
        }

    def _clock(self) -> dict[str, Any]:
        """The time, and each community zone's abbreviation now (CET or CEST: it moves)."""
        now = self.clock.now()
        zones = {"UTC", *(facts.timezone for facts in self.communities.values() if facts)}
        return {
            "now": now.isoformat(),
            "shift_seconds": self.clock.shift.total_seconds(),
            "zones": {zone: zone_abbreviation(zone, now) for zone in sorted(zones)},
        }

    def snapshot(self) -> dict[str, Any]:
        """Everything a page needs to draw itself; live events then keep it current."""
        emulator = self.emulator
        return {
            "bot": emulator.snapshot()["bot"],
            "users": [self._page_user(user) for user in emulator.users],
            "chats": [emulator.chat_to_dict(chat) for chat in emulator.chats],
            "messages": {
                str(chat.id): [
                    self._page_message(emulator.message_to_dict(m)) for m in emulator.messages(chat)
                ]
                for chat in emulator.chats
            },
            "commands": self._commands(),
            "clock": self._clock(),
            "communities": {
                str(chat_id): facts.to_dict() if facts else None
                for chat_id, facts in self.communities.items()
            },
            "member_languages": list(MEMBER_LANGUAGES),
            "member_kinds": list(MEMBER_KINDS),
        }

    # -- the page --------------------------------------------------------------------------

    @staticmethod
    def page_language(request: web.Request) -> str:
        """The interface language: ?lang=, else the cookie, else the browser's preference."""
        for candidate in (request.query.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
            if candidate:
                return resolve_language(candidate)
        for part in request.headers.get("Accept-Language", "").split(","):
            code = part.split(";")[0].strip()
            if code and code != "*":
                resolved = resolve_language(code, fallback="")
                if resolved:
                    return resolved
        return "en"

    async def index(self, request: web.Request) -> web.Response:
        language = self.page_language(request)
        boot = {
            "lang": language,
            "labels": labels(language),
            "languages": [[code, LANGUAGE_NAMES[code]] for code in SUPPORTED],
        }
        page = self._index.replace("__LANG__", language.replace("_", "-")).replace(
            "__BOOT__", _script_json(boot)
        )
        return web.Response(
            text=page,
            content_type="text/html",
            headers={
                "Cache-Control": "no-store",
                "Content-Security-Policy": (
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                    "script-src 'self'; connect-src 'self'; object-src 'none'; "
                    "base-uri 'none'; frame-ancestors 'none'"
                ),
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def labels(self, request: web.Request) -> web.Response:
        return ok_response(labels(self.page_language(request)))

    async def state(self, _request: web.Request) -> web.Response:
        return ok_response(self.snapshot())

    async def download(self, request: web.Request) -> web.Response:
        """A file the bot sent: photos inline, documents as a download under their name."""
        path = request.match_info["path"]
        try:
            data = self.emulator.file_bytes(path)
        except EmulatorError:
            raise web.HTTPNotFound(text="no such file") from None
        name = request.query.get("name") or path.rsplit("/", 1)[-1]
        name = re.sub(r"[^\w.\- ]", "_", name)[:100] or "file"
        if path.startswith("photos/"):
            content_type = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
            return web.Response(body=data, content_type=content_type)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return web.Response(
            body=data,
            content_type=content_type,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def live(self, request: web.Request) -> web.WebSocketResponse:
        """The live feed: a snapshot first, then every change as it happens."""
        origin = request.headers.get("Origin")
        if origin and origin.split("://", 1)[-1] != request.host:
            raise web.HTTPForbidden(text="cross-origin WebSocket refused")
        socket = web.WebSocketResponse(heartbeat=30)
        await socket.prepare(request)
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        # Registered in the same step as the snapshot is taken: no event falls in between.
        self._clients.add(queue)
        self._sockets.add(socket)
        queue.put_nowait({"type": "snapshot", **self.snapshot()})
        reader = asyncio.create_task(self._drain_incoming(socket))
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    break
                event = getter.result()
                if event is None or socket.closed:
                    break
                await socket.send_json(event)
        except (ConnectionError, RuntimeError):
            pass  # the page went away mid-send
        finally:
            self._clients.discard(queue)
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            await socket.close()
        return socket

    @staticmethod
    async def _drain_incoming(socket: web.WebSocketResponse) -> None:
        """The page sends nothing; reading is how a closed page is noticed."""
        async for message in socket:
            if message.type == WSMsgType.ERROR:
                break

    # -- reading requests ------------------------------------------------------------------

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        """The JSON object of a POST; JSON only, which also keeps other sites' forms out."""
        if request.content_type != "application/json":
            raise ApiError.bad_request("send a JSON object with Content-Type application/json")
        return await json_object(request)

    @staticmethod
    def _int(value: Any, name: str) -> int:
        if isinstance(value, bool):
            raise ApiError.bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d{1,20}", value.strip()):
            return int(value)
        if value is None:
            raise ApiError.bad_request(f"{name} is empty")
        raise ApiError.bad_request(f"invalid {name} specified")

    def _user(self, value: Any) -> EmuUser:
        user_id = self._int(value, "user_id")
        try:
            return self.emulator.get_user(user_id)
        except EmulatorError:
            raise ApiError.bad_request("user not found") from None

    def _chat(self, value: Any) -> EmuChat:
        """A group, or the private chat of a user (whose id is the user's id)."""
        chat_id = self._int(value, "chat_id")
        try:
            return self.emulator.get_chat(chat_id)
        except EmulatorError:
            pass
        if chat_id > 0:
            with contextlib.suppress(EmulatorError):
                return self.emulator.private_chat(self.emulator.get_user(chat_id))
        raise ApiError.bad_request("chat not found")

    def _group(self, value: Any) -> EmuChat:
        chat = self._chat(value)
        if chat.is_private:
            raise ApiError.bad_request("chat is a private chat, not a group")
        return chat

    def _message(self, chat: EmuChat, value: Any) -> EmuMessage:
        message_id = self._int(value, "message_id")
        for message in self.emulator.messages(chat):
            if message.message_id == message_id:
                return message
        raise ApiError.bad_request("message not found: it was deleted or never existed")

    @staticmethod
    def _name(value: Any, what: str, limit: int) -> str:
        text = " ".join(value.split()) if isinstance(value, str) else ""
        if not text:
            raise ApiError.bad_request(f"{what} is empty")
        if len(text) > limit:
            raise ApiError.bad_request(f"{what} is too long: at most {limit} characters")
        return text

    # -- what people do --------------------------------------------------------------------

    async def add_user(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        name = self._name(body.get("first_name"), "first name", MAX_NAME)
        language = body.get("language_code", "en")
        if language not in MEMBER_LANGUAGES:
            raise ApiError.bad_request(
                f"language_code must be one of {', '.join(MEMBER_LANGUAGES)}"
            )
        kind = body.get("kind", "resident")
        if kind not in MEMBER_KINDS:
            raise ApiError.bad_request(f"kind must be one of {', '.join(MEMBER_KINDS)}")
        group = self._group(body["group_id"]) if body.get("group_id") is not None else None
        user = self.emulator.add_user(name, language_code=language)
        self.kinds[user.id] = kind
        self._changed()
        if group is not None:
            await self.emulator.join(user, group)
        return ok_response(self._page_user(user))

    async def add_group(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        title = self._name(body.get("title"), "group title", MAX_TITLE)
        owner = self._user(body.get("owner_id"))
        group = self.emulator.add_group(title, admins=[owner], bot_added_by=owner)
        return ok_response(self.emulator.chat_to_dict(group))

    async def send(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        chat = self._chat(request.match_info["chat_id"])
        user = self._user(body.get("user_id"))
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError.bad_request("message text is empty")
        text = text.strip()
        if utf16_len(text) > MAX_TEXT:
            raise ApiError.bad_request("message is too long")
        message = await self.emulator.send_text(user, chat, text)
        return ok_response(self._page_message(self.emulator.message_to_dict(message)))

    async def delete(self, request: web.Request) -> web.Response:
        chat = self._chat(request.match_info["chat_id"])
        user = self._user(request.query.get("user_id"))
        message = self._message(chat, request.match_info["message_id"])
        allowed = (
            chat.user_id == user.id
            if chat.is_private
            else message.from_user == user.id or user.id in chat.admins
        )
        if not allowed:
            raise ApiError.bad_request("message can't be deleted")
        await self.emulator.delete_message(chat, message.message_id)
        return ok_response(True)

    async def press(self, request: web.Request) -> web.Response:
        """Press an inline button; answers with the bot's callback answer (or none in time)."""
        body = await self._body(request)
        chat = self._chat(request.match_info["chat_id"])
        user = self._user(body.get("user_id"))
        message = self._message(chat, request.match_info["message_id"])
        data = body.get("data")
        if not isinstance(data, str) or not data:
            raise ApiError.bad_request("data is empty")
        query_id = await self.emulator.press(user, message, data)
        try:
            answer = await self.emulator.wait_callback_answer(query_id, timeout=10)
        except TimeoutError:
            return ok_response({"query_id": query_id, "answered": False, "text": None})
        return ok_response(
            {
                "query_id": query_id,
                "answered": True,
                "text": answer.text,
                "show_alert": answer.show_alert,
            }
        )

    async def join(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        group = self._group(request.match_info["chat_id"])
        user = self._user(body.get("user_id"))
        await self.emulator.join(user, group)
        return ok_response(self.emulator.chat_to_dict(group))

    async def leave(self, request: web.Request) -> web.Response:
        group = self._group(request.match_info["chat_id"])
        user = self._user(request.match_info["user_id"])
        await self.emulator.leave(user, group)
        return ok_response(self.emulator.chat_to_dict(group))

    # -- time travel -----------------------------------------------------------------------

    async def get_clock(self, _request: web.Request) -> web.Response:
        return ok_response(self._clock())

    async def move_clock(self, request: web.Request) -> web.Response:
        """Move the clock by ``seconds`` or ``to`` an ISO moment, then run due work.

        ``to`` has an offset, or is a wall time in ``time_zone`` (an IANA name).

        The answer comes after the bot has run what fell due (a poll closing, its chart
        posted), so a caller that waits for it sees the consequences.
        """
        body = await self._body(request)
        if body.get("to") is not None:
            delta = self._delta_to(body["to"], body.get("time_zone"))
        else:
            seconds = body.get("seconds")
            if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                raise ApiError.bad_request("give seconds (a number) or to (an ISO date)")
            delta = timedelta(seconds=seconds)
        if delta <= timedelta(0):
            raise ApiError.bad_request("the sandbox clock only moves forward")
        if delta > MAX_CLOCK_STEP:
            raise ApiError.bad_request(
                f"move the clock at most {MAX_CLOCK_STEP.days} days at a time"
            )
        async with self._clock_lock:
            self.clock.advance(delta)
            self._broadcast({"type": "clock", "clock": self._clock()})
            self._changed()
            await self._tick()
        return ok_response(self._clock())

    def _delta_to(self, value: Any, zone: Any = None) -> timedelta:
        """How far to ``value``; a time without an offset is read in ``zone`` if one is given.

        The page's date field shows the community's wall time, so it sends that and the zone
        rather than guessing an offset (which a DST change in between would make wrong).
        """
        if not isinstance(value, str):
            raise ApiError.bad_request("to must be an ISO date such as 2026-05-01T09:00:00Z")
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ApiError.bad_request(
                "to must be an ISO date such as 2026-05-01T09:00:00Z"
            ) from None
        if moment.tzinfo is None and zone is not None:
            try:
                moment = moment.replace(tzinfo=ZoneInfo(str(zone)))
            except (ZoneInfoNotFoundError, ValueError):
                raise ApiError.bad_request(f"unknown time_zone {str(zone)[:64]!r}") from None
        if moment.tzinfo is None:
            raise ApiError.bad_request("to needs a time zone, such as 2026-05-01T09:00:00Z")
        return moment.astimezone(UTC) - self.clock.now()
