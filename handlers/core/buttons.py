"""Buttons: one frozen dataclass per button kind, packed into signed callback data.

A button's value is a ``ButtonData`` subclass — ``PollVote(poll_id=7, option=2)``
— whose ``KIND`` and fields, in order, make the callback data
``poll.v:7:2:Xk3_9a``: the kind, the fields and a short HMAC. Telegram gives
callback data back untouched, but a modified client can send anything, and a
button from an older layout can linger in the chat. The signature (keyed by a
secret and ``LAYOUT_VERSION``) tells both apart from real buttons, and
``unpack`` rejects them, and data that does not fit its kind's fields, with
``BadAction``, so the caller can answer politely instead of acting on them. A
use case receives the parsed value, never positional strings.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from handlers.core import limits

MAX_CALLBACK_BYTES = limits.CALLBACK_DATA_BYTES
LAYOUT_VERSION = "1"
_SIG_BYTES = 6
_KIND = re.compile(r"^[a-z][a-z0-9_.]{0,15}$")
_ARG = re.compile(r"^[A-Za-z0-9_-]{1,24}$")
_INT = re.compile(r"^-?[0-9]{1,18}$")


class BadAction(ValueError):
    """Callback data that is malformed, forged or from an old layout."""


class ButtonData:
    """Base of every button value: a frozen dataclass with a ``KIND`` and int or str fields."""

    KIND: ClassVar[str]


@dataclass(frozen=True)
class ListPage(ButtonData):
    """Turns a list to ``page``; each list subclasses it with its own ``KIND``."""

    page: int


def button_kind(kind: type[ButtonData]) -> str:
    name = getattr(kind, "KIND", None)
    if not isinstance(name, str) or not _KIND.match(name):
        raise ValueError(f"{kind.__name__} has no usable KIND")
    return name


_FIELDS: dict[type[ButtonData], tuple[tuple[str, type], ...]] = {}


def _fields(kind: type[ButtonData]) -> tuple[tuple[str, type], ...]:
    """The value's fields in order, each int or str: what the callback data carries."""
    if kind in _FIELDS:
        return _FIELDS[kind]
    if not dataclasses.is_dataclass(kind):
        raise TypeError(f"{kind.__name__} is not a dataclass")
    hints = typing.get_type_hints(kind)
    found = []
    for item in dataclasses.fields(kind):
        hint = hints[item.name]
        if hint not in (int, str):
            raise TypeError(f"{kind.__name__}.{item.name} is {hint}; buttons carry int or str")
        found.append((item.name, hint))
    _FIELDS[kind] = tuple(found)
    return _FIELDS[kind]


class ButtonCodec:
    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(
            b"courtyard-actions:" + LAYOUT_VERSION.encode() + secret
        ).digest()

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:_SIG_BYTES]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def pack(self, value: ButtonData) -> str:
        kind = button_kind(type(value))
        parts = [str(getattr(value, name)) for name, _ in _fields(type(value))]
        for part in parts:
            if not _ARG.match(part):
                raise ValueError(f"bad button argument {part!r} in {value!r}")
        body = ":".join([kind, *parts])
        data = f"{body}:{self._sign(body)}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data longer than {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    def unpack(self, data: str | None, kinds: Mapping[str, type[ButtonData]]) -> ButtonData:
        """The value a button carries; BadAction for forged, stale or unknown data."""
        if not data or len(data.encode("utf-8", "replace")) > MAX_CALLBACK_BYTES:
            raise BadAction("empty or oversized callback data")
        body, sep, signature = data.rpartition(":")
        if not sep or not hmac.compare_digest(signature, self._sign(body)):
            raise BadAction("signature does not match")
        name, *args = body.split(":")
        kind = kinds.get(name)
        fields = _fields(kind) if kind is not None else ()
        if kind is None or len(args) != len(fields):
            raise BadAction(f"no button kind {name} with {len(args)} arguments")
        values: dict[str, int | str] = {}
        for (field, hint), arg in zip(fields, args, strict=True):
            if hint is int:
                if not _INT.match(arg):
                    raise BadAction(f"{name}.{field} is not a number")
                values[field] = int(arg)
            elif _ARG.match(arg):
                values[field] = arg
            else:
                raise BadAction(f"{name}.{field} is malformed")
        return kind(**values)
