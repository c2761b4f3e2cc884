"""What a use case gets: the incoming event, a unit of work and helpers.

Use cases never talk to Telegram and never do slow work: they run inside a
write transaction, which on SQLite holds up every other chat. They read and
write through ``session`` and say what should be sent by calling
``reply``/``send``/``edit``/``answer`` (returned to the runtime after the
transaction commits) or ``post`` (written to the outbox inside the
transaction, for fan-out and scheduled messages; a chart is posted as the
data to draw it, drawn when the outbox is drained). What they need to know
from Telegram is asked by the app before the transaction opens (see
``Feature.command(asks_admin=...)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.buttons import ButtonCodec, ButtonData
from handlers.core.charts import ChartRequest
from handlers.core.clock import Clock
from handlers.core.i18n import DEFAULT_LANGUAGE, Translator, resolve_language
from handlers.core.messages import (
    ANSWER_LIMIT,
    Button,
    CallbackAnswer,
    Document,
    Incoming,
    Outgoing,
    Reply,
    plain_text,
)
from models import AuditEntry, Community, Job, JobState, Member, OutboxMessage, User

if TYPE_CHECKING:
    from handlers.core.registry import Registry, VoteRequest
    from models import Poll


class UserError(Exception):
    """Bad input or a refused action: the message (already translated) goes back to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Services:
    """Long-lived collaborators shared by every use case."""

    clock: Clock
    codec: ButtonCodec
    bot_username: str = "CourtyardBot"
    #: Where the bot's public web pages are served (``PUBLIC_URL``); None: nowhere.
    public_url: str | None = None


class Work:
    """Shared by use cases and jobs: buttons, audit entries and outbox posts."""

    session: AsyncSession
    services: Services
    registry: Registry

    @property
    def now(self) -> datetime:
        return self.services.clock.now()

    def button(self, label: str, value: ButtonData) -> Button:
        return Button(label, self.services.codec.pack(value))

    def schedule(self, kind: str, ref_id: int, due_at: datetime) -> None:
        """Have job ``kind`` run for ``ref_id`` at ``due_at`` (committed with this change)."""
        if kind not in self.registry.jobs:
            raise ValueError(f"no job runner for {kind}")
        self.session.add(Job(kind=kind, ref_id=ref_id, due_at=due_at, state=JobState.DUE))

    async def cancel_jobs(self, kind: str, ref_id: int) -> None:
        """Job ``kind`` for ``ref_id`` no longer runs (those already done stay as they were)."""
        await self.session.execute(
            update(Job)
            .where(Job.kind == kind, Job.ref_id == ref_id, Job.state == JobState.DUE)
            .values(state=JobState.DONE, error="cancelled")
        )

    async def open_vote(self, request: VoteRequest, community: Community | None = None) -> Poll:
        """Put ``request`` to ``community``'s members as a poll; its close hook gets the outcome.

        From a use case ``community`` defaults to the sender's; a job names it.
        """
        opener = self.registry.vote_opener
        if opener is None:
            raise RuntimeError("no feature of this app opens votes")
        if community is None:
            if not isinstance(self, Context):
                raise RuntimeError("a job opening a vote must name the community")
            community = self.require_community()
        poll: Poll = await opener(self, community, request)
        return poll

    async def roster_changed(self, community: Community, user_id: int, *, joined: bool) -> None:
        """Tell every feature's roster hook that ``user_id`` joined or left ``community``.

        Called by whoever changed the member row, in the same transaction; the
        change is flushed first so the hooks read the roster as it now is.
        """
        await self.session.flush()
        for hook in self.registry.roster_hooks:
            await hook(self, community, user_id, joined)

    def audit(
        self, community: Community, actor_id: int | None, action: str, **details: Any
    ) -> None:
        """Append to the public log; ``action`` must have a template in handlers.core.audit."""
        self.session.add(
            AuditEntry(
                community_id=community.id,
                at=self.now,
                actor_id=actor_id,
                action=action,
                details={key: str(value) for key, value in details.items()},
            )
        )

    def post(
        self,
        chat_id: int,
        text: str,
        buttons: Sequence[Sequence[Button]] = (),
        *,
        key: str | None = None,
        chart: ChartRequest | None = None,
        caption_only: bool = False,
        copies: bool = False,
        photo: bytes | None = None,
        document: Document | None = None,
        reply_to: int | None = None,
        preview: bool = False,
    ) -> None:
        """Queue a message in the outbox, committed with the change it announces.

        With ``chart`` the message goes out as that picture with ``text`` as its
        caption; the chart is drawn when the outbox is drained, outside any
        transaction. Should drawing fail, ``text`` goes out alone, or nothing
        does when ``caption_only`` says the text is only the picture's caption.
        With ``photo`` or ``document`` (at most one picture or file in all) the
        text is their caption. ``reply_to`` is a message of the chat to answer
        (sent anyway when that message is gone); ``preview`` shows the preview of
        a link in the text. ``key`` names it (see ``Outgoing``); with ``copies``
        it is one more copy of that thing in the chat, and earlier copies stay
        named too.
        """
        if sum(part is not None for part in (chart, photo, document)) > 1:
            raise ValueError("a message carries one chart, photo or document at most")
        payload: dict[str, Any] = {"text": str(text), "key": key}
        if copies:
            payload["copies"] = True
        if chart is not None:
            payload["chart"] = chart.as_json()
            payload["caption_only"] = caption_only
        attachment = None
        if photo is not None:
            payload["attachment"] = {"kind": "photo"}
            attachment = photo
        if document is not None:
            payload["attachment"] = {
                "kind": "document",
                "filename": document.filename,
                "mime_type": document.mime_type,
            }
            attachment = document.content
        if reply_to is not None:
            payload["reply_to"] = reply_to
        if preview:
            payload["preview"] = True
        self._queue(chat_id, payload, buttons, attachment)

    def edit_posted(
        self, chat_id: int, key: str, text: str, buttons: Sequence[Sequence[Button]] = ()
    ) -> None:
        """Queue an edit of the message posted under ``key`` (nothing happens if there is none)."""
        self._queue(chat_id, {"text": str(text), "edit_key": key}, buttons)

    def _queue(
        self,
        chat_id: int,
        payload: dict[str, Any],
        buttons: Sequence[Sequence[Button]],
        attachment: bytes | None = None,
    ) -> None:
        """One outbox row: the message as JSON; a photo's or document's bytes beside it."""
        payload["buttons"] = [[[b.label, b.data] for b in row] for row in buttons]
        self.session.add(
            OutboxMessage(chat_id=chat_id, payload=payload, photo=attachment, created_at=self.now)
        )

    def reader_translator(self, user: User, community: Community | None) -> Translator:
        """What ``user`` reads alone (a callback answer, a private message), on ``community``'s clock."""
        timezone = community.timezone if community else "UTC"
        return Translator(reader_language(user, community), timezone)

    def community_translator(self, community: Community) -> Translator:
        return Translator(community.language, community.timezone)


@dataclass
class Context(Work):
    incoming: Incoming
    session: AsyncSession
    services: Services
    registry: Registry
    t: Translator
    user: User
    community: Community | None = None
    member: Member | None = None
    replies: list[Reply] = field(default_factory=list)
    chat_admin: bool | None = None

    @property
    def args(self) -> str:
        return self.incoming.args.strip()

    @property
    def sender_is_admin(self) -> bool:
        """Whether the sender is an admin of this Telegram chat.

        Asked of Telegram by the app before the transaction opened, for commands
        registered with ``asks_admin=True`` (and only in groups: elsewhere it is
        False); reading it anywhere else is a mistake in the code.
        """
        if self.chat_admin is None:
            command = self.incoming.command
            raise RuntimeError(f"/{command} reads the admin status without asks_admin=True")
        return self.chat_admin

    @property
    def reader(self) -> Translator:
        """The sender's own language, for what only they see (a callback answer, a DM)."""
        return self.reader_translator(self.user, self.community)

    @property
    def to_sender(self) -> Translator:
        """An answer to this update: the presser's language after a button, the chat's after a message."""
        return self.reader if self.incoming.callback_id is not None else self.t

    def require_community(self) -> Community:
        if self.community is None:
            raise UserError(
                self.to_sender.gettext(
                    "This group is not set up yet. A group admin can run /setup."
                )
            )
        return self.community

    def require_member(self) -> Member:
        if self.member is None or not self.member.active:
            raise UserError(
                self.to_sender.gettext("You are not on the roster yet. Send /join first.")
            )
        return self.member

    def reply(
        self,
        text: str,
        buttons: Sequence[Sequence[Button]] = (),
        *,
        photo: bytes | None = None,
        document: Document | None = None,
        quote: bool = False,
        key: str | None = None,
    ) -> Outgoing:
        out = Outgoing(
            chat_id=self.incoming.chat.id,
            text=str(text),
            buttons=[list(row) for row in buttons],
            photo=photo,
            document=document,
            reply_to_message_id=self.incoming.message_id if quote else None,
            key=key,
        )
        self.replies.append(out)
        return out

    def send(
        self,
        chat_id: int,
        text: str,
        buttons: Sequence[Sequence[Button]] = (),
        *,
        key: str | None = None,
        copies: bool = False,
        force_reply: bool = False,
    ) -> Outgoing:
        """A message to ``chat_id`` after the commit; see ``Outgoing`` for ``force_reply``."""
        out = Outgoing(
            chat_id=chat_id,
            text=str(text),
            buttons=[list(row) for row in buttons],
            key=key,
            copies=copies,
            force_reply=force_reply,
        )
        self.replies.append(out)
        return out

    def edit_copies(
        self, chat_id: int, key: str, text: str, buttons: Sequence[Sequence[Button]] = ()
    ) -> None:
        """Replace every message posted under ``key`` in ``chat_id`` now, not via the outbox.

        When the pressed message is in that chat it is one of them (a private
        ballot pressed), and it is edited even if it was never named. A message
        the sender wrote (a command, a reply) is no copy of anything.
        """
        pressed = (
            self.incoming.message_id
            if self.incoming.chat.id == chat_id and self.incoming.callback_id is not None
            else None
        )
        self.replies.append(
            Outgoing(
                chat_id=chat_id,
                text=str(text),
                buttons=[list(row) for row in buttons],
                edit_message_id=pressed,
                edit_key=key,
            )
        )

    def edit(self, text: str, buttons: Sequence[Sequence[Button]] = ()) -> None:
        """Replace the message whose button was pressed."""
        if self.incoming.message_id is None:
            self.reply(text, buttons)
            return
        self.replies.append(
            Outgoing(
                chat_id=self.incoming.chat.id,
                text=str(text),
                buttons=[list(row) for row in buttons],
                edit_message_id=self.incoming.message_id,
            )
        )

    def answer(self, text: str = "", *, alert: bool = False) -> None:
        if self.incoming.callback_id is not None:
            answer = plain_text(text, ANSWER_LIMIT)
            self.replies.append(CallbackAnswer(self.incoming.callback_id, answer, alert))

    def log(self, action: str, **details: Any) -> None:
        """Audit-log a change made by the sender in this community."""
        self.audit(self.require_community(), self.incoming.user.id, action, **details)

    async def active_members(self) -> list[Member]:
        community = self.require_community()
        rows = await self.session.scalars(
            select(Member)
            .where(Member.community_id == community.id, Member.left_at.is_(None))
            .order_by(Member.joined_at, Member.id)
        )
        return list(rows)


def reader_language(user: User, community: Community | None) -> str:
    """The one rule for the language a person reads on their own.

    Their /language choice, else their Telegram language resolved with Babel,
    else the community's language (else English). Callback answers, private
    replies, private ballots and reminders all ask here.
    """
    if user.language:
        return user.language
    fallback = community.language if community else DEFAULT_LANGUAGE
    return resolve_language(user.telegram_language, fallback)


@dataclass
class JobContext(Work):
    session: AsyncSession
    services: Services
    registry: Registry


def hint(t: Translator, problem: str, example: str) -> str:
    """A short explanation followed by a working example (build it with ``example``)."""
    return str(
        t("{problem}\nExample: <code>{example}</code>", problem=Markup(problem), example=example)
    )


def example(command: str, sample: str = "") -> str:
    """An example to type: the command words as they are, then ``sample``, its free text.

    Command words (``/poll multi``) are what the bot reads, so they are never
    translated; ``sample`` is user-visible text and comes already translated.
    """
    return f"{command} {sample}".rstrip()
