"""Roles: /role new and the members' poll that creates a role, /roles, /resign, and every way a
term ends (its end date, a resignation, the holder leaving the community).

Who may do what: any member proposes a role; it exists only once a members'
poll approves it (then its first election opens by itself); a duplicate name,
active or proposed, is refused. Only a holder resigns, and only their own
seat. A role gives no vote, no power in any command and no exemption from
duties (every member stays in every duty's pool).

``end_term`` is the one place a term ends here; a recall (handlers/governance/
petitions.py) may end one itself, setting ``ended_at`` and ``end_reason``: the
term-end job then finds it ended and does nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core.context import Context, JobContext, UserError, Work, example, hint
from handlers.core.i18n import N_
from handlers.core.numbering import add_numbered
from handlers.core.outcome import Outcome
from handlers.core.paging import Listed, listing
from handlers.core.registry import Feature, VoteRequest
from handlers.governance import queries
from handlers.governance.elections import (
    TERM_END_JOB,
    active_role,
    open_election,
    refuse_proposed,
)
from handlers.governance.rules import (
    MAX_SEATS,
    MAX_TERM_DAYS,
    MIN_SEATS,
    MIN_TERM_DAYS,
    ROLE_NAME_LIMIT,
    BadRole,
    RoleProblem,
    parse_role,
)
from handlers.governance.views import (
    ROLE_EXAMPLE,
    RolesPage,
    role_entry,
    role_question,
    term_ended,
)
from models import Community, Election, Poll, PollKind, Role, RoleStatus, Term, TermEnd, User

feature = Feature("governance.roles")
feature.audit(
    "role.proposed",
    N_("{actor} proposed the role {role} (term in days: {days}; seats: {seats}), poll #{poll}"),
)
feature.audit("role.approved", N_("The role {role} was created by poll #{poll}"))
feature.audit("role.rejected", N_("The role {role} was not created: poll #{poll} did not pass"))
feature.audit("term.expired", N_("The term of {name} as {role} ended"))
feature.audit("term.resigned", N_("{name} resigned as {role}"))
feature.audit("term.recalled", N_("{name} was recalled as {role}"))
feature.audit("term.left", N_("{name} left the community and their seat as {role}"))

#: Why an election opens when a term ends for each reason (``Election.reason``).
ELECTION_REASONS = {
    TermEnd.EXPIRED: "term_end",
    TermEnd.RESIGNED: "resignation",
    TermEnd.RECALLED: "recall",
    TermEnd.LEFT: "left",
}


async def current_terms(
    session: AsyncSession, community: Community, *, user_id: int | None = None
) -> list[Term]:
    """Seats held now in ``community`` (only ``user_id``'s, when given), by role, then start.

    For the rest of governance (a recall's target is one of these).
    """
    return await queries.current_terms(session, community, user_id=user_id)


async def end_term(
    work: Work,
    community: Community,
    role: Role,
    term: Term,
    reason: TermEnd,
    *,
    at: datetime | None = None,
) -> Election:
    """End ``term`` (locked by the caller) for ``reason``: logged, told to the group, and an
    election for the seat opened, which is returned."""
    term.ended_at, term.end_reason = at or work.now, reason
    if reason is not TermEnd.EXPIRED:
        await work.cancel_jobs(TERM_END_JOB, term.id)
    holder = await work.session.get(User, term.user_id)
    assert holder is not None
    work.audit(
        community, holder.id, f"term.{reason.value}", name=holder.display_name, role=role.name
    )
    t = work.community_translator(community)
    work.post(community.chat_id, term_ended(t, reason, holder.display_name, role))
    return await open_election(work, community, role, seats=1, reason=ELECTION_REASONS[reason])


def _role_hint(ctx: Context, problem: BadRole) -> str:
    problems = {
        RoleProblem.SHAPE: ctx.t(
            "Give the role's name, how long a term lasts and how many seats it has, separated by |."
        ),
        RoleProblem.EMPTY_NAME: ctx.t("Give the role a name."),
        RoleProblem.LONG_NAME: ctx.t(
            "A role's name has at most {limit} characters.", limit=ROLE_NAME_LIMIT
        ),
        RoleProblem.MENTION_NAME: ctx.t(
            "A role's name cannot start with @ or #: “{value}”.", value=problem.value
        ),
        RoleProblem.BAD_TERM: ctx.t(
            "I can't read “{value}” as a term: write it like 90 days, 12 weeks, 6 months or "
            "1 year.",
            value=problem.value,
        ),
        RoleProblem.TERM_RANGE: ctx.t(
            "A term lasts from {low} to {high} days, not “{value}”.",
            low=MIN_TERM_DAYS,
            high=MAX_TERM_DAYS,
            value=problem.value,
        ),
        RoleProblem.BAD_SEATS: ctx.t(
            "The number of seats is a whole number, not “{value}”.", value=problem.value
        ),
        RoleProblem.SEATS_RANGE: ctx.t(
            "A role has from {low} to {high} seats, not “{value}”.",
            low=MIN_SEATS,
            high=MAX_SEATS,
            value=problem.value,
        ),
    }
    return hint(ctx.t, problems[problem.problem], example("/role new", ctx.t(ROLE_EXAMPLE)))


@feature.command(
    "role", N_("propose a role: /role new NAME | TERM | SEATS; it exists once its poll passes")
)
async def role_command(ctx: Context) -> None:
    community = ctx.require_community()
    word, _, rest = ctx.args.partition(" ")
    if word.lower() != "new":
        raise UserError(
            hint(
                ctx.t,
                ctx.t("To propose a role, write /role new, its name, its term and its seats."),
                example("/role new", ctx.t(ROLE_EXAMPLE)),
            )
        )
    try:
        draft = parse_role(rest)
    except BadRole as problem:
        raise UserError(_role_hint(ctx, problem)) from None
    # Two proposals of one name at once: the community row is the lock both take first.
    await ctx.session.execute(
        select(Community.id).where(Community.id == community.id).with_for_update(key_share=True)
    )
    existing = await queries.role_keyed(ctx.session, community, draft.key)
    if existing is not None and existing.status is RoleStatus.ACTIVE:
        raise UserError(
            ctx.t("There is already a role called {name}; /roles shows it.", name=existing.name)
        )
    if existing is not None:
        await refuse_proposed(ctx, existing)
    role = Role(
        community_id=community.id,
        name=draft.name,
        key=draft.key,
        term_days=draft.term_days,
        seats=draft.seats,
        status=RoleStatus.PROPOSED,
        proposed_by=ctx.user.id,
        created_at=ctx.now,
    )
    await add_numbered(ctx.session, role)
    poll = await ctx.open_vote(
        VoteRequest(
            question=role_question(ctx.t, draft),
            options=[str(ctx.t("Yes")), str(ctx.t("No"))],
            kind=PollKind.SINGLE,
            subject=("role", role.id),
        )
    )
    role.poll_id = poll.id
    ctx.log(
        "role.proposed",
        actor=ctx.user.display_name,
        role=role.name,
        days=role.term_days,
        seats=role.seats,
        poll=poll.number,
    )


@feature.on_close("role")
async def role_poll_closed(work: Work, poll: Poll, outcome: Outcome) -> None:
    """A passed poll creates the role and opens its first election; a failed one rejects it."""
    role = await work.session.scalar(
        select(Role).where(Role.id == poll.subject_id).with_for_update()
    )
    if role is None or role.status is not RoleStatus.PROPOSED or role.poll_id != poll.id:
        return
    community = await work.session.get(Community, role.community_id)
    assert community is not None
    t = work.community_translator(community)
    if not outcome.passed:
        role.status = RoleStatus.REJECTED
        work.audit(community, None, "role.rejected", role=role.name, poll=poll.number)
        work.post(
            community.chat_id,
            t(
                "The role {name} was not created: poll #{poll} did not pass. It can be "
                "proposed again with /role new.",
                name=role.name,
                poll=poll.number,
            ),
        )
        return
    role.status = RoleStatus.ACTIVE
    work.audit(community, None, "role.approved", role=role.name, poll=poll.number)
    work.post(
        community.chat_id,
        t(
            "The members created the role <b>{name}</b> (poll #{poll}). Its first election "
            "opens now.",
            name=role.name,
            poll=poll.number,
        ),
    )
    await open_election(work, community, role, seats=role.seats, reason="new_role")


@listing(feature, "roles", N_("roles, who holds them and when each term ends"), page=RolesPage)
async def roles_list(ctx: Context, page: int) -> Listed:
    community = ctx.require_community()
    entries = []
    for role in await queries.roles_of(ctx.session, community):
        running = await queries.running_elections(ctx.session, role)
        polls = {
            election.id: await ctx.session.get(Poll, election.poll_id)
            for election in running
            if election.poll_id is not None
        }
        own = await ctx.session.get(Poll, role.poll_id) if role.poll_id else None
        entries.append(
            role_entry(
                ctx.t,
                role,
                await queries.holders(ctx.session, role),
                running,
                now=ctx.now,
                poll_number=own.number if own else None,
                vote_polls={
                    election_id: (poll.number, poll.closes_at)
                    for election_id, poll in polls.items()
                    if poll is not None
                },
            )
        )
    return Listed(
        str(ctx.t("<b>Roles</b>")),
        entries,
        hint(
            ctx.t,
            ctx.t("There are no roles yet. Any member can propose one."),
            example("/role new", ctx.t(ROLE_EXAMPLE)),
        ),
        size=5,
    )


@feature.command("resign", N_("give up your seat in a role: /resign ROLE; an election opens"))
async def resign(ctx: Context) -> None:
    community = ctx.require_community()
    role = await active_role(ctx, ctx.args, "/resign Treasurer")
    held = [
        term
        for term in await queries.current_terms(ctx.session, community, user_id=ctx.user.id)
        if term.role_id == role.id
    ]
    term = await queries.locked_term(ctx.session, held[0].id) if held else None
    if term is None or term.ended_at is not None:
        raise UserError(
            ctx.t(
                "You do not hold the role {role}, so there is no seat of yours to give up; "
                "/roles shows who holds it.",
                role=role.name,
            )
        )
    await end_term(ctx, community, role, term, TermEnd.RESIGNED)


@feature.job(TERM_END_JOB)
async def term_ends(work: JobContext, term_id: int) -> None:
    """A term reaches its end: it ends as it was due (however late the job runs)."""
    term = await queries.locked_term(work.session, term_id)
    if term is None or term.ended_at is not None or work.now < term.ends_at:
        return
    role = await work.session.get(Role, term.role_id)
    assert role is not None
    community = await work.session.get(Community, role.community_id)
    assert community is not None
    await end_term(work, community, role, term, TermEnd.EXPIRED, at=term.ends_at)


@feature.on_roster_change
async def holder_left(work: Work, community: Community, user_id: int, joined: bool) -> None:
    """A holder who leaves the community loses every seat they held in it."""
    if joined:
        return
    for held in await queries.current_terms(work.session, community, user_id=user_id):
        term = await queries.locked_term(work.session, held.id)
        role = await work.session.get(Role, held.role_id)
        if term is None or term.ended_at is not None or role is None:
            continue
        await end_term(work, community, role, term, TermEnd.LEFT)
