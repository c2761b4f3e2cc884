"""Polls: /poll, the voting buttons, /close, and the deadline and reminder jobs.

Decisions worth knowing before changing this module:

- **Who may vote** is fixed when a poll opens: the active roster is copied
  into ``poll_voters``. A voter must be on that list *and* still on the
  roster when pressing; ballots of people who left afterwards still count.
- **Ballots are secret** and live in handlers.core.ballots (one row per
  voter, found by a keyed hash; the key is erased at the close). Every press
  locks the voter's ballot row there, and voters hold a share lock on the
  poll row that /close and the deadline job take exclusively, so no vote
  lands after the count. Totals stay exact with any number of concurrent
  presses, on PostgreSQL as on SQLite.
- **Live display**: the poll message shows only how many ballots were cast
  (of how many voters), for every kind of poll. Per-option counts appear
  only in the result: a running score nudges late voters towards the
  leader, and for ranked ballots it would be meaningless before the
  runoff. It also keeps edits cheap: the message is edited only when a
  press adds or withdraws a ballot, never when a vote merely moves.
  The live count is refreshed by every press that changes it, in the group
  or in private, and the close takes the buttons off.
- **Pressing**: single choice — another option moves the vote, the same one
  withdraws it; approval — each press toggles an option, removing the last
  one withdraws the ballot; ranked — presses append to your ranking, an
  option already ranked is left where it is, "Clear my ranking" starts over.
  Any ballot can also be built in a private chat ("Vote/Rank privately"),
  where the buttons show your own marks; this needs the voter to have
  started the bot.
- **Private copies follow the poll**: the ballot asked for and the 24-hour
  reminder are copies named ``ballot:<poll id>`` in the voter's chat. Every
  change of the voter's ballot, wherever pressed, edits all of them, and the
  close turns each into the voter's vote and the result, without buttons.
- **Reading /poll** (question, options, kind word, deadline) is in
  handlers.poll_input, pure functions with no database; its public names
  are re-exported here.
- **Deadline**: a job closes the poll at the deadline; another reminds,
  24 hours before, members who have not voted and have started the bot
  (polls shorter than a day get no reminder).
- **Quorum** is the community setting ``quorum`` (share 0..1), copied into
  the poll when it opens so changing it cannot alter a running vote.
- **Result**: totals, percentages, turnout and validity as text, plus a bar
  chart. Single-choice percentages are of ballots; approval percentages are
  of ballots too (they need not add up to 100); ranked polls list every
  instant-runoff round, and their chart shows the final round, the one
  that decided, with eliminated options marked "out".
- Individual presses are not written to the audit log: the log is public,
  and who voted (let alone how) is never published. Opening, early
  closing, reminders and every result are logged.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import Integer, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from handlers import audit, jobs, limits, tally
from handlers.actions import BadAction
from handlers.charts import ChartRequest
from handlers.context import Context, JobContext, UserError, Work, hint
from handlers.core.ballots import BallotBox, SealedBox
from handlers.core.choices import Choice
from handlers.i18n import N_, Translator
from handlers.messages import Button, plain_text
from handlers.numbering import LARGEST_NUMBER, add_numbered, parse_number
from handlers.poll_input import (
    DEFAULT_DURATION,
    KIND_WORDS,
    MAX_OPTION_CHARS,
    MAX_OPTIONS,
    MAX_QUESTION_CHARS,
    PollDraft,
    PollInputError,
    Problem,
    _input_hint,
    _within_range,
    check_poll,
    parse_deadline,
    parse_poll,
)
from handlers.registry import Needs, action, command, job
from models import Community, Member, Poll, PollKind, PollVoter, User

__all__ = [
    "MAX_OPTIONS",
    "MAX_OPTION_CHARS",
    "MAX_QUESTION_CHARS",
    "Outcome",
    "Poll",
    "PollDraft",
    "PollInputError",
    "PollKind",
    "Problem",
    "Refusal",
    "VoteChange",
    "VoteRefused",
    "close_poll",
    "count_poll",
    "next_choice",
    "on_close",
    "open_poll",
    "parse_deadline",
    "parse_poll",
    "vote",
]

log = logging.getLogger(__name__)

REMIND_BEFORE = timedelta(hours=24)
CHART_TEXT_LIMIT = 200  # chart subtitles and value labels, as plain text
CAPTION_QUESTION_CHARS = 300

audit.template("poll.opened", N_("{actor} opened poll #{number}: {question}"))
audit.template("poll.closed_early", N_("{actor} closed poll #{number} early"))
audit.template(
    "poll.won", N_("Poll #{number} closed: “{winner}” won; {ballots} of {electorate} voted")
)
audit.template(
    "poll.tied",
    N_("Poll #{number} closed in a tie between {options}; {ballots} of {electorate} voted"),
)
audit.template(
    "poll.no_quorum",
    N_("Poll #{number} closed without quorum: {ballots} of {electorate} voted"),
)
audit.template("poll.no_votes", N_("Poll #{number} closed with no votes"))
audit.template(
    "poll.reminded", N_("Reminders for poll #{number} went to {count} members who had not voted")
)

KIND_NAMES = {
    PollKind.SINGLE: N_("single choice"),
    PollKind.APPROVAL: N_("approval: choose any"),
    PollKind.RANKED: N_("ranked choice"),
}
HOW_TO_VOTE = {
    PollKind.SINGLE: N_("Choose one option; press it again to withdraw your vote."),
    PollKind.APPROVAL: N_("Choose every option you approve of; press one again to remove it."),
    PollKind.RANKED: N_(
        "Press the options in order of preference, best first. “Clear my ranking” starts over."
    ),
}
ROUND_NOTE = Markup("    ↳ ")
KEYCAPS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟")


# Opening ----------------------------------------------------------------------------------------


async def open_poll(
    ctx: Context,
    *,
    question: str,
    options: Sequence[str],
    kind: PollKind,
    deadline: datetime | None = None,
    subject: tuple[str, int] | None = None,
) -> Poll:
    """Open a poll in the sender's community and post it with its buttons.

    ``question`` and ``options`` are plain text (not HTML). ``deadline``
    defaults to DEFAULT_DURATION from now. ``subject`` names what the poll
    decides, so that the ``on_close`` hook of that kind runs with the
    outcome. Bad input raises UserError with a hint, like /poll.
    """
    community = ctx.require_community()
    now = ctx.now
    try:
        question, tidy = check_poll(question, options)
        closes_at = now + DEFAULT_DURATION if deadline is None else deadline
        _within_range(closes_at, now, ctx.t.moment(closes_at, now=now))
    except PollInputError as error:
        raise UserError(_input_hint(ctx.t, error, kind)) from None
    poll = Poll(
        community_id=community.id,
        kind=kind,
        question=question,
        options=list(tidy),
        creator_id=ctx.user.id,
        opened_at=now,
        closes_at=closes_at,
        electorate=0,
        quorum=_quorum(community),
        subject_kind=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
        ballot_key=BallotBox.new_key(),
    )
    await add_numbered(ctx.session, poll)
    await ctx.session.execute(
        insert(PollVoter).from_select(
            ["poll_id", "user_id"],
            select(literal(poll.id, Integer), Member.user_id).where(
                Member.community_id == community.id, Member.left_at.is_(None)
            ),
        )
    )
    poll.electorate = await _count(ctx.session, PollVoter, poll.id)
    jobs.schedule(ctx.session, "poll.close", poll.id, closes_at)
    if closes_at - REMIND_BEFORE > now:
        jobs.schedule(ctx.session, "poll.remind", poll.id, closes_at - REMIND_BEFORE)
    ctx.log(
        "poll.opened",
        actor=ctx.user.display_name,
        number=poll.number,
        question=_shorten(question, 200),
    )
    ctx.send(
        community.chat_id,
        _poll_text(ctx.t, poll, ballots=0, creator=ctx.user.display_name),
        _group_buttons(ctx, ctx.t, poll),
        key=_message_key(poll),
    )
    return poll


def _message_key(poll: Poll) -> str:
    """Names the poll's group message so votes in private and the close can edit it."""
    return f"poll:{poll.id}"


def _ballot_key(poll: Poll) -> str:
    """Names a voter's private ballots (asked for, reminders): every copy follows the poll."""
    return f"ballot:{poll.id}"


def _quorum(community: Community) -> float | None:
    value = (community.settings or {}).get("quorum")
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1:
        return float(value)
    if value not in (None, 0):
        log.warning("community %s has an unusable quorum setting %r", community.id, value)
    return None


async def _count(session: AsyncSession, table: type[PollVoter], poll_id: int) -> int:
    found = await session.scalar(
        select(func.count()).select_from(table).where(table.poll_id == poll_id)
    )
    return int(found or 0)


@command(
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
        raise UserError(_input_hint(ctx.t, error, KIND_WORDS.get(word, PollKind.SINGLE))) from None
    await open_poll(
        ctx,
        question=draft.question,
        options=draft.options,
        kind=draft.kind,
        deadline=draft.deadline,
    )


# Voting -------------------------------------------------------------------------------------


class Refusal(enum.Enum):
    NO_POLL = "no_poll"
    CLOSED = "closed"
    NOT_MEMBER = "not_member"
    LATE_JOINER = "late_joiner"


class VoteRefused(Exception):
    def __init__(self, reason: Refusal, poll: Poll | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.poll = poll


@dataclass(frozen=True, slots=True)
class VoteChange:
    """A voter's ballot before and after a press (None: no ballot)."""

    poll: Poll
    before: Choice | None
    after: Choice | None

    @property
    def counted_changed(self) -> bool:
        """Whether the number of ballots went up or down."""
        return (self.before is None) != (self.after is None)


def next_choice(kind: PollKind, before: Choice | None, option: int | None) -> Choice | None:
    """The ballot after pressing ``option`` (None: clear) on ballot ``before``."""
    if option is None:
        return None
    if kind is PollKind.SINGLE:
        return None if before == (option,) else (option,)
    if kind is PollKind.APPROVAL:
        chosen = set(before or ()) ^ {option}
        return tuple(sorted(chosen)) or None
    if before is not None and option in before:
        return before
    return (*(before or ()), option)


async def _poll_for_voter(session: AsyncSession, poll_id: int, user_id: int, now: datetime) -> Poll:
    """The poll, share-locked against closing, once ``user_id`` may vote in it."""
    poll = await session.scalar(
        select(Poll)
        .where(Poll.id == poll_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    if poll is None:
        raise VoteRefused(Refusal.NO_POLL)
    if poll.closed_at is not None or now >= poll.closes_at:
        raise VoteRefused(Refusal.CLOSED, poll)
    row = (
        await session.execute(
            select(Member.left_at, PollVoter.user_id)
            .select_from(Member)
            .outerjoin(
                PollVoter, (PollVoter.poll_id == poll.id) & (PollVoter.user_id == Member.user_id)
            )
            .where(Member.community_id == poll.community_id, Member.user_id == user_id)
        )
    ).first()
    if row is None or row.left_at is not None:
        raise VoteRefused(Refusal.NOT_MEMBER, poll)
    if row.user_id is None:
        raise VoteRefused(Refusal.LATE_JOINER, poll)
    return poll


async def vote(
    session: AsyncSession, poll_id: int, user_id: int, option: int | None, now: datetime
) -> VoteChange:
    """Apply one press of ``option`` (None: clear the ballot) by ``user_id``.

    Raises VoteRefused when the poll is unknown or closed or the user may
    not vote, and BadAction for an option the poll does not have.
    """
    poll = await _poll_for_voter(session, poll_id, user_id, now)
    if option is not None and not 0 <= option < len(poll.options):
        raise BadAction(f"poll {poll_id} has no option {option}")
    before, after = await BallotBox(session, poll).mark(
        user_id, lambda current: next_choice(poll.kind, current, option)
    )
    return VoteChange(poll, before, after)


def _refusal_error(t: Translator, refusal: VoteRefused) -> Exception:
    """What the presser is told: a stale button for an unknown poll, else why not."""
    poll = refusal.poll
    if poll is None:
        return BadAction("no such poll")
    return UserError(_refusal_text(t, refusal.reason, poll.number))


def _refusal_text(t: Translator, reason: Refusal, number: int) -> str:
    if reason is Refusal.CLOSED:
        return str(t("Poll #{number} is closed; votes are no longer accepted.", number=number))
    if reason is Refusal.NOT_MEMBER:
        return str(t("You are not on the roster yet. Send /join first."))
    return str(
        t(
            "Sorry, you cannot vote in poll #{number}: who may vote was fixed when it opened, "
            "before you joined. You can vote in every poll opened from now on.",
            number=number,
        )
    )


async def _press(ctx: Context, option: int | None) -> None:
    assert ctx.action is not None
    try:
        change = await vote(ctx.session, ctx.action.int_arg(0), ctx.user.id, option, ctx.now)
    except VoteRefused as refusal:
        raise _refusal_error(ctx.reader, refusal) from None
    poll = change.poll
    community = await _community(ctx.session, poll)
    t = ctx.reader_translator(ctx.user, community)
    ctx.answer(_change_answer(t, poll, change, option))
    if change.before != change.after:
        # Wherever the press was, every private copy of this voter's ballot shows it.
        text, buttons = _private_ballot(ctx, t, poll, community, change.after)
        ctx.edit_copies(ctx.user.id, _ballot_key(poll), text, buttons)
    if change.counted_changed:
        group_t = ctx.community_translator(community)
        text = await _group_text(ctx.session, group_t, poll)
        buttons = _group_buttons(ctx, group_t, poll)
        if ctx.incoming.chat.is_private:
            ctx.edit_posted(community.chat_id, _message_key(poll), text, buttons)
        else:
            ctx.edit(text, buttons)


async def _group_text(session: AsyncSession, t: Translator, poll: Poll) -> str:
    creator = await session.get(User, poll.creator_id)
    ballots = await BallotBox(session, poll).count()
    return _poll_text(t, poll, ballots=ballots, creator=creator.display_name if creator else "")


@action("poll.v", needs=Needs.NOTHING)
async def vote_button(ctx: Context) -> None:
    """Membership is checked against the poll's community, so this works in private too."""
    assert ctx.action is not None
    await _press(ctx, ctx.action.int_arg(1))


@action("poll.clr", needs=Needs.NOTHING)
async def clear_button(ctx: Context) -> None:
    await _press(ctx, None)


@action("poll.my", needs=Needs.NOTHING)
async def my_vote_button(ctx: Context) -> None:
    assert ctx.action is not None
    poll = await ctx.session.get(Poll, ctx.action.int_arg(0))
    if poll is None:
        raise BadAction("no such poll")
    t = ctx.reader_translator(ctx.user, await _community(ctx.session, poll))
    try:
        choice = await BallotBox(ctx.session, poll).mine(ctx.user.id)
    except SealedBox:
        raise UserError(_refusal_text(t, Refusal.CLOSED, poll.number)) from None
    ctx.answer(_ballot_summary(t, poll, choice), alert=True)


@action("poll.prv", needs=Needs.NOTHING)
async def private_ballot_button(ctx: Context) -> None:
    """Send the voter a private copy of the ballot, whose buttons show their own marks."""
    assert ctx.action is not None
    try:
        poll = await _poll_for_voter(ctx.session, ctx.action.int_arg(0), ctx.user.id, ctx.now)
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
    community = await _community(ctx.session, poll)
    t = ctx.reader_translator(ctx.user, community)
    choice = await BallotBox(ctx.session, poll).mine(ctx.user.id)
    text, buttons = _private_ballot(ctx, t, poll, community, choice)
    ctx.send(ctx.user.id, text, buttons, key=_ballot_key(poll), copies=True)
    ctx.answer(t("I have sent you a private ballot."))


async def _community(session: AsyncSession, poll: Poll) -> Community:
    community = await session.get(Community, poll.community_id)
    assert community is not None
    return community


def _choices(choice: Choice | None) -> list[int]:
    return list(choice or ())


def _ballot_summary(t: Translator, poll: Poll, choice: Choice | None) -> Markup:
    picked = [poll.options[i] for i in _choices(choice)]
    if not picked:
        return t("You have not voted yet.")
    if poll.kind is PollKind.SINGLE:
        return t("Your vote: {option}", option=picked[0])
    if poll.kind is PollKind.APPROVAL:
        return t("You approve: {options}", options=", ".join(picked))
    ranking = " → ".join(f"{rank}. {option}" for rank, option in enumerate(picked, 1))
    return t("Your ranking: {ranking}", ranking=ranking)


def _change_answer(t: Translator, poll: Poll, change: VoteChange, option: int | None) -> Markup:
    if change.after is None:
        if poll.kind is PollKind.RANKED:
            return t("Your ranking is cleared.")
        return t("Your vote is withdrawn.")
    if change.after == change.before and option is not None:
        return t(
            "“{option}” is already number {rank} in your ranking. "
            "Press “Clear my ranking” to start over.",
            option=poll.options[option],
            rank=change.after.index(option) + 1,
        )
    return _ballot_summary(t, poll, change.after)


# Messages ---------------------------------------------------------------------------------


def _when(t: Translator, poll: Poll, moment: datetime) -> str:
    """A moment in a poll's messages; the year shows when it is not the year the poll opened."""
    return t.moment(moment, now=poll.opened_at)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _option_label(index: int, option: str) -> str:
    return f"{index + 1}. {option}"


def _poll_text(t: Translator, poll: Poll, *, ballots: int, creator: str) -> str:
    lines = [
        t(
            "📊 <b>Poll #{number}</b> · {kind} · by {creator}",
            number=poll.number,
            kind=t(KIND_NAMES[poll.kind]),
            creator=creator,
        ),
        Markup("<b>{question}</b>").format(question=poll.question),
        *(Markup("{label}").format(label=_option_label(i, o)) for i, o in enumerate(poll.options)),
        Markup("<i>{how}</i>").format(how=t(HOW_TO_VOTE[poll.kind])),
        t(
            "Closes {when}. Ballots cast: {ballots} of {electorate}.",
            when=_when(t, poll, poll.closes_at),
            ballots=t.number(ballots),
            electorate=t.number(poll.electorate),
        )
        if poll.closed_at is None
        else t(
            "<b>Closed</b> {when}. Ballots cast: {ballots} of {electorate}. "
            "The result is posted below.",
            when=_when(t, poll, poll.closed_at),
            ballots=t.number(ballots),
            electorate=t.number(poll.electorate),
        ),
    ]
    return "\n".join(str(line) for line in lines)


def _group_buttons(work: Work, t: Translator, poll: Poll) -> list[list[Button]]:
    rows = [
        [work.button(_option_label(i, option), "poll.v", poll.id, i)]
        for i, option in enumerate(poll.options)
    ]
    if poll.kind is PollKind.RANKED:
        rows.append(
            [
                work.button(str(t("Clear my ranking")), "poll.clr", poll.id),
                work.button(str(t("My ranking")), "poll.my", poll.id),
            ]
        )
        rows.append([work.button(str(t("Rank privately")), "poll.prv", poll.id)])
    else:
        rows.append(
            [
                work.button(str(t("My vote")), "poll.my", poll.id),
                work.button(str(t("Vote privately")), "poll.prv", poll.id),
            ]
        )
    return rows


def _private_ballot(
    work: Work,
    t: Translator,
    poll: Poll,
    community: Community,
    choice: Choice | None,
    *,
    reminder: bool = False,
) -> tuple[str, list[list[Button]]]:
    """A voter's own ballot: the buttons carry their marks, the text their current vote."""
    header = (
        t(
            "⏰ You have not voted yet in poll #{number} of {community}; it closes {when}.",
            number=poll.number,
            community=community.title,
            when=_when(t, poll, poll.closes_at),
        )
        if reminder
        else t(
            "🗳 Your ballot for poll #{number} of {community}. It closes {when}.",
            number=poll.number,
            community=community.title,
            when=_when(t, poll, poll.closes_at),
        )
    )
    text = "\n".join(
        str(line)
        for line in (
            header,
            Markup("<b>{question}</b>").format(question=poll.question),
            Markup("<i>{how}</i>").format(how=t(HOW_TO_VOTE[poll.kind])),
            _ballot_summary(t, poll, choice),
        )
    )
    chosen = _choices(choice)
    rows = []
    for i, option in enumerate(poll.options):
        if i not in chosen:
            mark = ""
        elif poll.kind is PollKind.RANKED:
            mark = KEYCAPS[chosen.index(i)] + " "
        else:
            mark = "✅ "
        rows.append([work.button(mark + option, "poll.v", poll.id, i)])
    clear = t("Clear my ranking") if poll.kind is PollKind.RANKED else t("Withdraw my vote")
    rows.append([work.button(str(clear), "poll.clr", poll.id)])
    return text, rows


# Closing ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """The count of a closed poll, as handed to ``on_close`` hooks.

    ``counts`` has one entry per option: votes (single choice), approvals
    (approval) or votes in the final instant-runoff round (ranked; 0 for
    options eliminated earlier). ``winners`` is the winner, or every option
    tied for first, or empty when nobody voted. ``valid`` says the quorum
    was met (always true without a quorum).

    ``passed`` is what a decision by vote needs: for a single-choice poll
    with exactly two options (yes/no style, "yes" first) it means option 0
    got strictly more votes than option 1 and the poll is valid; for every
    other poll it means the poll is valid and has a single winner.
    """

    kind: PollKind
    ballots: int
    electorate: int
    quorum: float | None
    valid: bool
    passed: bool
    counts: tuple[int, ...]
    winners: tuple[int, ...]
    rounds: tuple[tally.Round, ...] = ()

    @property
    def winner(self) -> int | None:
        return self.winners[0] if len(self.winners) == 1 else None

    @property
    def turnout(self) -> float:
        return tally.turnout(self.ballots, self.electorate)

    def as_json(self) -> dict[str, Any]:
        return {
            "ballots": self.ballots,
            "electorate": self.electorate,
            "quorum": self.quorum,
            "valid": self.valid,
            "passed": self.passed,
            "counts": list(self.counts),
            "winners": list(self.winners),
            "rounds": [
                {
                    "counts": list(r.counts),
                    "eliminated": list(r.eliminated),
                    "exhausted": r.exhausted,
                }
                for r in self.rounds
            ],
        }


CloseHook = Callable[[Work, Poll, Outcome], Awaitable[None]]
_CLOSE_HOOKS: dict[str, CloseHook] = {}


def on_close(subject_kind: str) -> Callable[[CloseHook], CloseHook]:
    """Register ``hook(work, poll, outcome)`` for polls opened with ``subject=(subject_kind, id)``.

    The hook runs inside the closing transaction, after the result has been
    queued, so what it changes and posts commits (or fails) with the close.
    """

    def register(hook: CloseHook) -> CloseHook:
        if subject_kind in _CLOSE_HOOKS:
            raise RuntimeError(f"close hook for {subject_kind} registered twice")
        _CLOSE_HOOKS[subject_kind] = hook
        return hook

    return register


def count_poll(poll: Poll, ballots: Iterable[tuple[Choice, int]]) -> Outcome:
    """Count ``ballots`` given as (choice, how many voters cast exactly it)."""
    n = len(poll.options)
    grouped = [(_choices(choice), weight) for choice, weight in ballots]
    cast = sum(weight for _, weight in grouped)
    valid = tally.quorum_met(cast, poll.electorate, poll.quorum)
    rounds: tuple[tally.Round, ...] = ()
    if poll.kind is PollKind.RANKED:
        ranked = tally.tally_ranked(_expand(grouped), n)
        rounds = ranked.rounds
        counts = ranked.final.counts
        winners = (ranked.winner,) if ranked.winner is not None else ranked.tied
    else:
        if poll.kind is PollKind.SINGLE:
            result = tally.tally_single((c[0] for c in _expand(grouped)), n)
        else:
            result = tally.tally_approval(_expand(grouped), n)
        counts, winners = result.counts, result.winners
    if poll.kind is PollKind.SINGLE and n == 2:
        passed = valid and counts[0] > counts[1]
    else:
        passed = valid and len(winners) == 1
    return Outcome(
        kind=poll.kind,
        ballots=cast,
        electorate=poll.electorate,
        quorum=poll.quorum,
        valid=valid,
        passed=passed,
        counts=tuple(counts),
        winners=tuple(winners),
        rounds=rounds,
    )


def _expand(grouped: Iterable[tuple[list[int], int]]) -> Iterable[list[int]]:
    for choice, weight in grouped:
        for _ in range(weight):
            yield choice


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
    community = await _community(session, poll)
    t = work.community_translator(community)
    closer = await session.get(User, closed_by) if closed_by is not None else None
    text = _result_text(t, poll, outcome, closer.display_name if closer else None)
    chart = _chart(t, poll, outcome)
    # The poll's own message loses its buttons and says it is closed.
    work.edit_posted(community.chat_id, _message_key(poll), await _group_text(session, t, poll))
    _post_result(work, t, community.chat_id, poll, text, chart)
    await _close_private_ballots(work, poll, community, outcome)
    await box.seal()
    _audit_result(work, community, poll, outcome)
    if closed_by is not None:
        await jobs.cancel(session, "poll.close", poll.id)
        await jobs.cancel(session, "poll.remind", poll.id)
    hook = _CLOSE_HOOKS.get(poll.subject_kind or "")
    if hook is not None:
        await hook(work, poll, outcome)
    return outcome


async def _close_private_ballots(
    work: Work, poll: Poll, community: Community, outcome: Outcome
) -> None:
    """Every voter's private ballots lose their buttons and show their vote and the result."""
    key = _ballot_key(poll)
    chats = await jobs.chats_with_posted(work.session, key)
    if not chats:
        return
    voters = await work.session.scalars(select(User).where(User.id.in_(chats)))
    choices = await BallotBox(work.session, poll).choices_of(chats)
    for voter in voters:
        t = work.reader_translator(voter, community)
        choice = choices.get(voter.id)
        lines = (
            t(
                "🗳 Poll #{number} of {community} is closed.",
                number=poll.number,
                community=community.title,
            ),
            Markup("<b>{question}</b>").format(question=poll.question),
            _ballot_summary(t, poll, choice) if choice else t("You did not vote."),
            _verdict(t, poll, outcome),
            _turnout(t, outcome),
        )
        work.edit_posted(voter.id, key, "\n".join(str(line) for line in lines))


async def _lock_for_close(session: AsyncSession, where: ColumnElement[bool]) -> Poll | None:
    return await session.scalar(
        select(Poll).where(where).with_for_update().execution_options(populate_existing=True)
    )


def _result_text(t: Translator, poll: Poll, outcome: Outcome, closer: str | None) -> str:
    lines: list[Markup] = [
        t("📊 <b>Poll #{number} is closed</b>", number=poll.number),
        Markup("<b>{question}</b>").format(question=poll.question),
    ]
    if closer is not None:
        lines.append(t("Closed early by {name}.", name=closer))
    if poll.kind is PollKind.RANKED:
        lines.extend(_rounds_text(t, poll, outcome))
    else:
        percents = tally.shares(outcome.counts, outcome.ballots)
        for i, option in enumerate(poll.options):
            lines.append(
                t(
                    "{mark}{label} — {count} ({percent})",
                    mark="🏆 " if outcome.valid and outcome.winner == i else "",
                    label=_option_label(i, option),
                    count=t.number(outcome.counts[i]),
                    percent=t.percent(percents[i] / 100),
                )
            )
        if poll.kind is PollKind.APPROVAL:
            lines.append(
                t("<i>Percentages are of ballots cast; each voter could approve several.</i>")
            )
    lines.append(_verdict(t, poll, outcome))
    lines.append(_turnout(t, outcome))
    if outcome.quorum is not None:
        if outcome.valid:
            lines.append(
                t("Quorum of {quorum}: met. The result is valid.", quorum=t.percent(outcome.quorum))
            )
        else:
            lines.append(
                t(
                    "Quorum of {quorum}: not met. The result is not valid.",
                    quorum=t.percent(outcome.quorum),
                )
            )
    return "\n".join(str(line) for line in lines)


def _turnout(t: Translator, outcome: Outcome) -> Markup:
    return t(
        "Turnout: {ballots} of {electorate} ({percent}).",
        ballots=t.number(outcome.ballots),
        electorate=t.number(outcome.electorate),
        percent=t.percent(outcome.turnout),
    )


def _rounds_text(t: Translator, poll: Poll, outcome: Outcome) -> list[Markup]:
    lines: list[Markup] = []
    out: set[int] = set()
    for number, round_ in enumerate(outcome.rounds, 1):
        standing = " · ".join(
            f"{poll.options[i]} {t.number(round_.counts[i])}"
            for i in range(len(poll.options))
            if i not in out
        )
        lines.append(t("<b>Round {n}</b>: {standing}", n=number, standing=standing))
        if round_.eliminated:
            names = ", ".join(poll.options[i] for i in round_.eliminated)
            lines.append(ROUND_NOTE + t("eliminated: {names}", names=names))
        if round_.exhausted:
            lines.append(
                ROUND_NOTE
                + t.ngettext(
                    "{n} ballot had no remaining choice",
                    "{n} ballots had no remaining choice",
                    round_.exhausted,
                )
            )
        out.update(round_.eliminated)
    return lines


def _verdict(t: Translator, poll: Poll, outcome: Outcome) -> Markup:
    if not outcome.winners:
        return t("Nobody voted.")
    names = ", ".join(poll.options[i] for i in outcome.winners)
    if not outcome.valid:
        return t("Most votes: {options} — but without quorum there is no result.", options=names)
    if outcome.winner is None:
        return t("Tie between: {options}. There is no single winner.", options=names)
    if poll.kind is PollKind.RANKED:
        final = outcome.rounds[-1]
        return t(
            "Winner: <b>{option}</b>, with {votes} of {active} continuing ballots in round {n}.",
            option=names,
            votes=t.number(final.counts[outcome.winner]),
            active=t.number(final.active),
            n=len(outcome.rounds),
        )
    return t("Winner: <b>{option}</b>.", option=names)


def _chart(t: Translator, poll: Poll, outcome: Outcome) -> ChartRequest:
    """What the result chart shows; it is drawn when the outbox is drained, not here."""
    labels = [_option_label(i, o) for i, o in enumerate(poll.options)]
    values = list(outcome.counts)
    if poll.kind is PollKind.RANKED:
        base = outcome.rounds[-1].active if outcome.rounds else 0
        eliminated = {i: n for n, r in enumerate(outcome.rounds, 1) for i in r.eliminated}
        subtitle = t(
            "Round {n} (final) · turnout {turnout}",
            n=len(outcome.rounds),
            turnout=t.percent(outcome.turnout),
        )
    else:
        base = outcome.ballots
        eliminated = {}
        subtitle = t(
            "Turnout {turnout} ({ballots} of {electorate})",
            turnout=t.percent(outcome.turnout),
            ballots=t.number(outcome.ballots),
            electorate=t.number(outcome.electorate),
        )
    percents = tally.shares(values, base)
    value_labels = [
        plain_text(t("out in round {n}", n=eliminated[i]), CHART_TEXT_LIMIT)
        if i in eliminated
        else f"{t.number(v)} ({t.percent(p / 100)})"
        for i, (v, p) in enumerate(zip(values, percents, strict=True))
    ]
    if outcome.quorum is not None and not outcome.valid:
        subtitle = t("{text} · quorum not met", text=subtitle)
    return ChartRequest(
        title=_shorten(f"#{poll.number} {poll.question}", 120),
        labels=tuple(labels),
        values=tuple(values),
        value_labels=tuple(value_labels),
        subtitle=plain_text(subtitle, CHART_TEXT_LIMIT),
    )


def _post_result(
    work: Work, t: Translator, chat_id: int, poll: Poll, text: str, chart: ChartRequest
) -> None:
    """One photo with the result as caption, or a short caption and the text after it.

    Without a picture (drawing failed) the result is the text alone either way.
    """
    if len(text) <= limits.CAPTION:
        work.post(chat_id, text, chart=chart)
        return
    caption = t(
        "📊 <b>Result of poll #{number}</b>: {question}",
        number=poll.number,
        question=_shorten(poll.question, CAPTION_QUESTION_CHARS),
    )
    work.post(chat_id, str(caption), chart=chart, caption_only=True)
    for chunk in _chunks(text, limits.MESSAGE_TEXT):
        work.post(chat_id, chunk)


def _chunks(text: str, limit: int) -> list[str]:
    """Split at line ends so no HTML entity or tag is ever cut."""
    chunks: list[str] = [""]
    for line in text.split("\n"):
        if chunks[-1] and len(chunks[-1]) + 1 + len(line) > limit:
            chunks.append("")
        chunks[-1] = f"{chunks[-1]}\n{line}" if chunks[-1] else line
    return chunks


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


@command("close", N_("close a poll you opened before its deadline: /close ID"))
async def close_command(ctx: Context) -> None:
    community = ctx.require_community()
    number = parse_number(ctx.args)
    if number is None:
        raise UserError(
            hint(ctx.t, ctx.t("Which poll? Give its number, as in “Poll #3”."), "/close 3")
        )
    poll = (
        await _lock_for_close(
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


@job("poll.close")
async def close_at_deadline(work: JobContext, poll_id: int) -> None:
    poll = await _lock_for_close(work.session, Poll.id == poll_id)
    if poll is not None and poll.is_open:
        await close_poll(work, poll)


@job("poll.remind")
async def remind_non_voters(work: JobContext, poll_id: int) -> None:
    """Privately remind voters who have not voted and can be written to; nothing goes to the group."""
    poll = await work.session.get(Poll, poll_id)
    if poll is None or not poll.is_open:
        return
    community = await _community(work.session, poll)
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
        text, buttons = _private_ballot(work, t, poll, community, None, reminder=True)
        work.post(user.id, text, buttons, key=_ballot_key(poll), copies=True)
        reminded += 1
    if reminded:
        work.audit(community, None, "poll.reminded", number=poll.number, count=reminded)
