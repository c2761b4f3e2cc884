"""What role and election messages say, and the buttons they carry.

Every text is made in the translator it is given: the community's for the
group, the reader's for a private message or a button's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from handlers.core.buttons import ButtonData, ListPage
from handlers.core.context import Work, example
from handlers.core.i18n import N_, Translator
from handlers.core.messages import Button, mention
from handlers.governance.rules import RoleDraft, Selection
from models import Election, ElectionPhase, Nomination, Role, RoleStatus, Term, TermEnd, User


@dataclass(frozen=True)
class NominateMe(ButtonData):
    """ "Nominate me" under an election taking nominations: the presser stands."""

    KIND = "elect.me"
    election_id: int


@dataclass(frozen=True)
class AcceptNomination(ButtonData):
    """The nominee ``user_id`` accepts: only they may press it."""

    KIND = "elect.yes"
    election_id: int
    user_id: int


@dataclass(frozen=True)
class DeclineNomination(ButtonData):
    KIND = "elect.no"
    election_id: int
    user_id: int


class RolesPage(ListPage):
    KIND = "roles.pg"


ROLE_EXAMPLE = N_("Treasurer | 90 days | 1")
METHOD_NAMES = {"approval": N_("approval voting"), "ranked": N_("ranked choice")}
#: Why an election opened, as its message says it.
REASONS = {
    "new_role": N_("The role is new: its members' poll created it."),
    "term_end": N_("A term has ended."),
    "resignation": N_("A holder resigned."),
    "recall": N_("A holder was recalled by the members' vote."),
    "left": N_("A holder left the community."),
}


def election_key(election: Election) -> str:
    return f"election:{election.id}"


def nominee_key(election_id: int, user_id: int) -> str:
    return f"nominee:{election_id}:{user_id}"


def days_phrase(t: Translator, days: int) -> str:
    return str(t.ngettext("{n} day", "{n} days", days))


def seats_phrase(t: Translator, seats: int) -> str:
    return str(t.ngettext("{n} seat", "{n} seats", seats))


def role_question(t: Translator, draft: RoleDraft) -> str:
    """The members' poll on a new role, as plain text (the poll escapes it)."""
    return t(
        "Create the role “{name}”: terms of {term}, {seats}?",
        name=draft.name,
        term=days_phrase(t, draft.term_days),
        seats=seats_phrase(t, draft.seats),
    ).unescape()


def none_label(t: Translator) -> str:
    return str(t("None of these"))


def vote_question(t: Translator, election: Election, role: Role) -> str:
    return t(
        "Election #{number}: who should be {role}? {seats}, secret ballot.",
        number=election.number,
        role=role.name,
        seats=seats_phrase(t, election.seats),
    ).unescape()


def _names(users: Sequence[User]) -> str:
    return ", ".join(user.display_name for user in users)


def election_text(
    t: Translator,
    election: Election,
    role: Role,
    entries: Sequence[tuple[Nomination, User]],
    *,
    now: datetime,
    opener: User | None = None,
    poll_number: int | None = None,
    poll_closes: datetime | None = None,
) -> str:
    """The election's own message, as its phase is now."""
    lines = [
        t(
            "🗳 <b>Election #{number}: {role}</b> · {seats}",
            number=election.number,
            role=role.name,
            seats=seats_phrase(t, election.seats),
        )
    ]
    if election.reason == "member" and opener is not None:
        lines.append(t("Opened by {name}.", name=opener.display_name))
    elif election.reason in REASONS:
        lines.append(t(REASONS[election.reason]))
    standing = sorted(
        (user for nomination, user in entries if nomination.accepted_at is not None),
        key=lambda user: (user.display_name.casefold(), user.id),
    )
    waiting = [user for nomination, user in entries if nomination.accepted_at is None]
    if election.phase is ElectionPhase.NOMINATING:
        lines.append(
            t(
                "Nominations are open until {when}: press “Nominate me” to stand, or nominate "
                "another member with <code>{example}</code> (they accept with a button). Then "
                "comes a secret vote of {hours} hours.",
                when=t.moment(election.nominations_close_at, now=now),
                example=example(f"/nominate {role.name}", "@username"),
                hours=election.vote_hours,
            )
        )
    elif election.phase is ElectionPhase.VOTING and poll_number is not None:
        lines.append(
            t(
                "Nominations are closed. The secret vote is poll #{poll}, open until {when}.",
                poll=poll_number,
                when=t.moment(poll_closes or now, now=now),
            )
        )
    elif election.phase is ElectionPhase.DONE:
        lines.append(t("This election is over; /roles shows who holds the seats."))
    else:
        lines.append(
            t(
                "This election has failed. Any member can open a new one with "
                "<code>{example}</code>.",
                example=example(f"/elect {role.name}"),
            )
        )
    lines.append(
        t("Candidates: {names}.", names=_names(standing))
        if standing
        else t("Candidates: nobody yet.")
    )
    if waiting and election.phase is ElectionPhase.NOMINATING:
        lines.append(t("Asked, no answer yet: {names}.", names=_names(waiting)))
    return "\n".join(str(line) for line in lines)


def election_buttons(work: Work, t: Translator, election: Election) -> list[list[Button]]:
    if election.phase is not ElectionPhase.NOMINATING:
        return []
    return [[work.button(str(t("✋ Nominate me")), NominateMe(election.id))]]


def nomination_text(
    t: Translator,
    election: Election,
    role: Role,
    nominee: User,
    nominator: User,
) -> str:
    return str(
        t(
            "{nominator} nominates {nominee} for {role} in election #{number}. {name}, do you "
            "accept? Only you can answer.",
            nominator=nominator.display_name,
            nominee=mention(nominee.id, nominee.display_name),
            role=role.name,
            number=election.number,
            name=nominee.display_name,
        )
    )


def nomination_buttons(
    work: Work, t: Translator, election: Election, user_id: int
) -> list[list[Button]]:
    return [
        [
            work.button(str(t("Accept")), AcceptNomination(election.id, user_id)),
            work.button(str(t("Decline")), DeclineNomination(election.id, user_id)),
        ]
    ]


def nomination_answered(
    t: Translator, election: Election, role: Role, nominee: User, *, accepted: bool
) -> str:
    if accepted:
        return str(
            t(
                "{name} accepted the nomination and stands for {role} in election #{number}.",
                name=nominee.display_name,
                role=role.name,
                number=election.number,
            )
        )
    return str(
        t(
            "{name} declined the nomination for {role} in election #{number}.",
            name=nominee.display_name,
            role=role.name,
            number=election.number,
        )
    )


def nomination_lapsed(t: Translator, election: Election, role: Role, nominee: User) -> str:
    return str(
        t(
            "Nominations for {role} in election #{number} are closed; {name} did not answer "
            "in time.",
            role=role.name,
            number=election.number,
            name=nominee.display_name,
        )
    )


def ineligible_text(
    t: Translator,
    why: str,
    *,
    name: str,
    role: Role,
    member_days: int,
    limit: int,
    again: datetime | None,
    now: datetime,
) -> str:
    """Why ``name`` may not stand (``why`` is a ``rules.Ineligible`` value)."""
    when = t.moment(again, now=now) if again is not None else ""
    texts = {
        "not_member": t("{name} is not on the roster; only members may stand.", name=name),
        "too_new": t.ngettext(
            "{name} joined less than {n} day before this election opened; the community's "
            "member_days rule asks for that long before one may stand.",
            "{name} joined less than {n} days before this election opened; the community's "
            "member_days rule asks for that long before one may stand.",
            member_days,
            name=name,
        ),
        "holds_seat": t("{name} already holds a seat as {role}.", name=name, role=role.name),
        "recalled": t(
            "{name} was recalled as {role}; they may stand for it again from {when}.",
            name=name,
            role=role.name,
            when=when,
        ),
        "term_limit": t.ngettext(
            "{name} has served {n} consecutive term as {role}, the community's limit; they may "
            "stand again from {when}, after sitting out one full term.",
            "{name} has served {n} consecutive terms as {role}, the community's limit; they may "
            "stand again from {when}, after sitting out one full term.",
            limit,
            name=name,
            role=role.name,
            when=when,
        ),
    }
    return str(texts[why])


def ballot_full(t: Translator, election: Election, limit: int) -> str:
    return str(
        t(
            "Election #{number} already has {limit} candidates, as many as a ballot can hold.",
            number=election.number,
            limit=limit,
        )
    )


def standing_answer(t: Translator, election: Election, role: Role) -> str:
    return str(
        t(
            "You stand for {role} in election #{number}.",
            role=role.name,
            number=election.number,
        )
    )


def seats_added(t: Translator, election: Election, role: Role, *, now: datetime) -> str:
    return str(
        t(
            "Election #{number} for {role} now fills {seats}; nominations stay open until {when}.",
            number=election.number,
            role=role.name,
            seats=seats_phrase(t, election.seats),
            when=t.moment(election.nominations_close_at, now=now),
        )
    )


FAILURES = {
    "nobody": N_(
        "Nobody stood in election #{number} for {role}, so it has failed and the seats stay "
        "vacant. Any member can open a new one with <code>/elect {role}</code>."
    ),
    "no_votes": N_(
        "Election #{number} for {role} has failed: nobody voted. Any member can open a new "
        "one with <code>/elect {role}</code>."
    ),
    "no_quorum": N_(
        "Election #{number} for {role} has failed: the vote did not reach the quorum. Any "
        "member can open a new one with <code>/elect {role}</code>."
    ),
    "none": N_(
        "Election #{number} for {role} elected nobody: no candidate did better than “None of "
        "these”. Any member can open a new one with <code>/elect {role}</code>."
    ),
}


def failure_text(t: Translator, why: str, election: Election, role: Role) -> str:
    return str(t(FAILURES[why], number=election.number, role=role.name))


def tie_text(t: Translator, seed: str, selection: Selection) -> list[str]:
    """How the lot decided each tie, so anyone can redo it."""
    return [
        str(
            t(
                "Tie between {tied}, broken by lot: each name's SHA-256 of “{seed}:NAME”, "
                "lowest first, gives {order}.",
                tied=", ".join(tie.tied),
                seed=seed,
                order=" → ".join(tie.order),
            )
        )
        for tie in selection.ties
    ]


def result_text(
    t: Translator,
    election: Election,
    role: Role,
    poll_number: int,
    elected: Sequence[tuple[User, Term]],
    *,
    vacant: int,
    ties: Sequence[str],
    passed_over: Sequence[str],
    now: datetime,
) -> str:
    lines = [
        t(
            "🗳 <b>Election #{number}: {role}</b> — the secret vote (poll #{poll}) has decided.",
            number=election.number,
            role=role.name,
            poll=poll_number,
        )
    ]
    lines.extend(
        t(
            "Elected: <b>{name}</b>, until {when}.",
            name=user.display_name,
            when=t.moment(term.ends_at, now=now),
        )
        for user, term in elected
    )
    if vacant:
        lines.append(
            t.ngettext(
                "{n} seat stays vacant: no other candidate did better than “None of these”. "
                "Any member can open an election for it with <code>/elect {role}</code>.",
                "{n} seats stay vacant: no other candidate did better than “None of these”. "
                "Any member can open an election for them with <code>/elect {role}</code>.",
                vacant,
                role=role.name,
            )
        )
    lines.extend(Markup("{tie}").format(tie=Markup(tie)) for tie in ties)
    if passed_over:
        lines.append(
            t(
                "Passed over, no longer able to take a seat: {names}.",
                names=", ".join(passed_over),
            )
        )
    return "\n".join(str(line) for line in lines)


TERM_ENDED = {
    TermEnd.EXPIRED: N_("The term of {name} as {role} has ended."),
    TermEnd.RESIGNED: N_("{name} has resigned as {role}."),
    TermEnd.RECALLED: N_("{name} was recalled as {role}."),
    TermEnd.LEFT: N_("{name} left the community, so their seat as {role} is vacant."),
}


def term_ended(t: Translator, reason: TermEnd, name: str, role: Role) -> str:
    return str(t(TERM_ENDED[reason], name=name, role=role.name))


def role_entry(
    t: Translator,
    role: Role,
    held: Sequence[tuple[Term, User]],
    running: Sequence[Election],
    *,
    now: datetime,
    poll_number: int | None,
    vote_polls: dict[int, tuple[int, datetime]],
) -> str:
    """One role in /roles: its terms and seats, its holders, vacant seats, its elections."""
    if role.status is RoleStatus.PROPOSED:
        return str(
            t(
                "<b>{name}</b> — proposed: terms of {term}, {seats}; its poll #{poll} is running.",
                name=role.name,
                term=days_phrase(t, role.term_days),
                seats=seats_phrase(t, role.seats),
                poll=poll_number or "?",
            )
        )
    lines = [
        t(
            "<b>{name}</b> — terms of {term}, {seats}",
            name=role.name,
            term=days_phrase(t, role.term_days),
            seats=seats_phrase(t, role.seats),
        )
    ]
    lines.extend(
        t(
            "  • {name}, until {when}",
            name=user.display_name,
            when=t.moment(term.ends_at, now=now),
        )
        for term, user in held
    )
    vacant = role.seats - len(held)
    if vacant > 0:
        lines.append(t.ngettext("  • {n} vacant seat", "  • {n} vacant seats", vacant))
    for election in running:
        if election.phase is ElectionPhase.NOMINATING:
            lines.append(
                t(
                    "  🗳 Election #{number}: nominations until {when}",
                    number=election.number,
                    when=t.moment(election.nominations_close_at, now=now),
                )
            )
        elif election.id in vote_polls:
            poll, closes = vote_polls[election.id]
            lines.append(
                t(
                    "  🗳 Election #{number}: voting in poll #{poll} until {when}",
                    number=election.number,
                    poll=poll,
                    when=t.moment(closes, now=now),
                )
            )
    return "\n".join(str(line) for line in lines)
