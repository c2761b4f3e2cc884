"""Telegram update JSON → ``Incoming`` values, shared by both runtimes.

Both runtimes hand over the update exactly as Telegram sent it (``bot.intake``), so the
reading of Telegram's shapes lives in this one place. Telegram adds fields and kinds of
update with every Bot API version and fills optional fields as it likes; a reader here
looks at what it needs, checks the type of each value it uses, ignores everything else,
and turns an update it cannot read into nothing rather than an exception.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from handlers.core.messages import Chat, ChatKind, Event, Incoming, Person

ALLOWED_UPDATES = ["message", "callback_query", "chat_member", "my_chat_member"]
_COMMAND = re.compile(
    r"^/(?P<name>[A-Za-z0-9_]{1,32})(?:@(?P<bot>\w+))?(?:\s+(?P<args>.*))?$", re.S
)
_PRESENT = {"member", "administrator", "creator"}
_CHAT_KINDS = {kind.value: kind for kind in ChatKind}


def _object(data: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = data.get(key)
    return value if isinstance(value, Mapping) else None


def _integer(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def person(data: Mapping[str, Any] | None) -> Person | None:
    """A Telegram User, or ``None`` when there is none to read."""
    if data is None or (user_id := _integer(data, "id")) is None:
        return None
    return Person(
        id=user_id,
        first_name=_text(data, "first_name") or "",
        last_name=_text(data, "last_name"),
        username=_text(data, "username"),
        language_code=_text(data, "language_code"),
        is_bot=data.get("is_bot") is True,
    )


def chat(data: Mapping[str, Any] | None) -> Chat | None:
    """A Telegram Chat of a kind we know, or ``None``."""
    if data is None or (chat_id := _integer(data, "id")) is None:
        return None
    kind = _CHAT_KINDS.get(_text(data, "type") or "")
    if kind is None:
        return None
    return Chat(id=chat_id, kind=kind, title=_text(data, "title"))


def to_incoming(update: Mapping[str, Any], bot_username: str, now: datetime) -> list[Incoming]:
    """Everything the core should hear about in ``update`` (often nothing)."""
    if (message := _object(update, "message")) is not None:
        return _from_message(message, bot_username, now)
    if (query := _object(update, "callback_query")) is not None:
        return _from_callback(query, now)
    if (change := _object(update, "my_chat_member")) is not None:
        return _from_my_chat_member(change, now)
    if (change := _object(update, "chat_member")) is not None:
        return _from_chat_member(change, now)
    return []


def _status(change: Mapping[str, Any], key: str) -> tuple[str, Mapping[str, Any]] | None:
    member = _object(change, key)
    if member is None or (status := _text(member, "status")) is None:
        return None
    return status, member


def _from_my_chat_member(change: Mapping[str, Any], now: datetime) -> list[Incoming]:
    old, new = _status(change, "old_chat_member"), _status(change, "new_chat_member")
    actor, where = person(_object(change, "from")), chat(_object(change, "chat"))
    if old is None or new is None or actor is None or where is None:
        return []
    was, is_in = old[0] in _PRESENT, new[0] in _PRESENT
    if is_in == was:
        return []
    return [Incoming(actor, where, now, event=Event.BOT_ADDED if is_in else Event.BOT_REMOVED)]


def _from_message(message: Mapping[str, Any], bot_username: str, now: datetime) -> list[Incoming]:
    sender, where = person(_object(message, "from")), chat(_object(message, "chat"))
    message_id = _integer(message, "message_id")
    if sender is None or where is None or message_id is None:
        return []
    joined = message.get("new_chat_members")
    if isinstance(joined, list) and joined:
        # The bot itself is announced through my_chat_member, which always arrives.
        people = [p for p in map(person, (j for j in joined if isinstance(j, Mapping))) if p]
        return [
            Incoming(
                sender, where, now, event=Event.MEMBER_JOINED, subject=p, message_id=message_id
            )
            for p in people
            if not p.is_bot
        ]
    if (left := person(_object(message, "left_chat_member"))) is not None:
        if left.is_bot:
            return []
        return [
            Incoming(
                sender, where, now, event=Event.MEMBER_LEFT, subject=left, message_id=message_id
            )
        ]
    if (new_id := _integer(message, "migrate_to_chat_id")) is not None:
        return [Incoming(sender, where, now, event=Event.CHAT_MIGRATED, new_chat_id=new_id)]
    if (old_id := _integer(message, "migrate_from_chat_id")) is not None:
        return [Incoming(sender, where, now, event=Event.CHAT_MIGRATED, old_chat_id=old_id)]
    text = _text(message, "text")
    if text is None:
        return []
    match = _COMMAND.match(text) if _starts_with_command(message) else None
    reply_to = _integer(_object(message, "reply_to_message") or {}, "message_id")
    if match is None:
        return [Incoming(sender, where, now, text=text, message_id=message_id, reply_to=reply_to)]
    addressed_to = match["bot"]
    if addressed_to and addressed_to.lower() != bot_username.lower():
        return []
    return [
        Incoming(
            sender,
            where,
            now,
            command=match["name"].lower(),
            args=(match["args"] or "").strip(),
            text=text,
            message_id=message_id,
            reply_to=reply_to,
        )
    ]


def _starts_with_command(message: Mapping[str, Any]) -> bool:
    entities = message.get("entities")
    if not isinstance(entities, list):
        return False
    return any(
        isinstance(entity, Mapping)
        and entity.get("type") == "bot_command"
        and _integer(entity, "offset") == 0
        for entity in entities
    )


def _from_callback(query: Mapping[str, Any], now: datetime) -> list[Incoming]:
    """A button press on a message; a press on an inline-mode message has no chat: ignored."""
    message = _object(query, "message") or {}
    presser, where = person(_object(query, "from")), chat(_object(message, "chat"))
    message_id, query_id = _integer(message, "message_id"), _text(query, "id")
    if presser is None or where is None or message_id is None or query_id is None:
        return []
    return [
        Incoming(
            presser,
            where,
            now,
            message_id=message_id,
            callback_id=query_id,
            callback_data=_text(query, "data") or "",
        )
    ]


def _is_in(member: tuple[str, Mapping[str, Any]]) -> bool:
    status, data = member
    return status in _PRESENT or (status == "restricted" and data.get("is_member") is True)


def _from_chat_member(change: Mapping[str, Any], now: datetime) -> list[Incoming]:
    old, new = _status(change, "old_chat_member"), _status(change, "new_chat_member")
    actor, where = person(_object(change, "from")), chat(_object(change, "chat"))
    if old is None or new is None or actor is None or where is None:
        return []
    subject = person(_object(new[1], "user"))
    was, is_in = _is_in(old), _is_in(new)
    if subject is None or subject.is_bot or was == is_in:
        return []
    event = Event.MEMBER_JOINED if is_in else Event.MEMBER_LEFT
    return [Incoming(actor, where, now, event=event, subject=subject)]
