"""Recall and rule petitions in-process: opening, signing, notices, the votes, who may do what.

Roles and terms are written straight into the database (an active role, a term), so these
stories do not depend on how roles are proposed and elected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from handlers.core.messages import Chat, Person, Reply
from handlers.core.numbering import add_numbered
from handlers.governance.petition_views import SignPetition
from models import (
    AuditEntry,
    Community,
    Election,
    ElectionPhase,
    Job,
    JobState,
    OutboxMessage,
    Petition,
    PetitionKind,
    PetitionState,
    Poll,
    Rule,
    RuleVersion,
    Signature,
    Term,
    TermEnd,
)
from tests.petition_support import give_seat
from tests.support import Driver, answers, buttons, text

REASON = "stopped answering about the fund"


async def community_of(driver: Driver, chat: Chat) -> Community:
    async with driver.sessions() as session:
        found = await session.scalar(select(Community).where(Community.chat_id == chat.id))
        assert found is not None
        return found


async def seat(driver: Driver, chat: Chat, holder: Person, role: str = "Treasurer") -> int:
    return await give_seat(driver.sessions, chat.id, holder.id, driver.clock.now(), role)


async def rule(driver: Driver, chat: Chat, wording: str) -> int:
    """A rule in force, straight in the database; its number."""
    community = await community_of(driver, chat)
    async with driver.sessions() as session, session.begin():
        row = Rule(community_id=community.id, created_at=driver.clock.now())
        await add_numbered(session, row)
        session.add(
            RuleVersion(
                rule_id=row.id,
                version=1,
                kind=PetitionKind.RULE,
                text=wording,
                adopted_at=driver.clock.now(),
                result={"yes": 3, "no": 1, "ballots": 4, "electorate": 5},
            )
        )
        return row.number


def data(replies: list[Reply], label: str) -> str:
    return next(d for shown, d in buttons(replies) if shown == label)


async def petition(driver: Driver, number: int = 1) -> Petition:
    async with driver.sessions() as session:
        found = await session.scalar(select(Petition).where(Petition.number == number))
        assert found is not None
        return found


async def actions(driver: Driver) -> list[str]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def posted(driver: Driver) -> str:
    """What jobs and close hooks queued for the group, oldest first."""
    async with driver.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return "\n".join(row.payload["text"] for row in rows)


async def close_votes(driver: Driver, hours: int) -> None:
    driver.clock.advance(timedelta(hours=hours))
    await driver.run_jobs()


@dataclass
class Street:
    """Five neighbours; Alice is the chat's admin, Bob holds the Treasurer's seat."""

    chat: Chat
    alice: Person
    bob: Person
    carol: Person
    dave: Person
    erin: Person
    term_id: int


async def street(driver: Driver, setup: str = "") -> Street:
    alice, bob, carol, dave, erin = (
        driver.person(name) for name in ("Alice", "Bob", "Carol", "Dave", "Erin")
    )
    chat = await driver.community(alice, bob, carol, dave, erin, setup=setup)
    term_id = await seat(driver, chat, bob)
    return Street(chat, alice, bob, carol, dave, erin, term_id)


async def open_recall(driver: Driver, s: Street, by: Person | None = None) -> str:
    """Alice (or ``by``) petitions to recall Bob; the Sign button's data."""
    replies = await driver.send(by or s.alice, s.chat, f"/recall Bob {REASON}")
    [(label, sign)] = buttons(replies)
    assert label == "✍️ Sign (0/3)", text(replies)
    return sign


async def recall_vote(driver: Driver, s: Street) -> list[Reply]:
    """Carol, Dave and Erin sign: the threshold (3 of 5) opens the recall vote."""
    sign = await open_recall(driver, s)
    for signer in (s.carol, s.dave):
        await driver.press(signer, s.chat, sign)
    return await driver.press(s.erin, s.chat, sign)


# --- the recall story ------------------------------------------------------------------------


async def test_signatures_bring_three_notices_and_the_bot_opens_the_recall_vote(
    driver: Driver,
) -> None:
    s = await street(driver)
    sign = await open_recall(driver, s)
    first = await driver.press(s.carol, s.chat, sign)
    assert "has a third of the signatures it needs: 1 of 3" in text(first)
    assert "Carol" not in text(first), "the group is told counts, never who signed"
    assert answers(first)[0].text.startswith("You signed petition #1: 1 of 3")
    second = await driver.press(s.dave, s.chat, sign)
    assert "two thirds of the signatures it needs: 2 of 3" in text(second)
    third = await driver.press(s.erin, s.chat, sign)
    shown = text(third)
    assert "reached its threshold: 3 signatures" in shown
    assert "A secret recall vote starts now: poll #1, for 48 hours" in shown
    assert "opened by the community's rules" in shown
    assert "Recall Bob from the seat of Treasurer? Petition #1: " + REASON in shown
    assert ("✍️ Sign (3/3)", sign) not in buttons(third), "a petition at its vote takes no more"

    found = await petition(driver)
    assert (found.state, found.notices, found.threshold, found.electorate) == (
        PetitionState.VOTING,
        3,
        3,
        5,
    )
    async with driver.sessions() as session:
        poll = await session.get(Poll, found.poll_id)
        assert poll is not None and poll.creator_id is None
        assert poll.closes_at == driver.clock.now() + timedelta(hours=48)
        expiry = await session.scalar(
            select(Job.state).where(Job.kind == "petition.expire", Job.ref_id == found.id)
        )
    assert expiry is JobState.DONE, "a petition at its vote no longer expires"
    for anyone in (s.bob, s.alice, s.carol):
        refused = text(await driver.send(anyone, s.chat, "/close 1"))
        assert "nobody can close it early" in refused
    assert (await actions(driver))[-6:] == [
        "petition.recall",
        "petition.third",
        "petition.two_thirds",
        "petition.threshold",
        "poll.opened",
        "petition.vote",
    ]
    async with driver.sessions() as session:
        actors = await session.scalars(
            select(AuditEntry.actor_id).where(AuditEntry.action.like("petition.%"))
        )
        assert set(actors) == {s.alice.id, None}, "notices are logged as nobody's doing"


async def test_a_passed_recall_vacates_the_seat_and_opens_an_election(driver: Driver) -> None:
    s = await street(driver)
    vote = await recall_vote(driver, s)
    for voter, choice in ((s.alice, "1. Yes"), (s.carol, "1. Yes"), (s.dave, "1. Yes")):
        await driver.press(voter, s.chat, data(vote, choice))
    await driver.press(s.bob, s.chat, data(vote, "2. No"))
    await close_votes(driver, 49)

    said = await posted(driver)
    assert (
        "The recall vote on petition #1 passed: 3 yes, 1 no of 5. Bob no longer holds the seat "
        "of Treasurer. Election #1 for the seat is open." in said
    )
    async with driver.sessions() as session:
        term = await session.get(Term, s.term_id)
        assert term is not None and term.end_reason is TermEnd.RECALLED
        assert term.ended_at == driver.clock.now() - timedelta(hours=1), "at the vote's close"
        election = await session.scalar(select(Election))
        assert election is not None
        assert (election.reason, election.seats, election.role_id, election.phase) == (
            "recall",
            1,
            term.role_id,
            ElectionPhase.NOMINATING,
        )
    assert (await petition(driver)).state is PetitionState.PASSED
    assert {"recall.passed", "term.recalled", "election.for_recall"} <= set(await actions(driver))
    log = text(await driver.send(s.carol, s.chat, "/log"))
    assert "passed (3 yes, 1 no of 5): Bob loses the seat of Treasurer" in log
    assert "Bob was recalled as Treasurer" in log


async def test_a_recall_the_votes_reject_or_too_few_vote_on_keeps_the_holder(
    driver: Driver,
) -> None:
    s = await street(driver)
    vote = await recall_vote(driver, s)
    await driver.press(s.carol, s.chat, data(vote, "1. Yes"))
    for voter in (s.bob, s.dave):
        await driver.press(voter, s.chat, data(vote, "2. No"))
    await close_votes(driver, 49)
    assert "did not pass: 1 yes, 2 no of 5. Bob keeps the seat of Treasurer." in await posted(
        driver
    )
    assert (await petition(driver)).state is PetitionState.FAILED

    await driver.send(s.alice, s.chat, "/setup quorum=80%")
    vote = await recall_vote(driver, s)  # a failed recall no longer blocks a new one
    for voter in (s.carol, s.dave):
        await driver.press(voter, s.chat, data(vote, "1. Yes"))
    await close_votes(driver, 49)
    assert "missed the quorum: 2 of 5 voted. Bob keeps the seat of Treasurer." in await posted(
        driver
    )
    async with driver.sessions() as session:
        term = await session.get(Term, s.term_id)
        assert term is not None and term.ended_at is None
        assert await session.scalar(select(func.count()).select_from(Election)) == 0
    assert {"recall.failed", "recall.no_quorum"} <= set(await actions(driver))


async def test_a_recall_passed_after_the_term_ended_vacates_nothing(driver: Driver) -> None:
    s = await street(driver)
    vote = await recall_vote(driver, s)
    await driver.press(s.carol, s.chat, data(vote, "1. Yes"))
    async with driver.sessions() as session, session.begin():
        term = await session.get(Term, s.term_id)
        assert term is not None
        term.ended_at, term.end_reason = driver.clock.now(), TermEnd.RESIGNED
    await close_votes(driver, 49)
    assert "had already ended: there is no seat to vacate" in await posted(driver)
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Election)) == 0
    assert "recall.moot" in await actions(driver)


async def test_withdrawing_and_signing_again_repeats_no_notice(driver: Driver) -> None:
    s = await street(driver)
    sign = await open_recall(driver, s)
    assert "a third" in text(await driver.press(s.carol, s.chat, sign))
    withdrawn = await driver.press(s.carol, s.chat, sign)
    assert answers(withdrawn)[0].text == "You withdrew your signature from petition #1: 0 of 3."
    assert "📣" not in text(withdrawn)
    again = await driver.send(s.carol, s.chat, "/sign 1")
    assert text(again) == "Signed: petition #1 has 1 of 3.", "no second notice for a third"
    twice = text(await driver.send(s.carol, s.chat, "/sign 1"))
    assert "You have already signed petition #1; /unsign 1 withdraws" in twice
    assert text(await driver.send(s.carol, s.chat, "/unsign #1")).startswith("Withdrawn")
    assert "You have not signed petition #1." in text(
        await driver.send(s.carol, s.chat, "/unsign 1")
    )
    assert (await actions(driver)).count("petition.third") == 1
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Signature)) == 0


async def test_who_may_sign_is_fixed_when_the_petition_opens(driver: Driver) -> None:
    s = await street(driver)
    driver.clock.advance(timedelta(days=10))
    fresh = driver.person("Frank")
    await driver.send(fresh, s.chat, "/join")
    await driver.send(s.alice, s.chat, "/setup member_days=7")
    refused = text(await driver.send(fresh, s.chat, f"/recall Bob {REASON}"))
    assert "You cannot open a petition yet: only members who joined at least 7 days" in refused
    sign = await open_recall(driver, s)
    assert (await petition(driver)).electorate == 5, "Frank joined too recently to count"
    [answer] = answers(await driver.press(fresh, s.chat, sign))
    assert answer.alert and "only members who had joined at least 7 days before it opened" in (
        answer.text
    )
    driver.clock.advance(timedelta(minutes=5))
    later = driver.person("Gina")
    await driver.send(later, s.chat, "/join")
    refused = text(await driver.send(later, s.chat, "/sign 1"))
    assert "who may sign was fixed when it opened, before you joined" in refused


async def test_an_expired_petition_is_closed_announced_and_logged(driver: Driver) -> None:
    s = await street(driver)
    sign = await open_recall(driver, s)
    await driver.press(s.carol, s.chat, sign)
    driver.clock.advance(timedelta(days=7))
    refused = answers(await driver.press(s.dave, s.chat, sign))[0].text
    assert refused.startswith("Petition #1 expired on Mon 9 Mar, 09:00 UTC")
    await driver.run_jobs()
    assert (await petition(driver)).state is PetitionState.EXPIRED
    said = await posted(driver)
    assert "⌛ Petition #1 (recall of Bob as Treasurer) expired with 1 of 3 signatures." in said
    assert "⌛ Expired on Mon 9 Mar, 09:00 UTC with 1 of 3 signatures." in said, "the card too"
    assert (
        "petition #1 expired with 1 of 3 signatures"
        in text(await driver.send(s.erin, s.chat, "/log")).lower()
    )
    assert "expired" in text(await driver.send(s.dave, s.chat, "/sign 1"))
    await open_recall(driver, s)  # an expired petition no longer blocks a new one


async def test_recall_refusals_say_why(driver: Driver) -> None:
    s = await street(driver)
    assert "Whom do you want to recall" in text(await driver.send(s.alice, s.chat, "/recall"))
    assert "Nobody on the roster is Zed" in text(
        await driver.send(s.alice, s.chat, "/recall Zed for nothing")
    )
    assert "Carol holds no seat, so there is nothing to recall" in text(
        await driver.send(s.alice, s.chat, "/recall Carol for nothing")
    )
    assert "Say why" in text(await driver.send(s.alice, s.chat, "/recall Bob"))
    assert "the limit is 500" in text(
        await driver.send(s.alice, s.chat, "/recall Bob " + "x" * 501)
    )
    await open_recall(driver, s)
    second = text(await driver.send(s.carol, s.chat, "/recall bob treasurer no answers"))
    assert "There is already a recall of Bob as Treasurer: petition #1. Sign it with /sign 1." in (
        second
    )
    await seat(driver, s.chat, s.bob, "Night watch lead")
    several = text(await driver.send(s.carol, s.chat, "/recall Bob no answers"))
    assert "Bob holds several seats: Treasurer, Night watch lead" in several
    assert "/recall Bob Treasurer" in several
    opened = text(await driver.send(s.carol, s.chat, "/recall Bob night WATCH lead asleep"))
    assert "recall Bob from the seat of Night watch lead.\nReason: asleep" in opened
    hal = Person(id=4242, first_name="Hal", last_name="Ward", username="hal_w")
    await driver.send(hal, s.chat, "/join")
    await seat(driver, s.chat, hal, "Secretary")
    by_handle = text(await driver.send(s.carol, s.chat, "/recall @HAL_W lost the minutes"))
    assert "recall Hal Ward from the seat of Secretary.\nReason: lost the minutes" in by_handle
    again = text(await driver.send(s.erin, s.chat, "/recall hal ward Secretary same"))
    assert "There is already a recall of Hal Ward as Secretary: petition #3." in again
    await seat(driver, s.chat, s.dave, "Gardener")
    dave = text(await driver.send(s.carol, s.chat, "/recall dave gardener  the roses died"))
    assert "recall Dave from the seat of Gardener.\nReason: the roses died" in dave


async def test_a_petition_that_could_never_pass_is_not_opened(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await seat(driver, chat, bob)
    refused = text(await driver.send(alice, chat, f"/recall Bob {REASON}"))
    assert "it would need 3 signatures, and only 2 members may sign" in refused
    assert "/setup recall_min=2" in refused
    assert "/setup recall_min=2" in text(await driver.send(alice, chat, "/petition Less noise"))
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Petition)) == 0
    await driver.send(alice, chat, "/setup recall_min=2")
    assert "Sign (0/2)" in str(buttons(await driver.send(alice, chat, f"/recall Bob {REASON}")))


async def test_settings_set_the_threshold_and_the_time_to_sign(driver: Driver) -> None:
    s = await street(driver)
    saved = text(
        await driver.send(s.alice, s.chat, "/setup recall_min=2 recall_share=50% petition_days=3")
    )
    assert "A petition needs at least 2 signatures (recall_min)." in saved
    assert "of at least 50% of those who may sign (recall_share)." in saved
    assert "A petition collects signatures for 3 days (petition_days)." in saved
    bad = text(await driver.send(s.alice, s.chat, "/setup recall_share=half"))
    assert "a percentage such as 20%, not “half”" in bad
    assert "from 1 to 1000, not “0”" in text(
        await driver.send(s.alice, s.chat, "/setup recall_min=0")
    )
    replies = await driver.send(s.carol, s.chat, f"/recall Bob {REASON}")
    assert "Sign (0/3)" in str(buttons(replies)), "ceil(50% of 5) = 3 beats the minimum of 2"
    assert "Open until Thu 5 Mar, 09:00 UTC" in text(replies)


# --- who may do what -------------------------------------------------------------------------

ACTORS = ("stranger", "member", "holder", "admin", "outside admin")
OUTSIDERS = ("stranger", "outside admin")


def actor(s: Street, driver: Driver, name: str) -> Person:
    """Carol is a member, Bob the holder, Alice a chat admin on the roster; the stranger and
    the outside admin (an admin of the chat) are not on the roster."""
    if name in OUTSIDERS:
        person = driver.person(name.title())
        if name == "outside admin":
            driver.admins.admins.add((s.chat.id, person.id))
        return person
    return {"member": s.carol, "holder": s.bob, "admin": s.alice}[name]


async def signatures(driver: Driver) -> int:
    async with driver.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Signature)) or 0)


@pytest.mark.parametrize("who", ACTORS)
async def test_what_each_kind_of_actor_may_do(driver: Driver, who: str) -> None:
    """/recall, Sign and withdraw, /petition, amend and repeal: a chat admin gets no more than
    any member, the holder no less (but cannot recall themselves), outsiders nothing."""
    s = await street(driver)
    person = actor(s, driver, who)
    outsider = who in OUTSIDERS
    not_on_roster = "You are not on the roster yet. Send /join first."

    reply = text(await driver.send(person, s.chat, f"/recall Bob {REASON}"))
    if outsider:
        assert not_on_roster in reply
    elif who == "holder":
        assert "You cannot petition to recall yourself. To give up a seat, use /resign" in reply
    else:
        assert "recall Bob from the seat of Treasurer" in reply
    async with driver.sessions() as session:
        opened = await session.scalar(select(func.count()).select_from(Petition))
    assert opened == (0 if outsider or who == "holder" else 1)

    if not opened:
        await open_recall(driver, s, by=s.dave)
    async with driver.sessions() as session:
        recall_id = await session.scalar(select(Petition.id))
    assert recall_id is not None
    sign = driver.services.codec.pack(SignPetition(recall_id))
    [answer] = answers(await driver.press(person, s.chat, sign))
    if outsider:
        assert answer.alert and "/join" in answer.text
        assert "/join" in text(await driver.send(person, s.chat, "/sign 1"))
        assert await signatures(driver) == 0
    else:
        # The holder may sign their own recall; the admin signs once, like anyone.
        assert answer.text.startswith("You signed petition #1: 1 of 3")
        assert "already signed" in text(await driver.send(person, s.chat, "/sign 1"))
        assert await signatures(driver) == 1
        await driver.press(person, s.chat, sign)
        assert await signatures(driver) == 0

    bins = await rule(driver, s.chat, "Bins go out on Monday.")
    dogs = await rule(driver, s.chat, "Dogs on a lead in the yard.")
    for command in (
        "/petition Quiet hours from 22:00.",
        f"/petition amend {bins} Bins go out on Tuesday.",
        f"/petition repeal {dogs}",
    ):
        reply = text(await driver.send(person, s.chat, command))
        assert (not_on_roster if outsider else "📜 <b>Petition #") in reply, reply
    async with driver.sessions() as session:
        kinds = set(await session.scalars(select(Petition.kind)))
    assert kinds == (
        {PetitionKind.RECALL}
        if outsider
        else {PetitionKind.RECALL, PetitionKind.RULE, PetitionKind.AMEND, PetitionKind.REPEAL}
    )


async def test_nothing_stops_hides_or_deletes_a_recall_or_its_vote(driver: Driver) -> None:
    """The holder and a chat admin try every command there is on petition and poll #1, and on
    petition #2, still open: each stays as it was; signing is all they can add."""
    s = await street(driver)
    await recall_vote(driver, s)
    sign = data(await driver.send(s.carol, s.chat, "/petition Less noise"), "✍️ Sign (0/3)")
    await driver.press(s.carol, s.chat, sign)
    for name in sorted(driver.app.registry.commands):
        if name in ("leave", "setup"):
            continue
        for person in (s.bob, s.alice):
            await driver.send(person, s.chat, f"/{name} 1")
    await driver.send(s.bob, s.chat, "/leave")
    async with driver.sessions() as session:
        states = dict((await session.execute(select(Petition.number, Petition.state))).all())
        assert states[1] is PetitionState.VOTING
        assert set(states.values()) <= {PetitionState.OPEN, PetitionState.VOTING}
        poll = await session.scalar(select(Poll).where(Poll.number == 1))
        assert poll is not None and poll.closed_at is None
        due = await session.scalar(
            select(Job.state).where(Job.kind == "poll.close", Job.ref_id == poll.id)
        )
        assert due is JobState.DUE
        first = select(func.count()).select_from(Signature).join(Petition)
        assert await session.scalar(first.where(Petition.number == 1)) == 3


# --- rule petitions --------------------------------------------------------------------------


async def pass_rule_petition(driver: Driver, s: Street, command: str) -> str:
    """``command`` opens a petition; three sign, three vote yes, the vote closes: the post."""
    sign = data(await driver.send(s.alice, s.chat, command), "✍️ Sign (0/3)")
    for signer in (s.alice, s.bob):
        await driver.press(signer, s.chat, sign)
    vote = await driver.press(s.carol, s.chat, sign)
    assert "It goes to a vote of the community" in text(vote) and "for 72 hours" in text(vote)
    for voter in (s.alice, s.bob, s.carol):
        await driver.press(voter, s.chat, data(vote, "1. Yes"))
    await driver.press(s.dave, s.chat, data(vote, "2. No"))
    await close_votes(driver, 73)
    return (await posted(driver)).rsplit("\n📘", 1)[-1]


async def test_a_rule_petition_becomes_a_rule_and_is_amended_then_repealed(
    driver: Driver,
) -> None:
    s = await street(driver)
    said = await pass_rule_petition(driver, s, "/petition Quiet hours in the yard from 22:00.")
    assert "Petition #1 passed (3 yes, 1 no of 5): it is now rule #1." in said
    listed = text(await driver.send(s.erin, s.chat, "/rules"))
    assert "<b>#1</b> Quiet hours in the yard from 22:00." in listed
    assert "adopted on Thu 5 Mar, 09:00 UTC, 3 yes, 1 no of 5" in listed, "at the vote's close"

    said = await pass_rule_petition(driver, s, "/petition amend 1 Quiet hours from 23:00.")
    assert "rule #1 is amended" in said
    history = text(await driver.send(s.erin, s.chat, "/rules 1"))
    assert "<b>Version 1</b> — adopted on Thu 5 Mar" in history
    assert "“Quiet hours in the yard from 22:00.”" in history
    assert "<b>Version 2</b> — amended on Sun 8 Mar, 10:00 UTC, 3 yes, 1 no of 5" in history
    assert history.index("Version 1") < history.index("Version 2")
    assert "“Quiet hours from 23:00.”" in history and "petition #2" in history

    said = await pass_rule_petition(driver, s, "/petition repeal 1")
    assert "rule #1 is repealed" in said
    listed = text(await driver.send(s.erin, s.chat, "/rules"))
    assert "Quiet hours" not in listed and "Repealed: #1." in listed
    history = text(await driver.send(s.erin, s.chat, "/rules 1"))
    assert "(repealed)" in history and "<b>Version 3</b> — repealed on" in history
    assert [a for a in await actions(driver) if a.startswith("rule.")] == [
        "rule.adopted",
        "rule.amended",
        "rule.repealed",
    ]


async def test_a_rule_petition_the_vote_rejects_changes_nothing(driver: Driver) -> None:
    s = await street(driver)
    sign = data(await driver.send(s.alice, s.chat, "/petition No dogs."), "✍️ Sign (0/3)")
    for signer in (s.alice, s.bob):
        await driver.press(signer, s.chat, sign)
    vote = await driver.press(s.carol, s.chat, sign)
    await driver.press(s.dave, s.chat, data(vote, "2. No"))
    await close_votes(driver, 73)
    assert "Petition #1 was not adopted: 0 yes, 1 no of 5." in await posted(driver)
    assert "There are no rules yet" in text(await driver.send(s.erin, s.chat, "/rules"))
    assert "petition.rejected" in await actions(driver)


async def test_rule_petition_mistakes_get_examples(driver: Driver) -> None:
    s = await street(driver)
    await rule(driver, s.chat, "Bins go out on Monday.")

    async def says(command: str) -> str:
        return text(await driver.send(s.alice, s.chat, command))

    assert "Write the rule you propose" in await says("/petition")
    assert "Example: <code>/petition " in await says("/petition")
    assert "the limit is 500" in await says("/petition " + "y" * 501)
    assert "There is no rule #9; /rules lists them." in await says("/petition amend 9 Text")
    assert "“x” is not a number like 5 or #5." in await says("/petition amend x Text")
    assert "What should rule #1 say?" in await says("/petition amend 1")
    assert "That is already what rule #1 says." in await says(
        "/petition amend 1 Bins go out on Monday."
    )
    assert "Which rule? Give its number" in await says("/petition repeal")
    assert "There is no rule #4" in await says("/petition repeal 4")
    assert "There is no rule #9" in await says("/rules 9")
    assert "“nine” is not a number" in await says("/rules nine")
    await says("/petition repeal 1")
    running = await says("/petition amend 1 Bins on Friday.")
    assert "Petition #1 on rule #1 is still running" in running
    async with driver.sessions() as session, session.begin():
        found = await session.scalar(select(Rule))
        assert found is not None
        found.repealed_at = driver.clock.now()
        running_row = await session.scalar(select(Petition))
        assert running_row is not None
        running_row.state = PetitionState.PASSED
    assert "Rule #1 was repealed. To bring it back, petition for it anew." in await says(
        "/petition repeal 1"
    )


async def test_a_long_rule_book_is_paged(driver: Driver) -> None:
    s = await street(driver)
    for n in range(1, 16):
        await rule(driver, s.chat, f"Rule text number {n}.")
    first = await driver.send(s.erin, s.chat, "/rules")
    assert "Rule text number 10." in text(first) and "Rule text number 11." not in text(first)
    turn = data(first, "▶")
    second = await driver.press(s.erin, s.chat, turn)
    assert "Rule text number 15." in text(second)


async def test_the_group_is_answered_in_its_language(driver: Driver) -> None:
    s = await street(driver, setup="UTC ru")
    replies = await driver.send(s.alice, s.chat, f"/recall Bob {REASON}")
    assert "Петиция #1" in text(replies)
    assert "Подписать" in buttons(replies)[0][0]
