"""What polls say and the buttons they carry: the live poll, private ballots, the result
and its chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import tally
from handlers.core.ballots import BallotBox
from handlers.core.buttons import ButtonData
from handlers.core.charts import ChartRequest
from handlers.core.choices import Choice
from handlers.core.context import Work
from handlers.core.i18n import N_, Translator
from handlers.core.messages import Button, plain_text
from handlers.core.outcome import Outcome
from handlers.polls.voting import Refusal, VoteChange, choices
from models import Community, Poll, PollKind, User


@dataclass(frozen=True)
class PollVote(ButtonData):
    """Press ``option`` of the poll (by index)."""

    KIND = "poll.v"
    poll_id: int
    option: int


@dataclass(frozen=True)
class PollClear(ButtonData):
    """Clear my ranking / withdraw my vote."""

    KIND = "poll.clr"
    poll_id: int


@dataclass(frozen=True)
class PollMine(ButtonData):
    """Tell me (alone) how I voted."""

    KIND = "poll.my"
    poll_id: int


@dataclass(frozen=True)
class PollPrivately(ButtonData):
    """Send me a private ballot."""

    KIND = "poll.prv"
    poll_id: int


CHART_TEXT_LIMIT = 200  # chart subtitles and value labels, as plain text

CAPTION_QUESTION_CHARS = 300

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


def message_key(poll: Poll) -> str:
    """Names the poll's group message so votes in private and the close can edit it."""
    return f"poll:{poll.id}"


def ballot_key(poll: Poll) -> str:
    """Names a voter's private ballots (asked for, reminders): every copy follows the poll."""
    return f"ballot:{poll.id}"


def refusal_text(t: Translator, reason: Refusal, number: int) -> str:
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


async def group_text(session: AsyncSession, t: Translator, poll: Poll) -> str:
    # A poll the bot opened has no creator: there is nobody to look up.
    creator = await session.get(User, poll.creator_id) if poll.creator_id is not None else None
    ballots = await BallotBox(session, poll).count()
    return poll_text(t, poll, ballots=ballots, creator=creator.display_name if creator else None)


def ballot_summary(t: Translator, poll: Poll, choice: Choice | None) -> Markup:
    picked = [poll.options[i] for i in choices(choice)]
    if not picked:
        return t("You have not voted yet.")
    if poll.kind is PollKind.SINGLE:
        return t("Your vote: {option}", option=picked[0])
    if poll.kind is PollKind.APPROVAL:
        return t("You approve: {options}", options=", ".join(picked))
    ranking = " → ".join(f"{rank}. {option}" for rank, option in enumerate(picked, 1))
    return t("Your ranking: {ranking}", ranking=ranking)


def change_answer(t: Translator, poll: Poll, change: VoteChange, option: int | None) -> Markup:
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
    return ballot_summary(t, poll, change.after)


def when(t: Translator, poll: Poll, moment: datetime) -> str:
    """A moment in a poll's messages; the year shows when it is not the year the poll opened."""
    return t.moment(moment, now=poll.opened_at)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def option_label(index: int, option: str) -> str:
    return f"{index + 1}. {option}"


def poll_text(t: Translator, poll: Poll, *, ballots: int, creator: str | None) -> str:
    """The poll's own message; ``creator`` None: the bot opened it."""
    lines = [
        t(
            "📊 <b>Poll #{number}</b> · {kind} · by {creator}",
            number=poll.number,
            kind=t(KIND_NAMES[poll.kind]),
            creator=creator,
        )
        if creator is not None
        else t(
            "📊 <b>Poll #{number}</b> · {kind} · opened by the community's rules",
            number=poll.number,
            kind=t(KIND_NAMES[poll.kind]),
        ),
        Markup("<b>{question}</b>").format(question=poll.question),
        *(Markup("{label}").format(label=option_label(i, o)) for i, o in enumerate(poll.options)),
        Markup("<i>{how}</i>").format(how=t(HOW_TO_VOTE[poll.kind])),
        t(
            "Closes {when}. Ballots cast: {ballots} of {electorate}.",
            when=when(t, poll, poll.closes_at),
            ballots=t.number(ballots),
            electorate=t.number(poll.electorate),
        )
        if poll.closed_at is None
        else t(
            "<b>Closed</b> {when}. Ballots cast: {ballots} of {electorate}. "
            "The result is posted below.",
            when=when(t, poll, poll.closed_at),
            ballots=t.number(ballots),
            electorate=t.number(poll.electorate),
        ),
    ]
    return "\n".join(str(line) for line in lines)


def group_buttons(work: Work, t: Translator, poll: Poll) -> list[list[Button]]:
    rows = [
        [work.button(option_label(i, option), PollVote(poll.id, i))]
        for i, option in enumerate(poll.options)
    ]
    if poll.kind is PollKind.RANKED:
        rows.append(
            [
                work.button(str(t("Clear my ranking")), PollClear(poll.id)),
                work.button(str(t("My ranking")), PollMine(poll.id)),
            ]
        )
        rows.append([work.button(str(t("Rank privately")), PollPrivately(poll.id))])
    else:
        rows.append(
            [
                work.button(str(t("My vote")), PollMine(poll.id)),
                work.button(str(t("Vote privately")), PollPrivately(poll.id)),
            ]
        )
    return rows


def private_ballot(
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
            when=when(t, poll, poll.closes_at),
        )
        if reminder
        else t(
            "🗳 Your ballot for poll #{number} of {community}. It closes {when}.",
            number=poll.number,
            community=community.title,
            when=when(t, poll, poll.closes_at),
        )
    )
    text = "\n".join(
        str(line)
        for line in (
            header,
            Markup("<b>{question}</b>").format(question=poll.question),
            Markup("<i>{how}</i>").format(how=t(HOW_TO_VOTE[poll.kind])),
            ballot_summary(t, poll, choice),
        )
    )
    chosen = choices(choice)
    rows = []
    for i, option in enumerate(poll.options):
        if i not in chosen:
            mark = ""
        elif poll.kind is PollKind.RANKED:
            mark = KEYCAPS[chosen.index(i)] + " "
        else:
            mark = "✅ "
        rows.append([work.button(mark + option, PollVote(poll.id, i))])
    clear = t("Clear my ranking") if poll.kind is PollKind.RANKED else t("Withdraw my vote")
    rows.append([work.button(str(clear), PollClear(poll.id))])
    return text, rows


def result_text(t: Translator, poll: Poll, outcome: Outcome, closer: str | None) -> str:
    lines: list[Markup] = [
        t("📊 <b>Poll #{number} is closed</b>", number=poll.number),
        Markup("<b>{question}</b>").format(question=poll.question),
    ]
    if closer is not None:
        lines.append(t("Closed early by {name}.", name=closer))
    if poll.kind is PollKind.RANKED:
        lines.extend(rounds_text(t, poll, outcome))
    else:
        percents = tally.shares(outcome.counts, outcome.ballots)
        for i, option in enumerate(poll.options):
            lines.append(
                t(
                    "{mark}{label} — {count} ({percent})",
                    mark="🏆 " if outcome.valid and outcome.winner == i else "",
                    label=option_label(i, option),
                    count=t.number(outcome.counts[i]),
                    percent=t.percent(percents[i] / 100),
                )
            )
        if poll.kind is PollKind.APPROVAL:
            lines.append(
                t("<i>Percentages are of ballots cast; each voter could approve several.</i>")
            )
    lines.append(verdict(t, poll, outcome))
    lines.append(turnout(t, outcome))
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


def turnout(t: Translator, outcome: Outcome) -> Markup:
    return t(
        "Turnout: {ballots} of {electorate} ({percent}).",
        ballots=t.number(outcome.ballots),
        electorate=t.number(outcome.electorate),
        percent=t.percent(outcome.turnout),
    )


def rounds_text(t: Translator, poll: Poll, outcome: Outcome) -> list[Markup]:
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


def verdict(t: Translator, poll: Poll, outcome: Outcome) -> Markup:
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


def result_chart(t: Translator, poll: Poll, outcome: Outcome) -> ChartRequest:
    """What the result chart shows; it is drawn when the outbox is drained, not here."""
    labels = [option_label(i, o) for i, o in enumerate(poll.options)]
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
        title=shorten(f"#{poll.number} {poll.question}", 120),
        labels=tuple(labels),
        values=tuple(values),
        value_labels=tuple(value_labels),
        subtitle=plain_text(subtitle, CHART_TEXT_LIMIT),
    )


def chunks(text: str, limit: int) -> list[str]:
    """Split at line ends so no HTML entity or tag is ever cut."""
    chunks: list[str] = [""]
    for line in text.split("\n"):
        if chunks[-1] and len(chunks[-1]) + 1 + len(line) > limit:
            chunks.append("")
        chunks[-1] = f"{chunks[-1]}\n{line}" if chunks[-1] else line
    return chunks
