"""Plan use cases: /plan, /take, /progress and /done.

Who may do what (every command needs the sender on the roster): any member
may /take an item nobody has. An item someone else took can be taken over
only once they have left the roster or posted nothing on it for
``rules.TAKE_OVER_AFTER``. /progress and /done belong to whoever took the
item; on an untaken item any member may post them and so takes it, which
keeps "in progress" and "done" always tied to a person. /done needs a note;
done is final. Every change is answered in the group and written to the
audit log. /plan credits the author of the proposal an item came from and
shows the outcome recorded (/outcome) for the vote that adopted its need.
"""

from __future__ import annotations

from handlers.core.context import Context, UserError, example, hint
from handlers.core.i18n import N_
from handlers.core.input import checked, number_and_rest, numbered
from handlers.core.paging import Listed, listing
from handlers.core.registry import Feature
from handlers.plan.queries import last_activity, on_roster, plan_rows
from handlers.plan.rules import TAKE_OVER_AFTER, may_take_over
from handlers.plan.views import PlanPage, plan_costs, plan_entry
from models import NoteKind, PlanItem, PlanNote, PlanStatus

feature = Feature("plan")
feature.audit("plan.taken", N_("{actor} took plan item #{number}"))
feature.audit("plan.taken_over", N_("{actor} took plan item #{number} over from {previous}"))
feature.audit("plan.progress", N_("{actor} noted progress on plan item #{number}: {note}"))
feature.audit("plan.done", N_("{actor} finished plan item #{number}: {note}"))


@listing(feature, "plan", N_("plan items with their status and who took them"), page=PlanPage)
async def show_plan(ctx: Context, page: int) -> Listed:
    """Work under way first, then what waits for someone, then what is done, newest first."""
    rows = await plan_rows(ctx.session, ctx.require_community())
    costs = await plan_costs(ctx.session, [row.item for row in rows])
    return Listed(
        str(ctx.t("<b>Plan</b>")),
        [plan_entry(ctx.t, row, ctx.now, costs.get(row.item.id)) for row in rows],
        str(ctx.t("The plan is empty. A need joins it when its /adopt vote passes.")),
    )


async def _plan_item(ctx: Context, number: int, example: str) -> PlanItem:
    """The plan item to change: it must exist and not be done yet."""
    unknown = ctx.t("There is no plan item #{number}; /plan lists them.", number=number)
    item = await numbered(ctx, PlanItem, number, unknown, example)
    if item.status is PlanStatus.DONE:
        raise UserError(
            ctx.t("Plan item #{number} is already done; /plan shows what is left.", number=number)
        )
    return item


def _take(ctx: Context, item: PlanItem) -> None:
    item.taker_id, item.taker, item.taken_at = ctx.user.id, ctx.user, ctx.now
    item.status = PlanStatus.IN_PROGRESS


@feature.command("take", N_("take on a plan item"))
async def take(ctx: Context) -> None:
    number, _ = number_and_rest(
        ctx, ctx.t("Which plan item? Give its number from /plan."), "/take 3"
    )
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
    if previous is not None and not may_take_over(
        taker_on_roster=await on_roster(ctx.session, ctx.require_community(), previous.id),
        last_activity=await last_activity(ctx.session, item),
        now=ctx.now,
    ):
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
    number, note = number_and_rest(ctx, missing, example)
    if not note:
        raise UserError(hint(ctx.t, missing, example))
    checked(ctx, note, example)
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


@feature.command("progress", N_("add a dated progress note to a plan item"))
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


@feature.command("done", N_("finish a plan item with a note on what was done"))
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
