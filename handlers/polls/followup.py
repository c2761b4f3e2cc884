"""What follows any change of a ballot, however it was made (a button, /block, a reply).

The voter's private copies show their ballot, the group message its count
(every change while counts are shown; only a ballot more or less when the
poll is hidden), and a ballot cast may have been the last one missing: then
the ``poll.everyone_voted`` job is scheduled to close the poll.
"""

from __future__ import annotations

from handlers.core.ballots import BallotBox
from handlers.core.context import Context, Work
from handlers.core.i18n import Translator
from handlers.core.messages import Button
from handlers.polls.answers import SlotAnswers
from handlers.polls.blocks import BlockReasons
from handlers.polls.views import (
    ballot_key,
    group_buttons,
    group_text,
    message_key,
    private_answers,
    private_ballot,
)
from handlers.polls.voting import SlotChange, VoteChange, closes_early_now
from models import Community, Poll, PollKind

EVERYONE_VOTED = "poll.everyone_voted"


async def after_vote(
    ctx: Context, poll: Poll, community: Community, t: Translator, change: VoteChange | SlotChange
) -> None:
    """Show ``change`` (made by the sender) wherever it shows, and close early if it may."""
    awaits = isinstance(change, VoteChange) and change.awaits_reason
    if change.before != change.after or awaits:
        if isinstance(change, SlotChange):
            text, buttons = private_answers(ctx, t, poll, community, change.after)
        else:
            text, buttons = private_ballot(
                ctx, t, poll, community, change.after, awaits_reason=awaits
            )
        ctx.edit_copies(ctx.user.id, ballot_key(poll), text, buttons)
    if change.counted_changed or (not poll.hidden and change.before != change.after):
        group_t = ctx.community_translator(community)
        text = await group_text(ctx.session, group_t, poll)
        buttons = group_buttons(ctx, group_t, poll)
        if ctx.incoming.callback_id is not None and not ctx.incoming.chat.is_private:
            ctx.edit(text, buttons)
        else:
            ctx.edit_posted(community.chat_id, message_key(poll), text, buttons)
    if change.cast and await closes_early_now(ctx.session, poll):
        ctx.schedule(EVERYONE_VOTED, poll.id, ctx.now)


async def private_view(
    work: Work, t: Translator, poll: Poll, community: Community, user_id: int, *, reminder: bool
) -> tuple[str, list[list[Button]]]:
    """``user_id``'s private ballot as it stands (a reminder goes to those who have not voted)."""
    if poll.kind is PollKind.MEETING:
        answers = await SlotAnswers(work.session, poll).mine(user_id)
        return private_answers(work, t, poll, community, answers, reminder=reminder)
    choice = None if reminder else await BallotBox(work.session, poll).mine(user_id)
    awaits = poll.kind is PollKind.CONSENT and await BlockReasons(work.session, poll).awaits_reason(
        user_id
    )
    return private_ballot(work, t, poll, community, choice, reminder=reminder, awaits_reason=awaits)
