"""Features declare what they add; the app is handed the list.

Like an aiogram ``Router`` per module and ``dp.include_routers(...)``: each
feature package builds one ``Feature`` and decorates its use cases with it —
commands, buttons, events, plain text, replies to its own messages, jobs, hooks run when a
poll it opened closes, hooks run when someone joins or leaves a roster, the community settings
/setup changes, and how its audit entries read (a list in pages is declared with
``handlers.core.paging.listing``). ``Registry`` joins
the features an app is given and refuses anything declared twice. Nothing
is filled in when a module is imported, so a test can build an app with one
feature and hooks of its own.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from handlers.core.buttons import ButtonData, button_kind
from handlers.core.i18n import Translator
from handlers.core.messages import Event
from handlers.core.settings import Setting

if TYPE_CHECKING:
    from models import PollKind

# What the declared functions are called with is the context's business
# (handlers.core.context): a use case gets a Context (and a button's value), a job a
# JobContext and a ref id, a reply use case a Context and the key of the message answered,
# a close hook a Work, the Poll and its Outcome, the vote opener a Work (a Context or a
# JobContext), the Community and a VoteRequest, a roster hook a Work, the Community, the user id and
# whether they joined (True) or left (False). This module only keeps them.
UseCase = Callable[..., Awaitable[None]]
ButtonCase = Callable[..., Awaitable[None]]
ReplyCase = Callable[..., Awaitable[None]]
JobRunner = Callable[..., Awaitable[None]]
CloseHook = Callable[..., Awaitable[None]]
RosterHook = Callable[..., Awaitable[None]]
SettingsHook = Callable[..., Awaitable[None]]
ServiceCount = Callable[..., Awaitable[dict[int, str]]]
OpenVote = Callable[..., Awaitable[Any]]
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


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
class ButtonSpec:
    """A button kind: its value type, parsed from the callback data, and its use case."""

    type: type[ButtonData]
    run: ButtonCase
    needs: Needs

    @property
    def kind(self) -> str:
        return button_kind(self.type)


@dataclass(frozen=True, slots=True)
class VoteRequest:
    """A decision another feature puts to the members; ``subject`` names it for the close hook.

    ``question`` and ``options`` are plain text; ``deadline`` None means the
    polls feature's default duration.
    """

    question: str
    options: Sequence[str]
    kind: PollKind
    subject: tuple[str, int]
    deadline: datetime | None = None
    #: The bot opens it even when a member's action led to it (a petition reaching its
    #: threshold): nobody is its creator, so nobody can close it early.
    by_bot: bool = False


@dataclass
class Feature:
    """What one feature adds to the app, declared with the decorators below."""

    name: str
    commands: list[CommandSpec] = field(default_factory=list)
    buttons: list[ButtonSpec] = field(default_factory=list)
    events: dict[Event, UseCase] = field(default_factory=dict)
    texts: dict[Where, UseCase] = field(default_factory=dict)
    replies: dict[str, ReplyCase] = field(default_factory=dict)
    jobs: dict[str, JobRunner] = field(default_factory=dict)
    close_hooks: dict[str, CloseHook] = field(default_factory=dict)
    audit_templates: dict[str, str] = field(default_factory=dict)
    vote_opener: OpenVote | None = None
    roster_hooks: list[RosterHook] = field(default_factory=list)
    service_counts: list[ServiceCount] = field(default_factory=list)
    settings: dict[str, Setting] = field(default_factory=dict)
    settings_hooks: list[SettingsHook] = field(default_factory=list)

    def command(
        self,
        name: str,
        description: str,
        *,
        where: Where = Where.GROUP,
        needs: Needs = Needs.MEMBER,
        in_menu: bool = True,
        asks_admin: bool = False,
    ) -> Callable[[F], F]:
        """``/name``; ``description`` is an untranslated N_() string for the menu."""

        def declare(run: F) -> F:
            spec = CommandSpec(name, run, description, where, needs, in_menu, asks_admin)
            self.commands.append(spec)
            return run

        return declare

    def button(self, kind: type[ButtonData], *, needs: Needs = Needs.MEMBER) -> Callable[[F], F]:
        """A use case run with the pressed button's value, already parsed and checked."""

        def declare(run: F) -> F:
            self.buttons.append(ButtonSpec(kind, run, needs))
            return run

        return declare

    def on_event(self, event: Event) -> Callable[[F], F]:
        def declare(run: F) -> F:
            self.events[event] = run
            return run

        return declare

    def on_text(self, where: Where) -> Callable[[F], F]:
        """What plain text (no command) gets in a private chat or a group."""

        def declare(run: F) -> F:
            self.texts[where] = run
            return run

        return declare

    def on_reply(self, prefix: str) -> Callable[[F], F]:
        """``run(ctx, key)`` for text that replies to a message posted under ``prefix:…``.

        In any chat: the key the message was posted under (``Outgoing.key``) says
        which feature asked and about what, so the reply comes here instead of
        to the chat's plain-text handler. A reply to any other message is plain
        text as before.
        """

        def declare(run: F) -> F:
            self.replies[prefix] = run
            return run

        return declare

    def job(self, kind: str) -> Callable[[F], F]:
        def declare(run: F) -> F:
            self.jobs[kind] = run
            return run

        return declare

    def on_close(self, subject_kind: str) -> Callable[[F], F]:
        """``hook(work, poll, outcome)`` for polls opened with ``subject=(subject_kind, id)``.

        The hook runs inside the closing transaction, after the result has been
        queued, so what it changes and posts commits (or fails) with the close.
        """

        def declare(hook: F) -> F:
            self.close_hooks[subject_kind] = hook
            return hook

        return declare

    def on_roster_change(self, hook: F) -> F:
        """``hook(work, community, user_id, joined)`` after someone joins or leaves a roster.

        However it happened (/join, /leave, joining or leaving the chat): whoever
        keeps the roster calls ``Work.roster_changed``, inside the same
        transaction, after the member row has changed. What a hook posts goes
        through the outbox, so it follows the reply that announced the change.
        """
        self.roster_hooks.append(hook)
        return hook

    def on_settings_change(self, hook: F) -> F:
        """``hook(work, community)`` after every /setup that changed ``community``, inside its
        transaction: for what depends on the time zone or a shared setting (a weekly job)."""
        self.settings_hooks.append(hook)
        return hook

    def counts_service(self, count: F) -> F:
        """``count(work, community, t) -> {user_id: phrase}``: work for the community this
        feature sees, shown per member beside duty service in /fairness ("2.5 h taught")."""
        self.service_counts.append(count)
        return count

    def setting(self, setting: Setting) -> Setting:
        """A community setting ``/setup NAME=VALUE`` changes (``handlers.core.settings``)."""
        _add(self.settings, setting.name, setting, f"{self.name}: setting {setting.name}")
        return setting

    def audit(self, action: str, template: str) -> None:
        """How audit entries of ``action`` read: an N_() string with detail placeholders."""
        self.audit_templates[action] = template

    def include(self, *parts: Feature) -> Feature:
        """Take in what ``parts`` declared: one feature written in several modules."""
        for part in parts:
            self.commands.extend(part.commands)
            self.buttons.extend(part.buttons)
            self.roster_hooks.extend(part.roster_hooks)
            self.service_counts.extend(part.service_counts)
            self.settings_hooks.extend(part.settings_hooks)
            for table, theirs in (
                (self.events, part.events),
                (self.texts, part.texts),
                (self.replies, part.replies),
                (self.jobs, part.jobs),
                (self.close_hooks, part.close_hooks),
                (self.audit_templates, part.audit_templates),
                (self.settings, part.settings),
            ):
                for key, value in theirs.items():
                    _add(table, key, value, f"{self.name}: {key}")
            if part.vote_opener is not None:
                self.opens_votes(part.vote_opener)
        return self

    def opens_votes(self, opener: F) -> F:
        """This feature opens the polls other features ask for (``Work.open_vote``)."""
        self.vote_opener = opener
        return opener


class Registry:
    """The features of one app, joined; anything declared twice is refused."""

    def __init__(self, features: Iterable[Feature]) -> None:
        self.features = tuple(features)
        self.commands: dict[str, CommandSpec] = {}
        self.buttons: dict[str, ButtonSpec] = {}
        self.events: dict[Event, list[UseCase]] = {}
        self.texts: dict[Where, UseCase] = {}
        #: What a reply to a message posted under ``prefix:…`` runs, by prefix.
        self.replies: dict[str, ReplyCase] = {}
        self.jobs: dict[str, JobRunner] = {}
        self.close_hooks: dict[str, CloseHook] = {}
        self.audit_templates: dict[str, str] = {}
        self.vote_opener: OpenVote | None = None
        #: Every feature's roster hooks, in the order of the features.
        self.roster_hooks: list[RosterHook] = []
        self.service_counts: list[ServiceCount] = []
        #: Every feature's community settings by name, in the order of the features.
        self.settings: dict[str, Setting] = {}
        self.settings_hooks: list[SettingsHook] = []
        for feature in self.features:
            self.roster_hooks.extend(feature.roster_hooks)
            self.settings_hooks.extend(feature.settings_hooks)
            self.service_counts.extend(feature.service_counts)
            for spec in feature.commands:
                _add(self.commands, spec.name, spec, f"/{spec.name}")
            for button in feature.buttons:
                _add(self.buttons, button.kind, button, f"button kind {button.kind}")
            for event, run in feature.events.items():
                self.events.setdefault(event, []).append(run)
            for where, run in feature.texts.items():
                _add(self.texts, where, run, f"plain text in {where.value} chats")
            for prefix, run in feature.replies.items():
                _add(self.replies, prefix, run, f"replies to {prefix} messages")
            for kind, job in feature.jobs.items():
                _add(self.jobs, kind, job, f"job kind {kind}")
            for subject, hook in feature.close_hooks.items():
                _add(self.close_hooks, subject, hook, f"close hook for {subject}")
            for action, template in feature.audit_templates.items():
                _add(self.audit_templates, action, template, f"audit action {action}")
            for name, setting in feature.settings.items():
                _add(self.settings, name, setting, f"setting {name}")
            if feature.vote_opener is not None:
                if self.vote_opener is not None:
                    raise RuntimeError(f"{feature.name}: a second feature opens votes")
                self.vote_opener = feature.vote_opener
        #: What callback data may name: the value type of each button kind.
        self.button_types: dict[str, type[ButtonData]] = {
            kind: spec.type for kind, spec in self.buttons.items()
        }

    def menu(self, language: str) -> list[tuple[str, str]]:
        """The command menu in ``language``: (command, description) in declaration order."""
        t = Translator(language)
        return [(s.name, str(t(s.description))) for s in self.commands.values() if s.in_menu]


def _add(table: dict[Any, Any], key: Any, value: Any, what: str) -> None:
    if key in table:
        raise RuntimeError(f"{what} declared twice")
    table[key] = value
