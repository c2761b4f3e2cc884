"""Petitions: /recall, /petition, signing, progress notices, expiry and the recall vote.

A petition (recall of a seat, or a new rule, an amendment or a repeal, see
``rulebook``) collects signatures until its threshold or its expiry. Who may
sign is fixed when it opens (``petition_signers``: the roster less whoever
joined within ``member_days``); the threshold is counted from them and
stored (``petition_rules.threshold``), so a later /setup changes only
petitions opened afterwards. At a third, two thirds and the threshold the
group gets a notice, each at most once. At the threshold the bot opens the
vote (``by_bot``: nobody, the holder included, can close it early): 48 hours
and secret for a recall, 72 hours for a rule. A recall that passes (a
majority of the votes cast and the quorum: ``Outcome.passed``) ends the
holder's term and opens an election for the seat.

Who may do what: every member on the fixed list signs once, and may
withdraw while the petition is open (press Sign again, or /unsign N). Only
someone on that list may open a petition. The holder may sign their own
recall (one member, one signature: a seat takes no right away) but cannot
petition to recall themselves (/resign gives a seat up). Nothing stops,
hides or deletes a petition or its vote: there is no command for it.
Signatures are counted, never listed, and not logged one by one: the log
gets the opening, each notice, the vote and its result.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from handlers.core import settings
from handlers.core.buttons import BadAction
from handlers.core.context import Context, JobContext, UserError, Work, example, hint
from handlers.core.i18n import N_, Translator
from handlers.core.input import checked, leading_words, member_and_rest, number_and_rest, numbered
from handlers.core.numbering import add_numbered
from handlers.core.outcome import Outcome
from handlers.core.registry import Feature, VoteRequest
from handlers.core.settings import Setting, parse_count, parse_share
from handlers.governance import petition_rules as rules
from handlers.governance.petition_queries import (
    Seat,
    Target,
    fix_signers,
    has_signed,
    lock_petition,
    may_sign,
    running_petition,
    seats_of,
    signature_count,
    target_of,
)
from handlers.governance.petition_views import (
    SignPetition,
    card,
    card_key,
    progress_notice,
    refresh_card,
    subject,
    tally,
    threshold_notice,
)
from handlers.governance.roles import end_term
from models import (
    Community,
    Petition,
    PetitionKind,
    PetitionState,
    Poll,
    PollKind,
    Role,
    Signature,
    Term,
    TermEnd,
    User,
)

feature = Feature("governance.petitions")


def _show_min(t: Translator, n: Any) -> str:
    return str(
        t.ngettext(
            "A petition needs at least {n} signature (recall_min).",
            "A petition needs at least {n} signatures (recall_min).",
            int(n),
        )
    )


def _show_share(t: Translator, share: Any) -> str:
    return str(
        t(
            "A petition needs the signatures of at least {share} of those who may sign "
            "(recall_share).",
            share=t.percent(float(share)),
        )
    )


def _show_days(t: Translator, days: Any) -> str:
    return str(
        t.ngettext(
            "A petition collects signatures for {n} day (petition_days).",
            "A petition collects signatures for {n} days (petition_days).",
            int(days),
        )
    )


RECALL_MIN = feature.setting(
    Setting(
        name="recall_min",
        default=3,
        parse=lambda raw: parse_count(raw, low=1, high=1000),
        show=_show_min,
        problem=N_(
            "recall_min is the fewest signatures a petition needs: a whole number from 1 to "
            "1000, not “{value}”."
        ),
        example="/setup recall_min=3",
    )
)
RECALL_SHARE = feature.setting(
    Setting(
        name="recall_share",
        default=0.2,
        parse=parse_share,
        show=_show_share,
        problem=N_(
            "recall_share is the share of those who may sign whose signatures a petition "
            "needs: a percentage such as 20%, not “{value}”."
        ),
        example="/setup recall_share=20%",
    )
)
PETITION_DAYS = feature.setting(
    Setting(
        name="petition_days",
        default=7,
        parse=lambda raw: parse_count(raw, low=1, high=90),
        show=_show_days,
        problem=N_(
            "petition_days is how many days a petition collects signatures: a whole number "
            "from 1 to 90, not “{value}”."
        ),
        example="/setup petition_days=7",
    )
)

RECALL_VOTE = timedelta(hours=48)
RULE_VOTE = timedelta(hours=72)
EXPIRE_JOB = "petition.expire"
#: The close hooks' subjects: a recall vote, and the vote on a rule, amendment or repeal.
RECALL_SUBJECT = "recall"
RULE_SUBJECT = "petition"

feature.audit(
    "petition.recall",
    N_("{actor} opened petition #{number} to recall {holder} as {role}: {reason}"),
)
feature.audit("petition.rule", N_("{actor} opened petition #{number} for a new rule: {text}"))
feature.audit(
    "petition.amend", N_("{actor} opened petition #{number} to amend rule #{rule}: {text}")
)
feature.audit("petition.repeal", N_("{actor} opened petition #{number} to repeal rule #{rule}"))
feature.audit(
    "petition.third",
    N_("Petition #{number} has a third of its signatures: {count} of {threshold}"),
)
feature.audit(
    "petition.two_thirds",
    N_("Petition #{number} has two thirds of its signatures: {count} of {threshold}"),
)
feature.audit(
    "petition.threshold",
    N_("Petition #{number} reached its threshold: {count} of {threshold} signatures"),
)
feature.audit("petition.vote", N_("Petition #{number} went to a vote: poll #{poll}"))
feature.audit(
    "petition.expired",
    N_("Petition #{number} expired with {count} of {threshold} signatures"),
)
feature.audit(
    "recall.passed",
    N_(
        "The recall vote on petition #{number} passed ({yes} yes, {no} no of {electorate}): "
        "{holder} loses the seat of {role}"
    ),
)
feature.audit(
    "recall.failed",
    N_(
        "The recall vote on petition #{number} did not pass ({yes} yes, {no} no of "
        "{electorate}): {holder} keeps the seat of {role}"
    ),
)
feature.audit(
    "recall.no_quorum",
    N_(
        "The recall vote on petition #{number} missed the quorum ({ballots} of {electorate} "
        "voted): {holder} keeps the seat of {role}"
    ),
)
feature.audit(
    "recall.moot",
    N_(
        "The recall vote on petition #{number} passed, but the term of {holder} as {role} "
        "had already ended"
    ),
)

NOTICE_ACTIONS = {1: "petition.third", 2: "petition.two_thirds"}
OPENED_ACTIONS = {
    PetitionKind.RECALL: "petition.recall",
    PetitionKind.RULE: "petition.rule",
    PetitionKind.AMEND: "petition.amend",
    PetitionKind.REPEAL: "petition.repeal",
}


# --- opening -------------------------------------------------------------------------


async def open_petition(
    ctx: Context,
    kind: PetitionKind,
    text: str,
    /,
    *,
    term: Term | None = None,
    rule_id: int | None = None,
    **details: Any,
) -> Petition:
    """Open a petition, fix who may sign it and its threshold, and post it with its button.

    Refused (and nothing kept) when the sender may not sign it themselves, or
    when it could never reach its threshold.
    """
    community = ctx.require_community()
    ctx.require_member()
    now = ctx.now
    petition = Petition(
        community_id=community.id,
        kind=kind,
        text=text,
        author_id=ctx.user.id,
        opened_at=now,
        expires_at=rules.closes_at(now, int(settings.value(community, PETITION_DAYS))),
        threshold=0,
        electorate=0,
        term_id=term.id if term else None,
        rule_id=rule_id,
    )
    await add_numbered(ctx.session, petition)
    petition.electorate = await fix_signers(ctx.session, community, petition)
    petition.threshold = rules.threshold(
        petition.electorate,
        int(settings.value(community, RECALL_MIN)),
        rules.percent_of(float(settings.value(community, RECALL_SHARE))),
    )
    if not await may_sign(ctx.session, petition, ctx.user.id):
        raise UserError(
            ctx.t(
                "You cannot open a petition yet: only members who joined at least {days} "
                "days before it opens may sign it (the community's member_days setting).",
                days=settings.value(community, settings.MEMBER_DAYS),
            )
        )
    if petition.threshold > petition.electorate:
        raise UserError(
            hint(
                ctx.t,
                ctx.t(
                    "This petition could never pass: it would need {threshold} signatures, "
                    "and only {electorate} members may sign. The community's recall_min "
                    "setting is the fewest signatures a petition needs.",
                    threshold=petition.threshold,
                    electorate=petition.electorate,
                ),
                f"/setup recall_min={max(petition.electorate, 1)}",
            )
        )
    ctx.schedule(EXPIRE_JOB, petition.id, petition.expires_at)
    ctx.log(OPENED_ACTIONS[kind], actor=ctx.user.display_name, number=petition.number, **details)
    text, buttons = await card(ctx, ctx.t, petition)
    ctx.reply(text, buttons, key=card_key(petition))
    return petition


def _recall_example(ctx: Context) -> str:
    return example("/recall", "@bob " + ctx.t("has not answered about the fund for a month"))


@feature.command("recall", N_("petition to recall a role holder: /recall @user [ROLE] REASON"))
async def recall(ctx: Context) -> None:
    community = ctx.require_community()
    if not ctx.args:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("Whom do you want to recall, and why? Name the holder, then the reason."),
                _recall_example(ctx),
            )
        )
    holder, rest = await member_and_rest(ctx, community, ctx.args, _recall_example(ctx))
    if holder.id == ctx.user.id:
        raise UserError(
            ctx.t("You cannot petition to recall yourself. To give up a seat, use /resign ROLE.")
        )
    seats = await seats_of(ctx.session, community, holder.id, ctx.now)
    if not seats:
        raise UserError(
            ctx.t(
                "{name} holds no seat, so there is nothing to recall. /roles shows who holds "
                "which role.",
                name=holder.display_name,
            )
        )
    seat, reason = _which_seat(ctx, holder, seats, rest)
    if not reason:
        raise UserError(
            hint(
                ctx.t,
                ctx.t("Say why: the reason comes after the name (and the role)."),
                _recall_example(ctx),
            )
        )
    reason = checked(ctx, reason, _recall_example(ctx))
    term = await ctx.session.scalar(select(Term).where(Term.id == seat.term.id).with_for_update())
    assert term is not None
    running = await running_petition(ctx.session, term_id=term.id)
    if running is not None:
        raise UserError(
            ctx.t(
                "There is already a recall of {holder} as {role}: petition #{number}. "
                "Sign it with /sign {number}.",
                holder=holder.display_name,
                role=seat.role.name,
                number=running.number,
            )
            if running.state is PetitionState.OPEN
            else ctx.t(
                "There is already a recall of {holder} as {role}: petition #{number}, "
                "whose vote is running.",
                holder=holder.display_name,
                role=seat.role.name,
                number=running.number,
            )
        )
    await open_petition(
        ctx,
        PetitionKind.RECALL,
        reason,
        term=term,
        holder=holder.display_name,
        role=seat.role.name,
        reason=reason,
    )


def _which_seat(ctx: Context, holder: User, seats: list[Seat], rest: str) -> tuple[Seat, str]:
    """The seat a recall names after the holder, and the reason after it.

    The role may be left out when the holder has one seat; with several it must be named.
    """
    for name, after in leading_words(rest):
        key = rules.fold(name)
        found = [s for s in seats if key in (rules.fold(s.role.name), s.role.key)]
        if found:
            return found[0], after
    if len(seats) == 1:
        return seats[0], rest
    who = f"@{holder.username}" if holder.username else holder.display_name
    raise UserError(
        hint(
            ctx.t,
            ctx.t(
                "{name} holds several seats: {roles}. Say which one after the name.",
                name=holder.display_name,
                roles=", ".join(s.role.name for s in seats),
            ),
            example(f"/recall {who} {seats[0].role.name}", ctx.t("the reason")),
        )
    )


# --- signing -------------------------------------------------------------------------


def _not_open(t: Translator, petition: Petition) -> str:
    """Why ``petition`` takes no signatures now (it is past its time, or no longer open)."""
    if petition.state is PetitionState.VOTING:
        return str(
            t(
                "Petition #{number} takes no more signatures: it reached its threshold and went "
                "to a vote.",
                number=petition.number,
            )
        )
    if petition.state in (PetitionState.PASSED, PetitionState.FAILED):
        return str(t("Petition #{number} is closed: its vote is over.", number=petition.number))
    return str(
        t(
            "Petition #{number} expired on {when}; it takes no more signatures.",
            number=petition.number,
            when=t.moment(petition.expires_at, now=petition.opened_at),
        )
    )


async def _refusal(ctx: Context, petition: Petition) -> str | None:
    """Why the sender may not sign (or withdraw from) ``petition`` now, or None."""
    t = ctx.to_sender
    if petition.state is not PetitionState.OPEN or not rules.may_sign(ctx.now, petition.expires_at):
        return _not_open(t, petition)
    if not await may_sign(ctx.session, petition, ctx.user.id):
        member = ctx.require_member()
        if member.joined_at > petition.opened_at:
            return str(
                t(
                    "You cannot sign petition #{number}: who may sign was fixed when it "
                    "opened, before you joined. You can sign every petition opened from now on.",
                    number=petition.number,
                )
            )
        return str(
            t(
                "You cannot sign petition #{number}: only members who had joined at least "
                "{days} days before it opened may sign it (the community's member_days "
                "setting, against join-to-sign raids).",
                number=petition.number,
                days=settings.value(ctx.require_community(), settings.MEMBER_DAYS),
            )
        )
    target = await target_of(ctx.session, petition)
    if target.term is not None and target.term.ended_at is not None:
        assert target.holder is not None and target.role is not None
        return str(
            t(
                "{holder} no longer holds the seat of {role}, so petition #{number} takes no "
                "more signatures.",
                holder=target.holder.display_name,
                role=target.role.name,
                number=petition.number,
            )
        )
    return None


async def _sign(ctx: Context, petition: Petition, *, sign: bool) -> int:
    """/sign and /unsign: refused with the reason, or done; returns the new count."""
    refusal = await _refusal(ctx, petition)
    if refusal is not None:
        raise UserError(refusal)
    signed = await has_signed(ctx.session, petition, ctx.user.id)
    if sign and signed:
        raise UserError(
            ctx.to_sender(
                "You have already signed petition #{number}; /unsign {number} withdraws your "
                "signature.",
                number=petition.number,
            )
        )
    if not sign and not signed:
        raise UserError(
            ctx.to_sender("You have not signed petition #{number}.", number=petition.number)
        )
    return await _apply(ctx, petition, sign=sign)


async def _apply(ctx: Context, petition: Petition, *, sign: bool) -> int:
    """Add or remove the sender's signature on the locked ``petition``; returns the new count."""
    if sign:
        try:
            async with ctx.session.begin_nested():
                ctx.session.add(
                    Signature(petition_id=petition.id, user_id=ctx.user.id, signed_at=ctx.now)
                )
        except IntegrityError:
            pass  # The petition row is locked, so this cannot race; signed either way.
    else:
        await ctx.session.execute(
            delete(Signature).where(
                Signature.petition_id == petition.id, Signature.user_id == ctx.user.id
            )
        )
    count = await signature_count(ctx.session, petition)
    await _progress(ctx, petition, count)
    return count


async def _progress(ctx: Context, petition: Petition, count: int) -> None:
    """Post the notice a new count has earned, if any; at the threshold, open the vote.

    Notices and the log name nobody: they are not the signer's doing but the count's.
    """
    due = rules.notice_due(count, petition.threshold, petition.notices)
    if due is None:
        return
    community = ctx.require_community()
    petition.notices = due
    t = ctx.community_translator(community)
    target = await target_of(ctx.session, petition)
    numbers = {"number": petition.number, "count": count, "threshold": petition.threshold}
    if due < rules.NOTICE_LEVELS:
        ctx.audit(community, None, NOTICE_ACTIONS[due], **numbers)
        ctx.send(community.chat_id, progress_notice(t, petition, target, due, count))
        return
    ctx.audit(community, None, "petition.threshold", **numbers)
    petition.state = PetitionState.VOTING
    await ctx.cancel_jobs(EXPIRE_JOB, petition.id)
    recall = petition.kind is PetitionKind.RECALL
    poll = await ctx.open_vote(
        VoteRequest(
            question=_question(t, petition, target),
            options=[str(t("Yes")), str(t("No"))],
            kind=PollKind.SINGLE,
            subject=(RECALL_SUBJECT if recall else RULE_SUBJECT, petition.id),
            deadline=ctx.now + (RECALL_VOTE if recall else RULE_VOTE),
            by_bot=True,
        ),
        community,
    )
    petition.poll_id = poll.id
    ctx.audit(community, None, "petition.vote", number=petition.number, poll=poll.number)
    ctx.send(community.chat_id, threshold_notice(t, petition, target, count, poll))


def _question(t: Translator, petition: Petition, target: Target) -> str:
    """What the vote asks, as plain text."""
    if petition.kind is PetitionKind.RECALL:
        assert target.holder is not None and target.role is not None
        asked = t(
            "Recall {holder} from the seat of {role}? Petition #{number}: {reason}",
            holder=target.holder.display_name,
            role=target.role.name,
            number=petition.number,
            reason=petition.text,
        )
    elif petition.kind is PetitionKind.RULE:
        asked = t(
            "Adopt this rule? “{text}” (petition #{number})",
            text=petition.text,
            number=petition.number,
        )
    elif petition.kind is PetitionKind.AMEND:
        assert target.rule is not None
        asked = t(
            "Amend rule #{rule} to read: “{text}”? (petition #{number})",
            rule=target.rule.number,
            text=petition.text,
            number=petition.number,
        )
    else:
        assert target.rule is not None
        asked = t(
            "Repeal rule #{rule}: “{old}”? (petition #{number})",
            rule=target.rule.number,
            old=target.rule_text,
            number=petition.number,
        )
    return asked.unescape()


@feature.button(SignPetition)
async def sign_button(ctx: Context, pressed: SignPetition) -> None:
    """Sign, or withdraw one's signature: pressing again toggles it."""
    community = ctx.require_community()
    petition = await lock_petition(ctx.session, pressed.petition_id)
    if petition is None or petition.community_id != community.id:
        raise BadAction("petition from another community")
    refusal = await _refusal(ctx, petition)
    if refusal is not None:
        ctx.edit(*await card(ctx, ctx.t, petition))
        ctx.answer(refusal, alert=True)
        return
    signing = not await has_signed(ctx.session, petition, ctx.user.id)
    count = await _apply(ctx, petition, sign=signing)
    ctx.edit(*await card(ctx, ctx.t, petition))
    numbers = {"number": petition.number, "count": count, "threshold": petition.threshold}
    if petition.state is PetitionState.VOTING:
        ctx.answer(
            ctx.reader.gettext(
                "You signed petition #{number}: it reached its threshold and goes to a vote.",
                number=petition.number,
            )
        )
    elif signing:
        ctx.answer(
            ctx.reader.gettext(
                "You signed petition #{number}: {count} of {threshold}. Press again to withdraw.",
                **numbers,
            )
        )
    else:
        ctx.answer(
            ctx.reader.gettext(
                "You withdrew your signature from petition #{number}: {count} of {threshold}.",
                **numbers,
            )
        )


async def _numbered_petition(ctx: Context, command: str) -> Petition:
    number, _ = number_and_rest(
        ctx,
        ctx.t("Which petition? Give its number, as in “Petition #3”."),
        f"/{command} 3",
    )
    unknown = ctx.t("There is no petition #{number} here.", number=number)
    return await numbered(ctx, Petition, number, unknown, f"/{command} 1")


@feature.command("sign", N_("sign a petition, as its Sign button does: /sign N"))
async def sign_command(ctx: Context) -> None:
    petition = await _numbered_petition(ctx, "sign")
    count = await _sign(ctx, petition, sign=True)
    await _replied(ctx, petition, count, signed=True)


@feature.command("unsign", N_("withdraw your signature from a petition: /unsign N"))
async def unsign_command(ctx: Context) -> None:
    petition = await _numbered_petition(ctx, "unsign")
    count = await _sign(ctx, petition, sign=False)
    await _replied(ctx, petition, count, signed=False)


async def _replied(ctx: Context, petition: Petition, count: int, *, signed: bool) -> None:
    numbers = {"number": petition.number, "count": count, "threshold": petition.threshold}
    if signed:
        ctx.reply(ctx.t("Signed: petition #{number} has {count} of {threshold}.", **numbers))
    else:
        ctx.reply(ctx.t("Withdrawn: petition #{number} has {count} of {threshold}.", **numbers))
    await refresh_card(ctx, ctx.t, ctx.require_community().chat_id, petition)


# --- expiry and the recall vote ------------------------------------------------------------


@feature.job(EXPIRE_JOB)
async def expire(work: JobContext, petition_id: int) -> None:
    """A petition still open at its expiry closes; the group is told, the log records it."""
    petition = await lock_petition(work.session, petition_id)
    if petition is None or petition.state is not PetitionState.OPEN:
        return
    community = await work.session.get(Community, petition.community_id)
    assert community is not None
    petition.state, petition.closed_at = PetitionState.EXPIRED, petition.expires_at
    count = await signature_count(work.session, petition)
    t = work.community_translator(community)
    target = await target_of(work.session, petition)
    await refresh_card(work, t, community.chat_id, petition)
    work.audit(
        community,
        None,
        "petition.expired",
        number=petition.number,
        count=count,
        threshold=petition.threshold,
    )
    work.post(
        community.chat_id,
        t(
            "⌛ Petition #{number} ({subject}) expired with {count} of {threshold} signatures. "
            "Nothing changes.",
            number=petition.number,
            subject=subject(t, petition, target),
            count=t.number(count),
            threshold=t.number(petition.threshold),
        ),
    )


async def voted_petition(work: Work, poll: Poll) -> tuple[Petition, Community] | None:
    """The petition whose vote ``poll`` was, locked, if it still waits for that vote."""
    if poll.subject_id is None:
        return None
    petition = await lock_petition(work.session, poll.subject_id)
    if petition is None or petition.state is not PetitionState.VOTING:
        return None
    if petition.poll_id != poll.id:
        return None
    community = await work.session.get(Community, petition.community_id)
    assert community is not None
    return petition, community


def result_of(outcome: Outcome) -> dict[str, int]:
    """A yes/no vote's totals as petitions keep and publish them."""
    return {
        "yes": outcome.counts[0],
        "no": outcome.counts[1],
        "ballots": outcome.ballots,
        "electorate": outcome.electorate,
    }


@feature.on_close(RECALL_SUBJECT)
async def recall_closed(work: Work, poll: Poll, outcome: Outcome) -> None:
    """A majority of the votes cast, with the quorum, ends the term and opens an election."""
    found = await voted_petition(work, poll)
    if found is None:
        return
    petition, community = found
    target = await target_of(work.session, petition)
    assert target.term is not None and target.holder is not None and target.role is not None
    t = work.community_translator(community)
    result = result_of(outcome)
    names = {
        "number": petition.number,
        "holder": target.holder.display_name,
        "role": target.role.name,
    }
    petition.closed_at = poll.closed_at or work.now
    if not outcome.passed:
        petition.state = PetitionState.FAILED
        if not outcome.valid:
            work.audit(community, None, "recall.no_quorum", **names, **result)
            text = t(
                "🗳 The recall vote on petition #{number} missed the quorum: {ballots} of "
                "{electorate} voted. {holder} keeps the seat of {role}.",
                **names,
                ballots=t.number(result["ballots"]),
                electorate=t.number(result["electorate"]),
            )
        else:
            work.audit(community, None, "recall.failed", **names, **result)
            text = t(
                "🗳 The recall vote on petition #{number} did not pass: {votes}. {holder} keeps "
                "the seat of {role}.",
                **names,
                votes=tally(t, result),
            )
        work.post(community.chat_id, text)
        await refresh_card(work, t, community.chat_id, petition)
        return
    petition.state = PetitionState.PASSED
    work.audit(community, None, "recall.passed", **names, **result)
    term = await work.session.scalar(
        select(Term).where(Term.id == target.term.id).with_for_update()
    )
    assert term is not None
    if term.ended_at is not None:
        work.audit(community, None, "recall.moot", **names)
        work.post(
            community.chat_id,
            t(
                "🗳 The recall vote on petition #{number} passed ({votes}), but the term of "
                "{holder} as {role} had already ended: there is no seat to vacate.",
                **names,
                votes=tally(t, result),
            ),
        )
        await refresh_card(work, t, community.chat_id, petition)
        return
    role = await work.session.get(Role, term.role_id)
    assert role is not None
    # The roles module ends a term however it ends: logged, told, the seat's election opened.
    election = await end_term(work, community, role, term, TermEnd.RECALLED, at=petition.closed_at)
    work.post(
        community.chat_id,
        t(
            "🗳 The recall vote on petition #{number} passed: {votes}. {holder} no longer holds "
            "the seat of {role}. Election #{election} for the seat is open.",
            **names,
            votes=tally(t, result),
            election=election.number,
        ),
    )
    await refresh_card(work, t, community.chat_id, petition)
