"""A Telegram Bot API emulator with a scenario API, for tests and the local sandbox.

Why: Courtyard runs on two frameworks (aiogram and python-telegram-bot) and both must be
tested end to end without Telegram. Faking either framework would test the fake; instead the
real, unmodified libraries talk HTTP to this server through their custom base URL:

* aiogram: ``Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(url)))``;
* PTB: ``ApplicationBuilder().token(token).base_url(f"{url}/bot")
  .base_file_url(f"{url}/file/bot")``.

The humans in a scenario (users who write, join, leave and press buttons) are driven from
Python through :class:`Emulator`'s methods; those methods are the only way the world changes
outside Bot API calls, so a browser page built on top sees what a test sees (``subscribe``).

Layout: :mod:`bot.sandbox.emulator_models` (dataclasses), :mod:`bot.sandbox.emulator_state`
(the world and its Telegram JSON), :mod:`bot.sandbox.emulator_api` (the Bot API methods),
:mod:`bot.sandbox.emulator_http` (request decoding, limits, faults) and
:mod:`bot.sandbox.telegram_html` (Telegram's HTML subset).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from bot.sandbox.emulator_api import ApiCall, BotApi, scope_key
from bot.sandbox.emulator_http import Fault
from bot.sandbox.emulator_models import (
    EmuCallbackAnswer,
    EmuChat,
    EmulatorError,
    EmuMessage,
    EmuUser,
)
from bot.sandbox.emulator_state import (
    GROUP_ANONYMOUS_BOT_ID,
    CallbackQueryState,
    EmulatorState,
    FailedCall,
)
from bot.sandbox.telegram_html import utf16_len

__all__ = ["Emulator"]

#: A command at the start of a message: "/cmd" or "/cmd@SomeBot".
_COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)")

UserRef = EmuUser | int
ChatRef = EmuChat | int
MessagePredicate = Callable[[EmuMessage], bool]
#: Called with (Bot API method, result) for every successful answer; see ``Emulator.observe``.
Observer = Callable[[str, Any], None]


#: Basic groups' ids are negative without the supergroups' -100 prefix.
_FIRST_BASIC_GROUP_ID = -5_000_000_001


def _real_clock() -> datetime:
    return datetime.now(UTC)


class Emulator:
    """The Bot API server plus the humans around the bot.

    ``clock`` returns aware UTC datetimes and dates every message (share the bot's clock to
    time-travel both). ``privacy_mode`` (Telegram's default for bots) hides plain group
    chatter from the bot unless it is an admin there. ``strict_html`` refuses a bare ``&``
    that Telegram would tolerate (its docs say to escape it; we would rather learn early).
    ``observers`` are called with every answer (see :meth:`observe`).

    ``rate_limits`` is strict mode: Telegram's flood limits answer 429 with ``retry_after``
    (see :class:`~bot.sandbox.emulator_http.RateLimiter`: ~30 messages/s per bot, 20 per
    minute per group, ~1/s per private chat). sendMessage, sendPhoto and sendDocument count,
    and so do editMessageText, editMessageCaption and editMessageReplyMarkup: an edit floods
    a group as a message does, so a bot that edits a busy group's poll on every vote learns
    it here. An edit refused as "not modified" counts for nothing. :attr:`flood_refusals` and
    :attr:`flood_refusals_by_chat` count the 429s answered, for benchmarks and tests that
    promise none; injected faults are not counted.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        bot_username: str = "CourtyardBot",
        bot_first_name: str = "Courtyard",
        clock: Callable[[], datetime] | None = None,
        rate_limits: bool = False,
        privacy_mode: bool = True,
        strict_html: bool = True,
        observers: Iterable[Observer] = (),
    ) -> None:
        self._state = EmulatorState(
            token=token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            clock=clock or _real_clock,
            privacy_mode=privacy_mode,
        )
        self._api = BotApi(self._state, rate_limits=rate_limits, strict_html=strict_html)
        for observer in observers:
            self.observe(observer)
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        # Ids beyond 32 bits, like real ones today, so int32 columns fail in tests.
        self._next_user_id = 7_000_000_001
        self._next_group_id = -1_001_000_000_001
        self._next_basic_group_id = _FIRST_BASIC_GROUP_ID

    # -- server ----------------------------------------------------------------------------

    @property
    def token(self) -> str:
        return self._state.token

    @property
    def bot_id(self) -> int:
        return self._state.bot_id

    @property
    def bot_username(self) -> str:
        return self._state.bot_username

    def make_app(self) -> web.Application:
        """The aiohttp application (for ``aiohttp.test_utils`` or mounting elsewhere)."""
        return self._api.make_app()

    async def start(
        self, host: str = "127.0.0.1", port: int = 0, *, app: web.Application | None = None
    ) -> str:
        """Serve on ``host:port`` (0 picks a free port); returns and remembers the base URL.

        ``app`` lets a caller serve :meth:`make_app`'s application with routes of its own
        added (the sandbox page), so one port carries both.
        """
        if self._runner is not None:
            raise EmulatorError("the emulator is already running")
        self._state.closing = False
        runner = web.AppRunner(app or self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_port = runner.addresses[0][1]
        self.base_url = (
            f"http://[{host}]:{bound_port}" if ":" in host else f"http://{host}:{bound_port}"
        )
        return self.base_url

    async def stop(self) -> None:
        """Stop serving; pending long polls return an empty list at once."""
        self._state.closing = True
        self._state.notify()
        runner, self._runner = self._runner, None
        if runner is not None:
            await asyncio.sleep(0)  # let woken long polls write their answers
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- fault injection and introspection ------------------------------------------------

    def inject_fault(
        self,
        method: str,
        *,
        status: int = 500,
        retry_after: int | None = None,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*" for any) fail with ``status``.

        With ``retry_after`` the answer carries ``parameters.retry_after`` (pass
        ``status=429`` for a flood wait, as Telegram sends it).
        """
        if times < 1:
            raise EmulatorError("times must be at least 1")
        self._api.faults.append(Fault(method, status, retry_after, times, description))

    def api_calls(self, method: str | None = None) -> list[ApiCall]:
        """Bot API calls received so far (the last 1000), optionally of one method."""
        calls = list(self._api.calls)
        if method is None:
            return calls
        return [call for call in calls if call.method.lower() == method.lower()]

    @property
    def failures(self) -> list[FailedCall]:
        """Recent Bot API calls answered with an error (the last 50)."""
        return list(self._state.failures)

    @property
    def implemented_methods(self) -> frozenset[str]:
        """The Bot API methods answered for real (any other one answers ``True``)."""
        return frozenset(self._api.methods)

    @property
    def flood_refusals(self) -> int:
        """How many 429s the flood limits have answered since the start (strict mode)."""
        return sum(self._api.flood_refusals.values())

    @property
    def flood_refusals_by_chat(self) -> dict[int, int]:
        """The 429s of :attr:`flood_refusals` per chat id (only chats that got one)."""
        return dict(self._api.flood_refusals)

    def observe(self, observer: Observer) -> None:
        """Call ``observer(method, result)`` with every successful Bot API answer.

        ``method`` is spelled as the bot spelled it in the URL; ``result`` is the JSON value
        about to be sent, so an observer must not change it. getUpdates' result is the list
        of updates handed out, so an observer sees every update the bot receives. Tests use
        this to hold every answer against the Bot API description (tests/botapi). An
        observer that raises fails the call with a 500, as a crashing server would.
        """
        self._api.observers.append(observer)

    def inject_update(self, update: Mapping[str, Any]) -> int:
        """Hand the bot ``update`` through getUpdates exactly as given (its update_id replaced).

        For tests that feed shapes no scenario step produces, such as updates built from the
        Bot API description; allowed_updates is not applied. Returns the update id used.
        """
        return self._state.inject_update(update)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot through getUpdates' offset."""
        return list(self._state.updates)

    @property
    def allowed_updates(self) -> frozenset[str]:
        """The update types currently admitted (sticky, as set by getUpdates/setWebhook)."""
        return self._state.allowed_updates

    # -- people and chats ------------------------------------------------------------------

    @property
    def users(self) -> list[EmuUser]:
        return list(self._state.users.values())

    @property
    def chats(self) -> list[EmuChat]:
        return list(self._state.chats.values())

    def get_user(self, user_id: int) -> EmuUser:
        return self._state.user(user_id)

    def get_chat(self, chat_id: int) -> EmuChat:
        return self._state.chat(chat_id)

    def _user(self, ref: UserRef) -> EmuUser:
        return self._state.user(ref if isinstance(ref, int) else ref.id)

    def _chat(self, ref: ChatRef) -> EmuChat:
        return self._state.chat(ref if isinstance(ref, int) else ref.id)

    def add_user(
        self,
        first_name: str,
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
        user_id: int | None = None,
    ) -> EmuUser:
        """A new person; they can write to groups they are in, or privately to the bot."""
        if user_id is None:
            user_id = self._next_user_id
            while user_id in self._state.users:
                user_id += 1
            self._next_user_id = user_id + 1
        if user_id <= 0 or user_id == self.bot_id or user_id in self._state.users:
            raise EmulatorError(f"user id {user_id} is taken or invalid")
        user = EmuUser(
            id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._state.users[user.id] = user
        self._state.publish({"type": "user", "user": self._state.user_to_dict(user)})
        return user

    def add_group(
        self,
        title: str,
        *,
        admins: Iterable[UserRef] = (),
        members: Iterable[UserRef] = (),
        chat_id: int | None = None,
        bot_is_admin: bool = True,
        bot_added_by: UserRef | None = None,
        supergroup: bool = True,
    ) -> EmuChat:
        """A supergroup with the bot in it; the first admin is its owner.

        With ``bot_added_by`` the bot arrives the way Telegram reports it: a my_chat_member
        update (left → member/administrator) and a service message with new_chat_members.
        ``supergroup=False`` makes a basic group, as Telegram still creates small groups;
        :meth:`upgrade_to_supergroup` turns it into a supergroup with a new id.
        """
        if chat_id is None:
            chat_id = self._free_group_id(supergroup)
        if chat_id >= 0 or chat_id in self._state.chats:
            raise EmulatorError(f"group id {chat_id} is taken or not negative")
        admin_users = [self._user(ref) for ref in admins]
        member_ids = {self._user(ref).id for ref in members} | {u.id for u in admin_users}
        adder = self._user(bot_added_by) if bot_added_by is not None else None
        if adder is not None:
            member_ids.add(adder.id)
        bot_status = "administrator" if bot_is_admin else "member"
        chat = EmuChat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            title=title,
            members=member_ids,
            admins={u.id for u in admin_users},
            owner_id=admin_users[0].id if admin_users else None,
            bot_status="left" if adder is not None else bot_status,
        )
        self._state.add_chat(chat)
        if adder is not None:
            chat.bot_status = bot_status
            self._state.emit_update(
                "my_chat_member",
                self._state.chat_member_updated_json(
                    chat, adder.id, self.bot_id, "left", bot_status
                ),
            )
            message = self._store_human_message(
                adder, chat, new_chat_members=[self.bot_id], reply_to=None, text=None
            )
            self._deliver("message", message)
            self._state.publish_chat(chat)
        return chat

    def _free_group_id(self, supergroup: bool) -> int:
        chat_id = self._next_group_id if supergroup else self._next_basic_group_id
        while chat_id in self._state.chats:
            chat_id -= 1
        if supergroup:
            self._next_group_id = chat_id - 1
        else:
            self._next_basic_group_id = chat_id - 1
        return chat_id

    async def upgrade_to_supergroup(self, group: ChatRef, *, by: UserRef | None = None) -> EmuChat:
        """A basic group becomes a supergroup, with a new chat id, as Telegram does it.

        The group gets a service message from ``by`` (or its owner) with
        ``migrate_to_chat_id``; the new supergroup, with the same title, people and bot,
        starts with a message from GroupAnonymousBot on behalf of the supergroup with
        ``migrate_from_chat_id``. The bot sees both. From then on the old id answers the bot
        400 "group chat was upgraded to a supergroup chat" with ``migrate_to_chat_id``, and
        nobody can write there. Returns the supergroup.
        """
        old = self._chat(group)
        if old.type != "group" or old.migrated_to is not None:
            raise EmulatorError(f"chat {old.id} is not a basic group that can still be upgraded")
        actor = self._actor(old, by)
        new = EmuChat(
            id=self._free_group_id(supergroup=True),
            type="supergroup",
            title=old.title,
            members=set(old.members),
            admins=set(old.admins),
            owner_id=old.owner_id,
            bot_status=old.bot_status,
        )
        self._state.add_chat(new)
        old.migrated_to = new.id
        farewell = self._store_service_message(old, actor, migrate_to_chat_id=new.id)
        self._deliver("message", farewell)
        welcome = self._store_service_message(
            new, GROUP_ANONYMOUS_BOT_ID, sender_chat=new.id, migrate_from_chat_id=old.id
        )
        self._deliver("message", welcome)
        self._state.publish_chat(old)
        self._state.publish_chat(new)
        await asyncio.sleep(0)
        return new

    def _store_service_message(self, chat: EmuChat, sender: int, **fields: Any) -> EmuMessage:
        message = EmuMessage(
            message_id=self._state.next_message_id(chat.id),
            chat_id=chat.id,
            from_user=sender,
            date=self._state.now(),
            **fields,
        )
        return self._state.store_message(message)

    def private_chat(self, user: UserRef) -> EmuChat:
        """The private chat between ``user`` and the bot (its id is the user's id)."""
        return self._state.private_chat(self._user(user))

    def set_admin(self, user: UserRef, group: ChatRef, is_admin: bool = True) -> None:
        """Promote or demote a member; the bot hears of it only as an admin (chat_member)."""
        person, chat = self._user(user), self._chat(group)
        self._require_group_member(person, chat)
        old = self._state.member_status(chat, person.id)
        if is_admin:
            chat.admins.add(person.id)
        else:
            chat.admins.discard(person.id)
            if chat.owner_id == person.id:
                chat.owner_id = None
        new = self._state.member_status(chat, person.id)
        if old != new:
            # Credited to the owner when there is one (only admins can promote).
            actor = chat.owner_id if chat.owner_id is not None else person.id
            self._emit_chat_member(chat, actor, person.id, old, new)
        self._state.publish_chat(chat)

    def set_bot_admin(
        self, group: ChatRef, is_admin: bool = True, *, by: UserRef | None = None
    ) -> None:
        """Promote or demote the bot (a my_chat_member update from ``by`` or the owner)."""
        chat = self._chat(group)
        if chat.bot_status not in ("member", "administrator"):
            raise EmulatorError("the bot is not in this group")
        old, new = chat.bot_status, "administrator" if is_admin else "member"
        chat.bot_status = new
        if old != new:
            actor = self._actor(chat, by)
            self._state.emit_update(
                "my_chat_member",
                self._state.chat_member_updated_json(chat, actor, self.bot_id, old, new),
            )
        self._state.publish_chat(chat)

    async def remove_bot(self, group: ChatRef, *, by: UserRef | None = None) -> None:
        """Someone removes the bot from the group; later sends get 403 "bot was kicked"."""
        chat = self._chat(group)
        old = chat.bot_status
        if old not in ("member", "administrator"):
            raise EmulatorError("the bot is not in this group")
        chat.bot_status = "kicked"
        actor = self._actor(chat, by)
        self._state.emit_update(
            "my_chat_member",
            self._state.chat_member_updated_json(chat, actor, self.bot_id, old, "kicked"),
        )
        self._state.publish_chat(chat)
        await asyncio.sleep(0)

    async def block_bot(self, user: UserRef, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: my_chat_member in their private chat."""
        person = self._user(user)
        if person.blocked_bot == blocked:
            return
        chat = self._state.private_chat(person)
        old = self._state.member_status(chat, self.bot_id)
        person.blocked_bot = blocked
        new = self._state.member_status(chat, self.bot_id)
        self._state.emit_update(
            "my_chat_member",
            self._state.chat_member_updated_json(chat, person.id, self.bot_id, old, new),
        )
        self._state.publish_chat(chat)
        await asyncio.sleep(0)

    def _actor(self, chat: EmuChat, by: UserRef | None) -> int:
        if by is not None:
            return self._user(by).id
        if chat.owner_id is not None:
            return chat.owner_id
        if chat.admins:
            return min(chat.admins)
        raise EmulatorError("say who did it (by=...): the group has no admin to credit")

    async def join(self, user: UserRef, group: ChatRef) -> EmuMessage:
        """The user joins: a new_chat_members message and a chat_member update (left → member)."""
        person, chat = self._user(user), self._chat(group)
        if chat.is_private:
            raise EmulatorError("nobody joins a private chat")
        if person.id in chat.members:
            raise EmulatorError(f"{person.name} is already in {chat.title}")
        chat.members.add(person.id)
        message = self._store_human_message(
            person, chat, new_chat_members=[person.id], reply_to=None, text=None
        )
        self._deliver("message", message)
        self._emit_chat_member(chat, person.id, person.id, "left", "member")
        self._state.publish_chat(chat)
        await asyncio.sleep(0)
        return message

    async def leave(self, user: UserRef, group: ChatRef) -> EmuMessage:
        """The user leaves: a left_chat_member message and a chat_member update (→ left)."""
        person, chat = self._user(user), self._chat(group)
        self._require_group_member(person, chat)
        old = self._state.member_status(chat, person.id)
        chat.members.discard(person.id)
        chat.admins.discard(person.id)
        if chat.owner_id == person.id:
            chat.owner_id = None
        message = self._store_human_message(
            person, chat, left_chat_member=person.id, reply_to=None, text=None
        )
        self._deliver("message", message)
        self._emit_chat_member(chat, person.id, person.id, old, "left")
        self._state.publish_chat(chat)
        await asyncio.sleep(0)
        return message

    def _emit_chat_member(
        self, chat: EmuChat, actor: int, user_id: int, old: str, new: str
    ) -> None:
        # Telegram sends chat_member only to bots that administer the chat.
        if chat.bot_is_admin:
            self._state.emit_update(
                "chat_member", self._state.chat_member_updated_json(chat, actor, user_id, old, new)
            )

    def _require_group_member(self, person: EmuUser, chat: EmuChat) -> None:
        if chat.is_private:
            raise EmulatorError(f"chat {chat.id} is a private chat, not a group")
        if chat.migrated_to is not None:
            raise EmulatorError(
                f"{chat.title} was upgraded to the supergroup {chat.migrated_to}; "
                "people write there now"
            )
        if person.id not in chat.members:
            raise EmulatorError(f"{person.name} is not a member of {chat.title}")

    # -- what humans do --------------------------------------------------------------------

    def _store_human_message(
        self,
        person: EmuUser,
        chat: EmuChat,
        *,
        text: str | None,
        reply_to: EmuMessage | int | None,
        new_chat_members: list[int] | None = None,
        left_chat_member: int | None = None,
    ) -> EmuMessage:
        reply_id = reply_to.message_id if isinstance(reply_to, EmuMessage) else reply_to
        if reply_id is not None and self._state.message(chat.id, reply_id) is None:
            raise EmulatorError(f"message {reply_id} does not exist in chat {chat.id}")
        entities: list[dict[str, Any]] = []
        if text:
            match = _COMMAND_RE.match(text)
            if match:
                entities.append(
                    {"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}
                )
        message = EmuMessage(
            message_id=self._state.next_message_id(chat.id),
            chat_id=chat.id,
            from_user=person.id,
            date=self._state.now(),
            text=text,
            entities=entities,
            reply_to=reply_id,
            new_chat_members=new_chat_members or [],
            left_chat_member=left_chat_member,
        )
        return self._state.store_message(message)

    def _bot_sees(self, message: EmuMessage) -> bool:
        """Whether Telegram would deliver this human message to the bot at all."""
        chat = self._state.chat(message.chat_id)
        if chat.is_private:
            return not self._state.user(message.from_user).blocked_bot
        if chat.bot_status not in ("member", "administrator"):
            return False
        if chat.bot_is_admin or not self._state.privacy_mode:
            return True
        if (
            message.new_chat_members
            or message.left_chat_member is not None
            or message.migrate_to_chat_id is not None
            or message.migrate_from_chat_id is not None
        ):
            return True
        if message.reply_to is not None:
            replied = self._state.message(chat.id, message.reply_to)
            if replied is not None and replied.is_bot:
                return True
        match = _COMMAND_RE.match(message.text or "")
        if match:
            addressee = match.group(2)
            return addressee is None or addressee.lower() == self.bot_username.lower()
        return False

    def _deliver(self, kind: str, message: EmuMessage) -> None:
        if self._bot_sees(message):
            self._state.emit_update(kind, self._state.message_json(message))

    async def send_text(
        self,
        user: UserRef,
        chat: ChatRef,
        text: str,
        *,
        reply_to: EmuMessage | int | None = None,
    ) -> EmuMessage:
        """``user`` writes ``text`` in ``chat``; a leading /command gets its bot_command entity.

        Writing privately marks the user as having started the bot (and unblocks it, as
        Telegram's "Restart" does), so the bot may answer there from now on.
        """
        person, target = self._user(user), self._chat(chat)
        if not text:
            raise EmulatorError("Telegram clients do not send empty messages")
        if target.is_private:
            if target.user_id != person.id:
                raise EmulatorError(f"{person.name} cannot write in someone else's private chat")
            if person.blocked_bot:
                await self.block_bot(person, blocked=False)
            person.started_bot = True
        else:
            self._require_group_member(person, target)
        message = self._store_human_message(person, target, text=text, reply_to=reply_to)
        self._deliver("message", message)
        await asyncio.sleep(0)
        return message

    async def edit_text(self, user: UserRef, message: EmuMessage, text: str) -> EmuMessage:
        """The author edits their message: an edited_message update."""
        person = self._user(user)
        live = self._live_message(message)
        if live.from_user != person.id or live.is_bot or live.text is None:
            raise EmulatorError("people can only edit their own text messages")
        live.text = text
        match = _COMMAND_RE.match(text)
        live.entities = (
            [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
            if match
            else []
        )
        live.edited = True
        live.edit_date = self._state.now()
        self._state.publish_edit(live)
        self._deliver("edited_message", live)
        await asyncio.sleep(0)
        return live

    def _live_message(self, message: EmuMessage | tuple[int, int]) -> EmuMessage:
        chat_id, message_id = (
            (message.chat_id, message.message_id) if isinstance(message, EmuMessage) else message
        )
        live = self._state.history.get(chat_id, {}).get(message_id)
        if live is None:
            raise EmulatorError(f"no message {message_id} in chat {chat_id}")
        if live.deleted:
            raise EmulatorError(
                f"message {message_id} in chat {chat_id} was deleted; nobody can see or press "
                "it any more"
            )
        return live

    async def press(self, user: UserRef, message: EmuMessage, data: str) -> str:
        """``user`` presses the inline button carrying ``data``; returns the callback query id.

        Like a Telegram client, only a button that is on the message now can be pressed: a
        deleted message, or a keyboard the bot has since edited away, raise
        :class:`EmulatorError`.
        """
        person = self._user(user)
        live = self._live_message(message)
        chat = self._state.chat(live.chat_id)
        if chat.is_private:
            if chat.user_id != person.id:
                raise EmulatorError(f"{person.name} cannot see someone else's private chat")
        else:
            self._require_group_member(person, chat)
        if not live.is_bot:
            raise EmulatorError("only the bot's messages carry inline buttons")
        available = [
            button.get("callback_data")
            for row in (live.reply_markup or {}).get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]
        if data not in available:
            raise EmulatorError(
                f"message {live.message_id} has no button with callback_data {data!r}; "
                f"its buttons carry {available}"
            )
        query_id = self._state.next_query_id()
        self._state.callbacks[query_id] = CallbackQueryState(
            query_id=query_id,
            user_id=person.id,
            chat_id=chat.id,
            message_id=live.message_id,
            data=data,
        )
        self._state.emit_update(
            "callback_query",
            {
                "id": query_id,
                "from": self._state.user_json(person.id),
                "message": self._state.message_json(live),
                "chat_instance": str(abs(chat.id) * 7 + self.bot_id),
                "data": data,
            },
        )
        self._state.publish(
            {
                "type": "press",
                "query_id": query_id,
                "chat_id": chat.id,
                "message_id": live.message_id,
                "user_id": person.id,
                "data": data,
            }
        )
        await asyncio.sleep(0)
        return query_id

    def _query(self, query_id: str) -> CallbackQueryState:
        try:
            return self._state.callbacks[query_id]
        except KeyError:
            raise EmulatorError(f"no callback query {query_id!r}") from None

    def callback_answer(self, query_id: str) -> str | None:
        """The text the bot answered ("" for a silent answer), ``None`` before it answers."""
        answer = self._query(query_id).answer
        if answer is None:
            return None
        return answer.text or ""

    async def wait_callback_answer(
        self,
        query_id: str,
        timeout: float = 5,  # noqa: ASYNC109 - a deadline for the whole wait, not one await
    ) -> EmuCallbackAnswer:
        """Wait for the bot's answerCallbackQuery to a press."""
        query = self._query(query_id)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            marker = self._state.change_marker()
            if query.answer is not None:
                return query.answer
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(
                    f"the bot did not answer callback query {query_id} (data={query.data!r}) "
                    f"within {timeout} s.{self._diagnostics(query.chat_id)}"
                )
            await self._state.wait_marker(marker, remaining)

    async def delete_message(self, chat: ChatRef, message_id: int) -> None:
        """A human (author or admin) deletes a message; Telegram tells the bot nothing."""
        target = self._chat(chat)
        live = self._live_message((target.id, message_id))
        live.deleted = True
        self._state.publish({"type": "delete", "chat_id": target.id, "message_id": message_id})
        await asyncio.sleep(0)

    # -- reading the chat ------------------------------------------------------------------

    def messages(self, chat: ChatRef) -> list[EmuMessage]:
        """Everything visible in the chat, oldest first (current text; deleted ones left out)."""
        target = self._chat(chat)
        history = self._state.history.get(target.id, {})
        return [message for _, message in sorted(history.items()) if not message.deleted]

    def bot_messages(self, chat: ChatRef) -> list[EmuMessage]:
        return [message for message in self.messages(chat) if message.is_bot]

    def last_bot_message(self, chat: ChatRef) -> EmuMessage | None:
        found = self.bot_messages(chat)
        return found[-1] if found else None

    async def wait_for_bot_message(
        self,
        chat: ChatRef,
        predicate: MessagePredicate | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait
        since: int = 0,
    ) -> EmuMessage:
        """The first bot message in ``chat`` with id > ``since`` matching ``predicate`` now.

        Messages are checked in their current state, so an edit that makes a message match
        ends the wait. Raises ``TimeoutError`` listing what the bot did send and which of its
        calls failed.
        """
        found = await self.wait_for_bot_messages(chat, 1, predicate, timeout=timeout, since=since)
        return found[0]

    async def wait_for_bot_messages(
        self,
        chat: ChatRef,
        count: int,
        predicate: MessagePredicate | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for the whole wait
        since: int = 0,
    ) -> list[EmuMessage]:
        """The first ``count`` matching bot messages (see :meth:`wait_for_bot_message`)."""
        target = self._chat(chat)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            marker = self._state.change_marker()
            matching = [
                message
                for message in self.bot_messages(target)
                if message.message_id > since and (predicate is None or predicate(message))
            ]
            if len(matching) >= count:
                return matching[:count]
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                wanted = (
                    "a matching bot message" if count == 1 else f"{count} matching bot messages"
                )
                raise TimeoutError(
                    f"waited {timeout} s for {wanted} in chat {target.id} "
                    f"(message_id > {since}); found {len(matching)}.{self._diagnostics(target.id)}"
                )
            await self._state.wait_marker(marker, remaining)

    def _diagnostics(self, chat_id: int) -> str:
        lines = []
        sent = self.bot_messages(chat_id)
        if sent:
            lines.append("\nThe bot's messages in this chat:")
            for message in sent[-10:]:
                body = (
                    message.text if message.text is not None else f"[media] {message.caption or ''}"
                )
                lines.append(
                    f"  #{message.message_id}{' (edited)' if message.edited else ''}: "
                    f"{body[:200]!r} buttons={message.buttons}"
                )
        else:
            lines.append("\nThe bot has sent nothing to this chat.")
        if self._state.failures:
            lines.append("Recent failed Bot API calls:")
            lines.extend(
                f"  {f.method}: {f.error_code} {f.description}"
                for f in list(self._state.failures)[-10:]
            )
        if self._state.updates:
            lines.append(f"{len(self._state.updates)} update(s) not yet confirmed by the bot.")
        return "\n".join(lines)

    def commands(
        self,
        language_code: str = "",
        scope_type: str = "default",
        *,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> list[tuple[str, str]]:
        """The (command, description) list set with setMyCommands for that scope/language."""
        scope: dict[str, Any] = {"type": scope_type}
        if chat_id is not None:
            scope["chat_id"] = chat_id
        if user_id is not None:
            scope["user_id"] = user_id
        return list(self._state.commands.get((scope_key(scope), language_code), []))

    # -- live feed for a browser -----------------------------------------------------------

    def subscribe(self) -> asyncio.Queue[dict[str, Any]]:
        """A queue of JSON-serialisable events: message, edit, delete, press, callback_answer,
        chat, user, chat_action, commands, api_error."""
        return self._state.subscribe()

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._state.unsubscribe(queue)

    def message_to_dict(self, message: EmuMessage) -> dict[str, Any]:
        """A message as JSON for a page: text, bot HTML and a sanitised rendering, buttons,
        media flags and a download path relative to :attr:`base_url`."""
        return self._state.message_to_dict(message)

    def chat_to_dict(self, chat: EmuChat) -> dict[str, Any]:
        return self._state.chat_to_dict(chat)

    def user_to_dict(self, user: EmuUser) -> dict[str, Any]:
        return self._state.user_to_dict(user)

    def snapshot(self) -> dict[str, Any]:
        """Everything a freshly opened page needs: bot, users, chats and their messages."""
        return {
            "bot": self._state.bot_json(),
            "users": [self.user_to_dict(user) for user in self.users],
            "chats": [self.chat_to_dict(chat) for chat in self.chats],
            "messages": {
                str(chat.id): [self.message_to_dict(m) for m in self.messages(chat)]
                for chat in self.chats
            },
        }

    # -- the world as data -----------------------------------------------------------------

    def export_world(self) -> dict[str, Any]:
        """The world (people, chats, every message, files, id counters) as JSON-ready data.

        For keeping a world across restarts (the sandbox's world file) or copying it into
        another emulator with :meth:`import_world`. The result shares nothing with the live
        state and survives ``json.loads(json.dumps(...))`` unchanged. Its shape::

            {
                "next_user_id": int, "next_group_id": int,  # the next ids handed out
                "next_basic_group_id": int,
                "next_message_ids": {"<chat id>": int},      # per chat
                "next_query": int,                           # the last callback query id
                "users": [{"id", "first_name", "last_name", "username", "language_code",
                           "started_bot", "blocked_bot"}],
                "chats": [{"id", "type", "title", "user_id", "members", "admins",
                           "owner_id", "bot_status", "migrated_to"}],
                "files": [{"file_id", "file_unique_id", "file_path", "kind", "filename",
                           "mime_type", "width", "height", "data": "<base64>"}],
                "messages": [{"message_id", "chat_id", "from_user", "date", "text", "html",
                              "buttons", "caption", "caption_html", "reply_to", "edited",
                              "is_bot", "entities", "caption_entities", "reply_markup",
                              "file_id", "new_chat_members", "left_chat_member",
                              "edit_date", "link_preview_options", "migrate_to_chat_id",
                              "migrate_from_chat_id", "sender_chat", "deleted"}],
            }

        Dates are ISO 8601 with their offset; a message's photo or document is the file
        named by its ``file_id``. Not part of the world: the bot's identity (token, name),
        the clock, pending updates and callback queries, commands set with setMyCommands,
        injected faults and the call log. Callers that store the result should version it.
        """
        return {
            "next_user_id": self._next_user_id,
            "next_group_id": self._next_group_id,
            "next_basic_group_id": self._next_basic_group_id,
            **self._state.export_world(),
        }

    def import_world(self, data: Mapping[str, Any]) -> None:
        """Replace the world with one :meth:`export_world` made (possibly via JSON).

        Users, chats, histories, files and id counters are replaced, not merged; ids handed
        out afterwards continue after the imported ones. The data is checked completely
        before anything changes: a wrong type, a duplicate id or a dangling reference (a
        message in an unknown chat, from an unknown user, showing an unknown file) raises
        :class:`EmulatorError` and leaves the emulator as it was. Unknown keys are ignored.
        Import before the bot starts polling, or expect it to see a world change under it;
        an open sandbox page shows the new world after it reloads.
        """
        if not isinstance(data, Mapping):
            raise EmulatorError(f"world: expected an object, got {type(data).__name__}")
        next_user_id = _world_counter(data, "next_user_id", positive=True)
        next_group_id = _world_counter(data, "next_group_id", positive=False)
        next_basic_group_id = (
            _world_counter(data, "next_basic_group_id", positive=False)
            if "next_basic_group_id" in data  # worlds saved before basic groups lack it
            else _FIRST_BASIC_GROUP_ID
        )
        self._state.import_world(data)
        self._next_user_id = next_user_id
        self._next_group_id = next_group_id
        self._next_basic_group_id = next_basic_group_id

    def file_bytes(self, file_path: str) -> bytes:
        """The bytes behind a download path's file part (e.g. for a page that proxies)."""
        stored = self._state.files_by_path.get(file_path)
        if stored is None:
            raise EmulatorError(f"no file at {file_path!r}")
        return stored.data


def _world_counter(data: Mapping[str, Any], key: str, *, positive: bool) -> int:
    if key not in data:
        raise EmulatorError(f"world: {key!r} is missing")
    value = data[key]
    if not isinstance(value, int) or isinstance(value, bool) or (value > 0) != positive:
        sign = "positive" if positive else "negative"
        raise EmulatorError(f"world.{key}: expected a {sign} integer, got {value!r}")
    return value
