"""Roles and elections in-process: proposing a role, nominating, the secret vote, seats taken,
terms ending every way, the term limit, and who may do what (every kind of actor)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from handlers.core.context import JobContext
from handlers.core.messages import Chat, Person, Reply
from handlers.core.numbering import add_numbered
from handlers.governance.rules import lot_order, role_key
from models import (
    AuditEntry,
    Community,
    Election,
    ElectionPhase,
    Member,
    OutboxMessage,
    Role,
    RoleStatus,
    Shift,
    ShiftPerson,
    Term,
    TermEnd,
)
from tests.support import Driver, answers, buttons, text

DAY = timedelta(days=1)


# --- steps -------------------------------------------------------------------------


async def outbox(driver: Driver) -> list[dict[str, Any]]:
    async with driver.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row.payload for row in rows]


async def posted(driver: Driver) -> str:
    return "\n".join(payload["text"] for payload in await outbox(driver))


def button(payloads: Iterable[dict[str, Any]], label: str) -> str:
    """The data of the last button labelled ``label`` (or starting with it) in ``payloads``."""
    found = [
        data
        for payload in payloads
        for row in payload.get("buttons", [])
        for text_, data in row
        if text_ == label or text_.startswith(label)
    ]
    assert found, f"no button {label!r}"
    return found[-1]


def reply_button(replies: list[Reply], label: str) -> str:
    return next(data for text_, data in buttons(replies) if text_.startswith(label))


async def actions(driver: Driver) -> list[str]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def log_text(driver: Driver, person: Person, chat: Chat) -> str:
    return text(await driver.send(person, chat, "/log"))


async def make_role(
    driver: Driver,
    chat: Chat,
    name: str = "Treasurer",
    *,
    days: int = 90,
    seats: int = 1,
    holders: Iterable[Person] = (),
) -> None:
    """An active role, as if its poll had passed, with ``holders`` seated now."""
    async with driver.sessions() as session, session.begin():
        community = await session.scalar(select(Community).where(Community.chat_id == chat.id))
        assert community is not None
        people = list(holders)
        role = Role(
            community_id=community.id,
            name=name,
            key=role_key(name),
            term_days=days,
            seats=seats,
            status=RoleStatus.ACTIVE,
            proposed_by=people[0].id if people else None,
            created_at=driver.clock.now(),
        )
        if role.proposed_by is None:
            role.proposed_by = await session.scalar(
                select(Member.user_id).where(Member.community_id == community.id).limit(1)
            )
        await add_numbered(session, role)
        work = JobContext(session, driver.services, driver.app.registry)
        for person in people:
            term = Term(
                role_id=role.id,
                user_id=person.id,
                started_at=driver.clock.now(),
                ends_at=driver.clock.now() + timedelta(days=days),
            )
            session.add(term)
            await session.flush()
            work.schedule("term.end", term.id, term.ends_at)


async def terms(driver: Driver) -> list[Term]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(Term).order_by(Term.id)))


async def elections(driver: Driver) -> list[Election]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(Election).order_by(Election.id)))


async def pass_time(driver: Driver, delta: timedelta) -> None:
    driver.clock.advance(delta)
    await driver.run_jobs()


async def vote(driver: Driver, chat: Chat, choices: dict[Person, Iterable[str]]) -> None:
    """Each person presses the latest poll's options they name, in order."""
    payloads = [p for p in await outbox(driver) if (p.get("key") or "").startswith("poll:")]
    for person, labels in choices.items():
        for label in labels:
            await driver.press(person, chat, button(payloads[-1:], label))


async def elect(driver: Driver, chat: Chat, starter: Person, *stand: Person) -> None:
    """/elect Treasurer, ``stand`` press Nominate me, the vote: all approve the first."""
    await driver.send(starter, chat, "/elect Treasurer")
    for person in stand:
        await driver.press(person, chat, button(await outbox(driver), "✋ Nominate me"))
    await pass_time(driver, DAY + timedelta(minutes=1))
    if stand:
        await vote(driver, chat, {person: ["1."] for person in stand})
        await pass_time(driver, timedelta(hours=49))


# --- a role is proposed ------------------------------------------------------------


async def test_a_role_exists_once_its_poll_passes_and_its_first_election_opens(
    driver: Driver,
) -> None:
    alice, bob, carol = (driver.person(n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol, setup="Europe/Berlin")
    replies = await driver.send(bob, chat, "/role new Treasurer | 3 months | 1")
    assert "Create the role “Treasurer”: terms of 90 days, 1 seat?" in text(replies)
    assert "proposed: terms of 90 days, 1 seat; its poll #1 is running" in text(
        await driver.send(carol, chat, "/roles")
    )
    for person in (alice, bob):
        await driver.press(person, chat, reply_button(replies, "1. Yes"))
    await pass_time(driver, timedelta(hours=73))

    news = await posted(driver)
    assert "The members created the role <b>Treasurer</b> (poll #1)" in news
    assert "🗳 <b>Election #1: Treasurer</b> · 1 seat" in news
    assert "The role is new" in news
    listing = text(await driver.send(carol, chat, "/roles"))
    assert "<b>Treasurer</b> — terms of 90 days, 1 seat" in listing
    assert "1 vacant seat" in listing and "Election #1: nominations until" in listing
    assert "CET" in listing, "times in the community's zone"
    log = await log_text(driver, carol, chat)
    assert "Bob proposed the role Treasurer (term in days: 90; seats: 1), poll #1" in log
    assert "The role Treasurer was created by poll #1" in log
    assert "Election #1 for the new role Treasurer opened, seats: 1" in log


async def test_a_rejected_role_is_not_created_and_may_be_proposed_again(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    replies = await driver.send(bob, chat, "/role new Treasurer | 90 days | 1")
    await driver.press(alice, chat, reply_button(replies, "2. No"))
    await pass_time(driver, timedelta(hours=73))
    assert "The role Treasurer was not created: poll #1 did not pass" in await posted(driver)
    assert "role.rejected" in await actions(driver)
    assert await elections(driver) == []
    again = text(await driver.send(bob, chat, "/role new treasurer | 90 days | 1"))
    assert "Poll #2" in again


async def test_a_second_role_of_the_same_name_is_refused(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(bob, chat, "/role new Treasurer | 90 days | 1")
    proposed = text(await driver.send(alice, chat, "/role new TREASURER | 30 days | 2"))
    assert "The role Treasurer is only proposed so far: its poll #1 is still running." in proposed
    await make_role(driver, chat, "Caretaker")
    active = text(await driver.send(alice, chat, "/role new  caretaker | 30 days | 2"))
    assert "There is already a role called Caretaker" in active


BAD_ROLES = (
    ("", "To propose a role, write /role new"),
    ("new Treasurer", "separated by |"),
    ("new Treasurer | forever | 1", "I can't read “forever” as a term"),
    ("new Treasurer | 3 days | 1", "A term lasts from 7 to 730 days"),
    ("new Treasurer | 90 days | 12", "A role has from 1 to 7 seats"),
    ("new @bob | 90 days | 1", "cannot start with @ or #"),
)


async def test_bad_role_input_gets_a_hint_with_an_example(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    for args, says in BAD_ROLES:
        reply = text(await driver.send(alice, chat, f"/role {args}"))
        assert says in reply, args
        assert "Example: <code>/role new Treasurer | 90 days | 1</code>" in reply


# --- an election -------------------------------------------------------------------


async def test_an_election_from_nominations_to_seat(driver: Driver) -> None:
    """Bob stands, Alice nominates Carol, who accepts privately; the secret vote elects Bob."""
    alice, bob, carol, dora = (driver.person(n) for n in ("Alice", "Bob", "Carol", "Dora"))
    carol = Person(id=carol.id, first_name="Carol", username="carol", language_code="ru")
    chat = await driver.community(alice, bob, carol, dora, setup="Europe/Berlin")
    await driver.send(carol, driver.private(carol), "/start")
    await make_role(driver, chat)
    await driver.send(dora, chat, "/elect Treasurer")
    assert "Opened by Dora." in await posted(driver)

    pressed = await driver.press(bob, chat, button(await outbox(driver), "✋ Nominate me"))
    assert answers(pressed)[0].text == "You stand for Treasurer in election #1."
    assert "Candidates: Bob." in text(pressed), "the election's message is edited"

    asked = await driver.send(alice, chat, "/nominate treasurer @carol")
    to_group, to_carol = [r for r in asked if getattr(r, "key", None) == f"nominee:1:{carol.id}"]
    assert to_group.chat_id == chat.id and f'href="tg://user?id={carol.id}"' in to_group.text
    assert to_carol.chat_id == carol.id and "Ответить можете только вы" in to_carol.text
    assert "Asked, no answer yet: Carol." in await posted(driver)
    accept = reply_button([to_carol], "Принять")
    stranger = await driver.press(dora, chat, accept)
    assert answers(stranger)[0].text == "Only Carol can answer this nomination."
    accepted = await driver.press(carol, driver.private(carol), accept)
    assert "Вы баллотируетесь" in answers(accepted)[0].text, "the nominee's own language"
    assert "Candidates: Bob, Carol." in await posted(driver)

    await pass_time(driver, DAY + timedelta(minutes=1))
    poll = [p for p in await outbox(driver) if (p.get("key") or "").startswith("poll:")][-1]
    assert "Election #1: who should be Treasurer? 1 seat, secret ballot." in poll["text"]
    assert [row[0][0] for row in poll["buttons"][:3]] == ["1. Bob", "2. Carol", "3. None of these"]
    assert "opened by the community's rules" in poll["text"], "nobody can close it early"
    await vote(driver, chat, {alice: ["1."], bob: ["1."], carol: ["2."], dora: ["1.", "2."]})
    await pass_time(driver, timedelta(hours=49))

    result = await posted(driver)
    assert "the secret vote (poll #1) has decided" in result
    assert "Elected: <b>Bob</b>, until" in result
    [term] = await terms(driver)
    assert term.user_id == bob.id and term.ends_at == driver.clock.now() + timedelta(days=90)
    listing = text(await driver.send(dora, chat, "/roles"))
    assert "• Bob, until" in listing and "vacant" not in listing
    log = await log_text(driver, dora, chat)
    for entry in (
        "Dora opened election #1 for Treasurer, seats: 1",
        "Bob stands for Treasurer in election #1",
        "Alice nominated Carol for Treasurer in election #1",
        "Carol accepted the nomination for Treasurer in election #1",
        "the secret vote is poll #1; candidates: Bob, Carol",
        "Election #1 for Treasurer elected Bob; seats left vacant: 0",
        "Bob took a seat as Treasurer until",
    ):
        assert entry in log, entry
    everything = result + log
    assert "Alice voted" not in everything and "Dora approved" not in everything


async def test_nobody_standing_fails_the_election_and_elect_opens_another(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await make_role(driver, chat)
    await elect(driver, chat, alice)
    assert "Nobody stood in election #1 for Treasurer, so it has failed" in await posted(driver)
    assert "Election #1 for Treasurer failed: nobody stood" in await log_text(driver, bob, chat)
    await driver.send(bob, chat, "/elect Treasurer")
    assert [e.phase for e in await elections(driver)] == [
        ElectionPhase.FAILED,
        ElectionPhase.NOMINATING,
    ]


async def test_a_sole_candidate_needs_more_approvals_than_none_of_these(driver: Driver) -> None:
    alice, bob, carol = (driver.person(n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol)
    await make_role(driver, chat)
    await driver.send(alice, chat, "/elect Treasurer")
    await driver.send(bob, chat, "/nominate Treasurer")
    await pass_time(driver, DAY + timedelta(minutes=1))
    late = text(await driver.send(carol, chat, "/nominate Treasurer"))
    assert late == "Nominations for election #1 are closed."
    await vote(driver, chat, {alice: ["2."], bob: ["1."], carol: ["2."]})
    await pass_time(driver, timedelta(hours=49))
    assert "elected nobody: no candidate did better than “None of these”" in await posted(driver)
    assert await terms(driver) == []
    assert [e.phase for e in await elections(driver)] == [ElectionPhase.FAILED]


async def test_a_tie_is_broken_by_the_published_lot(driver: Driver) -> None:
    alice, bob, carol = (driver.person(n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol)
    await make_role(driver, chat)
    await driver.send(alice, chat, "/elect Treasurer")
    for person in (bob, carol):
        await driver.send(person, chat, "/nominate Treasurer")
    await pass_time(driver, DAY + timedelta(minutes=1))
    await vote(driver, chat, {bob: ["1."], carol: ["2."]})
    await pass_time(driver, timedelta(hours=49))
    seed = "election-1:poll-1:ballots-2"
    first = lot_order(seed, ["Bob", "Carol"])[0]
    result = await posted(driver)
    assert f"Tie between Bob, Carol, broken by lot: each name's SHA-256 of “{seed}:NAME”" in result
    assert f"Elected: <b>{first}</b>" in result
    assert f"a tie between Bob, Carol was broken by lot (seed {seed})" in await log_text(
        driver, alice, chat
    )


async def test_ranked_elections_fill_seats_one_after_another(driver: Driver) -> None:
    alice, bob, carol, dora = (driver.person(n) for n in ("Alice", "Bob", "Carol", "Dora"))
    chat = await driver.community(alice, bob, carol, dora)
    setup = text(await driver.send(alice, chat, "/setup election=ranked"))
    assert "decided by ranked choice" in setup
    await make_role(driver, chat, seats=2)
    await driver.send(alice, chat, "/elect Treasurer")
    for person in (bob, carol, dora):
        await driver.send(person, chat, "/nominate Treasurer")
    await pass_time(driver, DAY + timedelta(minutes=1))
    # Options: 1. Bob 2. Carol 3. Dora 4. None of these
    await vote(
        driver,
        chat,
        {alice: ["3.", "2."], bob: ["1.", "3."], carol: ["2.", "3."], dora: ["3.", "1."]},
    )
    await pass_time(driver, timedelta(hours=49))
    seated = {term.user_id for term in await terms(driver)}
    assert dora.id in seated and len(seated) == 2
    assert "Elected: <b>Dora</b>" in await posted(driver)


# --- terms end ---------------------------------------------------------------------


async def test_a_term_ends_on_its_day_and_a_new_election_opens(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await make_role(driver, chat, days=30, holders=[bob])
    await pass_time(driver, timedelta(days=30, minutes=1))
    [term] = await terms(driver)
    assert term.end_reason is TermEnd.EXPIRED and term.ended_at == term.ends_at
    news = await posted(driver)
    assert "The term of Bob as Treasurer has ended." in news
    assert "Election #1: Treasurer" in news and "A term has ended." in news
    log = await log_text(driver, alice, chat)
    assert "The term of Bob as Treasurer ended" in log
    assert "Election #1 for Treasurer opened because a term ended, seats: 1" in log


async def test_two_consecutive_terms_reach_the_limit_and_the_nominee_is_told_why(
    driver: Driver,
) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await make_role(driver, chat, days=30, holders=[bob])
    await pass_time(driver, timedelta(days=30, minutes=1))  # term 1 ends, election 1 opens
    await driver.send(bob, chat, "/nominate Treasurer")
    await pass_time(driver, DAY)
    await vote(driver, chat, {alice: ["1."], bob: ["1."]})
    await pass_time(driver, timedelta(hours=49))
    assert len(await terms(driver)) == 2
    await pass_time(driver, timedelta(days=30))  # term 2 ends, election 2 opens
    refused = text(await driver.send(bob, chat, "/nominate Treasurer"))
    assert "Bob has served 2 consecutive terms as Treasurer, the community's limit" in refused
    alice_nominates = text(await driver.send(alice, chat, "/nominate Treasurer Bob"))
    assert "the community's limit" in alice_nominates
    pressed = await driver.press(bob, chat, button(await outbox(driver), "✋ Nominate me"))
    assert "consecutive terms" in answers(pressed)[0].text
    await driver.send(alice, chat, "/setup term_limit=3")
    assert "Bob stands" in text(await driver.send(bob, chat, "/nominate Treasurer"))


async def test_a_holder_resigns_and_an_election_opens_for_the_seat(driver: Driver) -> None:
    alice, bob, carol = (driver.person(n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol)
    await make_role(driver, chat, seats=2, holders=[bob, carol])
    refused = text(await driver.send(alice, chat, "/resign Treasurer"))
    assert "You do not hold the role Treasurer" in refused
    await driver.send(bob, chat, "/resign treasurer")
    bob_term, carol_term = await terms(driver)
    assert bob_term.end_reason is TermEnd.RESIGNED and carol_term.ended_at is None
    news = await posted(driver)
    assert "Bob has resigned as Treasurer." in news and "A holder resigned." in news
    [election] = await elections(driver)
    assert election.seats == 1 and election.reason == "resignation"
    assert "Bob resigned as Treasurer" in await log_text(driver, alice, chat)
    await pass_time(driver, timedelta(days=91))
    assert [t.end_reason for t in await terms(driver)] == [TermEnd.RESIGNED, TermEnd.EXPIRED]


async def test_a_holder_who_leaves_loses_the_seat_and_a_nominee_who_leaves_is_dropped(
    driver: Driver,
) -> None:
    alice, bob, carol = (driver.person(n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol)
    await make_role(driver, chat, holders=[bob])
    await make_role(driver, chat, "Caretaker")
    await driver.send(alice, chat, "/elect Caretaker")
    await driver.send(carol, chat, "/nominate Caretaker")
    await driver.send(bob, chat, "/nominate Caretaker")
    await driver.send(bob, chat, "/leave")
    [term] = await terms(driver)
    assert term.end_reason is TermEnd.LEFT
    news = await posted(driver)
    assert "Bob left the community, so their seat as Treasurer is vacant." in news
    assert "A holder left the community." in news
    assert "Candidates: Carol." in news.rsplit("Election #1: Caretaker", 1)[-1]
    log = await log_text(driver, alice, chat)
    assert "Bob left the community and their seat as Treasurer" in log
    assert "Bob left the community and no longer stands in election #1" in log


async def test_seats_ending_together_make_one_election(driver: Driver) -> None:
    alice, bob, carol = (driver.person(n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol)
    await make_role(driver, chat, days=30, seats=2, holders=[bob, carol])
    await pass_time(driver, timedelta(days=30, minutes=1))
    [election] = await elections(driver)
    assert election.seats == 2
    assert "Election #1 for Treasurer now fills 2 seats" in await posted(driver)


# --- who may do what ---------------------------------------------------------------


class Scene:
    """Hank holds one of two seats; Nina is asked to stand (no answer yet); Mia is a member;
    Ada administers the Telegram group and is a member; Olga is in the chat, not on the roster."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.hank, self.nina, self.mia = (driver.person(n) for n in ("Hank", "Nina", "Mia"))
        self.ada, self.olga = driver.person("Ada"), driver.person("Olga")

    async def build(self) -> Scene:
        driver = self.driver
        self.chat = await driver.community(self.ada, self.hank, self.nina, self.mia)
        await make_role(driver, self.chat, seats=2, holders=[self.hank])
        await driver.send(self.mia, self.chat, "/elect Treasurer")
        asked = await driver.send(self.mia, self.chat, "/nominate Treasurer Nina")
        self.answers = {label: reply_button(asked, label) for label in ("Accept", "Decline")}
        return self

    def everyone(self) -> dict[str, Person]:
        return {
            "non-member": self.olga,
            "member": self.mia,
            "nominee": self.nina,
            "holder": self.hank,
            "chat admin": self.ada,
        }


@pytest.fixture
async def scene(driver: Driver) -> Scene:
    return await Scene(driver).build()


NOT_ON_ROSTER = "You are not on the roster yet. Send /join first."


async def test_only_members_propose_roles_open_elections_and_nominate(scene: Scene) -> None:
    driver, chat = scene.driver, scene.chat
    for who, person in scene.everyone().items():
        proposed = text(await driver.send(person, chat, f"/role new Gardener {who} | 30 days | 1"))
        nominated = text(await driver.send(person, chat, "/nominate Treasurer @nobody"))
        elected = text(await driver.send(person, chat, "/elect Treasurer"))
        if who == "non-member":
            assert proposed == nominated == elected == NOT_ON_ROSTER
            continue
        assert "Create the role “Gardener" in proposed, who
        assert "Nobody on the roster is @nobody" in nominated, who
        assert "Election #1 for Treasurer is already running" in elected, who
    assert text(await driver.send(scene.olga, chat, "/resign Treasurer")) == NOT_ON_ROSTER


async def test_only_the_holder_resigns(scene: Scene) -> None:
    driver, chat = scene.driver, scene.chat
    for who, person in scene.everyone().items():
        if who == "holder":
            continue
        reply = text(await driver.send(person, chat, "/resign Treasurer"))
        expected = NOT_ON_ROSTER if who == "non-member" else "You do not hold the role Treasurer"
        assert expected in reply, who
    assert all(term.ended_at is None for term in await terms(driver))
    await driver.send(scene.hank, chat, "/resign Treasurer")
    assert [term.end_reason for term in await terms(driver)] == [TermEnd.RESIGNED]


async def test_only_the_nominee_answers_a_nomination(scene: Scene) -> None:
    driver, chat = scene.driver, scene.chat
    asked = scene.answers
    for label in ("Accept", "Decline"):
        for who, person in scene.everyone().items():
            if who == "nominee":
                continue
            pressed = await driver.press(person, chat, asked[label])
            assert answers(pressed)[0].text == "Only Nina can answer this nomination.", who
    await driver.press(scene.nina, chat, asked["Decline"])
    assert "Nina declined the nomination for Treasurer in election #1" in await log_text(
        driver, scene.mia, chat
    )
    again = await driver.press(scene.nina, chat, asked["Accept"])
    assert answers(again)[0].text == "This nomination is no longer open."


async def test_only_members_may_press_nominate_me_and_chat_admins_get_nothing_more(
    scene: Scene,
) -> None:
    driver, chat = scene.driver, scene.chat
    nominate_me = button(await outbox(driver), "✋ Nominate me")
    shown = ""
    for who, person in scene.everyone().items():
        replies = await driver.press(person, chat, nominate_me)
        shown = text(replies) or shown
        pressed = answers(replies)[0].text
        if who == "non-member":
            assert pressed == NOT_ON_ROSTER
        elif who == "holder":
            assert pressed == "Hank already holds a seat as Treasurer."
        else:
            assert pressed == "You stand for Treasurer in election #1.", who
    assert "Candidates: Ada, Mia, Nina." in shown, "the election's message is edited"


async def test_a_member_who_joined_within_member_days_may_not_stand(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, setup="member_days=7")
    await make_role(driver, chat)
    await driver.send(bob, chat, "/join")
    await driver.send(alice, chat, "/elect Treasurer")
    refused = text(await driver.send(alice, chat, "/nominate Treasurer Bob"))
    assert "Bob joined less than 7 days before this election opened" in refused


async def test_elect_is_refused_while_one_runs_or_no_seat_is_vacant(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob, setup="Europe/Berlin")
    await make_role(driver, chat, holders=[bob])
    held = text(await driver.send(alice, chat, "/elect Treasurer"))
    assert "The 1 seat of Treasurer is held; its term ends on" in held
    unknown = text(await driver.send(alice, chat, "/elect Gardener"))
    assert "There is no role called “Gardener”" in unknown and "/elect Treasurer" in unknown


async def test_a_candidate_withdraws_and_declining_by_command_works_too(driver: Driver) -> None:
    alice, bob, carol = (driver.person(n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol)
    await make_role(driver, chat)
    await driver.send(alice, chat, "/elect Treasurer")
    await driver.send(bob, chat, "/nominate Treasurer")
    await driver.send(bob, chat, "/nominate Treasurer Carol")
    assert "Bob no longer stands" in text(await driver.send(bob, chat, "/withdraw Treasurer"))
    assert "Carol no longer stands" in text(await driver.send(carol, chat, "/withdraw Treasurer"))
    nothing = text(await driver.send(alice, chat, "/withdraw Treasurer"))
    assert "there is nothing to withdraw" in nothing
    log = await log_text(driver, alice, chat)
    assert "Bob withdrew from election #1 for Treasurer" in log
    assert "Carol declined the nomination for Treasurer in election #1" in log


# --- equality ----------------------------------------------------------------------


async def test_a_role_holder_is_still_drafted_by_every_duty(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await make_role(driver, chat, holders=[bob])
    await driver.send(alice, chat, "/duty new Bins | daily 08:00 | 1h | 1")
    async with driver.sessions() as session:
        drafted = set(
            await session.scalars(
                select(ShiftPerson.user_id).join(Shift, Shift.id == ShiftPerson.shift_id)
            )
        )
    assert bob.id in drafted and alice.id in drafted
