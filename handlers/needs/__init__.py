"""Needs, the plan and problem reports: what we lack, what we decided to do, what is broken.

Who may do what (every command needs the sender on the roster; one member,
one vote, no role gives more):

- Needs: any member proposes one, supports it (once; pressing again
  withdraws) and puts it to an adoption vote with /adopt.
- Plan items: any member may /take an item nobody has. An item someone else
  took can be taken over only once they have left the roster or posted
  nothing on it for ``TAKE_OVER_AFTER``, so nobody sits on a task for ever.
  /progress and /done belong to whoever took the item; on an untaken item
  any member may post them and so takes it, which keeps "in progress" and
  "done" always tied to a person. /done needs a note; done is final.
- Problems belong to everyone: any member reports, fixes (only with a note
  on what was done) or reopens one. Nothing deletes a problem: there is no
  such command and no code path removes the row, so it stays listed even
  when its announcement is deleted from the chat.

Every change is answered in the group and written to the audit log, except
support presses, whose running total is public on the need itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import ScalarSelect, case, delete, func, select
from sqlalchemy.exc import IntegrityError

from handlers import polls
from handlers.core import audit
from handlers.core import paging as pages
from handlers.core.buttons import BadAction
from handlers.core.context import Context, UserError, Work, example, hint
from handlers.core.i18n import N_, Translator
from handlers.core.messages import Button
from handlers.core.numbering import LARGEST_NUMBER, add_numbered, parse_number
from handlers.core.registry import action, command
from models import (
    Community,
    Member,
    Need,
    NeedStatus,
    NeedSupport,
    NoteKind,
    PlanItem,
    PlanNote,
    PlanStatus,
    Poll,
    PollKind,
    Problem,
    ProblemStatus,
)
from models.base import Numbered
from models.needs import TEXT_LIMIT

TAKE_OVER_AFTER = timedelta(days=14)

N = TypeVar("N", bound=Numbered)

audit.template("need.proposed", N_("{actor} proposed need #{number}: {text}"))
audit.template("need.vote", N_("{actor} put need #{number} to an adoption vote"))
audit.template("need.adopted", N_("Need #{number} was adopted by vote as plan item #{item}"))
audit.template("need.rejected", N_("Need #{number} was not adopted by vote"))
audit.template("plan.taken", N_("{actor} took plan item #{number}"))
audit.template("plan.taken_over", N_("{actor} took plan item #{number} over from {previous}"))
audit.template("plan.progress", N_("{actor} noted progress on plan item #{number}: {note}"))
audit.template("plan.done", N_("{actor} finished plan item #{number}: {note}"))
audit.template("problem.reported", N_("{actor} reported problem #{number}: {text}"))
audit.template("problem.fixed", N_("{actor} fixed problem #{number}: {note}"))
audit.template("problem.reopened", N_("{actor} reopened problem #{number}"))
audit.template("problem.reopened_why", N_("{actor} reopened problem #{number}: {reason}"))


# Input ---------------------------------------------------------------------------------------


def _checked(ctx: Context, text: str, example: str) -> str:
    if len(text) > TEXT_LIMIT:
        raise UserError(
            hint(
                ctx.t,
                ctx.t.ngettext(
                    "That text has {n} character; the limit is {limit}.",
                    "That text has {n} characters; the limit is {limit}.",
                    len(text),
                    limit=ctx.t.number(TEXT_LIMIT),
                ),
                example,
            )
        )
    return text


def _text(ctx: Context, missing: str, example: str) -> str:
    """The whole argument as free text: present and not too long."""
    if not ctx.args:
        raise UserError(hint(ctx.t, missing, example))
    return _checked(ctx, ctx.args, example)


def _number(ctx: Context, missing: str, example: str) -> tuple[int, str]:
    """The leading ``5`` or ``#5`` of the arguments, and the rest of them."""
    parts = ctx.args.split(maxsplit=1)
    if not parts:
        raise UserError(hint(ctx.t, missing, example))
    number = parse_number(parts[0])
    if number is None:
        raise UserError(
            hint(ctx.t, ctx.t("“{value}” is not a number like 5 or #5.", value=parts[0]), example)
        )
    return number, parts[1].strip() if len(parts) > 1 else ""


async def _find(ctx: Context, model: type[N], number: int) -> N | None:
    """This community's row numbered ``number``, locked for the change about to be made."""
    if number > LARGEST_NUMBER:
        return None
    community = ctx.require_community()
    found: N | None = await ctx.session.scalar(
        select(model)
        .where(model.community_id == community.id, model.number == number)
        .with_for_update(of=model)
    )
    return found


# Needs ---------------------------------------------------------------------------------------


@command("need", N_("propose something the community needs"))
async def propose(ctx: Context) -> None:
    community = ctx.require_community()
    text = _text(
        ctx,
        ctx.t("Say what the community needs."),
        example("/need", ctx.t("A bike rack by the entrance")),
    )
    new = Need(community_id=community.id, text=text, author_id=ctx.user.id, created_at=ctx.now)
    await add_numbered(ctx.session, new)
    ctx.log("need.proposed", actor=ctx.user.display_name, number=new.number, text=text)
    text, buttons = await _need_card(ctx, ctx.t, new)
    ctx.reply(text, buttons, key=_card_key(new))


def _support_count() -> ScalarSelect[int]:
    """How many people still on the roster support the ``Need`` of the enclosing query.

    Supports of people who left stop counting (and count again if they rejoin),
    so the ranking reflects the community as it is now.
    """
    return (
        select(func.count(NeedSupport.id))
        .join(
            Member,
            (Member.user_id == NeedSupport.user_id) & (Member.community_id == Need.community_id),
        )
        .where(NeedSupport.need_id == Need.id, Member.left_at.is_(None))
        .correlate(Need)
        .scalar_subquery()
    )


async def _need_card(work: Work, t: Translator, need: Need) -> tuple[str, list[list[Button]]]:
    """The need's message: its text, support count and, while it is open, the Support button."""
    n = await work.session.scalar(select(_support_count()).where(Need.id == need.id)) or 0
    lines = [
        t(
            "<b>Need #{number}</b> from {name}:\n{text}",
            number=need.number,
            name=need.author.display_name,
            text=need.text,
        ),
        t.ngettext("{n} member supports it.", "{n} members support it.", n),
    ]
    if need.status is NeedStatus.ADOPTED:
        item = await work.session.scalar(select(PlanItem.number).where(PlanItem.need_id == need.id))
        lines.append(t("Adopted as plan item #{item}.", item=item))
        return "\n".join(lines), []
    if need.status is NeedStatus.VOTING:
        lines.append(t("An adoption vote is open."))
    label = t("👍 Support ({n})", n=t.number(n))
    return "\n".join(lines), [[work.button(str(label), "need.sup", need.id)]]


def _card_key(need: Need) -> str:
    """Names the need's message so an adoption vote can update it."""
    return f"need:{need.id}"


async def _refresh_card(work: Work, community: Community, need: Need) -> None:
    """Queue an edit of the need's message to show its current state."""
    card = await _need_card(work, work.community_translator(community), need)
    work.edit_posted(community.chat_id, _card_key(need), *card)


@action("need.sup")
async def support(ctx: Context) -> None:
    """Support the need, or withdraw one's support: a toggle, one support per member."""
    assert ctx.action is not None
    community = ctx.require_community()
    need = await ctx.session.get(Need, ctx.action.int_arg(0))
    if need is None or need.community_id != community.id:
        raise BadAction("need from another community")
    if need.status is NeedStatus.ADOPTED:
        ctx.edit(*await _need_card(ctx, ctx.t, need))
        ctx.answer(ctx.reader.gettext("This need is already adopted; see /plan."), alert=True)
        return
    withdrawn = await ctx.session.scalar(
        delete(NeedSupport)
        .where(NeedSupport.need_id == need.id, NeedSupport.user_id == ctx.user.id)
        .returning(NeedSupport.id)
    )
    if withdrawn is not None:
        confirmation = ctx.reader.gettext(
            "You no longer support need #{number}.", number=need.number
        )
    else:
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(
                    NeedSupport(need_id=need.id, user_id=ctx.user.id, created_at=ctx.now)
                )
        except IntegrityError:
            pass  # A simultaneous press of the same member got there first: supported either way.
        confirmation = ctx.reader.gettext("You support need #{number}.", number=need.number)
    ctx.edit(*await _need_card(ctx, ctx.t, need))
    ctx.answer(confirmation)


@command("needs", N_("open needs, most supported first"))
async def list_needs(ctx: Context) -> None:
    await _show_needs(ctx, 0)


@action("needs.pg")
async def needs_page(ctx: Context) -> None:
    assert ctx.action is not None
    await _show_needs(ctx, ctx.action.int_arg(0))


async def _show_needs(ctx: Context, page: int) -> None:
    community = ctx.require_community()
    support = _support_count().label("support")
    rows = (
        await ctx.session.execute(
            select(Need, support)
            .where(
                Need.community_id == community.id,
                Need.status.in_([NeedStatus.OPEN, NeedStatus.VOTING]),
            )
            .order_by(support.desc(), Need.created_at, Need.number)
        )
    ).all()
    if not rows:
        pages.show(
            ctx,
            hint(
                ctx.t,
                ctx.t("There are no open needs."),
                example("/need", ctx.t("A bike rack by the entrance")),
            ),
            [],
        )
        return
    lines = [
        str(
            ctx.t.ngettext(
                "<b>#{number}</b> {text} — {n} supporter, adoption vote open",
                "<b>#{number}</b> {text} — {n} supporters, adoption vote open",
                supporters,
                number=row.number,
                text=row.text,
            )
            if row.status is NeedStatus.VOTING
            else ctx.t.ngettext(
                "<b>#{number}</b> {text} — {n} supporter",
                "<b>#{number}</b> {text} — {n} supporters",
                supporters,
                number=row.number,
                text=row.text,
            )
        )
        for row, supporters in rows
    ]
    chunk, page, count = pages.page_of(lines, page)
    header = ctx.t("<b>Open needs</b>, most supported first:")
    pages.show(ctx, "\n".join([header, *chunk]), pages.nav_row(ctx, "needs.pg", page, count))


@command("adopt", N_("put a need to a yes/no vote; if it passes it joins the plan"))
async def adopt(ctx: Context) -> None:
    number, _ = _number(ctx, ctx.t("Which need? Give its number from /needs."), "/adopt 3")
    found = await _find(ctx, Need, number)
    if found is None:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("There is no need #{number}; /needs lists them.", number=number),
                "/adopt 3",
            )
        )
    if found.status is NeedStatus.ADOPTED:
        raise UserError(ctx.t("Need #{number} is already adopted; see /plan.", number=number))
    if found.status is NeedStatus.VOTING:
        raise UserError(ctx.t("Need #{number} is already being voted on.", number=number))
    poll = await polls.open_poll(
        ctx,
        question=ctx.t(
            "Adopt need #{number} into the plan? {text}", number=number, text=found.text
        ).unescape(),
        options=[str(ctx.t("Yes")), str(ctx.t("No"))],
        kind=PollKind.SINGLE,
        subject=("need", found.id),
    )
    found.status, found.poll_id = NeedStatus.VOTING, poll.id
    ctx.log("need.vote", actor=ctx.user.display_name, number=number)
    await _refresh_card(ctx, ctx.require_community(), found)


@polls.on_close("need")
async def need_poll_closed(work: Work, poll: Poll, outcome: polls.Outcome) -> None:
    """A passed adoption vote turns the need into a plan item; a failed one leaves it open."""
    found = await work.session.get(Need, poll.subject_id)
    if found is None or found.status is not NeedStatus.VOTING or found.poll_id != poll.id:
        return
    community = await work.session.get(Community, found.community_id)
    assert community is not None
    t = work.community_translator(community)
    if not outcome.passed:
        found.status = NeedStatus.OPEN
        await _refresh_card(work, community, found)
        work.audit(community, None, "need.rejected", number=found.number)
        work.post(
            community.chat_id,
            t(
                "Need #{number} was not adopted this time. It stays on the list of /needs.",
                number=found.number,
            ),
        )
        return
    item = PlanItem(
        community_id=community.id, title=found.text, need_id=found.id, created_at=work.now
    )
    await add_numbered(work.session, item)
    found.status, found.adopted_at = NeedStatus.ADOPTED, work.now
    await _refresh_card(work, community, found)
    work.audit(community, None, "need.adopted", number=found.number, item=item.number)
    work.post(
        community.chat_id,
        t(
            "Need #{number} is adopted. It is now plan item #{item}: {title}\n"
            "Anyone can take it on with /take {item}.",
            number=found.number,
            item=item.number,
            title=item.title,
        ),
    )


# Plan ----------------------------------------------------------------------------------------


@command("plan", N_("plan items with their status and who took them"))
async def show_plan(ctx: Context) -> None:
    await _show_plan(ctx, 0)


@action("plan.pg")
async def plan_page(ctx: Context) -> None:
    assert ctx.action is not None
    await _show_plan(ctx, ctx.action.int_arg(0))


async def _show_plan(ctx: Context, page: int) -> None:
    """Work under way first, then what waits for someone, then what is done, newest first."""
    community = ctx.require_community()
    latest = (
        select(PlanNote.plan_item_id, func.max(PlanNote.at).label("at"))
        .join(PlanItem, PlanItem.id == PlanNote.plan_item_id)
        .where(PlanItem.community_id == community.id)
        .group_by(PlanNote.plan_item_id)
        .subquery()
    )
    stage = case(
        (PlanItem.status == PlanStatus.IN_PROGRESS, 0),
        (PlanItem.status == PlanStatus.PLANNED, 1),
        else_=2,
    )
    rows = (
        await ctx.session.execute(
            select(PlanItem, latest.c.at)
            .outerjoin(latest, latest.c.plan_item_id == PlanItem.id)
            .where(PlanItem.community_id == community.id)
            .order_by(stage, PlanItem.done_at.desc(), PlanItem.number)
        )
    ).all()
    if not rows:
        pages.show(
            ctx,
            str(ctx.t("The plan is empty. A need joins it when its /adopt vote passes.")),
            [],
        )
        return
    lines = [str(_plan_line(ctx, item, noted)) for item, noted in rows]
    chunk, page, count = pages.page_of(lines, page)
    header = ctx.t("<b>Plan</b>")
    pages.show(ctx, "\n".join([header, *chunk]), pages.nav_row(ctx, "plan.pg", page, count))


def _plan_line(ctx: Context, item: PlanItem, noted: datetime | None) -> str:
    values = {"number": item.number, "title": item.title}
    if item.taker is None:
        return ctx.t("<b>#{number}</b> {title} — planned, nobody has taken it yet", **values)
    name = item.taker.display_name
    if item.status is PlanStatus.DONE and item.done_at is not None:
        return ctx.t(
            "<b>#{number}</b> {title} — done by {name}, {date}",
            name=name,
            date=ctx.t.moment(item.done_at, now=ctx.now),
            **values,
        )
    if noted is None:
        return ctx.t("<b>#{number}</b> {title} — in progress, taken by {name}", name=name, **values)
    return ctx.t(
        "<b>#{number}</b> {title} — in progress, taken by {name}; latest note {date}",
        name=name,
        date=ctx.t.moment(noted, now=ctx.now),
        **values,
    )


async def _plan_item(ctx: Context, number: int, example: str) -> PlanItem:
    """The plan item to change: it must exist and not be done yet."""
    item = await _find(ctx, PlanItem, number)
    if item is None:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("There is no plan item #{number}; /plan lists them.", number=number),
                example,
            )
        )
    if item.status is PlanStatus.DONE:
        raise UserError(
            ctx.t("Plan item #{number} is already done; /plan shows what is left.", number=number)
        )
    return item


async def _last_activity(ctx: Context, item: PlanItem) -> datetime | None:
    noted = await ctx.session.scalar(
        select(func.max(PlanNote.at)).where(PlanNote.plan_item_id == item.id)
    )
    moments = [moment for moment in (item.taken_at, noted) if moment is not None]
    return max(moments, default=None)


async def _on_roster(ctx: Context, user_id: int) -> bool:
    community = ctx.require_community()
    found = await ctx.session.scalar(
        select(Member.id).where(
            Member.community_id == community.id,
            Member.user_id == user_id,
            Member.left_at.is_(None),
        )
    )
    return found is not None


def _take(ctx: Context, item: PlanItem) -> None:
    item.taker_id, item.taker, item.taken_at = ctx.user.id, ctx.user, ctx.now
    item.status = PlanStatus.IN_PROGRESS


@command("take", N_("take on a plan item"))
async def take(ctx: Context) -> None:
    number, _ = _number(ctx, ctx.t("Which plan item? Give its number from /plan."), "/take 3")
    item = await _plan_item(ctx, number, "/take 3")
    previous = item.taker
    if previous is not None and previous.id == ctx.user.id:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("You have already taken plan item #{number}.", number=number),
                example(f"/progress {number}", ctx.t("Bought the paint")),
            )
        )
    if previous is not None and await _on_roster(ctx, previous.id):
        active = await _last_activity(ctx, item)
        if active is not None and ctx.now - active < TAKE_OVER_AFTER:
            raise UserError(
                ctx.t(
                    "{name} has taken plan item #{number}. You can take it over if they leave "
                    "the roster or post nothing on it for {period}.",
                    name=previous.display_name,
                    number=number,
                    period=ctx.t.duration(TAKE_OVER_AFTER),
                )
            )
    _take(ctx, item)
    if previous is None:
        ctx.log("plan.taken", actor=ctx.user.display_name, number=number)
        ctx.reply(
            ctx.t(
                "{name} took plan item #{number}: {title}",
                name=ctx.user.display_name,
                number=number,
                title=item.title,
            )
        )
    else:
        ctx.log(
            "plan.taken_over",
            actor=ctx.user.display_name,
            number=number,
            previous=previous.display_name,
        )
        ctx.reply(
            ctx.t(
                "{name} took plan item #{number} over from {previous}: {title}",
                name=ctx.user.display_name,
                number=number,
                previous=previous.display_name,
                title=item.title,
            )
        )


async def _note(ctx: Context, kind: NoteKind, missing: str, example: str) -> tuple[PlanItem, str]:
    """Checks shared by /progress and /done; takes an untaken item for the sender."""
    number, note = _number(ctx, missing, example)
    if not note:
        raise UserError(hint(ctx.t, missing, example))
    _checked(ctx, note, example)
    item = await _plan_item(ctx, number, example)
    if item.taker is None:
        _take(ctx, item)
        ctx.log("plan.taken", actor=ctx.user.display_name, number=number)
    elif item.taker.id != ctx.user.id:
        raise UserError(
            ctx.t(
                "Only {name}, who took plan item #{number}, can post progress or finish it.",
                name=item.taker.display_name,
                number=number,
            )
        )
    ctx.session.add(
        PlanNote(plan_item_id=item.id, author_id=ctx.user.id, at=ctx.now, kind=kind, text=note)
    )
    audit_action = "plan.done" if kind is NoteKind.DONE else "plan.progress"
    ctx.log(audit_action, actor=ctx.user.display_name, number=number, note=note)
    return item, note


@command("progress", N_("add a dated progress note to a plan item"))
async def progress(ctx: Context) -> None:
    item, note = await _note(
        ctx,
        NoteKind.PROGRESS,
        ctx.t("Give the plan item's number and a note on how it is going."),
        example("/progress 3", ctx.t("Bought the paint")),
    )
    ctx.reply(
        ctx.t(
            "Plan item #{number}, {title} — progress from {name}, {date}:\n{note}",
            number=item.number,
            title=item.title,
            name=ctx.user.display_name,
            date=ctx.t.moment(ctx.now, now=ctx.now),
            note=note,
        )
    )


@command("done", N_("finish a plan item with a note on what was done"))
async def done(ctx: Context) -> None:
    item, note = await _note(
        ctx,
        NoteKind.DONE,
        ctx.t("Give the plan item's number and a note on what was done."),
        example("/done 3", ctx.t("Painted the fence")),
    )
    item.status, item.done_at = PlanStatus.DONE, ctx.now
    ctx.reply(
        ctx.t(
            "✅ Plan item #{number} is done: {title}\n{name}: {note}",
            number=item.number,
            title=item.title,
            name=ctx.user.display_name,
            note=note,
        )
    )


# Problems ------------------------------------------------------------------------------------


@command("report", N_("report a problem; reports are never deleted"))
async def report_problem(ctx: Context) -> None:
    community = ctx.require_community()
    text = _text(
        ctx,
        ctx.t("Describe the problem."),
        example("/report", ctx.t("The lift in block B is stuck")),
    )
    problem = Problem(
        community_id=community.id, text=text, reporter_id=ctx.user.id, created_at=ctx.now
    )
    await add_numbered(ctx.session, problem)
    ctx.log("problem.reported", actor=ctx.user.display_name, number=problem.number, text=text)
    ctx.reply(
        ctx.t(
            "<b>Problem #{number}</b> reported by {name}:\n{text}\n"
            "It stays on /problems until someone closes it with /fixed {number} and what was done.",
            number=problem.number,
            name=ctx.user.display_name,
            text=text,
        )
    )


@command("problems", N_("open problems, oldest first"))
async def list_problems(ctx: Context) -> None:
    await _show_problems(ctx, 0)


@action("prob.pg")
async def problems_page(ctx: Context) -> None:
    assert ctx.action is not None
    await _show_problems(ctx, ctx.action.int_arg(0))


async def _show_problems(ctx: Context, page: int) -> None:
    community = ctx.require_community()
    rows = list(
        await ctx.session.scalars(
            select(Problem)
            .where(Problem.community_id == community.id, Problem.status == ProblemStatus.OPEN)
            .order_by(Problem.created_at, Problem.number)
        )
    )
    if not rows:
        pages.show(
            ctx,
            hint(
                ctx.t,
                ctx.t("No open problems."),
                example("/report", ctx.t("The lift in block B is stuck")),
            ),
            [],
        )
        return
    lines = [str(_problem_line(ctx, problem)) for problem in rows]
    chunk, page, count = pages.page_of(lines, page)
    header = ctx.t.ngettext(
        "<b>{n} open problem</b>, oldest first:",
        "<b>{n} open problems</b>, oldest first:",
        len(rows),
    )
    pages.show(ctx, "\n".join([header, *chunk]), pages.nav_row(ctx, "prob.pg", page, count))


def _problem_line(ctx: Context, problem: Problem) -> str:
    values = {
        "number": problem.number,
        "text": problem.text,
        "name": problem.reporter.display_name,
        "age": ctx.t.duration(ctx.now - problem.created_at),
    }
    if problem.reopened_at is None:
        return ctx.t("<b>#{number}</b> {text} — reported by {name} {age} ago", **values)
    return ctx.t(
        "<b>#{number}</b> {text} — reported by {name} {age} ago, reopened {date}",
        date=ctx.t.moment(problem.reopened_at, now=ctx.now),
        **values,
    )


async def _problem(ctx: Context, number: int, example: str) -> Problem:
    problem = await _find(ctx, Problem, number)
    if problem is None:
        raise UserError(
            hint(
                ctx.t,
                ctx.t(
                    "There is no problem #{number}; /problems lists the open ones.", number=number
                ),
                example,
            )
        )
    return problem


@command("fixed", N_("close a problem with a note on what was done"))
async def fix_problem(ctx: Context) -> None:
    fix_example = example("/fixed 4", ctx.t("Replaced the fuse"))
    missing = ctx.t("Give the problem's number and a note on what was done to fix it.")
    number, note = _number(ctx, missing, fix_example)
    if not note:
        raise UserError(hint(ctx.t, missing, fix_example))
    _checked(ctx, note, fix_example)
    problem = await _problem(ctx, number, fix_example)
    if problem.status is ProblemStatus.FIXED:
        raise UserError(
            hint(
                ctx.t,
                ctx.t(
                    "Problem #{number} is already fixed. If it is back, reopen it.", number=number
                ),
                f"/reopen {number}",
            )
        )
    problem.status, problem.fixed_at = ProblemStatus.FIXED, ctx.now
    problem.fixed_by_id, problem.fix_note = ctx.user.id, note
    ctx.log("problem.fixed", actor=ctx.user.display_name, number=number, note=note)
    ctx.reply(
        ctx.t(
            "✅ Problem #{number} is fixed: {text}\n{name}: {note}",
            number=number,
            text=problem.text,
            name=ctx.user.display_name,
            note=note,
        )
    )


@command("reopen", N_("reopen a fixed problem"))
async def reopen_problem(ctx: Context) -> None:
    reopen_example = example("/reopen 4", ctx.t("The lift is stuck again"))
    number, reason = _number(ctx, ctx.t("Which problem? Give its number."), reopen_example)
    _checked(ctx, reason, reopen_example)
    problem = await _problem(ctx, number, reopen_example)
    if problem.status is ProblemStatus.OPEN:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("Problem #{number} is still open.", number=number),
                example(f"/fixed {number}", ctx.t("Replaced the fuse")),
            )
        )
    problem.status, problem.reopened_at = ProblemStatus.OPEN, ctx.now
    if reason:
        ctx.log("problem.reopened_why", actor=ctx.user.display_name, number=number, reason=reason)
        message = ctx.t(
            "Problem #{number} is open again: {text}\n{name}: {reason}",
            number=number,
            text=problem.text,
            name=ctx.user.display_name,
            reason=reason,
        )
    else:
        ctx.log("problem.reopened", actor=ctx.user.display_name, number=number)
        message = ctx.t("Problem #{number} is open again: {text}", number=number, text=problem.text)
    ctx.reply(message)
