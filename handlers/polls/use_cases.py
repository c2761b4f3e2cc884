"""Poll use cases: /poll, /close, the voting buttons, and the deadline and reminder jobs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlalchemy import Integer, insert, literal, select

from handlers.core import jobs, limits, settings
from handlers.core.ballots import BallotBox, SealedBox
from handlers.core.buttons import BadAction
from handlers.core.charts import ChartRequest
from handlers.core.context import Context, JobContext, UserError, Work, hint
from handlers.core.i18n import N_, Translator
from handlers.core.numbering import LARGEST_NUMBER, add_numbered, parse_number
from handlers.core.outcome import Outcome
from handlers.core.registry import Feature, Needs, VoteRequest
from handlers.polls import outcomes
from handlers.polls.parsing import (
    DEFAULT_DURATION,
    KIND_WORDS,
    PollInputError,
    check_poll,
    input_hint,
    parse_poll,
    within_range,
)
from handlers.polls.views import (
    CAPTION_QUESTION_CHARS,
    PollClear,
    PollMine,
    PollPrivately,
    PollVote,
    ballot_key,
    ballot_summary,
    change_answer,
    chunks,
    group_buttons,
    group_text,
    message_key,
    poll_text,
    private_ballot,
    refusal_text,
    result_chart,
    result_text,
    shorten,
    turnout,
    verdict,
)
from handlers.polls.voting import (
    Refusal,
    VoteRefused,
    count_poll,
    count_rows,
    lock_for_close,
    poll_community,
    poll_for_voter,
    quorum,
    vote,
)
from models import Community, Member, Poll, PollKind, PollVoter, User

feature = Feature("polls")
feature.audit("poll.opened", N_("{actor} opened poll #{number}: {question}"))
feature.audit("poll.closed_early", N_("{actor} closed poll #{number} early"))
feature.audit(
    "poll.won", N_("Poll #{number} closed: “{winner}” won; {ballots} of {electorate} voted")
)
feature.audit(
    "poll.tied",
    N_("Poll #{number} closed in a tie between {options}; {ballots} of {electorate} voted"),
)
feature.audit(
    "poll.no_quorum",
    N_("Poll #{number} closed without quorum: {ballots} of {electorate} voted"),
)
feature.audit("poll.no_votes", N_("Poll #{number} closed with no votes"))
feature.audit(
    "poll.reminded", N_("Reminders for poll #{number} went to {count} members who had not voted")
)

log = logging.getLogger(__name__)

REMIND_BEFORE = timedelta(hours=24)


async def open_poll(
    work: Work,
    community: Community,
    *,
    t: Translator,
    creator: User | None,
    question: str,
    options: Sequence[str],
    kind: PollKind,
    deadline: datetime | None = None,
    subject: tuple[str, int] | None = None,
) -> Poll:
    """Open a poll in ``community`` and post it with its buttons.

    ``question`` and ``options`` are plain text (not HTML). ``deadline``
    defaults to DEFAULT_DURATION from now. ``subject`` names what the poll
    decides, so that the ``on_close`` hook of that kind runs with the
    outcome. ``creator`` None: the bot opened it (a job, or a rule that
    says so), and nobody can close it early. Who may vote is the roster
    now, less anyone who joined within the community's ``member_days``.
    Bad input raises UserError with a hint in ``t``, like /poll.
    """
    now = work.now
    try:
        question, tidy = check_poll(question, options)
        closes_at = now + DEFAULT_DURATION if deadline is None else deadline
        within_range(closes_at, now, t.moment(closes_at, now=now))
    except PollInputError as error:
        raise UserError(input_hint(t, error, kind)) from None
    poll = Poll(
        community_id=community.id,
        kind=kind,
        question=question,
        options=list(tidy),
        creator_id=creator.id if creator else None,
        opened_at=now,
        closes_at=closes_at,
        electorate=0,
        quorum=quorum(community),
        subject_kind=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        ballot_key=BallotBox.new_key(),
    )
    await add_numbered(work.session, poll)
    await work.session.execute(
        insert(PollVoter).from_select(
            ["poll_id", "user_id"],
            select(literal(poll.id, Integer), Member.user_id).where(
                Member.community_id == community.id,
                Member.left_at.is_(None),
                Member.joined_at <= settings.joined_by(community, now),
            ),
        )
    )
    poll.electorate = await count_rows(work.session, PollVoter, poll.id)
    work.schedule("poll.close", poll.id, closes_at)
    if closes_at - REMIND_BEFORE > now:
        work.schedule("poll.remind", poll.id, closes_at - REMIND_BEFORE)
    work.audit(
        community,
        creator.id if creator else None,
        "poll.opened",
        actor=creator.display_name if creator else t("Courtyard"),
        number=poll.number,
        question=shorten(question, 200),
    )
    text = poll_text(t, poll, ballots=0, creator=creator.display_name if creator else None)
    buttons = group_buttons(work, t, poll)
    if isinstance(work, Context):
        work.send(community.chat_id, text, buttons, key=message_key(poll))
    else:
        work.post(community.chat_id, text, buttons, key=message_key(poll))
    return poll


@feature.opens_votes
async def open_vote(work: Work, community: Community, request: VoteRequest) -> Poll:
    """Another feature's decision (a need's adoption, a recall) put to the members as a poll.

    Asked from a use case, the sender opened it, unless ``request.by_bot``; asked
    from a job, the bot did. It is worded in the community's language.
    """
    sender = work.user if isinstance(work, Context) and not request.by_bot else None
    return await open_poll(
        work,
        community,
        t=work.community_translator(community),
        creator=sender,
        question=request.question,
        options=request.options,
        kind=request.kind,
        deadline=request.deadline,
        subject=request.subject,
    )


@feature.command(
    "poll",
    N_(
        "open a poll: /poll question | option | option [| 48h]; "
        "/poll multi … for approval, /poll ranked … for ranked choice"
    ),
)
async def poll_command(ctx: Context) -> None:
    community = ctx.require_community()
    try:
        draft = parse_poll(ctx.args, ctx.now, community.timezone)
    except PollInputError as error:
        word = ctx.args.split(maxsplit=1)[0].lower() if ctx.args else ""
        raise UserError(input_hint(ctx.t, error, KIND_WORDS.get(word, PollKind.SINGLE))) from None
    await open_poll(
        ctx,
        community,
        t=ctx.t,
        creator=ctx.user,
        question=draft.question,
        options=draft.options,
        kind=draft.kind,
        deadline=draft.deadline,
    )


def _refusal_error(t: Translator, refusal: VoteRefused) -> Exception:
    """What the presser is told: a stale button for an unknown poll, else why not."""
    poll = refusal.poll
    if poll is None:
        return BadAction("no such poll")
    return UserError(refusal_text(t, refusal.reason, poll.number))


async def _press(ctx: Context, poll_id: int, option: int | None) -> None:
    try:
        change = await vote(ctx.session, poll_id, ctx.user.id, option, ctx.now)
    except VoteRefused as refusal:
        raise _refusal_error(ctx.reader, refusal) from None
    poll = change.poll
    community = await poll_community(ctx.session, poll)
    t = ctx.reader_translator(ctx.user, community)
    ctx.answer(change_answer(t, poll, change, option))
    if change.before != change.after:
        # Wherever the press was, every private copy of this voter's ballot shows it.
        text, buttons = private_ballot(ctx, t, poll, community, change.after)
        ctx.edit_copies(ctx.user.id, ballot_key(poll), text, buttons)
    if change.counted_changed:
        group_t = ctx.community_translator(community)
        text = await group_text(ctx.session, group_t, poll)
        buttons = group_buttons(ctx, group_t, poll)
        if ctx.incoming.chat.is_private:
            ctx.edit_posted(community.chat_id, message_key(poll), text, buttons)
        else:
            ctx.edit(text, buttons)


@feature.button(PollVote, needs=Needs.NOTHING)
async def vote_button(ctx: Context, pressed: PollVote) -> None:
    """Membership is checked against the poll's community, so this works in private too."""
    await _press(ctx, pressed.poll_id, pressed.option)


@feature.button(PollClear, needs=Needs.NOTHING)
async def clear_button(ctx: Context, pressed: PollClear) -> None:
    await _press(ctx, pressed.poll_id, None)


@feature.button(PollMine, needs=Needs.NOTHING)
async def my_vote_button(ctx: Context, pressed: PollMine) -> None:
    poll = await ctx.session.get(Poll, pressed.poll_id)
    if poll is None:
        raise BadAction("no such poll")
    t = ctx.reader_translator(ctx.user, await poll_community(ctx.session, poll))
    try:
        choice = await BallotBox(ctx.session, poll).mine(ctx.user.id)
    except SealedBox:
        raise UserError(refusal_text(t, Refusal.CLOSED, poll.number)) from None
    ctx.answer(ballot_summary(t, poll, choice), alert=True)


@feature.button(PollPrivately, needs=Needs.NOTHING)
async def private_ballot_button(ctx: Context, pressed: PollPrivately) -> None:
    """Send the voter a private copy of the ballot, whose buttons show their own marks."""
    try:
        poll = await poll_for_voter(ctx.session, pressed.poll_id, ctx.user.id, ctx.now)
    except VoteRefused as refusal:
        raise _refusal_error(ctx.reader, refusal) from None
    if not ctx.user.started_bot:
        raise UserError(
            ctx.reader.gettext(
                "I can't write to you yet: open a private chat with @{bot}, press Start "
                "(or send /start), then press this button again.",
                bot=ctx.services.bot_username,
            )
        )
    community = await poll_community(ctx.session, poll)
    t = ctx.reader_translator(ctx.user, community)
    choice = await BallotBox(ctx.session, poll).mine(ctx.user.id)
    text, buttons = private_ballot(ctx, t, poll, community, choice)
    ctx.send(ctx.user.id, text, buttons, key=ballot_key(poll), copies=True)
    ctx.answer(t("I have sent you a private ballot."))


async def close_poll(work: Work, poll: Poll, *, closed_by: int | None = None) -> Outcome:
    """Count, publish and record the result of ``poll``, which the caller has locked.

    The one place a poll closes: /close (``closed_by`` the creator) and the
    deadline job both end here. Runs the subject's ``on_close`` hook last.
    """
    session = work.session
    # A deadline close happened at the deadline, however late the job ran (a clock jump,
    # a bot that was down); an early close happens now.
    closed_at = work.now if closed_by is not None else min(work.now, poll.closes_at)
    poll.closed_at, poll.closed_by = closed_at, closed_by
    box = BallotBox(session, poll)
    outcome = count_poll(poll, await box.totals())
    poll.result = outcome.as_json()
    community = await poll_community(session, poll)
    t = work.community_translator(community)
    closer = await session.get(User, closed_by) if closed_by is not None else None
    text = result_text(t, poll, outcome, closer.display_name if closer else None)
    chart = result_chart(t, poll, outcome)
    # The poll's own message loses its buttons and says it is closed.
    work.edit_posted(community.chat_id, message_key(poll), await group_text(session, t, poll))
    _post_result(work, t, community.chat_id, poll, text, chart)
    await _close_private_ballots(work, poll, community, outcome)
    await box.seal()
    _audit_result(work, community, poll, outcome)
    if closed_by is not None:
        await work.cancel_jobs("poll.close", poll.id)
        await work.cancel_jobs("poll.remind", poll.id)
    hook = work.registry.close_hooks.get(poll.subject_kind or "")
    if hook is not None:
        await hook(work, poll, outcome)
    return outcome


async def _close_private_ballots(
    work: Work, poll: Poll, community: Community, outcome: Outcome
) -> None:
    """Every voter's private ballots lose their buttons and show their vote and the result."""
    key = ballot_key(poll)
    chats = await jobs.chats_with_posted(work.session, key)
    if not chats:
        return
    voters = await work.session.scalars(select(User).where(User.id.in_(chats)))
    votes = await BallotBox(work.session, poll).choices_of(chats)
    for voter in voters:
        t = work.reader_translator(voter, community)
        choice = votes.get(voter.id)
        lines = (
            t(
                "🗳 Poll #{number} of {community} is closed.",
                number=poll.number,
                community=community.title,
            ),
            Markup("<b>{question}</b>").format(question=poll.question),
            ballot_summary(t, poll, choice) if choice else t("You did not vote."),
            verdict(t, poll, outcome),
            turnout(t, outcome),
        )
        work.edit_posted(voter.id, key, "\n".join(str(line) for line in lines))


def _post_result(
    work: Work, t: Translator, chat_id: int, poll: Poll, text: str, chart: ChartRequest
) -> None:
    """One photo with the result as caption, or a short caption and the text after it.

    Without a picture (drawing failed) the result is the text alone either way.
    """
    if len(text) <= limits.CAPTION:
        work.post(chat_id, text, chart=chart, key=outcomes.result_key(poll))
        return
    caption = t(
        "📊 <b>Result of poll #{number}</b>: {question}",
        number=poll.number,
        question=shorten(poll.question, CAPTION_QUESTION_CHARS),
    )
    work.post(chat_id, str(caption), chart=chart, caption_only=True, key=outcomes.result_key(poll))
    for chunk in chunks(text, limits.MESSAGE_TEXT):
        work.post(chat_id, chunk)


def _audit_result(work: Work, community: Community, poll: Poll, outcome: Outcome) -> None:
    numbers = {
        "number": poll.number,
        "ballots": outcome.ballots,
        "electorate": outcome.electorate,
    }
    if not outcome.winners:
        work.audit(community, None, "poll.no_votes", **numbers)
    elif not outcome.valid:
        work.audit(community, None, "poll.no_quorum", **numbers)
    elif outcome.winner is None:
        names = ", ".join(poll.options[i] for i in outcome.winners)
        work.audit(community, None, "poll.tied", options=names, **numbers)
    else:
        work.audit(community, None, "poll.won", winner=poll.options[outcome.winner], **numbers)


@feature.command("close", N_("close a poll you opened before its deadline: /close ID"))
async def close_command(ctx: Context) -> None:
    community = ctx.require_community()
    number = parse_number(ctx.args)
    if number is None:
        raise UserError(
            hint(ctx.t, ctx.t("Which poll? Give its number, as in “Poll #3”."), "/close 3")
        )
    poll = (
        await lock_for_close(
            ctx.session, (Poll.community_id == community.id) & (Poll.number == number)
        )
        if number <= LARGEST_NUMBER
        else None
    )
    if poll is None:
        raise UserError(
            hint(ctx.t, ctx.t("There is no poll #{number} here.", number=number), "/close 1")
        )
    if not poll.is_open:
        raise UserError(ctx.t("Poll #{number} is already closed.", number=number))
    if poll.creator_id is None:
        raise UserError(
            ctx.t(
                "Poll #{number} was opened by the community's rules, so nobody can close it "
                "early. It closes by itself on {when}.",
                number=number,
                when=ctx.t.moment(poll.closes_at, now=ctx.now),
            )
        )
    if poll.creator_id != ctx.user.id:
        raise UserError(
            ctx.t(
                "Only the member who opened poll #{number} can close it early. "
                "Otherwise it closes by itself on {when}.",
                number=number,
                when=ctx.t.moment(poll.closes_at, now=ctx.now),
            )
        )
    ctx.log("poll.closed_early", actor=ctx.user.display_name, number=number)
    await close_poll(ctx, poll, closed_by=ctx.user.id)


@feature.job("poll.close")
async def close_at_deadline(work: JobContext, poll_id: int) -> None:
    poll = await lock_for_close(work.session, Poll.id == poll_id)
    if poll is not None and poll.is_open:
        await close_poll(work, poll)


@feature.job("poll.remind")
async def remind_non_voters(work: JobContext, poll_id: int) -> None:
    """Privately remind voters who have not voted and can be written to; nothing goes to the group."""
    poll = await work.session.get(Poll, poll_id)
    if poll is None or not poll.is_open:
        return
    community = await poll_community(work.session, poll)
    voted = BallotBox(work.session, poll).has_voted(User.id)
    users = await work.session.scalars(
        select(User)
        .join(PollVoter, PollVoter.user_id == User.id)
        .join(Member, (Member.user_id == User.id) & (Member.community_id == poll.community_id))
        .where(
            PollVoter.poll_id == poll.id,
            Member.left_at.is_(None),
            User.started_bot.is_(True),
            ~voted,
        )
        .order_by(User.id)
    )
    reminded = 0
    for user in users:
        t = work.reader_translator(user, community)
        text, buttons = private_ballot(work, t, poll, community, None, reminder=True)
        work.post(user.id, text, buttons, key=ballot_key(poll), copies=True)
        reminded += 1
    if reminded:
        work.audit(community, None, "poll.reminded", number=poll.number, count=reminded)
