"""Elections: /elect, /nominate, /withdraw, the nomination buttons, the close of nominations,
the secret vote and the seats taken.

``open_election`` is how every part of governance opens one (a term's end, a
resignation, a recall that passed, a new role, a holder leaving, /elect).

Who may do what (one member, one vote; a role or being a chat admin gives
nothing more): any member opens an election for a role with a vacant seat
when none is running for it, stands ("Nominate me", or ``/nominate ROLE``
alone), nominates another member, and votes; only the nominee answers their
nomination (Accept / Decline, or /nominate ROLE and /withdraw ROLE), and
only a candidate withdraws. An ineligible nominee (``rules.may_stand``) is
refused with the reason.

The phases:

- **Nominations** (``NOMINATION_PHASE``, 24 h) from the election's message
  with its "Nominate me" button. A nomination of someone else is put to them
  in the group, naming them, and privately when they have started the bot;
  it counts once they accept. Opening an election for a role that already has
  one taking nominations adds the seats to it (three seats whose terms end at
  once make one election) and keeps nominations open at least 24 h more.
- **The vote** is opened by the job that closes nominations: a poll the bot
  opens (nobody can close it early) through ``Work.open_vote``, secret like
  every poll (handlers/core/ballots.py), for ``Election.vote_hours`` (48 h),
  by approval or ranked choice as the community's ``election`` setting says
  when it opens. Its options are the candidates who accepted, in alphabetical
  order, and "None of these"; unanswered nominations lapse. Nobody standing
  fails the election.
- **The result** (this module's close hook) follows ``rules.approval_winners``
  or ``rules.ranked_winners``, with ties broken by the published lot; a
  candidate who can no longer take a seat (left the community, took a seat
  meanwhile) is passed over. Without votes, or without the community's
  quorum, the election fails; seats nobody won stay vacant, and any member can
  /elect again. Winners start a term at once, ending ``Role.term_days``
  later, when the term-end job (handlers/governance/roles.py) ends it and
  opens the next election.

Announcements of what the bot or a vote did go through the outbox (they
follow the reply of whatever caused them); every step is in the audit log.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NoReturn

from handlers.core import settings
from handlers.core.ballots import BallotBox
from handlers.core.buttons import BadAction
from handlers.core.context import Context, JobContext, UserError, Work, example, hint
from handlers.core.i18n import N_, Translator
from handlers.core.input import member_named
from handlers.core.numbering import add_numbered
from handlers.core.outcome import Outcome
from handlers.core.registry import Feature, Needs, VoteRequest
from handlers.core.settings import Setting, parse_count
from handlers.governance import queries
from handlers.governance.rules import (
    MAX_CANDIDATES,
    Selection,
    approval_winners,
    ballot_labels,
    lot_seed,
    may_stand,
    ranked_winners,
    role_key,
    split_role,
    stand_again_from,
    tidy,
)
from handlers.governance.views import (
    METHOD_NAMES,
    AcceptNomination,
    DeclineNomination,
    NominateMe,
    ballot_full,
    election_buttons,
    election_key,
    election_text,
    failure_text,
    ineligible_text,
    nomination_answered,
    nomination_buttons,
    nomination_lapsed,
    nomination_text,
    nominee_key,
    none_label,
    result_text,
    seats_added,
    standing_answer,
    tie_text,
    vote_question,
)
from models import (
    Community,
    Election,
    ElectionPhase,
    Nomination,
    Poll,
    PollKind,
    Role,
    RoleStatus,
    Term,
    User,
)

feature = Feature("governance.elections")
feature.audit("election.opened", N_("Election #{number} for {role} opened for seats: {seats}"))
feature.audit(
    "election.by_member",
    N_("{actor} opened election #{number} for {role}, seats: {seats}"),
)
feature.audit(
    "election.for_new_role",
    N_("Election #{number} for the new role {role} opened, seats: {seats}"),
)
feature.audit(
    "election.for_term_end",
    N_("Election #{number} for {role} opened because a term ended, seats: {seats}"),
)
feature.audit(
    "election.for_resignation",
    N_("Election #{number} for {role} opened after a resignation, seats: {seats}"),
)
feature.audit(
    "election.for_recall",
    N_("Election #{number} for {role} opened after a recall, seats: {seats}"),
)
feature.audit(
    "election.for_left",
    N_("Election #{number} for {role} opened because a holder left, seats: {seats}"),
)
feature.audit(
    "election.seats_added",
    N_("Election #{number} for {role} now fills more seats: {seats} in all"),
)
feature.audit("election.stood", N_("{actor} stands for {role} in election #{number}"))
feature.audit("election.nominated", N_("{actor} nominated {name} for {role} in election #{number}"))
feature.audit(
    "election.accepted",
    N_("{actor} accepted the nomination for {role} in election #{number}"),
)
feature.audit(
    "election.declined",
    N_("{actor} declined the nomination for {role} in election #{number}"),
)
feature.audit("election.withdrew", N_("{actor} withdrew from election #{number} for {role}"))
feature.audit(
    "election.lapsed",
    N_("The nomination of {name} in election #{number} lapsed without an answer"),
)
feature.audit(
    "election.left",
    N_("{name} left the community and no longer stands in election #{number}"),
)
feature.audit(
    "election.vote_opened",
    N_("Election #{number} for {role}: the secret vote is poll #{poll}; candidates: {names}"),
)
feature.audit("election.failed_nobody", N_("Election #{number} for {role} failed: nobody stood"))
feature.audit("election.failed_no_votes", N_("Election #{number} for {role} failed: nobody voted"))
feature.audit(
    "election.failed_no_quorum",
    N_("Election #{number} for {role} failed: the vote did not reach the quorum"),
)
feature.audit(
    "election.failed_none",
    N_("Election #{number} for {role} elected nobody: none did better than “None of these”"),
)
feature.audit(
    "election.tie",
    N_("Election #{number}: a tie between {tied} was broken by lot (seed {seed}): {order}"),
)
feature.audit(
    "election.result",
    N_("Election #{number} for {role} elected {names}; seats left vacant: {vacant}"),
)
feature.audit("term.started", N_("{name} took a seat as {role} until {until}"))

NOMINATION_PHASE = timedelta(hours=24)
NOMINATIONS_JOB = "election.nominations"
TERM_END_JOB = "term.end"
#: The audit action of an election opened for each reason (``Election.reason``).
OPENED = {
    "member": "election.by_member",
    "new_role": "election.for_new_role",
    "term_end": "election.for_term_end",
    "resignation": "election.for_resignation",
    "recall": "election.for_recall",
    "left": "election.for_left",
}
NOMINATE_EXAMPLE = "/nominate Treasurer @username"


def _parse_method(raw: str) -> str:
    word = raw.strip().lower()
    if word not in METHOD_NAMES:
        raise ValueError(raw)
    return word


def _show_method(t: Translator, method: Any) -> str:
    if method == "ranked":
        return str(
            t(
                "Elections are decided by ranked choice (instant runoff; several seats are "
                "filled one after another)."
            )
        )
    return str(
        t("Elections are decided by approval voting: the most approved candidates take the seats.")
    )


def _show_term_limit(t: Translator, limit: Any) -> str:
    if not limit:
        return str(t("There is no limit on consecutive terms in a role."))
    return str(
        t.ngettext(
            "Nobody may hold a role for more than {n} consecutive term.",
            "Nobody may hold a role for more than {n} consecutive terms.",
            int(limit),
        )
    )


ELECTION_METHOD = feature.setting(
    Setting(
        name="election",
        default="approval",
        parse=_parse_method,
        show=_show_method,
        problem=N_("election is how elections are decided: approval or ranked, not “{value}”."),
        example="/setup election=ranked",
    )
)
TERM_LIMIT = feature.setting(
    Setting(
        name="term_limit",
        default=2,
        parse=lambda raw: parse_count(raw, high=10),
        show=_show_term_limit,
        problem=N_(
            "term_limit is how many consecutive terms one may serve in a role: a whole number "
            "from 0 (no limit) to 10, not “{value}”."
        ),
        example="/setup term_limit=3",
    )
)


# --- opening -----------------------------------------------------------------------


async def open_election(
    work: Work,
    community: Community,
    role: Role,
    *,
    seats: int,
    reason: str,
    opened_by: int | None = None,
) -> Election:
    """Open the nomination phase of an election for ``seats`` seats of ``role``.

    ``reason`` is one of "term_end", "resignation", "recall", "new_role",
    "left", "member"; ``opened_by`` the member who ran /elect (None: the bot).
    When the role already has an election taking nominations, the seats are
    added to it, and that election is returned. The group is told through the
    outbox, with the "Nominate me" button; the close of nominations is a job.
    """
    t = work.community_translator(community)
    running = await queries.nominating(work.session, role)
    if running is not None:
        running.seats += seats
        closes = work.now + NOMINATION_PHASE
        if running.nominations_close_at < closes:
            running.nominations_close_at = closes
            await work.cancel_jobs(NOMINATIONS_JOB, running.id)
            work.schedule(NOMINATIONS_JOB, running.id, closes)
        work.audit(
            community,
            opened_by,
            "election.seats_added",
            number=running.number,
            role=role.name,
            seats=running.seats,
        )
        work.post(community.chat_id, seats_added(t, running, role, now=work.now))
        await refresh(work, community, role, running)
        return running
    election = Election(
        community_id=community.id,
        role_id=role.id,
        seats=seats,
        phase=ElectionPhase.NOMINATING,
        reason=reason,
        opened_by=opened_by,
        opened_at=work.now,
        nominations_close_at=work.now + NOMINATION_PHASE,
    )
    await add_numbered(work.session, election)
    work.schedule(NOMINATIONS_JOB, election.id, election.nominations_close_at)
    opener = await work.session.get(User, opened_by) if opened_by is not None else None
    work.audit(
        community,
        opened_by,
        OPENED.get(reason, "election.opened"),
        actor=opener.display_name if opener else "",
        number=election.number,
        role=role.name,
        seats=seats,
    )
    work.post(
        community.chat_id,
        election_text(t, election, role, [], now=work.now, opener=opener),
        election_buttons(work, t, election),
        key=election_key(election),
    )
    return election


async def refresh(work: Work, community: Community, role: Role, election: Election) -> None:
    """The election's message in the group shows its phase and candidates as they are now."""
    t = work.community_translator(community)
    text = await _election_text(work, t, role, election)
    work.edit_posted(
        community.chat_id, election_key(election), text, election_buttons(work, t, election)
    )


async def _election_text(work: Work, t: Translator, role: Role, election: Election) -> str:
    entries = await queries.nominations(work.session, election)
    opener = (
        await work.session.get(User, election.opened_by) if election.opened_by is not None else None
    )
    poll = await work.session.get(Poll, election.poll_id) if election.poll_id else None
    return election_text(
        t,
        election,
        role,
        entries,
        now=work.now,
        opener=opener,
        poll_number=poll.number if poll else None,
        poll_closes=poll.closes_at if poll else None,
    )


async def active_role(ctx: Context, text: str, sample: str) -> Role:
    """The community's role that ``text`` names, which must exist (not only be proposed)."""
    community = ctx.require_community()
    if not tidy(text):
        raise UserError(hint(ctx.t, ctx.t("Which role? Give its name as /roles shows it."), sample))
    role = await queries.role_keyed(ctx.session, community, role_key(text), lock=True)
    return await _checked_role(ctx, role, text, sample)


async def _checked_role(ctx: Context, role: Role | None, text: str, sample: str) -> Role:
    if role is None:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("There is no role called “{name}”; /roles lists them.", name=tidy(text)),
                sample,
            )
        )
    if role.status is RoleStatus.PROPOSED:
        await refuse_proposed(ctx, role)
    return role


async def refuse_proposed(ctx: Context, role: Role) -> NoReturn:
    """A role only proposed can be neither used nor proposed again while its poll runs."""
    poll = await ctx.session.get(Poll, role.poll_id) if role.poll_id else None
    raise UserError(
        ctx.t(
            "The role {name} is only proposed so far: its poll #{poll} is still running.",
            name=role.name,
            poll=poll.number if poll else "?",
        )
    )


@feature.command("elect", N_("open an election for a role with a vacant seat: /elect ROLE"))
async def elect(ctx: Context) -> None:
    community = ctx.require_community()
    role = await active_role(ctx, ctx.args, "/elect Treasurer")
    running = await queries.running_elections(ctx.session, role)
    if running:
        raise UserError(
            ctx.t(
                "Election #{number} for {role} is already running; /roles shows where it stands.",
                number=running[0].number,
                role=role.name,
            )
        )
    held = await queries.holders(ctx.session, role)
    vacant = role.seats - len(held)
    if vacant <= 0:
        raise UserError(
            ctx.t.ngettext(
                "The {n} seat of {role} is held; its term ends on {when}, and an election "
                "opens then by itself.",
                "All {n} seats of {role} are held; the next term ends on {when}, and an "
                "election opens then by itself.",
                role.seats,
                role=role.name,
                when=ctx.t.moment(held[0][0].ends_at, now=ctx.now),
            )
        )
    await open_election(ctx, community, role, seats=vacant, reason="member", opened_by=ctx.user.id)


# --- standing and nominating -------------------------------------------------------


async def why_not(
    work: Work, t: Translator, community: Community, role: Role, election: Election, user: User
) -> str | None:
    """Why ``user`` may not stand in ``election`` now, in ``t``; None when they may."""
    member = await queries.membership(work.session, community, user.id)
    terms = await queries.past_terms(work.session, role, user.id)
    limit = int(settings.value(community, TERM_LIMIT) or 0)
    why = may_stand(
        terms,
        now=work.now,
        term_days=role.term_days,
        limit=limit,
        on_roster=member is not None,
        joined_in_time=member is not None
        and member.joined_at <= settings.joined_by(community, election.opened_at),
    )
    if why is None:
        return None
    return ineligible_text(
        t,
        why.value,
        name=user.display_name,
        role=role,
        member_days=int(settings.value(community, settings.MEMBER_DAYS) or 0),
        limit=limit,
        again=stand_again_from(terms, term_days=role.term_days),
        now=work.now,
    )


async def _stand(
    ctx: Context,
    t: Translator,
    community: Community,
    role: Role,
    election: Election,
    nomination: Nomination | None,
) -> Nomination:
    """The sender stands: a new nomination of their own, or the one they were asked, accepted."""
    refusal = await why_not(ctx, t, community, role, election, ctx.user)
    if refusal is not None:
        raise UserError(refusal)
    if await queries.accepted_count(ctx.session, election) >= MAX_CANDIDATES:
        raise UserError(ballot_full(t, election, MAX_CANDIDATES))
    if nomination is None:
        nomination = Nomination(
            election_id=election.id,
            user_id=ctx.user.id,
            nominated_by=ctx.user.id,
            nominated_at=ctx.now,
            accepted_at=ctx.now,
        )
        ctx.session.add(nomination)
        action = "election.stood"
    else:
        nomination.accepted_at = ctx.now
        action = "election.accepted"
    await ctx.session.flush()
    # Pressed privately too: the community is the election's, not the chat's.
    ctx.audit(
        community,
        ctx.user.id,
        action,
        actor=ctx.user.display_name,
        role=role.name,
        number=election.number,
    )
    return nomination


@feature.button(NominateMe)
async def nominate_me(ctx: Context, pressed: NominateMe) -> None:
    community = ctx.require_community()
    election = await queries.locked_election(ctx.session, pressed.election_id)
    if election is None or election.community_id != community.id:
        raise BadAction("election of another community")
    role = await ctx.session.get(Role, election.role_id)
    assert role is not None
    t = ctx.reader
    if election.phase is not ElectionPhase.NOMINATING:
        raise UserError(t("Nominations for election #{number} are closed.", number=election.number))
    nomination = await queries.nomination_of(ctx.session, election, ctx.user.id)
    if nomination is not None and nomination.accepted_at is not None:
        ctx.answer(standing_answer(t, election, role))
        return
    await _stand(ctx, t, community, role, election, nomination)
    if nomination is not None:
        _edit_nominee_copies(ctx, community, role, election, ctx.user, accepted=True)
    group_t = ctx.community_translator(community)
    ctx.edit(
        await _election_text(ctx, group_t, role, election),
        election_buttons(ctx, group_t, election),
    )
    ctx.answer(standing_answer(t, election, role))


@feature.command(
    "nominate",
    N_("stand for a role, or nominate another member: /nominate ROLE [@user]"),
)
async def nominate(ctx: Context) -> None:
    community = ctx.require_community()
    if not ctx.args:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("Which role, and whom? Give the role's name, then their @username."),
                NOMINATE_EXAMPLE,
            )
        )
    roles = {role.key: role for role in await queries.roles_of(ctx.session, community)}
    found = split_role(ctx.args, roles)
    if found is None:
        raise UserError(
            hint(
                ctx.t,
                ctx.t(
                    "No role is called that; /roles lists them. Give the role's name, then "
                    "their @username."
                ),
                NOMINATE_EXAMPLE,
            )
        )
    key, who = found
    role = await _checked_role(ctx, roles[key], key, NOMINATE_EXAMPLE)
    election = await queries.nominating(ctx.session, role)
    if election is None and (running := await queries.running_elections(ctx.session, role)):
        raise UserError(
            ctx.t("Nominations for election #{number} are closed.", number=running[0].number)
        )
    if election is None:
        raise UserError(
            ctx.t(
                "Nobody is being elected as {role} now. Any member can open an election with "
                "<code>/elect {role}</code> when a seat is vacant.",
                role=role.name,
            )
        )
    nominee = (
        await member_named(ctx, community, who, example(f"/nominate {role.name}", "@username"))
        if who
        else ctx.user
    )
    nomination = await queries.nomination_of(ctx.session, election, nominee.id)
    if nomination is not None and nomination.accepted_at is not None:
        raise UserError(
            ctx.t(
                "{name} already stands in election #{number}.",
                name=nominee.display_name,
                number=election.number,
            )
        )
    if nominee.id == ctx.user.id:
        await _stand(ctx, ctx.t, community, role, election, nomination)
        if nomination is not None:
            _edit_nominee_copies(ctx, community, role, election, nominee, accepted=True)
        ctx.reply(
            ctx.t(
                "{name} stands for {role} in election #{number}.",
                name=nominee.display_name,
                role=role.name,
                number=election.number,
            )
        )
        await refresh(ctx, community, role, election)
        return
    if nomination is not None:
        raise UserError(
            ctx.t(
                "{name} is already nominated in election #{number}; they answer with the buttons.",
                name=nominee.display_name,
                number=election.number,
            )
        )
    refusal = await why_not(ctx, ctx.t, community, role, election, nominee)
    if refusal is not None:
        raise UserError(refusal)
    if await queries.accepted_count(ctx.session, election) >= MAX_CANDIDATES:
        raise UserError(ballot_full(ctx.t, election, MAX_CANDIDATES))
    ctx.session.add(
        Nomination(
            election_id=election.id,
            user_id=nominee.id,
            nominated_by=ctx.user.id,
            nominated_at=ctx.now,
        )
    )
    await ctx.session.flush()
    ctx.log(
        "election.nominated",
        actor=ctx.user.display_name,
        name=nominee.display_name,
        role=role.name,
        number=election.number,
    )
    key_ = nominee_key(election.id, nominee.id)
    ctx.send(
        community.chat_id,
        nomination_text(ctx.t, election, role, nominee, ctx.user),
        nomination_buttons(ctx, ctx.t, election, nominee.id),
        key=key_,
    )
    if nominee.started_bot:
        private_t = ctx.reader_translator(nominee, community)
        ctx.send(
            nominee.id,
            nomination_text(private_t, election, role, nominee, ctx.user),
            nomination_buttons(ctx, private_t, election, nominee.id),
            key=key_,
        )
    await refresh(ctx, community, role, election)


def _edit_nominee_copies(
    ctx: Context,
    community: Community,
    role: Role,
    election: Election,
    nominee: User,
    *,
    accepted: bool,
) -> None:
    """The messages asking ``nominee`` (in the group, privately) say how they answered."""
    key_ = nominee_key(election.id, nominee.id)
    for chat, t in (
        (community.chat_id, ctx.community_translator(community)),
        (nominee.id, ctx.reader_translator(nominee, community)),
    ):
        text = nomination_answered(t, election, role, nominee, accepted=accepted)
        if chat == ctx.incoming.chat.id:
            ctx.edit_copies(chat, key_, text)
        else:
            ctx.edit_posted(chat, key_, text)


async def _pressed_nomination(
    ctx: Context, election_id: int, user_id: int
) -> tuple[Election, Role, Community, User, Translator]:
    """The election a nomination button belongs to, checked for the presser; pressed in the
    group or privately."""
    election = await queries.locked_election(ctx.session, election_id)
    if election is None:
        raise BadAction("no such election")
    community = await ctx.session.get(Community, election.community_id)
    role = await ctx.session.get(Role, election.role_id)
    nominee = await ctx.session.get(User, user_id)
    assert community is not None and role is not None
    elsewhere = ctx.community is None or ctx.community.id != community.id
    if nominee is None or (ctx.incoming.chat.is_group and elsewhere):
        raise BadAction("nomination of another community")
    t = ctx.reader_translator(ctx.user, community)
    if ctx.user.id != user_id:
        raise UserError(t("Only {name} can answer this nomination.", name=nominee.display_name))
    if election.phase is not ElectionPhase.NOMINATING:
        raise UserError(t("Nominations for election #{number} are closed.", number=election.number))
    return election, role, community, nominee, t


@feature.button(AcceptNomination, needs=Needs.NOTHING)
async def accept(ctx: Context, pressed: AcceptNomination) -> None:
    election, role, community, nominee, t = await _pressed_nomination(
        ctx, pressed.election_id, pressed.user_id
    )
    nomination = await queries.nomination_of(ctx.session, election, nominee.id)
    if nomination is None:
        raise UserError(t("This nomination is no longer open."))
    if nomination.accepted_at is None:
        await _stand(ctx, t, community, role, election, nomination)
        _edit_nominee_copies(ctx, community, role, election, nominee, accepted=True)
        await refresh(ctx, community, role, election)
    ctx.answer(standing_answer(t, election, role))


@feature.button(DeclineNomination, needs=Needs.NOTHING)
async def decline(ctx: Context, pressed: DeclineNomination) -> None:
    election, role, community, nominee, t = await _pressed_nomination(
        ctx, pressed.election_id, pressed.user_id
    )
    nomination = await queries.nomination_of(ctx.session, election, nominee.id)
    if nomination is None:
        raise UserError(t("This nomination is no longer open."))
    await _drop(ctx, community, role, election, nomination, "election.declined")
    _edit_nominee_copies(ctx, community, role, election, nominee, accepted=False)
    ctx.answer(
        t("You declined; you are not a candidate in election #{number}.", number=election.number)
    )


async def _drop(
    work: Work,
    community: Community,
    role: Role,
    election: Election,
    nomination: Nomination,
    action: str,
) -> None:
    """A nomination goes (declined, withdrawn, lapsed, the nominee left): logged, message kept true."""
    nominee = await work.session.get(User, nomination.user_id)
    assert nominee is not None
    await work.session.delete(nomination)
    await work.session.flush()
    work.audit(
        community,
        nominee.id,
        action,
        actor=nominee.display_name,
        name=nominee.display_name,
        role=role.name,
        number=election.number,
    )
    await refresh(work, community, role, election)


@feature.command(
    "withdraw", N_("stop standing in an election, or decline a nomination: /withdraw ROLE")
)
async def withdraw(ctx: Context) -> None:
    community = ctx.require_community()
    role = await active_role(ctx, ctx.args, "/withdraw Treasurer")
    election = await queries.nominating(ctx.session, role)
    nomination = (
        await queries.nomination_of(ctx.session, election, ctx.user.id) if election else None
    )
    if election is None or nomination is None:
        raise UserError(
            ctx.t(
                "You are not standing or nominated for {role} in an election taking "
                "nominations, so there is nothing to withdraw.",
                role=role.name,
            )
        )
    pending = nomination.accepted_at is None
    await _drop(
        ctx,
        community,
        role,
        election,
        nomination,
        "election.declined" if pending else "election.withdrew",
    )
    if pending:
        _edit_nominee_copies(ctx, community, role, election, ctx.user, accepted=False)
    ctx.reply(
        ctx.t(
            "{name} no longer stands for {role} in election #{number}.",
            name=ctx.user.display_name,
            role=role.name,
            number=election.number,
        )
    )


@feature.on_roster_change
async def nominee_left(work: Work, community: Community, user_id: int, joined: bool) -> None:
    """Someone who left is no longer nominated in any election taking nominations."""
    if joined:
        return
    for election in await queries.nominations_of(work.session, community, user_id):
        nomination = await queries.nomination_of(work.session, election, user_id)
        role = await work.session.get(Role, election.role_id)
        assert nomination is not None and role is not None
        await _drop(work, community, role, election, nomination, "election.left")


# --- the vote ----------------------------------------------------------------------


@feature.job(NOMINATIONS_JOB)
async def close_nominations(work: JobContext, election_id: int) -> None:
    """Nominations close: the accepted candidates go to a secret vote, or the election fails."""
    election = await queries.locked_election(work.session, election_id)
    if (
        election is None
        or election.phase is not ElectionPhase.NOMINATING
        or work.now < election.nominations_close_at
    ):
        return
    role = await work.session.get(Role, election.role_id)
    community = await work.session.get(Community, election.community_id)
    assert role is not None and community is not None
    t = work.community_translator(community)
    standing: list[User] = []
    for nomination, user in await queries.nominations(work.session, election):
        if nomination.accepted_at is not None:
            standing.append(user)
            continue
        await work.session.delete(nomination)
        work.audit(
            community, None, "election.lapsed", name=user.display_name, number=election.number
        )
        key_ = nominee_key(election.id, user.id)
        work.edit_posted(community.chat_id, key_, nomination_lapsed(t, election, role, user))
        private_t = work.reader_translator(user, community)
        work.edit_posted(user.id, key_, nomination_lapsed(private_t, election, role, user))
    await work.session.flush()
    if not standing:
        await _fail(work, community, role, election, "nobody")
        return
    standing.sort(key=lambda user: (tidy(user.display_name).casefold(), user.id))
    method = settings.value(community, ELECTION_METHOD)
    labels = ballot_labels([user.display_name for user in standing], none_label(t))
    poll = await work.open_vote(
        VoteRequest(
            question=vote_question(t, election, role),
            options=labels,
            kind=PollKind.RANKED if method == "ranked" else PollKind.APPROVAL,
            subject=("election", election.id),
            deadline=work.now + timedelta(hours=election.vote_hours),
            by_bot=True,
        ),
        community,
    )
    election.phase, election.poll_id = ElectionPhase.VOTING, poll.id
    election.result = {"candidates": [user.id for user in standing], "method": method}
    work.audit(
        community,
        None,
        "election.vote_opened",
        number=election.number,
        role=role.name,
        poll=poll.number,
        names=", ".join(poll.options[:-1]),
    )
    await refresh(work, community, role, election)


async def _fail(work: Work, community: Community, role: Role, election: Election, why: str) -> None:
    election.phase, election.closed_at = ElectionPhase.FAILED, work.now
    election.result = {**(election.result or {}), "failed": why}
    work.audit(community, None, f"election.failed_{why}", number=election.number, role=role.name)
    work.post(
        community.chat_id, failure_text(work.community_translator(community), why, election, role)
    )
    await refresh(work, community, role, election)


@feature.on_close("election")
async def election_vote_closed(work: Work, poll: Poll, outcome: Outcome) -> None:
    """The vote decided: the winners take the seats (or the election fails)."""
    election = await queries.locked_election(work.session, poll.subject_id or 0)
    if (
        election is None
        or election.phase is not ElectionPhase.VOTING
        or election.poll_id != poll.id
    ):
        return
    role = await work.session.get(Role, election.role_id)
    community = await work.session.get(Community, election.community_id)
    assert role is not None and community is not None
    if outcome.ballots == 0:
        await _fail(work, community, role, election, "no_votes")
        return
    if not outcome.valid:
        await _fail(work, community, role, election, "no_quorum")
        return
    t = work.community_translator(community)
    candidate_ids: list[int] = list((election.result or {}).get("candidates", []))
    labels, none = list(poll.options[:-1]), poll.options[-1]
    people = await queries.users(work.session, candidate_ids)
    by_label = {
        label: people[user_id] for label, user_id in zip(labels, candidate_ids, strict=True)
    }
    able, passed_over = [], []
    for label, user in by_label.items():
        if await why_not(work, t, community, role, election, user) is None:
            able.append(label)
        else:
            passed_over.append(label)
    seats = min(election.seats, role.seats - await queries.seats_held(work.session, role))
    seed = lot_seed(election.number, poll.number, outcome.ballots)
    selection = await _count(work, poll, outcome, able, none, max(seats, 0), seed)
    if not selection.winners:
        await _fail(work, community, role, election, "none")
        return
    elected = [
        await _take_seat(work, community, role, election, by_label[label])
        for label in selection.winners
    ]
    ties = tie_text(t, seed, selection)
    for tie in selection.ties:
        work.audit(
            community,
            None,
            "election.tie",
            number=election.number,
            tied=", ".join(tie.tied),
            seed=seed,
            order=" → ".join(tie.order),
        )
    vacant = election.seats - len(elected)
    election.phase, election.closed_at = ElectionPhase.DONE, work.now
    election.result = {
        **(election.result or {}),
        "winners": [user.id for user, _ in elected],
        "vacant": vacant,
        "seed": seed,
        "ties": [{"tied": list(tie.tied), "order": list(tie.order)} for tie in selection.ties],
        "passed_over": passed_over,
    }
    work.audit(
        community,
        None,
        "election.result",
        number=election.number,
        role=role.name,
        names=", ".join(user.display_name for user, _ in elected),
        vacant=vacant,
    )
    work.post(
        community.chat_id,
        result_text(
            t,
            election,
            role,
            poll.number,
            elected,
            vacant=vacant,
            ties=ties,
            passed_over=passed_over,
            now=work.now,
        ),
    )
    await refresh(work, community, role, election)


async def _count(
    work: Work,
    poll: Poll,
    outcome: Outcome,
    able: list[str],
    none: str,
    seats: int,
    seed: str,
) -> Selection:
    """Who the ballots elect among the ``able`` candidates (``handlers.governance.rules``)."""
    if poll.kind is PollKind.RANKED:
        totals = await BallotBox(work.session, poll).totals()
        rankings = [([poll.options[i] for i in choice], n) for choice, n in totals]
        return ranked_winners(rankings, able, none, seats, seed)
    approvals = {label: outcome.counts[poll.options.index(label)] for label in able}
    return approval_winners(approvals, outcome.counts[-1], seats, seed)


async def _take_seat(
    work: Work, community: Community, role: Role, election: Election, user: User
) -> tuple[User, Term]:
    ends_at = work.now + timedelta(days=role.term_days)
    term = Term(
        role_id=role.id,
        user_id=user.id,
        started_at=work.now,
        ends_at=ends_at,
        election_id=election.id,
    )
    work.session.add(term)
    await work.session.flush()
    work.schedule(TERM_END_JOB, term.id, ends_at)
    work.audit(
        community,
        user.id,
        "term.started",
        name=user.display_name,
        role=role.name,
        until=_date(ends_at),
    )
    return user, term


def _date(moment: datetime) -> str:
    """A moment as the log keeps it in its details: an ISO date and time, UTC."""
    return moment.strftime("%Y-%m-%d %H:%M UTC")
