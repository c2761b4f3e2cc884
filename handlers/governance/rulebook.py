"""The rule book: /petition (new rule, amend, repeal), /rules, and what a rule vote changes.

A rule exists only because a petition reached its threshold and its 72-hour
vote passed (``petitions``): the bot opens that vote, so nobody can close it
early. Each adoption, amendment and repeal is a numbered ``RuleVersion`` with
its date, petition, poll and totals, so ``/rules N`` tells a rule's whole
history. ``/rules`` lists the rules in force; repealed ones are left out of
the list but named at its end, and ``/rules N`` still shows them. One
petition at a time may run on a rule (an amendment and a repeal racing each
other would leave the rule depending on which vote closed last).
"""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import select

from handlers.core.context import Context, UserError, Work, example, hint
from handlers.core.i18n import N_
from handlers.core.input import checked, number_and_rest, numbered
from handlers.core.numbering import add_numbered
from handlers.core.outcome import Outcome
from handlers.core.paging import Listed, show
from handlers.core.registry import Feature
from handlers.governance.petition_queries import (
    latest_version,
    rules_with_versions,
    running_on_rules,
    running_petition,
    versions,
)
from handlers.governance.petition_views import RulesPage, refresh_card, tally, version_line
from handlers.governance.petitions import RULE_SUBJECT, open_petition, result_of, voted_petition
from models import Community, Petition, PetitionKind, PetitionState, Poll, Rule, RuleVersion

feature = Feature("governance.rulebook")
feature.audit(
    "rule.adopted",
    N_(
        "Rule #{rule} was adopted by petition #{number} ({yes} yes, {no} no of {electorate}): {text}"
    ),
)
feature.audit(
    "rule.amended",
    N_(
        "Rule #{rule} was amended by petition #{number} ({yes} yes, {no} no of {electorate}): {text}"
    ),
)
feature.audit(
    "rule.repealed",
    N_("Rule #{rule} was repealed by petition #{number} ({yes} yes, {no} no of {electorate})"),
)
feature.audit(
    "petition.rejected",
    N_("Petition #{number} was not adopted by vote ({yes} yes, {no} no of {electorate})"),
)
feature.audit(
    "petition.no_quorum",
    N_("The vote on petition #{number} missed the quorum ({ballots} of {electorate} voted)"),
)

CHANGE_WORDS = {"amend": PetitionKind.AMEND, "repeal": PetitionKind.REPEAL}
RULE_ACTIONS = {
    PetitionKind.RULE: "rule.adopted",
    PetitionKind.AMEND: "rule.amended",
    PetitionKind.REPEAL: "rule.repealed",
}


def _rule_example(ctx: Context) -> str:
    return example("/petition", ctx.t("Quiet hours in the yard are from 22:00 to 07:00."))


def _amend_example(ctx: Context, number: int = 1) -> str:
    return example(
        f"/petition amend {number}", ctx.t("Quiet hours in the yard are from 23:00 to 07:00.")
    )


@feature.command(
    "petition",
    N_("petition for a rule: /petition TEXT; /petition amend N TEXT; /petition repeal N"),
)
async def petition_command(ctx: Context) -> None:
    word, _, rest = ctx.args.partition(" ")
    kind = CHANGE_WORDS.get(word.lower())
    if kind is None:
        await _new_rule(ctx)
        return
    if kind is PetitionKind.AMEND:
        await _amend(ctx, rest.strip())
    else:
        await _repeal(ctx, rest.strip())


async def _new_rule(ctx: Context) -> None:
    if not ctx.args:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("Write the rule you propose after /petition."),
                _rule_example(ctx),
            )
        )
    text = checked(ctx, ctx.args, _rule_example(ctx))
    await open_petition(ctx, PetitionKind.RULE, text, text=text)


async def _rule_in_force(ctx: Context, args: str, missing: str, usage: str) -> tuple[Rule, str]:
    """The rule numbered at the start of ``args``, locked, in force and free of petitions."""
    number, rest = number_and_rest(ctx, missing, usage, args=args)
    unknown = ctx.t("There is no rule #{number}; /rules lists them.", number=number)
    rule = await numbered(ctx, Rule, number, unknown, usage)
    if rule.repealed_at is not None:
        raise UserError(
            hint(
                ctx.t,
                ctx.t(
                    "Rule #{number} was repealed. To bring it back, petition for it anew.",
                    number=number,
                ),
                _rule_example(ctx),
            )
        )
    running = await running_petition(ctx.session, rule_id=rule.id)
    if running is not None:
        raise UserError(
            ctx.t(
                "Petition #{petition} on rule #{number} is still running; one petition at a "
                "time may change a rule. Sign it with /sign {petition}.",
                petition=running.number,
                number=number,
            )
        )
    return rule, rest


async def _amend(ctx: Context, args: str) -> None:
    rule, text = await _rule_in_force(
        ctx,
        args,
        ctx.t("Which rule, and what should it say? Give its number from /rules, then the text."),
        _amend_example(ctx),
    )
    if not text:
        raise UserError(
            hint(
                ctx.t,
                ctx.t(
                    "What should rule #{number} say? Write it after the number.", number=rule.number
                ),
                _amend_example(ctx, rule.number),
            )
        )
    text = checked(ctx, text, _amend_example(ctx, rule.number))
    if text == (await latest_version(ctx.session, rule)).text:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("That is already what rule #{number} says.", number=rule.number),
                _amend_example(ctx, rule.number),
            )
        )
    await open_petition(ctx, PetitionKind.AMEND, text, rule_id=rule.id, rule=rule.number, text=text)


async def _repeal(ctx: Context, args: str) -> None:
    rule, _ = await _rule_in_force(
        ctx,
        args,
        ctx.t("Which rule? Give its number from /rules."),
        "/petition repeal 1",
    )
    await open_petition(ctx, PetitionKind.REPEAL, "", rule_id=rule.id, rule=rule.number)


# --- the vote decides ----------------------------------------------------------------------


@feature.on_close(RULE_SUBJECT)
async def rule_vote_closed(work: Work, poll: Poll, outcome: Outcome) -> None:
    """A passed vote adopts, amends or repeals the rule; otherwise nothing changes."""
    found = await voted_petition(work, poll)
    if found is None:
        return
    petition, community = found
    t = work.community_translator(community)
    result = result_of(outcome)
    petition.closed_at = poll.closed_at or work.now
    if not outcome.passed:
        petition.state = PetitionState.FAILED
        if not outcome.valid:
            work.audit(community, None, "petition.no_quorum", number=petition.number, **result)
            text = t(
                "📘 The vote on petition #{number} missed the quorum: {ballots} of {electorate} "
                "voted. The rules stay as they are.",
                number=petition.number,
                ballots=t.number(result["ballots"]),
                electorate=t.number(result["electorate"]),
            )
        else:
            work.audit(community, None, "petition.rejected", number=petition.number, **result)
            text = t(
                "📘 Petition #{number} was not adopted: {votes}. The rules stay as they are.",
                number=petition.number,
                votes=tally(t, result),
            )
        work.post(community.chat_id, text)
        await refresh_card(work, t, community.chat_id, petition)
        return
    petition.state = PetitionState.PASSED
    rule = await _change(work, community, petition, poll, result)
    work.audit(
        community,
        None,
        RULE_ACTIONS[petition.kind],
        rule=rule.number,
        number=petition.number,
        text=petition.text,
        **result,
    )
    votes = tally(t, result)
    names = {"number": petition.number, "rule": rule.number, "votes": votes}
    if petition.kind is PetitionKind.RULE:
        text = t(
            "📘 Petition #{number} passed ({votes}): it is now rule #{rule}. /rules lists the rules.",
            **names,
        )
    elif petition.kind is PetitionKind.AMEND:
        text = t(
            "📘 Petition #{number} passed ({votes}): rule #{rule} is amended. /rules {rule} shows its versions.",
            **names,
        )
    else:
        text = t(
            "📘 Petition #{number} passed ({votes}): rule #{rule} is repealed. /rules {rule} shows its versions.",
            **names,
        )
    work.post(community.chat_id, text)
    await refresh_card(work, t, community.chat_id, petition)


async def _change(
    work: Work, community: Community, petition: Petition, poll: Poll, result: dict[str, int]
) -> Rule:
    """Write the new version the passed ``petition`` makes: a new rule, an amendment, a repeal."""
    when = petition.closed_at or work.now
    if petition.kind is PetitionKind.RULE:
        rule = Rule(community_id=community.id, created_at=when)
        await add_numbered(work.session, rule)
        version = 1
    else:
        found = await work.session.scalar(
            select(Rule).where(Rule.id == petition.rule_id).with_for_update()
        )
        assert found is not None
        rule = found
        version = (await latest_version(work.session, rule)).version + 1
        if petition.kind is PetitionKind.REPEAL:
            rule.repealed_at = when
    work.session.add(
        RuleVersion(
            rule_id=rule.id,
            version=version,
            kind=petition.kind,
            text=petition.text,
            adopted_at=when,
            petition_id=petition.id,
            poll_id=poll.id,
            result=result,
        )
    )
    return rule


# --- /rules --------------------------------------------------------------------------------


@feature.command("rules", N_("rules adopted by vote; /rules N shows one rule's versions"))
async def rules_command(ctx: Context) -> None:
    if not ctx.args:
        await _show(ctx, 0, 0)
        return
    number, _ = number_and_rest(ctx, ctx.t("Which rule? Give its number from /rules."), "/rules 1")
    unknown = ctx.t("There is no rule #{number}; /rules lists them.", number=number)
    rule = await numbered(ctx, Rule, number, unknown, "/rules 1")
    await _show(ctx, rule.id, 0)


@feature.button(RulesPage)
async def rules_page(ctx: Context, pressed: RulesPage) -> None:
    await _show(ctx, pressed.rule_id, pressed.page)


async def _show(ctx: Context, rule_id: int, page: int) -> None:
    community = ctx.require_community()
    rule = await ctx.session.get(Rule, rule_id) if rule_id else None
    if rule is not None and rule.community_id == community.id:
        listed = await _history(ctx, rule)
    else:
        listed = await _in_force(ctx, community)
        rule_id = 0
    show(ctx, listed, lambda n: RulesPage(rule_id, n), page)


async def _in_force(ctx: Context, community: Community) -> Listed:
    rows = await rules_with_versions(ctx.session, community)
    running = await running_on_rules(ctx.session, [rule.id for rule, _ in rows])
    lines: list[str] = []
    repealed: list[str] = []
    for rule, version in rows:
        if rule.repealed_at is not None:
            repealed.append(f"#{rule.number}")
            continue
        line = Markup("<b>#{number}</b> {text}\n    <i>{how}</i>").format(
            number=rule.number, text=version.text, how=version_line(ctx.t, version, ctx.now)
        )
        if rule.id in running:
            line += Markup(" · ") + ctx.t("petition #{petition} running", petition=running[rule.id])
        lines.append(str(line))
    if repealed:
        lines.append(
            str(
                ctx.t(
                    "Repealed: {numbers}. /rules N shows any rule's history.",
                    numbers=", ".join(repealed),
                )
            )
        )
    return Listed(
        str(ctx.t("<b>Rules</b> in force, adopted by vote:")),
        lines,
        hint(
            ctx.t,
            ctx.t(
                "There are no rules yet. A petition that reaches its threshold and passes its vote becomes one."
            ),
            _rule_example(ctx),
        ),
    )


async def _history(ctx: Context, rule: Rule) -> Listed:
    found = await versions(ctx.session, rule)
    petitions = dict(
        (
            await ctx.session.execute(
                select(Petition.id, Petition.number).where(
                    Petition.id.in_([v.petition_id for v in found if v.petition_id])
                )
            )
        ).all()
    )
    lines = []
    for version in found:
        line = ctx.t(
            "<b>Version {version}</b> — {how}",
            version=version.version,
            how=version_line(ctx.t, version, ctx.now),
        )
        if version.petition_id in petitions:
            line += Markup(" · ") + ctx.t(
                "petition #{petition}", petition=petitions[version.petition_id]
            )
        if version.text:
            line += Markup("\n“{text}”").format(text=version.text)
        lines.append(str(line))
    header = (
        ctx.t("<b>Rule #{number}</b> (repealed), its versions:", number=rule.number)
        if rule.repealed_at is not None
        else ctx.t("<b>Rule #{number}</b>, its versions:", number=rule.number)
    )
    return Listed(str(header), lines)
