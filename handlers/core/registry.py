"""The one table each runtime walks: command names, button kinds, events, plain text, jobs.

Feature modules register their use cases with the decorators below;
``handlers.core.app`` imports every feature module so the table is complete.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.core.messages import Event

if TYPE_CHECKING:
    from handlers.core.context import Context, JobContext

UseCase = Callable[["Context"], Awaitable[None]]
JobRunner = Callable[["JobContext", int], Awaitable[None]]


class Where(enum.Enum):
    ANY = "any"
    GROUP = "group"
    PRIVATE = "private"


class Needs(enum.IntEnum):
    """What must be true of the sender before the use case runs."""

    NOTHING = 0
    COMMUNITY = 1
    MEMBER = 2


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """``asks_admin``: the use case reads ``ctx.sender_is_admin``, so the app asks
    Telegram (getChatMember) before opening the transaction, never inside it."""

    name: str
    run: UseCase
    description: str
    where: Where
    needs: Needs
    in_menu: bool
    asks_admin: bool = False


@dataclass(frozen=True, slots=True)
class ActionSpec:
    kind: str
    run: UseCase
    needs: Needs


COMMANDS: dict[str, CommandSpec] = {}
ACTIONS: dict[str, ActionSpec] = {}
EVENTS: dict[Event, UseCase] = {}
TEXTS: dict[Where, UseCase] = {}
JOBS: dict[str, JobRunner] = {}


def command(
    name: str,
    description: str,
    *,
    where: Where = Where.GROUP,
    needs: Needs = Needs.MEMBER,
    in_menu: bool = True,
    asks_admin: bool = False,
) -> Callable[[UseCase], UseCase]:
    """Register ``/name``; ``description`` is an untranslated N_() string for the menu."""

    def register(run: UseCase) -> UseCase:
        if name in COMMANDS:
            raise RuntimeError(f"/{name} registered twice")
        COMMANDS[name] = CommandSpec(name, run, description, where, needs, in_menu, asks_admin)
        return run

    return register


def action(kind: str, *, needs: Needs = Needs.MEMBER) -> Callable[[UseCase], UseCase]:
    def register(run: UseCase) -> UseCase:
        if kind in ACTIONS:
            raise RuntimeError(f"button kind {kind} registered twice")
        ACTIONS[kind] = ActionSpec(kind, run, needs)
        return run

    return register


def on_event(event: Event) -> Callable[[UseCase], UseCase]:
    def register(run: UseCase) -> UseCase:
        EVENTS[event] = run
        return run

    return register


def on_text(where: Where) -> Callable[[UseCase], UseCase]:
    """Register what plain text (no command) gets in a private chat or a group."""

    def register(run: UseCase) -> UseCase:
        if where in TEXTS:
            raise RuntimeError(f"plain text in {where.value} chats registered twice")
        TEXTS[where] = run
        return run

    return register


def job(kind: str) -> Callable[[JobRunner], JobRunner]:
    def register(run: JobRunner) -> JobRunner:
        if kind in JOBS:
            raise RuntimeError(f"job kind {kind} registered twice")
        JOBS[kind] = run
        return run

    return register
