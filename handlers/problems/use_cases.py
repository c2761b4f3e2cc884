"""Problem use cases: /report, /problems, /fixed and /reopen.

Problems belong to everyone: any member on the roster reports, fixes (only
with a note on what was done) or reopens one. Nothing deletes a problem:
there is no such command and no code path removes the row, so it stays
listed even when its announcement is deleted from the chat. Every change is
answered in the group and written to the audit log.
"""

from __future__ import annotations

from sqlalchemy import select

from handlers.core.context import Context, UserError, example, hint
from handlers.core.i18n import N_
from handlers.core.input import checked, free_text, number_and_rest, numbered
from handlers.core.numbering import add_numbered
from handlers.core.paging import Listed, listing
from handlers.core.registry import Feature
from handlers.problems.views import ProblemsPage, problem_line
from models import Problem, ProblemStatus

feature = Feature("problems")
feature.audit("problem.reported", N_("{actor} reported problem #{number}: {text}"))
feature.audit("problem.fixed", N_("{actor} fixed problem #{number}: {note}"))
feature.audit("problem.reopened", N_("{actor} reopened problem #{number}"))
feature.audit("problem.reopened_why", N_("{actor} reopened problem #{number}: {reason}"))


@feature.command("report", N_("report a problem; reports are never deleted"))
async def report_problem(ctx: Context) -> None:
    community = ctx.require_community()
    text = free_text(
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


@listing(feature, "problems", N_("open problems, oldest first"), page=ProblemsPage)
async def list_problems(ctx: Context, page: int) -> Listed:
    community = ctx.require_community()
    rows = list(
        await ctx.session.scalars(
            select(Problem)
            .where(Problem.community_id == community.id, Problem.status == ProblemStatus.OPEN)
            .order_by(Problem.created_at, Problem.number)
        )
    )
    header = ctx.t.ngettext(
        "<b>{n} open problem</b>, oldest first:",
        "<b>{n} open problems</b>, oldest first:",
        len(rows),
    )
    return Listed(
        str(header),
        [str(problem_line(ctx.t, problem, ctx.now)) for problem in rows],
        hint(
            ctx.t,
            ctx.t("No open problems."),
            example("/report", ctx.t("The lift in block B is stuck")),
        ),
    )


async def _problem(ctx: Context, number: int, example: str) -> Problem:
    unknown = ctx.t("There is no problem #{number}; /problems lists the open ones.", number=number)
    return await numbered(ctx, Problem, number, unknown, example)


@feature.command("fixed", N_("close a problem with a note on what was done"))
async def fix_problem(ctx: Context) -> None:
    fix_example = example("/fixed 4", ctx.t("Replaced the fuse"))
    missing = ctx.t("Give the problem's number and a note on what was done to fix it.")
    number, note = number_and_rest(ctx, missing, fix_example)
    if not note:
        raise UserError(hint(ctx.t, missing, fix_example))
    checked(ctx, note, fix_example)
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


@feature.command("reopen", N_("reopen a fixed problem"))
async def reopen_problem(ctx: Context) -> None:
    reopen_example = example("/reopen 4", ctx.t("The lift is stuck again"))
    number, reason = number_and_rest(ctx, ctx.t("Which problem? Give its number."), reopen_example)
    checked(ctx, reason, reopen_example)
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
