"""/outcome: what a closed poll decided, recorded in words under its result.

A count says which option won; it does not say what the community then
decided to do ("the stairwell is painted green in May, Bob buys the paint").
Any poll, once closed, can have that written down with ``/outcome POLL_ID
TEXT``: the text is posted in the group as a reply to the poll's result
(else to the poll's own message, else on its own naming the poll), goes into
the audit log, and shows on the plan item when the poll adopted a need (the
plan feature reads it from ``poll_outcomes``).

Who may write it is ``outcome_rules.outcome_permission``: the poll's creator
first, any member once ``CREATOR_FIRST`` has passed since the close; an
outcome can be amended by whoever wrote its current version or by the
creator, and every version is kept (one row each) and logged. A poll still open, an unknown
poll, a non-member and anyone else after an outcome exists are refused with
the reason.
"""

from __future__ import annotations

from markupsafe import Markup, escape
from sqlalchemy import select

from handlers.core.context import Context, UserError, example
from handlers.core.i18n import N_, Translator
from handlers.core.input import number_and_text, numbered
from handlers.core.registry import Feature, Needs
from handlers.polls.outcome_rules import (
    Actor,
    Permission,
    Refusal,
    anyone_may_record_from,
    outcome_permission,
)
from handlers.polls.views import message_key, shorten
from models import Poll, PollOutcome, PostedMessage, User

feature = Feature("polls.outcomes")
feature.audit("poll.outcome", N_("{actor} recorded the outcome of poll #{number}: {text}"))
feature.audit("poll.outcome_amended", N_("{actor} amended the outcome of poll #{number}: {text}"))

#: The /outcome example's free text (translated when shown).
OUTCOME_SAMPLE = N_("The stairwell is painted green in May; Bob buys the paint")
#: How much of the question a posted outcome repeats when it cannot reply to the result.
QUESTION_CHARS = 200


def result_key(poll: Poll) -> str:
    """Names the message carrying a poll's result, so its outcome can be posted as a reply."""
    return f"poll.result:{poll.id}"


@feature.command(
    "outcome", N_("record what a closed poll decided: /outcome POLL_ID TEXT"), needs=Needs.COMMUNITY
)
async def record_outcome(ctx: Context) -> None:
    """Membership is part of the outcome rule (``Actor.NON_MEMBER``), so the command only
    needs the community; the rule refuses people off the roster."""
    community = ctx.require_community()
    number, text = number_and_text(
        ctx,
        "/outcome",
        ctx.t(OUTCOME_SAMPLE),
        ctx.t("Which poll, and what was decided? Give the poll's number, then the outcome."),
        lambda n: ctx.t("Say what poll #{number} decided.", number=n),
    )
    sample = example(f"/outcome {number}", ctx.t(OUTCOME_SAMPLE))
    unknown = ctx.t("There is no poll #{number} here.", number=number)
    poll = await numbered(ctx, Poll, number, unknown, sample)
    current = await ctx.session.scalar(
        select(PollOutcome).where(PollOutcome.poll_id == poll.id).order_by(PollOutcome.id.desc())
    )
    if ctx.member is None or not ctx.member.active:
        actor = Actor.NON_MEMBER
    elif poll.creator_id in (None, ctx.user.id):
        # A poll the bot opened has no creator to wait for: every member may record it.
        actor = Actor.CREATOR
    else:
        actor = Actor.MEMBER
    allowed = outcome_permission(
        actor,
        closed_at=poll.closed_at,
        now=ctx.now,
        recorded=current is not None,
        wrote_it=current is not None and current.author_id == ctx.user.id,
    )
    if isinstance(allowed, Refusal):
        raise UserError(await _refusal(ctx, allowed, poll, current))
    ctx.session.add(PollOutcome(poll_id=poll.id, author_id=ctx.user.id, at=ctx.now, text=text))
    amended = allowed is Permission.AMEND
    ctx.log(
        "poll.outcome_amended" if amended else "poll.outcome",
        actor=ctx.user.display_name,
        number=number,
        text=text,
    )
    reply_to = await _result_message(ctx, poll)
    ctx.post(
        community.chat_id,
        _outcome_text(
            ctx.t, poll, ctx.user.display_name, text, amended=amended, alone=not reply_to
        ),
        reply_to=reply_to,
    )


def _outcome_text(
    t: Translator, poll: Poll, name: str, text: str, *, amended: bool, alone: bool
) -> str:
    """The outcome as posted; ``alone`` (not a reply to the result) repeats the question."""
    if amended:
        head = t(
            "📌 <b>Outcome of poll #{number}</b>, amended by {name}:", number=poll.number, name=name
        )
    else:
        head = t(
            "📌 <b>Outcome of poll #{number}</b>, recorded by {name}:",
            number=poll.number,
            name=name,
        )
    lines = [head]
    if alone:
        lines.append(
            Markup("<i>{question}</i>").format(question=shorten(poll.question, QUESTION_CHARS))
        )
    lines.append(escape(text))
    return "\n".join(str(line) for line in lines)


async def _result_message(ctx: Context, poll: Poll) -> int | None:
    """The group message to answer: the poll's result, else the poll itself, if still known."""
    community = ctx.require_community()
    for key in (result_key(poll), message_key(poll)):
        found = await ctx.session.scalar(
            select(PostedMessage.message_id)
            .where(PostedMessage.chat_id == community.chat_id, PostedMessage.key == key)
            .order_by(PostedMessage.id.desc())
        )
        if found is not None:
            return int(found)
    return None


async def _refusal(ctx: Context, refusal: Refusal, poll: Poll, current: PollOutcome | None) -> str:
    t, number = ctx.t, poll.number
    if refusal is Refusal.NOT_MEMBER:
        return str(t("You are not on the roster yet. Send /join first."))
    if refusal is Refusal.STILL_OPEN:
        return str(
            t(
                "Poll #{number} is still open (it closes {when}); its outcome can be recorded "
                "after the close.",
                number=number,
                when=t.moment(poll.closes_at, now=ctx.now),
            )
        )
    if refusal is Refusal.CREATOR_FIRST:
        assert poll.closed_at is not None
        creator = await ctx.session.get(User, poll.creator_id)
        return str(
            t(
                "{name} opened poll #{number}, so they record its outcome first. If they have "
                "not by {when}, any member can.",
                name=creator.display_name if creator else "—",
                number=number,
                when=t.moment(anyone_may_record_from(poll.closed_at), now=ctx.now),
            )
        )
    assert current is not None
    return str(
        t(
            "{name} already recorded the outcome of poll #{number}: “{text}”. Only they or "
            "the member who opened the poll can amend it.",
            name=current.author.display_name,
            number=number,
            text=shorten(current.text, QUESTION_CHARS),
        )
    )
