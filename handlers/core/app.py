"""The entry point both runtimes call: one Incoming in, a list of replies out.

An ``App`` is given the features it runs (``Registry``): what a command,
button, event or plain text does is looked up there, never in a table
filled at import.

``App.handle`` opens the unit of work, keeps the user row fresh, finds the
community and the sender's membership, picks the reply language, checks
where and by whom the use case may run, and turns bad input into a
localized answer. Updates from one chat are handled one at a time, in order.

What a use case needs from Telegram (whether the sender is a chat admin) is
asked before the transaction opens: a write transaction on SQLite holds up
every chat, so no Bot API call may happen inside one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.core.buttons import BadAction
from handlers.core.context import Context, Services, UserError, reader_language
from handlers.core.i18n import Translator, resolve_language
from handlers.core.jobs import posted_key
from handlers.core.messages import (
    ANSWER_LIMIT,
    CallbackAnswer,
    Incoming,
    Outgoing,
    Reply,
    plain_text,
)
from handlers.core.registry import CommandSpec, Feature, Needs, Registry, Where
from models import Community, Member, User

log = logging.getLogger(__name__)


class ChatAdmins(Protocol):
    """The one question about Telegram the app asks on a use case's behalf."""

    async def is_admin(self, chat_id: int, user_id: int) -> bool: ...


@dataclass
class _ChatLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0


class App:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        services: Services,
        admins: ChatAdmins,
        features: Sequence[Feature],
    ) -> None:
        self.sessions = sessions
        self.services = services
        self.admins = admins
        self.registry = Registry(features)
        self._locks: dict[int, _ChatLock] = {}

    @asynccontextmanager
    async def _chat_lock(self, chat_id: int) -> AsyncIterator[None]:
        """One update per chat at a time, in arrival order; idle chats hold no lock."""
        entry = self._locks.get(chat_id)
        if entry is None:
            entry = self._locks[chat_id] = _ChatLock()
        entry.holders += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.holders -= 1
            if entry.holders == 0:
                del self._locks[chat_id]

    async def handle(self, incoming: Incoming) -> list[Reply]:
        async with self._chat_lock(incoming.chat.id):
            return await self._handle(incoming)

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        ctx: Context | None = None
        try:
            chat_admin = await self._ask_admin(incoming)
            async with self.sessions() as session, session.begin():
                ctx = await self._context(session, incoming)
                ctx.chat_admin = chat_admin
                await self._dispatch(ctx)
                return ctx.replies
        except UserError as error:
            return _refusal(incoming, error.message)
        except Exception:
            log.exception("update failed: %s", _describe(incoming))
            t = ctx.to_sender if ctx else Translator(resolve_language(incoming.user.language_code))
            return _refusal(
                incoming, t("Something went wrong on our side. Please try again in a minute.")
            )

    async def _ask_admin(self, incoming: Incoming) -> bool | None:
        """The sender's admin status, for a command that asks for it; None when none does.

        Asked only where the command may run, and only in groups (nobody
        administers a private chat), so a refused command costs no API call.
        """
        spec = self._command_spec(incoming)
        if spec is None or not spec.asks_admin or not _allowed_in(spec, incoming):
            return None
        if not incoming.chat.is_group:
            return False
        return await self.admins.is_admin(incoming.chat.id, incoming.user.id)

    async def _context(self, session: AsyncSession, incoming: Incoming) -> Context:
        user = await _touch_user(session, incoming)
        community = None
        member = None
        if incoming.chat.is_group:
            community = await session.scalar(
                select(Community).where(Community.chat_id == incoming.chat.id)
            )
        if community is not None:
            member = await session.scalar(
                select(Member).where(Member.community_id == community.id, Member.user_id == user.id)
            )
        if community is not None:
            t = Translator(community.language, community.timezone)
        elif incoming.chat.is_group:
            t = Translator(resolve_language(incoming.user.language_code))
        else:
            t = Translator(reader_language(user, None))
        return Context(incoming, session, self.services, self.registry, t, user, community, member)

    async def _dispatch(self, ctx: Context) -> None:
        incoming = ctx.incoming
        if incoming.event is not None:
            for run in self.registry.events.get(incoming.event, ()):
                await run(ctx)
            return
        if incoming.callback_data is not None:
            await self._dispatch_button(ctx)
            return
        if incoming.command is not None:
            await self._dispatch_command(ctx)
            return
        if incoming.text:
            if await self._dispatch_reply(ctx):
                return
            where = Where.PRIVATE if incoming.chat.is_private else Where.GROUP
            if (run_text := self.registry.texts.get(where)) is not None:
                await run_text(ctx)

    async def _dispatch_reply(self, ctx: Context) -> bool:
        """A reply to a message posted under a key some feature answers: run it, say True."""
        replied = ctx.incoming.reply_to
        if replied is None or not self.registry.replies:
            return False
        key = await posted_key(ctx.session, ctx.incoming.chat.id, replied)
        run = self.registry.replies.get(key.partition(":")[0]) if key else None
        if run is None:
            return False
        await run(ctx, key)
        return True

    async def _dispatch_command(self, ctx: Context) -> None:
        name = (ctx.incoming.command or "").lower()
        spec = self.registry.commands.get(name)
        if spec is None:
            raise UserError(
                ctx.t("I don't know /{command}. Send /help to see what I can do.", command=name)
            )
        if not _allowed_in(spec, ctx.incoming):
            if spec.where is Where.GROUP:
                message = ctx.t("/{command} works in the community's group chat.", command=name)
            else:
                message = ctx.t("/{command} works in a private chat with me.", command=name)
            raise UserError(message)
        self._check_needs(ctx, spec.needs)
        await spec.run(ctx)

    async def _dispatch_button(self, ctx: Context) -> None:
        try:
            pressed = self.services.codec.unpack(
                ctx.incoming.callback_data, self.registry.button_types
            )
        except BadAction:
            ctx.answer(ctx.reader.gettext("This button is no longer valid."), alert=True)
            return
        spec = self.registry.buttons[type(pressed).KIND]
        self._check_needs(ctx, spec.needs)
        try:
            await spec.run(ctx, pressed)
        except BadAction:
            ctx.replies = []
            ctx.answer(ctx.reader.gettext("This button is no longer valid."), alert=True)
            return
        if not any(getattr(r, "callback_id", None) for r in ctx.replies):
            ctx.answer()

    def _command_spec(self, incoming: Incoming) -> CommandSpec | None:
        """The command ``incoming`` runs, if it is a known one (events and buttons come first)."""
        if incoming.event is not None or incoming.callback_data is not None:
            return None
        if not incoming.command:
            return None
        return self.registry.commands.get(incoming.command.lower())

    @staticmethod
    def _check_needs(ctx: Context, needs: Needs) -> None:
        if needs >= Needs.COMMUNITY:
            ctx.require_community()
        if needs >= Needs.MEMBER:
            ctx.require_member()


def _allowed_in(spec: CommandSpec, incoming: Incoming) -> bool:
    chat = incoming.chat
    if spec.where is Where.GROUP:
        return chat.is_group
    if spec.where is Where.PRIVATE:
        return chat.is_private
    return True


async def _touch_user(session: AsyncSession, incoming: Incoming) -> User:
    person = incoming.user
    user = await session.get(User, person.id)
    if user is None:
        user = User(id=person.id, display_name=person.display_name[:255], started_bot=False)
        session.add(user)
    user.display_name = person.display_name[:255]
    user.username = person.username
    user.telegram_language = person.language_code
    if incoming.chat.is_private:
        user.started_bot = True
    return user


def _refusal(incoming: Incoming, message: str) -> list[Reply]:
    """Nothing of the failed transaction is sent; only the explanation is."""
    if incoming.callback_id is not None:
        answer = plain_text(message, ANSWER_LIMIT)
        return [CallbackAnswer(incoming.callback_id, answer, alert=True)]
    quote = incoming.message_id if incoming.chat.is_group else None
    return [Outgoing(incoming.chat.id, str(message), reply_to_message_id=quote)]


def _describe(incoming: Incoming) -> str:
    what: Iterable[str] = (
        f"command=/{incoming.command}" if incoming.command else "",
        f"button={incoming.callback_data}" if incoming.callback_data else "",
        f"event={incoming.event}" if incoming.event else "",
    )
    return f"chat={incoming.chat.id} user={incoming.user.id} " + " ".join(w for w in what if w)
