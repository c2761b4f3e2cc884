"""Plain values crossing the boundary between a runtime and the core.

A runtime turns a Telegram update into an ``Incoming`` and turns each
``Outgoing``/``CallbackAnswer``/``MenuUpdate`` back into Bot API calls;
nothing else about Telegram reaches the use cases.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape

from markupsafe import Markup

from handlers.core import limits

ANSWER_LIMIT = limits.CALLBACK_ANSWER
MAX_COPIES = 5  # named copies of one thing kept per chat; older ones are no longer edited
_TAG = re.compile(r"<[^>]+>")


class ChatKind(enum.StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"
    CHANNEL = "channel"


class Event(enum.StrEnum):
    """Non-text things that happen in a chat."""

    MEMBER_JOINED = "member_joined"
    MEMBER_LEFT = "member_left"
    BOT_ADDED = "bot_added"
    BOT_REMOVED = "bot_removed"
    CHAT_MIGRATED = "chat_migrated"


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or (self.username or str(self.id))


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    kind: ChatKind
    title: str | None = None

    @property
    def is_private(self) -> bool:
        return self.kind is ChatKind.PRIVATE

    @property
    def is_group(self) -> bool:
        return self.kind in (ChatKind.GROUP, ChatKind.SUPERGROUP)


@dataclass(frozen=True, slots=True)
class Incoming:
    """Who did what, where and when.

    Exactly one of ``command``, ``callback_data``, ``event`` or plain ``text``
    says what happened. ``reply_to`` is the id of the message a text answers
    (a reply), so a reply to a bot's question reaches the feature that asked. Whether the sender is a chat admin is not here: it
    costs an API call, so the app asks only for commands that declare they
    need it (``Feature.command(asks_admin=True)``), see ``Context.sender_is_admin``.
    """

    user: Person
    chat: Chat
    at: datetime
    command: str | None = None
    args: str = ""
    text: str = ""
    message_id: int | None = None
    callback_id: str | None = None
    callback_data: str | None = None
    event: Event | None = None
    subject: Person | None = None
    new_chat_id: int | None = None
    old_chat_id: int | None = None
    reply_to: int | None = None


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(slots=True)
class Outgoing:
    """A message to send, or an earlier message to edit (``edit_message_id``).

    ``text`` is HTML in which every piece of user text is already escaped.
    With ``photo`` or ``document`` the text becomes the caption. ``key`` names
    the message (``poll:42``) so later work can edit it: an ``Outgoing`` with
    ``edit_key`` replaces the message posted under that key, once the sender
    knows its id (see ``Work.edit_posted``). A newer post under a key takes it
    over, unless it is posted with ``copies``: then the earlier ones stay named
    too (up to ``MAX_COPIES``, newest kept), and an edit of the key edits every
    copy — a private ballot and its reminder both follow the vote. An edit with
    both ``edit_message_id`` and ``edit_key`` edits that message and the copies.
    ``force_reply`` (a message without buttons) opens the reader's reply to it, so
    what they type next answers it (Telegram's ForceReply).
    """

    chat_id: int
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    photo: bytes | None = None
    document: Document | None = None
    edit_message_id: int | None = None
    reply_to_message_id: int | None = None
    disable_preview: bool = True
    key: str | None = None
    edit_key: str | None = None
    copies: bool = False
    force_reply: bool = False


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    callback_id: str
    text: str = ""
    alert: bool = False


@dataclass(frozen=True, slots=True)
class MenuUpdate:
    """Set the command menu of one chat (a member's private chat) to ``language``'s commands.

    The core only says so; the runtime calls setMyCommands with a chat scope
    after the transaction, as for any other reply.
    """

    chat_id: int
    language: str


Reply = Outgoing | CallbackAnswer | MenuUpdate


def plain_text(html: str, limit: int | None = None) -> str:
    """Our HTML as plain text, for places that show no markup (callback answers, chart labels).

    Cut to ``limit`` characters with an ellipsis when given.
    """
    text = unescape(_TAG.sub("", str(html)))
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def mention(user_id: int, name: str) -> Markup:
    """``name`` as a link Telegram turns into a mention, so that the person is told (escaped)."""
    return Markup('<a href="tg://user?id={id}">{name}</a>').format(id=user_id, name=name)
