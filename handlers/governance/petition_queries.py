"""What petitions and the rule book read from the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.core import settings
from models import (
    Community,
    Member,
    Petition,
    PetitionKind,
    PetitionSigner,
    PetitionState,
    Role,
    RoleStatus,
    Rule,
    RuleVersion,
    Signature,
    Term,
    User,
)

#: A petition in these states is still running: it blocks a second one on the same target.
RUNNING = (PetitionState.OPEN, PetitionState.VOTING)


@dataclass(frozen=True, slots=True)
class Seat:
    """One seat someone holds now: their term and its role."""

    term: Term
    role: Role


@dataclass(frozen=True, slots=True)
class Target:
    """What a petition is about: the recalled holder and seat, or the rule it changes."""

    holder: User | None = None
    role: Role | None = None
    term: Term | None = None
    rule: Rule | None = None
    #: The rule's text in force (amend, repeal).
    rule_text: str = ""


async def seats_of(
    session: AsyncSession, community: Community, user_id: int, now: datetime
) -> list[Seat]:
    """The seats ``user_id`` holds in ``community`` now, by role number."""
    rows = await session.execute(
        select(Term, Role)
        .join(Role, Role.id == Term.role_id)
        .where(
            Role.community_id == community.id,
            Role.status == RoleStatus.ACTIVE,
            Term.user_id == user_id,
            Term.ended_at.is_(None),
            Term.ends_at > now,
        )
        .order_by(Role.number, Term.id)
    )
    return [Seat(term, role) for term, role in rows]


async def running_petition(
    session: AsyncSession, *, term_id: int | None = None, rule_id: int | None = None
) -> Petition | None:
    """The petition still running against this seat or this rule, if there is one."""
    target = Petition.term_id == term_id if term_id is not None else Petition.rule_id == rule_id
    found: Petition | None = await session.scalar(
        select(Petition).where(target, Petition.state.in_(RUNNING)).order_by(Petition.id).limit(1)
    )
    return found


async def fix_signers(session: AsyncSession, community: Community, petition: Petition) -> int:
    """Copy who may sign into ``petition_signers``: the roster now, less recent joiners.

    Returns how many they are: the electorate the threshold is counted from.
    """
    await session.execute(
        insert(PetitionSigner).from_select(
            ["petition_id", "user_id"],
            select(literal(petition.id, Integer), Member.user_id).where(
                Member.community_id == community.id,
                Member.left_at.is_(None),
                Member.joined_at <= settings.joined_by(community, petition.opened_at),
            ),
        )
    )
    count = await session.scalar(
        select(func.count())
        .select_from(PetitionSigner)
        .where(PetitionSigner.petition_id == petition.id)
    )
    return int(count or 0)


async def electorate_now(session: AsyncSession, community: Community, now: datetime) -> int:
    """How many could sign a petition opened ``now``: what its threshold is counted from."""
    count = await session.scalar(
        select(func.count())
        .select_from(Member)
        .where(
            Member.community_id == community.id,
            Member.left_at.is_(None),
            Member.joined_at <= settings.joined_by(community, now),
        )
    )
    return int(count or 0)


async def may_sign(session: AsyncSession, petition: Petition, user_id: int) -> bool:
    """Whether ``user_id`` was on the list of signers fixed when ``petition`` opened."""
    found = await session.scalar(
        select(PetitionSigner.user_id).where(
            PetitionSigner.petition_id == petition.id, PetitionSigner.user_id == user_id
        )
    )
    return found is not None


async def has_signed(session: AsyncSession, petition: Petition, user_id: int) -> bool:
    found = await session.scalar(
        select(Signature.user_id).where(
            Signature.petition_id == petition.id, Signature.user_id == user_id
        )
    )
    return found is not None


async def signature_count(session: AsyncSession, petition: Petition) -> int:
    await session.flush()
    count = await session.scalar(
        select(func.count()).select_from(Signature).where(Signature.petition_id == petition.id)
    )
    return int(count or 0)


async def lock_petition(session: AsyncSession, petition_id: int) -> Petition | None:
    """The petition, locked: every signature and every state change takes this lock first."""
    found: Petition | None = await session.scalar(
        select(Petition)
        .where(Petition.id == petition_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return found


async def target_of(session: AsyncSession, petition: Petition) -> Target:
    """The holder and seat a recall is about, or the rule an amendment or repeal changes."""
    if petition.kind is PetitionKind.RECALL and petition.term_id is not None:
        term = await session.get(Term, petition.term_id)
        assert term is not None
        holder = await session.get(User, term.user_id)
        role = await session.get(Role, term.role_id)
        return Target(holder=holder, role=role, term=term)
    if petition.rule_id is not None:
        rule = await session.get(Rule, petition.rule_id)
        assert rule is not None
        return Target(rule=rule, rule_text=(await latest_version(session, rule)).text)
    return Target()


async def versions(session: AsyncSession, rule: Rule) -> list[RuleVersion]:
    """Every version of ``rule``, oldest first."""
    found = await session.scalars(
        select(RuleVersion).where(RuleVersion.rule_id == rule.id).order_by(RuleVersion.version)
    )
    return list(found)


async def latest_version(session: AsyncSession, rule: Rule) -> RuleVersion:
    """The version in force (or the repeal, for a repealed rule)."""
    found = await session.scalar(
        select(RuleVersion)
        .where(RuleVersion.rule_id == rule.id)
        .order_by(RuleVersion.version.desc())
        .limit(1)
    )
    assert found is not None, f"rule {rule.id} has no version"
    return found


async def rules_with_versions(
    session: AsyncSession, community: Community
) -> list[tuple[Rule, RuleVersion]]:
    """Every rule of ``community`` with its latest version, by number."""
    latest = (
        select(RuleVersion.rule_id, func.max(RuleVersion.version).label("version"))
        .group_by(RuleVersion.rule_id)
        .subquery()
    )
    rows = await session.execute(
        select(Rule, RuleVersion)
        .join(latest, latest.c.rule_id == Rule.id)
        .join(
            RuleVersion,
            (RuleVersion.rule_id == Rule.id) & (RuleVersion.version == latest.c.version),
        )
        .where(Rule.community_id == community.id)
        .order_by(Rule.number)
    )
    return [(rule, version) for rule, version in rows]


async def running_on_rules(session: AsyncSession, rule_ids: Sequence[int]) -> dict[int, int]:
    """The number of the petition running on each of these rules, where one is."""
    if not rule_ids:
        return {}
    rows = await session.execute(
        select(Petition.rule_id, Petition.number).where(
            Petition.rule_id.in_(list(rule_ids)), Petition.state.in_(RUNNING)
        )
    )
    return {rule_id: number for rule_id, number in rows if rule_id is not None}
