"""What petitions and the rule book say, and the buttons they carry.

Signatures are shown as counts only: no message names who signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from handlers.core.buttons import ButtonData
from handlers.core.context import Work
from handlers.core.i18n import N_, Translator
from handlers.core.messages import Button
from handlers.governance.petition_queries import Target, signature_count, target_of
from models import Petition, PetitionKind, PetitionState, Poll, RuleVersion, User

#: How much of a rule's text a one-line mention of it shows.
SUBJECT_CHARS = 80


@dataclass(frozen=True)
class SignPetition(ButtonData):
    """Sign the petition, or withdraw one's signature (press again)."""

    KIND = "pet.sign"
    petition_id: int


@dataclass(frozen=True)
class RulesPage(ButtonData):
    """A page of /rules (``rule_id`` 0) or of one rule's versions (/rules N)."""

    KIND = "rules.pg"
    rule_id: int
    page: int


def card_key(petition: Petition) -> str:
    """Names the petition's message so signatures, the vote and expiry can update it."""
    return f"petition:{petition.id}"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def subject(t: Translator, petition: Petition, target: Target) -> Markup:
    """What the petition is about, in a few words: "recall of Bob as treasurer"."""
    if petition.kind is PetitionKind.RECALL:
        assert target.holder is not None and target.role is not None
        return t(
            "recall of {holder} as {role}",
            holder=target.holder.display_name,
            role=target.role.name,
        )
    if petition.kind is PetitionKind.RULE:
        return t("new rule: “{text}”", text=shorten(petition.text, SUBJECT_CHARS))
    assert target.rule is not None
    if petition.kind is PetitionKind.AMEND:
        return t("amendment of rule #{rule}", rule=target.rule.number)
    return t("repeal of rule #{rule}", rule=target.rule.number)


def _what(t: Translator, petition: Petition, target: Target, author: str) -> Markup:
    if petition.kind is PetitionKind.RECALL:
        assert target.holder is not None and target.role is not None
        return t(
            "📜 <b>Petition #{number}</b> from {author}: recall {holder} from the seat of "
            "{role}.\nReason: {reason}",
            number=petition.number,
            author=author,
            holder=target.holder.display_name,
            role=target.role.name,
            reason=petition.text,
        )
    if petition.kind is PetitionKind.RULE:
        return t(
            "📜 <b>Petition #{number}</b> from {author}: a new rule.\n“{text}”",
            number=petition.number,
            author=author,
            text=petition.text,
        )
    assert target.rule is not None
    if petition.kind is PetitionKind.AMEND:
        return t(
            "📜 <b>Petition #{number}</b> from {author}: amend rule #{rule}.\n"
            "Now: “{old}”\nProposed: “{text}”",
            number=petition.number,
            author=author,
            rule=target.rule.number,
            old=target.rule_text,
            text=petition.text,
        )
    return t(
        "📜 <b>Petition #{number}</b> from {author}: repeal rule #{rule}.\n“{old}”",
        number=petition.number,
        author=author,
        rule=target.rule.number,
        old=target.rule_text,
    )


async def card(work: Work, t: Translator, petition: Petition) -> tuple[str, list[list[Button]]]:
    """The petition's message: what it asks, its signatures so far, and how it stands."""
    session = work.session
    target = await target_of(session, petition)
    author = await session.get(User, petition.author_id)
    count = await signature_count(session, petition)
    lines = [_what(t, petition, target, author.display_name if author else "?")]
    poll = await session.get(Poll, petition.poll_id) if petition.poll_id else None
    state = petition.state
    if state is PetitionState.OPEN:
        lines += [
            t(
                "Signatures: <b>{count} of {threshold}</b> needed.",
                count=t.number(count),
                threshold=t.number(petition.threshold),
            ),
            t.ngettext(
                "{n} member may sign: who was on the roster when it opened.",
                "{n} members may sign: who was on the roster when it opened.",
                petition.electorate,
            ),
            t(
                "Open until {when}. Sign with the button or /sign {number}; press again or "
                "/unsign {number} to withdraw.",
                when=t.moment(petition.expires_at, now=petition.opened_at),
                number=petition.number,
            ),
        ]
        label = t("✍️ Sign ({count}/{threshold})", count=count, threshold=petition.threshold)
        return "\n".join(map(str, lines)), [[work.button(str(label), SignPetition(petition.id))]]
    if state is PetitionState.EXPIRED:
        lines.append(
            t(
                "⌛ Expired on {when} with {count} of {threshold} signatures.",
                when=t.moment(petition.expires_at, now=petition.opened_at),
                count=t.number(count),
                threshold=t.number(petition.threshold),
            )
        )
    else:
        assert poll is not None
        lines.append(
            t(
                "It reached its threshold of {threshold} signatures and went to a vote: "
                "poll #{poll}.",
                threshold=t.number(petition.threshold),
                poll=poll.number,
            )
        )
        if state is PetitionState.PASSED:
            lines.append(t("✅ The vote passed."))
        elif state is PetitionState.FAILED:
            lines.append(t("❌ The vote did not pass."))
    return "\n".join(map(str, lines)), []


async def refresh_card(work: Work, t: Translator, chat_id: int, petition: Petition) -> None:
    """Queue an edit of the petition's message to show how it stands now."""
    work.edit_posted(chat_id, card_key(petition), *await card(work, t, petition))


PROGRESS = {
    1: N_(
        "📣 Petition #{number} ({subject}) has a third of the signatures it needs: "
        "{count} of {threshold}. Sign with /sign {number}."
    ),
    2: N_(
        "📣 Petition #{number} ({subject}) has two thirds of the signatures it needs: "
        "{count} of {threshold}. Sign with /sign {number}."
    ),
}


def progress_notice(
    t: Translator, petition: Petition, target: Target, level: int, count: int
) -> Markup:
    """The group's notice at a third or two thirds of the threshold."""
    return t(
        PROGRESS[level],
        number=petition.number,
        subject=subject(t, petition, target),
        count=t.number(count),
        threshold=t.number(petition.threshold),
    )


def threshold_notice(
    t: Translator, petition: Petition, target: Target, count: int, poll: Poll
) -> Markup:
    """The group's notice at the threshold: the vote it opened."""
    if petition.kind is PetitionKind.RECALL:
        return t(
            "✅ Petition #{number} ({subject}) reached its threshold: {count} signatures. "
            "A secret recall vote starts now: poll #{poll}, for 48 hours. Nobody can close it "
            "early, the holder included.",
            number=petition.number,
            subject=subject(t, petition, target),
            count=t.number(count),
            poll=poll.number,
        )
    return t(
        "✅ Petition #{number} ({subject}) reached its threshold: {count} signatures. "
        "It goes to a vote of the community: poll #{poll}, for 72 hours. Nobody can close it "
        "early.",
        number=petition.number,
        subject=subject(t, petition, target),
        count=t.number(count),
        poll=poll.number,
    )


def tally(t: Translator, result: dict[str, Any]) -> Markup:
    """A vote's totals as published: "12 yes, 3 no of 20"."""
    return t(
        "{yes} yes, {no} no of {electorate}",
        yes=t.number(int(result["yes"])),
        no=t.number(int(result["no"])),
        electorate=t.number(int(result["electorate"])),
    )


def version_line(t: Translator, version: RuleVersion, now: Any) -> Markup:
    """How a version came about: "adopted on Sat 5 Dec, 12:00 CET, 12 yes, 3 no of 20"."""
    when = t.moment(version.adopted_at, now=now)
    votes = tally(t, version.result) if version.result else ""
    if version.kind is PetitionKind.REPEAL:
        return t("repealed on {when}, {votes}", when=when, votes=votes)
    if version.kind is PetitionKind.AMEND:
        return t("amended on {when}, {votes}", when=when, votes=votes)
    return t("adopted on {when}, {votes}", when=when, votes=votes)
