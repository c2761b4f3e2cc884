"""Consent polls' blocks: the question a Block press asks, and the three ways to answer it.

A block counts only with its reason (``handlers.polls.blocks``). Pressing
Block leaves the ballot as it was and records that a reason is owed; then:

- if the voter has started the bot, it asks them privately, with Telegram's
  ForceReply, so what they type next is a reply to that question (key
  ``block:<poll id>``) and lands here;
- otherwise the callback answer says to reply to the poll's message in the
  group (the group sees that reply; the bot reads replies to its own
  messages even in privacy mode), or to start the bot and use /block;
- ``/block ID REASON`` works anywhere, as every button has a command: in the
  group for the community's poll #ID, in private for the voter's open
  consent poll #ID (asked to reply instead when two communities have one).

A reply to the poll's message counts only from a voter whose block awaits
its reason: people discuss a poll by replying to it, and that must not turn
into blocks. A reply to the private question is an explicit "I block
because…", so it blocks even if the voter had pressed something else since.
The bot never says in the group who blocked; a reason given in the group
is seen there because the voter wrote it there.
"""

from __future__ import annotations

from sqlalchemy import select

from handlers.core.context import Context, UserError, example, hint
from handlers.core.i18n import N_, Translator
from handlers.core.input import number_and_rest
from handlers.core.registry import Feature, Needs, Where
from handlers.polls.blocks import REASON_CHARS, BlockReasons
from handlers.polls.followup import after_vote
from handlers.polls.views import block_answer, block_prompt, refusal_text
from handlers.polls.voting import VoteRefused, block, poll_community, poll_for_voter
from models import Community, Poll, PollKind, PollVoter

part = Feature("polls")

EXAMPLE = N_("The door must stay wide enough for a wheelchair")


def block_key(poll: Poll) -> str:
    """Names the private question for a block's reason, so the reply finds its poll."""
    return f"block:{poll.id}"


def ask_reason(ctx: Context, t: Translator, poll: Poll, community: Community) -> None:
    """Block was pressed: ask for the reason privately if we may write, else say how to give it."""
    if ctx.user.started_bot:
        ctx.send(
            ctx.user.id, block_prompt(t, poll, community), key=block_key(poll), force_reply=True
        )
    bot = ctx.services.bot_username
    answer = block_answer(t, poll, asked_privately=ctx.user.started_bot, bot=bot)
    ctx.answer(answer, alert=not ctx.user.started_bot)


def _example(t: Translator, number: int = 3) -> str:
    return example(f"/block {number}", str(t(EXAMPLE)))


async def give_reason(ctx: Context, poll: Poll, reason: str) -> None:
    """The sender blocks consent ``poll`` (checked, share-locked) for ``reason``."""
    reason = " ".join(reason.split())
    if not reason:
        raise UserError(
            hint(ctx.t, ctx.t("A block needs its reason."), _example(ctx.t, poll.number))
        )
    if len(reason) > REASON_CHARS:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("A reason can have at most {limit} characters.", limit=REASON_CHARS),
                _example(ctx.t, poll.number),
            )
        )
    change = await block(ctx.session, poll, ctx.user.id, reason)
    community = await poll_community(ctx.session, poll)
    # Not in the audit log: like every press, a block is the voter's own; the result has it.
    ctx.reply(
        ctx.t(
            "🛑 Your block of poll #{number} counts now, with its reason. It is shown with the "
            "result, without your name. Press Block again or another answer to change it.",
            number=poll.number,
        ),
        quote=ctx.incoming.chat.is_group,
    )
    t = ctx.reader_translator(ctx.user, community)
    await after_vote(ctx, poll, community, t, change)


async def _voters_poll(ctx: Context, poll_id: int) -> Poll:
    try:
        return await poll_for_voter(ctx.session, poll_id, ctx.user.id, ctx.now)
    except VoteRefused as refusal:
        if refusal.poll is None:
            raise UserError(ctx.t("There is no such poll.")) from None
        raise UserError(refusal_text(ctx.t, refusal.reason, refusal.poll.number)) from None


@part.command(
    "block",
    N_("block a consent poll, giving your reason: /block ID REASON"),
    where=Where.ANY,
    needs=Needs.NOTHING,
)
async def block_command(ctx: Context) -> None:
    number, reason = number_and_rest(
        ctx, ctx.t("Which poll, and why? Give its number, then your reason."), _example(ctx.t)
    )
    poll = await _consent_poll(ctx, number)
    await give_reason(ctx, await _voters_poll(ctx, poll.id), reason)


async def _consent_poll(ctx: Context, number: int) -> Poll:
    """Poll #``number``: the group's; in private, the sender's open consent poll of that number."""
    if ctx.incoming.chat.is_group:
        community = ctx.require_community()
        poll = await ctx.session.scalar(
            select(Poll).where(Poll.community_id == community.id, Poll.number == number)
        )
        if poll is None:
            raise UserError(
                hint(
                    ctx.t, ctx.t("There is no poll #{number} here.", number=number), _example(ctx.t)
                )
            )
        if poll.kind is not PollKind.CONSENT:
            raise UserError(
                ctx.t("Poll #{number} is not a consent poll: it has no blocks.", number=number)
            )
        return poll
    found = list(
        await ctx.session.scalars(
            select(Poll)
            .join(PollVoter, PollVoter.poll_id == Poll.id)
            .where(
                PollVoter.user_id == ctx.user.id,
                Poll.number == number,
                Poll.kind == PollKind.CONSENT,
                Poll.closed_at.is_(None),
            )
        )
    )
    if not found:
        raise UserError(ctx.t("You have no open consent poll #{number} to block.", number=number))
    if len(found) > 1:
        raise UserError(
            ctx.t(
                "Several of your communities have an open consent poll #{number}: press Block "
                "on the one you mean and reply to my question, or send /block in its group.",
                number=number,
            )
        )
    return found[0]


@part.on_reply("block")
async def reason_for_the_question(ctx: Context, key: str) -> None:
    """A reply to the private question a Block press asked: the reason, whatever happened since."""
    poll = await ctx.session.get(Poll, _poll_id(key))
    if poll is None or poll.kind is not PollKind.CONSENT:
        return
    await give_reason(ctx, await _voters_poll(ctx, poll.id), ctx.incoming.text)


@part.on_reply("poll")
async def reason_in_the_group(ctx: Context, key: str) -> None:
    """A reply to a consent poll's message gives a reason only where a block awaits one."""
    poll = await ctx.session.get(Poll, _poll_id(key))
    if poll is None or poll.kind is not PollKind.CONSENT or not poll.is_open:
        return
    try:
        poll = await poll_for_voter(ctx.session, poll.id, ctx.user.id, ctx.now)
    except VoteRefused:
        return
    if await BlockReasons(ctx.session, poll).awaits_reason(ctx.user.id):
        await give_reason(ctx, poll, ctx.incoming.text)


def _poll_id(key: str) -> int:
    _, _, number = key.partition(":")
    return int(number) if number.isdigit() else 0
