"""A community's public data, gathered from the models into plain values.

One gathering serves the web page and both exports (and ``/export`` in the chat), so what
a page shows and what a file holds cannot drift apart. The values are raw (aware UTC
datetimes, exact ``Money``, status codes) for the exports to write as data and the page to
format in its language; only the audit log is rendered here, in the reader's language, with
the templates the features declared (``handlers.core.audit.describe``).

What is left out on purpose: Telegram ids and usernames of anyone (people are their display
names; a name that is only digits, Telegram's fallback for a nameless account, shows as
"a member"), who voted or supported what (polls give totals only, from ``Poll.result``; needs
and budget items a count), anything of a poll still open, and the raw details of audit
entries (their rendered text only, so no detail a template does not show gets out).

Long sections are cut to the latest ``rows`` for the page (``None``: everything, for the
exports); the audit log is read a page at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from markupsafe import Markup
from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from handlers.core import audit
from handlers.core.i18n import Translator
from handlers.public.rules import Money, clamp_page
from models import (
    AuditEntry,
    Budget,
    BudgetPick,
    Community,
    EntryKind,
    EntryState,
    FundEntry,
    Member,
    Need,
    NeedStatus,
    NeedSupport,
    PlanCost,
    PlanItem,
    PlanNote,
    PlanStatus,
    Poll,
    PollOutcome,
    Problem,
    ProblemStatus,
    Shift,
    ShiftPerson,
    User,
)

T = TypeVar("T")
S = TypeVar("S", bound=Select[Any])

#: The entries that move money, as the fund feature counts its balance: a budget round's
#: commitment is a promise to a plan item, paid later by an "out", not money gone.
CASH = (EntryKind.IN, EntryKind.OUT, EntryKind.REVERSAL)
#: How many rows of each long section the page shows; the exports have them all.
PAGE_ROWS = 25
#: Audit entries on one page of the page's log.
LOG_PAGE = 50


@dataclass(frozen=True, slots=True)
class PlanRow:
    number: int
    title: str
    status: str  # PlanStatus value: planned, in_progress, done
    taker: str | None
    taken_at: datetime | None
    done_at: datetime | None
    note: str | None  # the latest progress or done note
    noted_at: datetime | None
    cost: Money | None
    funded_by: int | None  # the budget round's number


@dataclass(frozen=True, slots=True)
class NeedRow:
    number: int
    text: str
    author: str
    proposed_at: datetime
    status: str  # NeedStatus value: open, voting
    support: int  # members on the roster who support it


@dataclass(frozen=True, slots=True)
class ProblemRow:
    number: int
    text: str
    reporter: str
    reported_at: datetime
    reopened_at: datetime | None


@dataclass(frozen=True, slots=True)
class OptionResult:
    name: str
    votes: int  # votes, approvals, or votes in the final round of a ranked poll
    won: bool


@dataclass(frozen=True, slots=True)
class RecordedOutcome:
    """What members recorded that a closed poll led to (``/outcome``)."""

    text: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PollRow:
    number: int
    question: str
    kind: str  # PollKind value
    opened_at: datetime
    closed_at: datetime
    options: tuple[OptionResult, ...]
    ballots: int
    electorate: int
    quorum: float | None
    valid: bool
    rounds: int  # instant-runoff rounds (ranked polls), else 0
    #: What the bot did with the result, when a feature opened the poll: ("need", 4, 2) is
    #: need #4 adopted as plan item #2, ("need", 4, None) need #4 not adopted.
    decision: tuple[str, int, int | None] | None
    #: The latest outcome members recorded with /outcome (handlers/polls/outcomes.py).
    outcome: RecordedOutcome | None

    @property
    def turnout(self) -> float:
        return self.ballots / self.electorate if self.electorate else 0.0


@dataclass(frozen=True, slots=True)
class ShiftRow:
    number: int
    duty: str
    starts_at: datetime
    ends_at: datetime
    people: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FundRow:
    number: int
    kind: str  # EntryKind value: in, out, reversal, commitment
    state: str  # EntryState value: recorded, pending, rejected
    amount: Money  # signed: in > 0, out < 0
    note: str
    recorded_by: str | None
    recorded_at: datetime
    reverses: int | None  # the number of the entry it reverses
    poll: int | None  # the poll an "out" above the limit waits for
    plan_item: int | None
    budget: int | None


@dataclass(frozen=True, slots=True)
class BudgetItem:
    plan_item: int
    title: str
    cost: Money
    support: int | None  # how many picked it; None while the round is open
    funded: bool


@dataclass(frozen=True, slots=True)
class BudgetRow:
    number: int
    amount: Money
    opened_by: str
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    electorate: int
    items: tuple[BudgetItem, ...]

    @property
    def funded(self) -> Money:
        return Money(sum(i.cost.minor for i in self.items if i.funded), self.amount.currency)

    @property
    def left(self) -> Money:
        return Money(self.amount.minor - self.funded.minor, self.amount.currency)


@dataclass(frozen=True, slots=True)
class AuditRow:
    at: datetime
    action: str
    text: Markup  # rendered in the reader's language, user text escaped


@dataclass(frozen=True, slots=True)
class Part(Generic[T]):
    """The rows of a section that were read, and how many there are in all."""

    rows: tuple[T, ...]
    total: int

    @property
    def cut(self) -> bool:
        return len(self.rows) < self.total


@dataclass(frozen=True, slots=True)
class Snapshot:
    title: str
    language: str  # what the audit texts are written in
    timezone: str
    made_at: datetime
    plan: Part[PlanRow]
    needs: Part[NeedRow]
    problems: Part[ProblemRow]
    polls: Part[PollRow]
    shifts: Part[ShiftRow]
    balance: tuple[Money, ...]  # recorded money in and out, one line per currency
    fund: Part[FundRow]
    budgets: Part[BudgetRow]
    audit: Part[AuditRow]
    audit_page: int  # 1-based


#: The sections in the order the page and the exports have them.
SECTIONS = ("plan", "needs", "problems", "polls", "shifts", "fund", "budgets", "audit")


async def gather(
    session: AsyncSession,
    community: Community,
    templates: Mapping[str, str],
    t: Translator,
    now: datetime,
    *,
    rows: int | None = None,
    audit_page: int = 1,
    audit_size: int | None = None,
) -> Snapshot:
    """Everything public about ``community``; ``rows`` cuts each long section (None: all).

    ``audit_size`` entries of the log from ``audit_page`` on (None: the whole log).
    A dozen small queries, each on an index; nothing is written.
    """
    names = _Names(session, community.id, t)
    plan = await _plan(session, community, names, rows)
    needs = await _needs(session, community, names, rows)
    problems = await _problems(session, community, names, rows)
    polls = await _polls(session, community, names, rows)
    shifts = await _shifts(session, community, names, now, rows)
    balance, fund = await _fund(session, community, names, rows)
    budgets = await _budgets(session, community, names, rows)
    log, audit_page = await _audit(session, community, templates, t, audit_page, audit_size)
    return Snapshot(
        title=community.title,
        language=t.language,
        timezone=community.timezone,
        made_at=now,
        plan=plan,
        needs=needs,
        problems=problems,
        polls=polls,
        shifts=shifts,
        balance=balance,
        fund=fund,
        budgets=budgets,
        audit=log,
        audit_page=audit_page,
    )


class _Names:
    """Display names by user id, read once per gathering: the community's roster, past and
    present, and anyone else a row names."""

    def __init__(self, session: AsyncSession, community_id: int, t: Translator) -> None:
        self.session = session
        self.community_id = community_id
        self.t = t
        self._names: dict[int, str] | None = None

    async def of(self, user_ids: Collection[int | None]) -> dict[int, str]:
        if self._names is None:
            rows = await self.session.execute(
                select(User.id, User.display_name)
                .join(Member, Member.user_id == User.id)
                .where(Member.community_id == self.community_id)
            )
            self._names = {user_id: self._shown(user_id, name) for user_id, name in rows.all()}
        missing = {i for i in user_ids if i is not None and i not in self._names}
        if missing:
            rows = await self.session.execute(
                select(User.id, User.display_name).where(User.id.in_(missing))
            )
            self._names.update((i, self._shown(i, name)) for i, name in rows.all())
            self._names.update((i, self.someone) for i in missing - self._names.keys())
        return self._names

    @property
    def someone(self) -> str:
        return str(self.t("a member"))

    def _shown(self, user_id: int, name: str) -> str:
        """Telegram's fallback for an account with no name is its id: never show that."""
        shown = name.strip()
        if not shown or shown == str(user_id) or shown.lstrip("@").isdigit():
            return self.someone
        return shown


def _columns(model: type[Any], names: str) -> Select[Any]:
    """A select of plain rows (``row.number``...) instead of ORM objects: several times
    faster for thousands of rows, which matters inside /export's transaction."""
    return select(*(getattr(model, name) for name in names.split()))


def _limited(query: S, rows: int | None) -> S:
    return query if rows is None else query.limit(rows)


async def _count(session: AsyncSession, query: Select[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def _plan(
    session: AsyncSession, community: Community, names: _Names, rows: int | None
) -> Part[PlanRow]:
    """In progress, then planned (by number), then done (latest first), as /plan has them."""
    mine = select(PlanItem.id).where(PlanItem.community_id == community.id)
    order = case(
        (PlanItem.status == PlanStatus.IN_PROGRESS, 0),
        (PlanItem.status == PlanStatus.PLANNED, 1),
        else_=2,
    )
    items = (
        await session.execute(
            _limited(
                _columns(PlanItem, "id number title status taker_id taken_at done_at")
                .where(PlanItem.community_id == community.id)
                .order_by(order, PlanItem.done_at.desc(), PlanItem.number),
                rows,
            )
        )
    ).all()
    ids = [item.id for item in items]
    latest = (
        select(func.max(PlanNote.id))
        .where(PlanNote.plan_item_id.in_(ids))
        .group_by(PlanNote.plan_item_id)
    )
    notes = {
        note.plan_item_id: note
        for note in await session.scalars(select(PlanNote).where(PlanNote.id.in_(latest)))
    }
    costs = {
        cost.plan_item_id: (cost, number)
        for cost, number in (
            await session.execute(
                select(PlanCost, Budget.number)
                .outerjoin(Budget, Budget.id == PlanCost.funded_by)
                .where(PlanCost.plan_item_id.in_(ids))
            )
        ).all()
    }
    people = await names.of([item.taker_id for item in items])
    shown = []
    for item in items:
        note = notes.get(item.id)
        cost, funded_by = costs.get(item.id, (None, None))
        shown.append(
            PlanRow(
                number=item.number,
                title=item.title,
                status=item.status.value,
                taker=people[item.taker_id] if item.taker_id is not None else None,
                taken_at=item.taken_at,
                done_at=item.done_at,
                note=note.text if note else None,
                noted_at=note.at if note else None,
                cost=Money(cost.amount_minor, cost.currency) if cost else None,
                funded_by=funded_by,
            )
        )
    return Part(tuple(shown), await _count(session, mine))


async def _needs(
    session: AsyncSession, community: Community, names: _Names, rows: int | None
) -> Part[NeedRow]:
    """Open needs by support, then age, as /needs ranks them (support of people on the roster
    only, the needs feature's rule: someone who left stops counting)."""
    support = (
        select(func.count(NeedSupport.id))
        .join(
            Member,
            (Member.user_id == NeedSupport.user_id) & (Member.community_id == Need.community_id),
        )
        .where(NeedSupport.need_id == Need.id, Member.left_at.is_(None))
        .correlate(Need)
        .scalar_subquery()
    )
    where = (
        Need.community_id == community.id,
        Need.status.in_([NeedStatus.OPEN, NeedStatus.VOTING]),
    )
    found = (
        await session.execute(
            _limited(
                select(Need, support)
                .options(lazyload("*"))
                .where(*where)
                .order_by(support.desc(), Need.created_at),
                rows,
            )
        )
    ).all()
    people = await names.of([need.author_id for need, _ in found])
    shown = tuple(
        NeedRow(
            number=need.number,
            text=need.text,
            author=people[need.author_id],
            proposed_at=need.created_at,
            status=need.status.value,
            support=int(count or 0),
        )
        for need, count in found
    )
    return Part(shown, await _count(session, select(Need.id).where(*where)))


async def _problems(
    session: AsyncSession, community: Community, names: _Names, rows: int | None
) -> Part[ProblemRow]:
    where = (Problem.community_id == community.id, Problem.status == ProblemStatus.OPEN)
    found = list(
        await session.scalars(
            _limited(
                select(Problem)
                .options(lazyload("*"))
                .where(*where)
                .order_by(Problem.created_at, Problem.id),
                rows,
            )
        )
    )
    people = await names.of([p.reporter_id for p in found])
    shown = tuple(
        ProblemRow(p.number, p.text, people[p.reporter_id], p.created_at, p.reopened_at)
        for p in found
    )
    return Part(shown, await _count(session, select(Problem.id).where(*where)))


async def _polls(
    session: AsyncSession, community: Community, names: _Names, rows: int | None
) -> Part[PollRow]:
    """Closed polls, latest first, with the totals their close published (``Poll.result``)."""
    where = (
        Poll.community_id == community.id,
        Poll.closed_at.is_not(None),
        Poll.result.is_not(None),
    )
    polls = (
        await session.execute(
            _limited(
                _columns(
                    Poll,
                    "id number question kind options opened_at closed_at electorate quorum "
                    "subject_kind subject_id result",
                )
                .where(*where)
                .order_by(Poll.closed_at.desc(), Poll.number.desc()),
                rows,
            )
        )
    ).all()
    decisions = await _decisions(session, polls)
    outcomes = await _outcomes(session, polls, names)
    shown = []
    for poll in polls:
        result: dict[str, Any] = poll.result or {}
        counts = [int(c) for c in result.get("counts", [])]
        winners = {int(w) for w in result.get("winners", [])}
        options = tuple(
            OptionResult(name, counts[i] if i < len(counts) else 0, i in winners)
            for i, name in enumerate(poll.options)
        )
        assert poll.closed_at is not None
        shown.append(
            PollRow(
                number=poll.number,
                question=poll.question,
                kind=poll.kind.value,
                opened_at=poll.opened_at,
                closed_at=poll.closed_at,
                options=options,
                ballots=int(result.get("ballots", 0)),
                electorate=int(result.get("electorate", poll.electorate)),
                quorum=result.get("quorum", poll.quorum),
                valid=bool(result.get("valid", True)),
                rounds=len(result.get("rounds", [])),
                decision=decisions.get(poll.id),
                outcome=outcomes.get(poll.id),
            )
        )
    return Part(tuple(shown), await _count(session, select(Poll.id).where(*where)))


async def _decisions(
    session: AsyncSession, polls: Sequence[Any]
) -> dict[int, tuple[str, int, int | None]]:
    """What the polls other features opened decided, as far as their rows tell.

    An adoption vote (``("need", id)``) adopted the need when the need names this poll as its
    latest and has become a plan item; any other closed adoption vote did not.
    """
    need_polls = {p.id: p.subject_id for p in polls if p.subject_kind == "need" and p.subject_id}
    if not need_polls:
        return {}
    found = (
        await session.execute(
            select(Need.id, Need.number, Need.poll_id, Need.status, PlanItem.number)
            .outerjoin(PlanItem, PlanItem.need_id == Need.id)
            .where(Need.id.in_(set(need_polls.values())))
        )
    ).all()
    needs = {row[0]: row[1:] for row in found}
    decided: dict[int, tuple[str, int, int | None]] = {}
    for poll_id, need_id in need_polls.items():
        if need_id not in needs:
            continue
        number, latest_poll, status, item = needs[need_id]
        adopted = latest_poll == poll_id and status is NeedStatus.ADOPTED and item is not None
        decided[poll_id] = ("need", number, item if adopted else None)
    return decided


async def _outcomes(
    session: AsyncSession, polls: Sequence[Any], names: _Names
) -> dict[int, RecordedOutcome]:
    """The outcome members recorded for each poll (its latest version), by poll id."""
    ids = [poll.id for poll in polls]
    if not ids:
        return {}
    rows = list(
        await session.scalars(
            select(PollOutcome)
            .options(lazyload(PollOutcome.author))
            .where(PollOutcome.poll_id.in_(ids))
            .order_by(PollOutcome.poll_id, PollOutcome.id)
        )
    )
    latest = {row.poll_id: row for row in rows}  # ordered by id: the last one wins
    shown = await names.of([row.author_id for row in latest.values()])
    return {
        poll_id: RecordedOutcome(row.text, shown[row.author_id], row.at)
        for poll_id, row in latest.items()
    }


async def _shifts(
    session: AsyncSession, community: Community, names: _Names, now: datetime, rows: int | None
) -> Part[ShiftRow]:
    """Shifts not over yet, soonest first, with the people on each."""
    where = (Shift.community_id == community.id, Shift.ends_at > now)
    shifts = list(
        await session.scalars(
            _limited(select(Shift).where(*where).order_by(Shift.starts_at, Shift.id), rows)
        )
    )
    on: dict[int, list[int]] = {shift.id: [] for shift in shifts}
    for shift_id, user_id in (
        await session.execute(
            select(ShiftPerson.shift_id, ShiftPerson.user_id)
            .where(ShiftPerson.shift_id.in_(list(on)))
            .order_by(ShiftPerson.id)
        )
    ).all():
        on[shift_id].append(user_id)
    people = await names.of([u for users in on.values() for u in users])
    shown = tuple(
        ShiftRow(s.number, s.duty.name, s.starts_at, s.ends_at, tuple(people[u] for u in on[s.id]))
        for s in shifts
    )
    return Part(shown, await _count(session, select(Shift.id).where(*where)))


async def _fund(
    session: AsyncSession, community: Community, names: _Names, rows: int | None
) -> tuple[tuple[Money, ...], Part[FundRow]]:
    """The balance (recorded in, out and reversal entries, per currency: the fund's own
    rule) and the ledger, latest first."""
    mine = FundEntry.community_id == community.id
    balance = tuple(
        Money(int(minor or 0), currency)
        for currency, minor in (
            await session.execute(
                select(FundEntry.currency, func.sum(FundEntry.amount_minor))
                .where(mine, FundEntry.state == EntryState.RECORDED, FundEntry.kind.in_(CASH))
                .group_by(FundEntry.currency)
                .order_by(FundEntry.currency)
            )
        ).all()
    )
    entries = (
        await session.execute(
            _limited(
                _columns(
                    FundEntry,
                    "number kind state amount_minor currency note recorded_by recorded_at "
                    "reverses_id poll_id plan_item_id budget_id",
                )
                .where(mine)
                .order_by(FundEntry.number.desc()),
                rows,
            )
        )
    ).all()
    numbers = await _numbers(
        session,
        entries=[e.reverses_id for e in entries],
        polls=[e.poll_id for e in entries],
        items=[e.plan_item_id for e in entries],
        budgets=[e.budget_id for e in entries],
    )
    people = await names.of([e.recorded_by for e in entries])
    shown = tuple(
        FundRow(
            number=e.number,
            kind=e.kind.value,
            state=e.state.value,
            amount=Money(e.amount_minor, e.currency),
            note=e.note,
            recorded_by=people[e.recorded_by] if e.recorded_by is not None else None,
            recorded_at=e.recorded_at,
            reverses=numbers[FundEntry].get(e.reverses_id) if e.reverses_id else None,
            poll=numbers[Poll].get(e.poll_id) if e.poll_id else None,
            plan_item=numbers[PlanItem].get(e.plan_item_id) if e.plan_item_id else None,
            budget=numbers[Budget].get(e.budget_id) if e.budget_id else None,
        )
        for e in entries
    )
    return balance, Part(shown, await _count(session, select(FundEntry.id).where(mine)))


async def _numbers(
    session: AsyncSession,
    *,
    entries: Sequence[int | None],
    polls: Sequence[int | None],
    items: Sequence[int | None],
    budgets: Sequence[int | None],
) -> dict[type[Any], dict[int, int]]:
    """The community numbers (#n) of rows that ledger entries point at by id."""
    found: dict[type[Any], dict[int, int]] = {}
    for model, ids in (
        (FundEntry, entries),
        (Poll, polls),
        (PlanItem, items),
        (Budget, budgets),
    ):
        wanted = {i for i in ids if i is not None}
        found[model] = (
            dict(
                (
                    await session.execute(
                        select(model.id, model.number).where(model.id.in_(wanted))
                    )
                ).all()
            )
            if wanted
            else {}
        )
    return found


async def _budgets(
    session: AsyncSession, community: Community, names: _Names, rows: int | None
) -> Part[BudgetRow]:
    """Budget rounds, latest first: the items on the ballot, their support once the round
    closed (a count of picks, never whose), and which were funded."""
    mine = Budget.community_id == community.id
    budgets = list(
        await session.scalars(
            _limited(select(Budget).where(mine).order_by(Budget.number.desc()), rows)
        )
    )
    item_ids = {int(entry[0]) for b in budgets for entry in (b.items or [])}
    titles = {
        item_id: (number, title)
        for item_id, number, title in (
            await session.execute(
                select(PlanItem.id, PlanItem.number, PlanItem.title).where(
                    PlanItem.id.in_(item_ids)
                )
            )
        ).all()
    }
    closed = [b.id for b in budgets if b.closed_at is not None]
    support: dict[tuple[int, int], int] = {
        (budget_id, item_id): int(count)
        for budget_id, item_id, count in (
            await session.execute(
                select(BudgetPick.budget_id, BudgetPick.plan_item_id, func.count())
                .where(BudgetPick.budget_id.in_(closed))
                .group_by(BudgetPick.budget_id, BudgetPick.plan_item_id)
            )
        ).all()
    }
    funded = set(
        (
            await session.execute(
                select(PlanCost.funded_by, PlanCost.plan_item_id).where(
                    PlanCost.funded_by.in_([b.id for b in budgets])
                )
            )
        ).all()
    )
    people = await names.of([b.opened_by for b in budgets])
    shown = []
    for b in budgets:
        # The fund feature publishes the count in ``result`` and erases the picks at the
        # close; picks are counted only for a round closed without one.
        result = b.result or {}
        published = {int(i): int(n) for i, n in result.get("support", [])}
        funded_now = {int(i) for i in result.get("funded", [])}
        items = []
        for entry in b.items or []:
            item_id, cost = int(entry[0]), int(entry[1])
            number, title = titles.get(item_id, (0, ""))
            picked = published.get(item_id, support.get((b.id, item_id), 0))
            items.append(
                BudgetItem(
                    plan_item=number,
                    title=title,
                    cost=Money(cost, b.currency),
                    support=picked if b.closed_at else None,
                    funded=(b.id, item_id) in funded or item_id in funded_now,
                )
            )
        shown.append(
            BudgetRow(
                number=b.number,
                amount=Money(b.amount_minor, b.currency),
                opened_by=people[b.opened_by],
                opened_at=b.opened_at,
                closes_at=b.closes_at,
                closed_at=b.closed_at,
                electorate=b.electorate,
                items=tuple(items),
            )
        )
    return Part(tuple(shown), await _count(session, select(Budget.id).where(mine)))


async def _audit(
    session: AsyncSession,
    community: Community,
    templates: Mapping[str, str],
    t: Translator,
    page: int,
    size: int | None,
) -> tuple[Part[AuditRow], int]:
    """The log newest first: one page of ``size`` entries (the whole log when None)."""
    mine = AuditEntry.community_id == community.id
    total = await _count(session, select(AuditEntry.id).where(mine))
    query = (
        select(AuditEntry.at, AuditEntry.action, AuditEntry.details, AuditEntry.actor_id)
        .where(mine)
        .order_by(AuditEntry.id.desc())
    )
    if size is not None:
        page = clamp_page(page, total, size)
        query = query.offset((page - 1) * size).limit(size)
    else:
        page = 1
    someone = str(t("a member"))
    shown = tuple(
        AuditRow(
            at, action, audit.describe(t, templates, action, _details(details, actor, someone))
        )
        for at, action, details, actor in (await session.execute(query)).all()
    )
    return Part(shown, total), page


def _details(details: dict[str, Any] | None, actor_id: int | None, someone: str) -> dict[str, str]:
    """An entry's details, with an actor's id never standing in for their name."""
    actor = str(actor_id) if actor_id is not None else None
    return {
        key: someone if actor is not None and str(value) == actor else str(value)
        for key, value in (details or {}).items()
    }
