"""Poll use cases: /poll, /close, the voting buttons, and the deadline, early-close and
reminder jobs. Consent polls' blocks (/block, replies) are in ``consent``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlalchemy import Integer, insert, literal, select

from handlers.core import jobs, limits, settings, tally
from handlers.core.ballots import BallotBox, SealedBox
from handlers.core.buttons import BadAction
from handlers.core.charts import ChartRequest
from handlers.core.context import Context, JobContext, UserError, Work, hint
from handlers.core.i18n import N_, Translator
from handlers.core.numbering import LARGEST_NUMBER, add_numbered, parse_number
from handlers.core.outcome import Outcome
from handlers.core.registry import Feature, Needs, VoteRequest
from handlers.polls import consent, outcomes, rules
from handlers.polls.answers import SlotAnswers
from handlers.polls.blocks import BlockReasons
from handlers.polls.followup import EVERYONE_VOTED, after_vote, private_view
from handlers.polls.parsing import (
    CONSENT_OPTIONS,
    DEFAULT_DURATION,
    PollInputError,
    check_poll,
    check_question,
    input_hint,
    parse_poll,
    within_range,
)
from handlers.polls.slots import Slot
from handlers.polls.views import (
    ANSWERS,
    CAPTION_QUESTION_CHARS,
    PollClear,
    PollMine,
    PollPrivately,
    PollSlot,
    PollVote,
    answers_summary,
    ballot_key,
    ballot_summary,
    change_answer,
    chunks,
    consent_decision,
    group_buttons,
    group_text,
    message_key,
    option_names,
    poll_text,
    refusal_text,
    result_chart,
    result_text,
    shorten,
    slot_change_answer,
    turnout,
    verdict,
)
from handlers.polls.voting import (
    Refusal,
    VoteRefused,
    answer_slot,
    count_rows,
    count_with_details,
    eligible_turnout,
    has_voted,
    lock_for_close,
    poll_community,
    poll_for_voter,
    quorum,
    vote,
)
from models import Availability, Community, Member, Poll, PollKind, PollVoter, User

feature = Feature("polls").include(consent.part)
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
feature.audit("poll.everyone_voted", N_("Poll #{number} closed early: everyone had voted"))
feature.audit(
    "poll.consent_passed",
    N_(
        "Poll #{number} passed by consent: no blocks, {agree} agree, {disagree} disagree; "
        "{ballots} of {electorate} voted"
    ),
)
feature.audit(
    "poll.consent_blocked",
    N_("Poll #{number} was blocked ({blocks} with a reason); {ballots} of {electorate} voted"),
)
feature.audit(
    "poll.consent_outvoted",
    N_(
        "Poll #{number} did not pass: no blocks, {agree} agree, {disagree} disagree; "
        "{ballots} of {electorate} voted"
    ),
)
feature.audit(
    "poll.slot_chosen",
    N_("Poll #{number} closed: the best time is {slot}; {ballots} of {electorate} answered"),
)
feature.audit("poll.slots_tied", N_("Poll #{number} closed in a tie between {slots}"))
feature.audit("poll.no_slot", N_("Poll #{number} closed: no time slot got a yes"))

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
    hidden: bool = False,
    keep_open: bool = False,
    slots: Sequence[Slot] = (),
) -> Poll:
    """Open a poll in ``community`` and post it with its buttons.

    ``question`` and ``options`` are plain text (not HTML); a consent poll's
    options are always its four answers, a meeting poll's are its ``slots``
    as written (required, one per slot). ``deadline`` defaults to
    DEFAULT_DURATION from now. ``subject`` names what the poll decides, so
    that the ``on_close`` hook of that kind runs with the outcome.
    ``creator`` None: the bot opened it (a job, or a rule that says so), and
    nobody can close it early. Who may vote is the roster now, less anyone
    who joined within the community's ``member_days``. Bad input raises
    UserError with a hint in ``t``, like /poll.
    """
    now = work.now
    if kind is PollKind.MEETING and len(slots) != len(options):
        raise ValueError("a meeting poll needs a slot for each option")
    tidy: tuple[str, ...]
    try:
        if kind is PollKind.CONSENT:
            question, tidy = check_question(question), CONSENT_OPTIONS
        elif kind is PollKind.MEETING:
            question, tidy = check_question(question), tuple(options)
        else:
            question, tidy = check_poll(question, options)
        closes_at = now + DEFAULT_DURATION if deadline is None else deadline
        within_range(closes_at, now, t.moment(closes_at, now=now))
    except PollInputError as error:
        raise UserError(input_hint(t, error, kind)) from None
    meeting = kind is PollKind.MEETING
    poll = Poll(
        community_id=community.id,
        kind=kind,
        question=question,
        options=list(tidy),
        creator_id=creator.id if creator else None,
        opened_at=now,
        closes_at=closes_at,
        electorate=0,
        # A meeting is no decision (no quorum) and not secret (no ballot box).
        quorum=None if meeting else quorum(community),
        subject_kind=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        ballot_key=None if meeting else BallotBox.new_key(),
        hidden=hidden,
        keep_open=keep_open,
        slots=[slot.as_json() for slot in slots] if meeting else None,
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
    zero = (0, 0, 0) if meeting else (0,)
    live = None if hidden else [zero] * len(tidy)
    name = creator.display_name if creator else None
    text = poll_text(t, poll, ballots=0, creator=name, live=live)
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
        "open a poll: /poll question | option | option [| 48h]; also /poll multi …, "
        "ranked …, consent …, when … (a meeting time); hidden … hides the counts until the close"
    ),
)
async def poll_command(ctx: Context) -> None:
    community = ctx.require_community()
    try:
        draft = parse_poll(ctx.args, ctx.now, community.timezone)
    except PollInputError as error:
        raise UserError(input_hint(ctx.t, error, error.kind or PollKind.SINGLE)) from None
    await open_poll(
        ctx,
        community,
        t=ctx.t,
        creator=ctx.user,
        question=draft.question,
        options=draft.options,
        kind=draft.kind,
        deadline=draft.deadline,
        hidden=draft.hidden,
        keep_open=draft.keep_open,
        slots=draft.slots,
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
    if change.awaits_reason:
        consent.ask_reason(ctx, t, poll, community)
    else:
        ctx.answer(change_answer(t, poll, change, option))
    await after_vote(ctx, poll, community, t, change)


async def _answer(
    ctx: Context, poll_id: int, slot: int | None, answer: Availability | None
) -> None:
    try:
        change = await answer_slot(ctx.session, poll_id, ctx.user.id, slot, answer, ctx.now)
    except VoteRefused as refusal:
        raise _refusal_error(ctx.reader, refusal) from None
    poll = change.poll
    community = await poll_community(ctx.session, poll)
    t = ctx.reader_translator(ctx.user, community)
    ctx.answer(slot_change_answer(t, change, slot))
    await after_vote(ctx, poll, community, t, change)


@feature.button(PollVote, needs=Needs.NOTHING)
async def vote_button(ctx: Context, pressed: PollVote) -> None:
    """Membership is checked against the poll's community, so this works in private too."""
    await _press(ctx, pressed.poll_id, pressed.option)


@feature.button(PollSlot, needs=Needs.NOTHING)
async def slot_button(ctx: Context, pressed: PollSlot) -> None:
    """A meeting poll's Yes / Maybe / No for one slot; the same again clears it."""
    if not 0 <= pressed.answer < len(ANSWERS):
        raise BadAction(f"no answer {pressed.answer}")
    await _answer(ctx, pressed.poll_id, pressed.slot, ANSWERS[pressed.answer])


@feature.button(PollClear, needs=Needs.NOTHING)
async def clear_button(ctx: Context, pressed: PollClear) -> None:
    poll = await ctx.session.get(Poll, pressed.poll_id)
    if poll is not None and poll.kind is PollKind.MEETING:
        await _answer(ctx, pressed.poll_id, None, None)
    else:
        await _press(ctx, pressed.poll_id, None)


@feature.button(PollMine, needs=Needs.NOTHING)
async def my_vote_button(ctx: Context, pressed: PollMine) -> None:
    poll = await ctx.session.get(Poll, pressed.poll_id)
    if poll is None:
        raise BadAction("no such poll")
    t = ctx.reader_translator(ctx.user, await poll_community(ctx.session, poll))
    if poll.kind is PollKind.MEETING:
        answers = await SlotAnswers(ctx.session, poll).mine(ctx.user.id)
        ctx.answer(answers_summary(t, poll, answers), alert=True)
        return
    try:
        choice = await BallotBox(ctx.session, poll).mine(ctx.user.id)
        awaits = poll.kind is PollKind.CONSENT and await BlockReasons(
            ctx.session, poll
        ).awaits_reason(ctx.user.id)
    except SealedBox:
        raise UserError(refusal_text(t, Refusal.CLOSED, poll.number)) from None
    ctx.answer(ballot_summary(t, poll, choice, awaits_reason=awaits), alert=True)


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
    text, buttons = await private_view(ctx, t, poll, community, ctx.user.id, reminder=False)
    ctx.send(ctx.user.id, text, buttons, key=ballot_key(poll), copies=True)
    ctx.answer(t("I have sent you a private ballot."))


async def close_poll(
    work: Work, poll: Poll, *, closed_by: int | None = None, everyone_voted: bool = False
) -> Outcome:
    """Count, publish and record the result of ``poll``, which the caller has locked.

    The one place a poll closes: /close (``closed_by`` the creator), the
    deadline job and the early close when ``everyone_voted`` all end here.
    Runs the subject's ``on_close`` hook last.
    """
    session = work.session
    early = closed_by is not None or everyone_voted
    # A deadline close happened at the deadline, however late the job ran (a clock jump,
    # a bot that was down); an early close happens now.
    closed_at = work.now if early else min(work.now, poll.closes_at)
    poll.closed_at, poll.closed_by = closed_at, closed_by
    outcome, details = await count_with_details(session, poll)
    how = "creator" if closed_by is not None else "everyone_voted" if everyone_voted else "deadline"
    poll.result = {**outcome.as_json(), **details.as_json(), "closed": how}
    community = await poll_community(session, poll)
    t = work.community_translator(community)
    closer = await session.get(User, closed_by) if closed_by is not None else None
    text = result_text(
        t,
        poll,
        outcome,
        closer.display_name if closer else None,
        details,
        everyone_voted=everyone_voted,
    )
    chart = result_chart(t, poll, outcome, details)
    # The poll's own message loses its buttons and says it is closed.
    work.edit_posted(community.chat_id, message_key(poll), await group_text(session, t, poll))
    _post_result(work, t, community.chat_id, poll, text, chart)
    await _close_private_ballots(work, poll, community, outcome)
    if poll.kind is not PollKind.MEETING:
        if poll.kind is PollKind.CONSENT:
            await BlockReasons(session, poll).clear()
        await BallotBox(session, poll).seal()
    if everyone_voted:
        work.audit(community, None, "poll.everyone_voted", number=poll.number)
    _audit_result(work, t, community, poll, outcome)
    if early:
        # A check of everyone_voted still due finds the poll closed and does nothing (it may
        # be the job running now, which must not be marked cancelled).
        for kind in ("poll.close", "poll.remind"):
            await work.cancel_jobs(kind, poll.id)
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
    if poll.kind is PollKind.MEETING:
        answers = await SlotAnswers(work.session, poll).of(chats)
    else:
        votes = await BallotBox(work.session, poll).choices_of(chats)
    for voter in voters:
        t = work.reader_translator(voter, community)
        if poll.kind is PollKind.MEETING:
            mine = answers.get(voter.id)
            summary = answers_summary(t, poll, mine) if mine else t("You did not answer.")
        else:
            choice = votes.get(voter.id)
            summary = ballot_summary(t, poll, choice) if choice else t("You did not vote.")
        lines = (
            t(
                "🗳 Poll #{number} of {community} is closed.",
                number=poll.number,
                community=community.title,
            ),
            Markup("<b>{question}</b>").format(question=poll.question),
            summary,
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


def _audit_result(
    work: Work, t: Translator, community: Community, poll: Poll, outcome: Outcome
) -> None:
    """The result in the log; a meeting's slot is written in the community's language."""
    numbers = {
        "number": poll.number,
        "ballots": outcome.ballots,
        "electorate": outcome.electorate,
    }
    if poll.kind is PollKind.MEETING:
        slots = option_names(t, poll)
        if not outcome.winners:
            work.audit(community, None, "poll.no_slot", number=poll.number)
        elif outcome.winner is None:
            names = "; ".join(slots[i] for i in outcome.winners)
            work.audit(community, None, "poll.slots_tied", number=poll.number, slots=names)
        else:
            work.audit(community, None, "poll.slot_chosen", slot=slots[outcome.winner], **numbers)
        return
    if poll.kind is PollKind.CONSENT and outcome.valid and outcome.ballots:
        decided = consent_decision(outcome)
        action = {
            tally.ConsentRule.PASSED: "poll.consent_passed",
            tally.ConsentRule.BLOCKED: "poll.consent_blocked",
        }.get(decided.rule, "poll.consent_outvoted")
        work.audit(
            community,
            None,
            action,
            agree=decided.agree,
            disagree=decided.disagree,
            blocks=decided.blocks,
            **numbers,
        )
        return
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


@feature.job(EVERYONE_VOTED)
async def close_when_everyone_voted(work: JobContext, poll_id: int) -> None:
    """Scheduled by a ballot that may have been the last missing, or by someone leaving.

    Decided again here, under the poll's exclusive lock (the one /close and the
    deadline take), so however many last votes raced, the poll closes once,
    and not at all if a ballot was withdrawn meanwhile. Past the deadline the
    deadline job closes it, as of the deadline.
    """
    poll = await lock_for_close(work.session, Poll.id == poll_id)
    if poll is None or not poll.is_open or poll.keep_open or work.now >= poll.closes_at:
        return
    if rules.everyone_voted(*await eligible_turnout(work.session, poll)):
        await close_poll(work, poll, everyone_voted=True)


@feature.on_roster_change
async def check_open_polls_when_someone_leaves(
    work: Work, community: Community, user_id: int, joined: bool
) -> None:
    """Who is eligible shrinks when a voter leaves: the others may all have voted by now."""
    if joined:
        return
    polls = await work.session.scalars(
        select(Poll.id)
        .join(PollVoter, PollVoter.poll_id == Poll.id)
        .where(
            Poll.community_id == community.id,
            Poll.closed_at.is_(None),
            Poll.keep_open.is_(False),
            PollVoter.user_id == user_id,
        )
    )
    for poll_id in polls:
        work.schedule(EVERYONE_VOTED, poll_id, work.now)


@feature.job("poll.remind")
async def remind_non_voters(work: JobContext, poll_id: int) -> None:
    """Privately remind voters who have not voted and can be written to; nothing goes to the group."""
    poll = await work.session.get(Poll, poll_id)
    if poll is None or not poll.is_open:
        return
    community = await poll_community(work.session, poll)
    voted = has_voted(work.session, poll, User.id)
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
        text, buttons = await private_view(work, t, poll, community, user.id, reminder=True)
        work.post(user.id, text, buttons, key=ballot_key(poll), copies=True)
        reminded += 1
    if reminded:
        work.audit(community, None, "poll.reminded", number=poll.number, count=reminded)
