"""What polls say and the buttons they carry: the live poll, private ballots, the result
and its chart.

What shows before the close: the group message lists each option's count as
it stands (a ranked poll's first choices, a meeting slot's yes / maybe / no)
unless the poll is hidden, when only the ballots cast show. Private ballots
and callback answers only ever show the reader's own vote, for every kind,
so a hidden poll's counts appear nowhere before its result.

A meeting poll has a row of Yes / Maybe / No buttons per slot ("1 ✅ Yes"):
three buttons fit a phone's row with the slot's number, while the slot's
full date and time is in the message above them; at ten slots that is 30
buttons plus two, well inside Telegram's 100 (and 8 per row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_datetime
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import tally
from handlers.core.buttons import ButtonData
from handlers.core.charts import ChartRequest
from handlers.core.choices import Choice
from handlers.core.context import Work
from handlers.core.i18n import N_, Translator
from handlers.core.messages import Button, plain_text
from handlers.core.outcome import Outcome
from handlers.polls.answers import Answers
from handlers.polls.parsing import CONSENT_OPTIONS
from handlers.polls.rules import BLOCK
from handlers.polls.slots import Slot
from handlers.polls.voting import (
    Details,
    Refusal,
    SlotChange,
    VoteChange,
    ballots_cast,
    choices,
    live_counts,
)
from models import Availability, Community, Poll, PollKind, User


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


@dataclass(frozen=True)
class PollSlot(ButtonData):
    """Answer ``answer`` (an index of ANSWERS) for time slot ``slot`` of a meeting poll."""

    KIND = "poll.s"
    poll_id: int
    slot: int
    answer: int


ANSWERS = (Availability.YES, Availability.MAYBE, Availability.NO)
ANSWER_MARKS = {Availability.YES: "✅", Availability.MAYBE: "🤔", Availability.NO: "❌"}
ANSWER_NAMES = {
    Availability.YES: N_("Yes"),
    Availability.MAYBE: N_("Maybe"),
    Availability.NO: N_("No"),
}
CONSENT_MARKS = ("✅", "🤷", "👎", "🛑")
#: Chart colours: consent answers, then a meeting's yes / maybe / no.
CONSENT_COLOURS = ("#3b9c5a", "#9aa5b1", "#e0a43a", "#c8423b")
ANSWER_COLOURS = ("#3b9c5a", "#e0a43a", "#c8423b")
CHOSEN = "● "


CHART_TEXT_LIMIT = 200  # chart subtitles and value labels, as plain text

CAPTION_QUESTION_CHARS = 300

KIND_NAMES = {
    PollKind.SINGLE: N_("single choice"),
    PollKind.APPROVAL: N_("approval: choose any"),
    PollKind.RANKED: N_("ranked choice"),
    PollKind.CONSENT: N_("consent"),
    PollKind.MEETING: N_("meeting: when can you come?"),
}

HOW_TO_VOTE = {
    PollKind.SINGLE: N_("Choose one option; press it again to withdraw your vote."),
    PollKind.APPROVAL: N_("Choose every option you approve of; press one again to remove it."),
    PollKind.RANKED: N_(
        "Press the options in order of preference, best first. “Clear my ranking” starts over."
    ),
    PollKind.CONSENT: N_(
        "Agree, abstain or disagree. A block stops the proposal, and counts only once you "
        "give a reason, which is shown without your name. Press your answer again to withdraw it."
    ),
    PollKind.MEETING: N_(
        "For each time slot, can you come? Your answers count once every slot has one; press "
        "an answer again to clear it. Not secret: the result names who can come."
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
    """The poll's group message as it stands; counts only while open and not hidden."""
    # A poll the bot opened has no creator: there is nobody to look up.
    creator = await session.get(User, poll.creator_id) if poll.creator_id is not None else None
    ballots = await ballots_cast(session, poll)
    live = None if poll.hidden or not poll.is_open else await live_counts(session, poll)
    name = creator.display_name if creator else None
    return poll_text(t, poll, ballots=ballots, creator=name, live=live)


def option_names(t: Translator, poll: Poll) -> list[str]:
    """The options as the reader reads them: consent answers translated, slots formatted."""
    if poll.kind is PollKind.CONSENT:
        return [str(t(answer)) for answer in CONSENT_OPTIONS]
    if poll.kind is PollKind.MEETING:
        return [slot_text(t, poll, i) for i in range(len(poll.options))]
    return list(poll.options)


def slot_text(t: Translator, poll: Poll, index: int) -> str:
    """A meeting poll's slot in the reader's language and the community's zone:
    "Sat 7 Mar, 10:00–12:00 CET"."""
    slot = Slot.from_json((poll.slots or [])[index])
    start = t.moment(slot.start, now=poll.opened_at)
    if slot.end is None:
        return start
    end = slot.end.astimezone(t.zone)
    if end.date() != slot.start.astimezone(t.zone).date():
        return f"{start} – {t.moment(slot.end, now=poll.opened_at)}"
    head, _, zone = start.rpartition(" ")
    until = format_datetime(end, "HH:mm", tzinfo=t.zone, locale=t.locale)
    return f"{head}–{until} {zone}"


def labels(t: Translator, poll: Poll) -> list[str]:
    """What each option is called in lists and on the chart: "1. Yard", "✅ Agree"."""
    names = option_names(t, poll)
    if poll.kind is PollKind.CONSENT:
        return [f"{mark} {name}" for mark, name in zip(CONSENT_MARKS, names, strict=True)]
    return [option_label(i, name) for i, name in enumerate(names)]


def ballot_summary(
    t: Translator, poll: Poll, choice: Choice | None, *, awaits_reason: bool = False
) -> Markup:
    """The reader's own vote, and nothing about anybody else's."""
    if awaits_reason:
        waiting = t(
            "Your block waits for its reason and does not count until you give it "
            "(reply to my question, or send /block {number} REASON).",
            number=poll.number,
        )
        if choice is None:
            return waiting
        return Markup("{vote}\n{waiting}").format(
            vote=ballot_summary(t, poll, choice), waiting=waiting
        )
    names = option_names(t, poll)
    picked = [names[i] for i in choices(choice)]
    if not picked:
        return t("You have not voted yet.")
    if poll.kind in (PollKind.SINGLE, PollKind.CONSENT):
        return t("Your vote: {option}", option=picked[0])
    if poll.kind is PollKind.APPROVAL:
        return t("You approve: {options}", options=", ".join(picked))
    ranking = " → ".join(f"{rank}. {option}" for rank, option in enumerate(picked, 1))
    return t("Your ranking: {ranking}", ranking=ranking)


def answers_summary(t: Translator, poll: Poll, answers: Mapping[int, Availability]) -> Markup:
    """A meeting ballot in short, for the reader: "Your answers: 1 ✅ · 2 🤔 · 3 …"."""
    if not answers:
        return t("You have not answered yet.")
    marks = " · ".join(
        f"{slot + 1} {ANSWER_MARKS[answers[slot]] if slot in answers else '…'}"
        for slot in range(len(poll.options))
    )
    missing = len(poll.options) - len(answers)
    text = t("Your answers: {answers}", answers=marks)
    if not missing:
        return text
    left = t.ngettext(
        "{n} slot has no answer yet: your answers count once every slot has one.",
        "{n} slots have no answer yet: your answers count once every slot has one.",
        missing,
    )
    return Markup("{text}\n{left}").format(text=text, left=left)


def slot_change_answer(t: Translator, change: SlotChange, slot: int | None) -> Markup:
    if not change.after:
        return t("Your answers are cleared.")
    if slot is not None and slot not in change.after:
        cleared = t("Slot {n}: no answer.", n=slot + 1)
        return Markup("{cleared}\n{summary}").format(
            cleared=cleared, summary=answers_summary(t, change.poll, change.after)
        )
    return answers_summary(t, change.poll, change.after)


def block_prompt(t: Translator, poll: Poll, community: Community) -> Markup:
    """The private question a Block press brings: what the reader answers is the reason."""
    return t(
        "🛑 You pressed Block on poll #{number} of {community}: <b>{question}</b>\n"
        "Why? Reply to this message with your reason. It is shown with the result, "
        "without your name; until you give it, your block does not count.",
        number=poll.number,
        community=community.title,
        question=poll.question,
    )


def block_answer(t: Translator, poll: Poll, *, asked_privately: bool, bot: str) -> Markup:
    """The callback answer to Block: where to give the reason (at most 200 characters)."""
    if asked_privately:
        return t("A block counts once you give a reason: I have asked you for it privately.")
    return t(
        "A block counts only with a reason: reply to the poll's message with it (the group "
        "sees replies), or start @{bot} and send /block {number} REASON there.",
        bot=bot,
        number=poll.number,
    )


def change_answer(t: Translator, poll: Poll, change: VoteChange, option: int | None) -> Markup:
    if change.after is None and poll.kind is PollKind.CONSENT and change.before == (BLOCK,):
        return t("Your block is withdrawn.")
    if change.after is None:
        if poll.kind is PollKind.RANKED:
            return t("Your ranking is cleared.")
        return t("Your vote is withdrawn.")
    if change.after == change.before and option is not None:
        return t(
            "“{option}” is already number {rank} in your ranking. "
            "Press “Clear my ranking” to start over.",
            option=option_names(t, poll)[option],
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


def poll_text(
    t: Translator,
    poll: Poll,
    *,
    ballots: int,
    creator: str | None,
    live: Sequence[tuple[int, ...]] | None = None,
) -> str:
    """The poll's group message; ``live`` are the counts so far (None: not shown);
    ``creator`` None: the bot opened it."""
    names = labels(t, poll)
    if live is None:
        options = [Markup("{label}").format(label=label) for label in names]
    else:
        options = [
            Markup("{label} — {count}").format(label=label, count=_live(t, poll, counts))
            for label, counts in zip(names, live, strict=True)
        ]
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
        *options,
        Markup("<i>{how}</i>").format(how=t(HOW_TO_VOTE[poll.kind])),
    ]
    if poll.closed_at is None:
        if poll.hidden:
            lines.append(t("🙈 <i>The counts stay hidden until the close.</i>"))
        elif poll.kind is PollKind.RANKED:
            lines.append(
                t("<i>Counts so far are first choices; the runoff decides at the close.</i>")
            )
        if poll.keep_open:
            lines.append(
                t("<i>It stays open until its deadline, even once everyone has voted.</i>")
            )
        else:
            lines.append(t("<i>It closes as soon as everyone has voted.</i>"))
    lines.append(
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
        )
    )
    return "\n".join(str(line) for line in lines)


def _live(t: Translator, poll: Poll, counts: tuple[int, ...]) -> str:
    if poll.kind is PollKind.MEETING:
        return " · ".join(
            f"{ANSWER_MARKS[answer]} {t.number(n)}"
            for answer, n in zip(ANSWERS, counts, strict=True)
        )
    return t.number(counts[0])


def group_buttons(work: Work, t: Translator, poll: Poll) -> list[list[Button]]:
    if poll.kind is PollKind.MEETING:
        rows = slot_rows(work, t, poll, None)
        rows.append(
            [
                work.button(str(t("My answers")), PollMine(poll.id)),
                work.button(str(t("Answer privately")), PollPrivately(poll.id)),
            ]
        )
        return rows
    if poll.kind is PollKind.CONSENT:
        names = labels(t, poll)
        rows = [
            [work.button(names[i], PollVote(poll.id, i)) for i in pair] for pair in ((0, 1), (2, 3))
        ]
    else:
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
    awaits_reason: bool = False,
) -> tuple[str, list[list[Button]]]:
    """A voter's own ballot: the buttons carry their marks, the text their current vote."""
    header = ballot_header(t, poll, community, reminder=reminder)
    text = "\n".join(
        str(line)
        for line in (
            header,
            Markup("<b>{question}</b>").format(question=poll.question),
            Markup("<i>{how}</i>").format(how=t(HOW_TO_VOTE[poll.kind])),
            ballot_summary(t, poll, choice, awaits_reason=awaits_reason),
        )
    )
    chosen = choices(choice)
    if poll.kind is PollKind.CONSENT:
        names = labels(t, poll)
        marked = [
            ("⏳ " if i == BLOCK and awaits_reason else CHOSEN if i in chosen else "") + name
            for i, name in enumerate(names)
        ]
        rows = [
            [work.button(marked[i], PollVote(poll.id, i)) for i in pair]
            for pair in ((0, 1), (2, 3))
        ]
        rows.append([work.button(str(t("Withdraw my vote")), PollClear(poll.id))])
        return text, rows
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


def slot_rows(work: Work, t: Translator, poll: Poll, answers: Answers | None) -> list[list[Button]]:
    """A row of Yes / Maybe / No per slot; with ``answers`` (a private ballot) marked."""
    return [
        [
            work.button(
                (CHOSEN if answers and answers.get(slot) is answer else "")
                + f"{slot + 1} {ANSWER_MARKS[answer]} {t(ANSWER_NAMES[answer])}",
                PollSlot(poll.id, slot, index),
            )
            for index, answer in enumerate(ANSWERS)
        ]
        for slot in range(len(poll.options))
    ]


def private_answers(
    work: Work,
    t: Translator,
    poll: Poll,
    community: Community,
    answers: Answers,
    *,
    reminder: bool = False,
) -> tuple[str, list[list[Button]]]:
    """A member's own meeting ballot: every slot listed, their answers marked."""
    lines = [
        ballot_header(t, poll, community, reminder=reminder),
        Markup("<b>{question}</b>").format(question=poll.question),
        *(Markup("{label}").format(label=label) for label in labels(t, poll)),
        Markup("<i>{how}</i>").format(how=t(HOW_TO_VOTE[poll.kind])),
        answers_summary(t, poll, answers),
    ]
    rows = slot_rows(work, t, poll, answers)
    rows.append([work.button(str(t("Clear my answers")), PollClear(poll.id))])
    return "\n".join(str(line) for line in lines), rows


def ballot_header(t: Translator, poll: Poll, community: Community, *, reminder: bool) -> Markup:
    return (
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


def result_text(
    t: Translator,
    poll: Poll,
    outcome: Outcome,
    closer: str | None,
    details: Details | None = None,
    *,
    everyone_voted: bool = False,
) -> str:
    details = details or Details()
    lines: list[Markup] = [
        t("📊 <b>Poll #{number} is closed</b>", number=poll.number),
        Markup("<b>{question}</b>").format(question=poll.question),
    ]
    if closer is not None:
        lines.append(t("Closed early by {name}.", name=closer))
    if everyone_voted:
        lines.append(t("Closed early: everyone has voted."))
    if poll.kind is PollKind.RANKED:
        lines.extend(rounds_text(t, poll, outcome))
    elif poll.kind is PollKind.MEETING:
        lines.extend(slots_text(t, poll, outcome, details))
        lines.append(verdict(t, poll, outcome))
        lines.extend(coming_text(t, poll, outcome, details))
    else:
        percents = tally.shares(outcome.counts, outcome.ballots)
        crowned = outcome.valid and poll.kind is not PollKind.CONSENT
        for i, label in enumerate(labels(t, poll)):
            lines.append(
                t(
                    "{mark}{label} — {count} ({percent})",
                    mark="🏆 " if crowned and outcome.winner == i else "",
                    label=label,
                    count=t.number(outcome.counts[i]),
                    percent=t.percent(percents[i] / 100),
                )
            )
        if poll.kind is PollKind.APPROVAL:
            lines.append(
                t("<i>Percentages are of ballots cast; each voter could approve several.</i>")
            )
        if poll.kind is PollKind.CONSENT:
            lines.extend(reasons_text(t, details))
    if poll.kind is not PollKind.MEETING:
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


def reasons_text(t: Translator, details: Details) -> list[Markup]:
    """The reasons given for blocks, without names, and how many blocks never got one."""
    lines: list[Markup] = []
    if details.reasons:
        lines.append(t("<b>Reasons given for blocks</b> (without names):"))
        lines.extend(Markup("• {reason}").format(reason=reason) for reason in details.reasons)
    if details.unexplained:
        lines.append(
            t.ngettext(
                "{n} block was pressed without a reason and does not count.",
                "{n} blocks were pressed without a reason and do not count.",
                details.unexplained,
            )
        )
    return lines


def slots_text(t: Translator, poll: Poll, outcome: Outcome, details: Details) -> list[Markup]:
    """Every slot, best first, with its answers."""
    names = labels(t, poll)
    best = set(outcome.winners)
    lines: list[Markup] = []
    for group in tally.rank_slots(details.slots):
        for i in group:
            counts = details.slots[i]
            lines.append(
                Markup("{mark}{label} — {answers}").format(
                    mark="🏆 " if i in best else "",
                    label=names[i],
                    answers=_live(t, poll, (counts.yes, counts.maybe, counts.no)),
                )
            )
    return lines


def coming_text(t: Translator, poll: Poll, outcome: Outcome, details: Details) -> list[Markup]:
    """Who can come to each best slot (and who maybe), by name: these polls are not secret."""
    lines: list[Markup] = []
    for i in outcome.winners:
        yes, maybe = details.coming.get(i, ([], []))
        lines.append(
            t("Can come to {slot}: {names}", slot=option_names(t, poll)[i], names=", ".join(yes))
        )
        if maybe:
            lines.append(t("Maybe: {names}", names=", ".join(maybe)))
    return lines


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


def consent_verdict(t: Translator, decided: tally.ConsentResult) -> Markup:
    """Which rule decided a consent poll, in words."""
    rule = decided.rule
    if rule is tally.ConsentRule.NO_QUORUM:
        return t("Not passed: no quorum.")
    if rule is tally.ConsentRule.NO_VOTES:
        return t("Not passed: nobody voted.")
    if rule is tally.ConsentRule.BLOCKED:
        return t.ngettext("Blocked: {n} block.", "Blocked: {n} blocks.", decided.blocks)
    numbers = {"agree": t.number(decided.agree), "disagree": t.number(decided.disagree)}
    if rule is tally.ConsentRule.PASSED:
        return t("Passed: no blocks, {agree} agree vs {disagree} disagree.", **numbers)
    return t("Not passed: no blocks, but {agree} agree vs {disagree} disagree.", **numbers)


def consent_decision(outcome: Outcome) -> tally.ConsentResult:
    return tally.decide_consent(*outcome.counts, valid=outcome.valid)


def verdict(t: Translator, poll: Poll, outcome: Outcome) -> Markup:
    if poll.kind is PollKind.CONSENT:
        return consent_verdict(t, consent_decision(outcome))
    if poll.kind is PollKind.MEETING:
        if not outcome.winners:
            return t("No time slot got a yes.")
        # Slots have commas of their own ("Sat 7 Mar, 10:00"): a semicolon between them.
        slots = "; ".join(option_names(t, poll)[i] for i in outcome.winners)
        if outcome.winner is None:
            return t("Tie between: {slots}. Pick one of them.", slots=slots)
        return t("Best time: <b>{slot}</b>.", slot=slots)
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


def _turnout_subtitle(t: Translator, outcome: Outcome) -> Markup:
    return t(
        "Turnout {turnout} ({ballots} of {electorate})",
        turnout=t.percent(outcome.turnout),
        ballots=t.number(outcome.ballots),
        electorate=t.number(outcome.electorate),
    )


def _sentence_end(text: Markup) -> Markup:
    """A sentence as a subtitle's first part, without its full stop."""
    return Markup(str(text).rstrip(".。"))


def _title(poll: Poll) -> str:
    return shorten(f"#{poll.number} {poll.question}", 120)


def result_chart(
    t: Translator, poll: Poll, outcome: Outcome, details: Details | None = None
) -> ChartRequest:
    """What the result chart shows; it is drawn when the outbox is drained, not here."""
    if poll.kind is PollKind.CONSENT:
        return _consent_chart(t, poll, outcome)
    if poll.kind is PollKind.MEETING:
        return _meeting_chart(t, poll, outcome, details or Details())
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
        subtitle = _turnout_subtitle(t, outcome)
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
        title=_title(poll),
        labels=tuple(labels),
        values=tuple(values),
        value_labels=tuple(value_labels),
        subtitle=plain_text(subtitle, CHART_TEXT_LIMIT),
    )


def _consent_chart(t: Translator, poll: Poll, outcome: Outcome) -> ChartRequest:
    """One bar cut into agree / abstain / disagree / block; the verdict above it."""
    names = option_names(t, poll)
    subtitle = t(
        "{verdict} · {turnout}",
        verdict=_sentence_end(consent_verdict(t, consent_decision(outcome))),
        turnout=_turnout_subtitle(t, outcome),
    )
    return ChartRequest(
        title=_title(poll),
        labels=("",),
        values=(float(outcome.ballots),),
        subtitle=plain_text(subtitle, CHART_TEXT_LIMIT),
        layout="stacked",
        series=tuple(
            plain_text(f"{name} {t.number(n)}", CHART_TEXT_LIMIT)
            for name, n in zip(names, outcome.counts, strict=True)
        ),
        cells=(tuple(float(n) for n in outcome.counts),),
        colours=CONSENT_COLOURS,
    )


def _meeting_chart(t: Translator, poll: Poll, outcome: Outcome, details: Details) -> ChartRequest:
    """Slots × yes / maybe / no, the best slots marked."""
    cells = tuple((float(s.yes), float(s.maybe), float(s.no)) for s in details.slots)
    return ChartRequest(
        title=_title(poll),
        labels=tuple(plain_text(label, CHART_TEXT_LIMIT) for label in labels(t, poll)),
        values=tuple(sum(row) for row in cells),
        subtitle=plain_text(
            t(
                "{verdict} · answered every slot: {ballots} of {electorate}",
                verdict=_sentence_end(verdict(t, poll, outcome)),
                ballots=t.number(outcome.ballots),
                electorate=t.number(outcome.electorate),
            ),
            CHART_TEXT_LIMIT,
        ),
        layout="grid",
        series=tuple(str(t(ANSWER_NAMES[answer])) for answer in ANSWERS),
        cells=cells,
        colours=ANSWER_COLOURS,
        highlight=outcome.winners,
    )


def chunks(text: str, limit: int) -> list[str]:
    """Split at line ends so no HTML entity or tag is ever cut."""
    chunks: list[str] = [""]
    for line in text.split("\n"):
        if chunks[-1] and len(chunks[-1]) + 1 + len(line) > limit:
            chunks.append("")
        chunks[-1] = f"{chunks[-1]}\n{line}" if chunks[-1] else line
    return chunks
