"""The ledger of shared things: a drill and ten bags of cement move between the store, people
and plan items as recorded hand-overs, and whoever asks sees who holds what."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from handlers.core.messages import Chat, Person
from handlers.core.numbering import add_numbered
from models import (
    AuditEntry,
    Community,
    MoveKind,
    PlanItem,
    PlanStatus,
    Thing,
    ThingHolding,
    ThingMove,
)
from tests.support import Driver, text


def named(driver: Driver, name: str, language: str = "en") -> Person:
    """A person with an @username (their name in lower case)."""
    return dataclasses.replace(driver.person(name, language), username=name.lower())


async def plan_item(driver: Driver, chat: Chat, title: str, status: PlanStatus) -> int:
    async with driver.sessions() as session, session.begin():
        community = await session.scalar(select(Community).where(Community.chat_id == chat.id))
        assert community is not None
        item = PlanItem(
            community_id=community.id, title=title, status=status, created_at=driver.clock.now()
        )
        await add_numbered(session, item)
        return item.number


async def stock(driver: Driver) -> dict[str, tuple[int, dict[int, int], int]]:
    """Each thing by name: (in store, {holder: units}, used)."""
    async with driver.sessions() as session:
        things = list(await session.scalars(select(Thing)))
        held = list(await session.scalars(select(ThingHolding)))
    return {
        t.name: (t.in_store, {h.user_id: h.quantity for h in held if h.thing_id == t.id}, t.used)
        for t in things
    }


async def moves(driver: Driver) -> list[tuple[str, int, int, int | None, int | None, bool]]:
    async with driver.sessions() as session:
        rows = await session.scalars(select(ThingMove).order_by(ThingMove.id))
        return [
            (m.kind.value, m.quantity, m.recorded_by, m.from_user_id, m.to_user_id,
             m.plan_item_id is not None)
            for m in rows
        ]  # fmt: skip


async def thing_actions(driver: Driver) -> list[tuple[str, int | None, dict[str, str]]]:
    async with driver.sessions() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("thing.%")).order_by(AuditEntry.id)
        )
        return [(e.action, e.actor_id, e.details) for e in rows]


async def test_a_drill_and_cement_move_between_the_store_people_and_the_plan(
    driver: Driver,
) -> None:
    alice, bob, carol = named(driver, "Alice"), named(driver, "Bob"), named(driver, "Carol")
    chat = await driver.community(alice, bob, carol)
    item = await plan_item(driver, chat, "Fix the steps", PlanStatus.IN_PROGRESS)

    added = text(await driver.send(alice, chat, "/thing add Drill"))
    assert "Alice added <b>Drill</b> (#1) to the common store: 1 in store." in added
    await driver.send(bob, chat, "/thing add Cement bags | 10")
    more = text(await driver.send(carol, chat, "/thing add  cement   BAGS |５"))
    assert "Carol added 5 more to <b>Cement bags</b> (#2): 15 in store." in more

    lent = text(await driver.send(alice, chat, "/lend drill @bob"))
    assert "Alice handed 1 × <b>Drill</b> (#1) to Bob; 0 left in store." in lent
    out = text(await driver.send(carol, chat, "/lend #1 @carol"))
    assert "<b>Drill</b> (#1) is out: none in store, held by Bob (1)." in out
    assert "Example:" in out

    await driver.send(carol, chat, "/lend 2 @carol")
    await driver.send(carol, chat, "/lend Cement bags @Carol")
    given = text(await driver.send(bob, chat, f"/give Cement bags 4 | {item}"))
    assert f"Bob gave 4 × <b>Cement bags</b> (#2) to plan item #{item}, Fix the steps" in given
    assert "9 left in store" in given

    listing = text(await driver.send(carol, chat, "/things"))
    assert "<b>#1</b> Drill — 0 in store; held by Bob (1)" in listing
    assert "<b>#2</b> Cement bags — 9 in store; held by Carol (2); 4 used for the plan" in listing

    back = text(await driver.send(bob, chat, "/return Drill"))
    assert "Bob returned 1 × <b>Drill</b> (#1) to the store; 1 in store now." in back
    assert "Recorded by" not in back
    assert await stock(driver) == {"Drill": (1, {}, 0), "Cement bags": (9, {carol.id: 2}, 4)}
    assert await moves(driver) == [
        ("added", 1, alice.id, None, None, False),
        ("added", 10, bob.id, None, None, False),
        ("added", 5, carol.id, None, None, False),
        ("lent", 1, alice.id, None, bob.id, False),
        ("lent", 1, carol.id, None, carol.id, False),
        ("lent", 1, carol.id, None, carol.id, False),
        ("given", 4, bob.id, None, None, True),
        ("returned", 1, bob.id, bob.id, None, False),
    ]
    actions = await thing_actions(driver)
    assert [a for a, _, _ in actions] == [
        "thing.added", "thing.added", "thing.added", "thing.lent", "thing.lent", "thing.lent",
        "thing.given", "thing.returned",
    ]  # fmt: skip
    assert actions[6][2] == {
        "actor": "Bob", "quantity": "4", "thing": "Cement bags", "number": "2", "item": str(item),
    }  # fmt: skip
    assert "Bob gave 4 × Cement bags (#2) to plan item #" in text(
        await driver.send(alice, chat, "/log")
    )


async def test_the_ledger_always_adds_up_to_what_was_added(driver: Driver) -> None:
    alice, bob = named(driver, "Alice"), named(driver, "Bob")
    chat = await driver.community(alice, bob)
    item = await plan_item(driver, chat, "Garden beds", PlanStatus.PLANNED)
    for command in (
        "/thing add Soil bags | 7", "/lend Soil bags @bob", "/lend 1 @alice", "/lend 1 @bob",
        f"/give 1 2 | {item}", "/return 1 @bob", f"/give 1 9 | {item}", "/thing add soil BAGS | 3",
    ):  # fmt: skip
        await driver.send(alice, chat, command)
    async with driver.sessions() as session:
        thing = await session.scalar(select(Thing))
        assert thing is not None
        held = await session.scalar(select(func.sum(ThingHolding.quantity))) or 0
        ledger = {
            kind: int(total)
            for kind, total in await session.execute(
                select(ThingMove.kind, func.sum(ThingMove.quantity)).group_by(ThingMove.kind)
            )
        }
    assert ledger == {
        MoveKind.ADDED: 10, MoveKind.LENT: 3, MoveKind.GIVEN: 2, MoveKind.RETURNED: 2
    }  # fmt: skip
    assert (thing.in_store, held, thing.used) == (7, 1, 2)
    assert thing.in_store + held + thing.used == ledger[MoveKind.ADDED]
    assert thing.in_store == (
        ledger[MoveKind.ADDED] - ledger[MoveKind.LENT] + ledger[MoveKind.RETURNED]
        - ledger[MoveKind.GIVEN]
    )  # fmt: skip


async def test_anyone_may_record_a_return_for_a_holder_even_one_who_left(driver: Driver) -> None:
    alice, bob, carol = named(driver, "Alice"), named(driver, "Bob"), named(driver, "Carol")
    chat = await driver.community(alice, bob, carol)
    await driver.send(alice, chat, "/thing add Ladder")
    await driver.send(alice, chat, "/lend Ladder @bob")

    refused = text(await driver.send(carol, chat, "/return Ladder"))
    assert "You do not hold <b>Ladder</b> (#1); /things shows who does." in refused
    assert "Example: <code>/return 1 @username</code>" in refused
    assert "@carol does not hold" in text(await driver.send(alice, chat, "/return 1 @carol"))

    await driver.send(bob, chat, "/leave")
    back = text(await driver.send(carol, chat, "/return Ladder @BOB"))
    assert "Bob returned 1 × <b>Ladder</b> (#1) to the store; 1 in store now." in back
    assert "Recorded by Carol." in back
    assert await stock(driver) == {"Ladder": (1, {}, 0)}
    assert (await thing_actions(driver))[-1] == (
        "thing.returned",
        carol.id,
        {"actor": "Carol", "holder": "Bob", "quantity": "1", "thing": "Ladder", "number": "1"},
    )
    assert (await moves(driver))[-1] == ("returned", 1, carol.id, bob.id, None, False)


async def test_things_go_only_to_members_and_open_plan_items(driver: Driver) -> None:
    alice, bob, stranger = named(driver, "Alice"), named(driver, "Bob"), named(driver, "Stranger")
    chat = await driver.community(alice, bob)
    done = await plan_item(driver, chat, "Old work", PlanStatus.DONE)
    await driver.send(alice, chat, "/thing add Paint tins | 3")
    await driver.send(bob, chat, "/leave")
    before = await stock(driver)

    assert "Nobody on the roster is @bob" in text(await driver.send(alice, chat, "/lend 1 @bob"))
    assert "Nobody on the roster is @stranger" in text(
        await driver.send(alice, chat, "/lend 1 @stranger")
    )
    assert "Send /join first" in text(await driver.send(stranger, chat, "/lend 1 @alice"))
    assert "Send /join first" in text(await driver.send(stranger, chat, "/things"))
    refused = text(await driver.send(alice, chat, f"/give Paint tins 1 | {done}"))
    assert f"Plan item #{done} is already done; things go to open plan items only." in refused
    assert "There is no plan item #9" in text(await driver.send(alice, chat, "/give 1 1 | 9"))
    assert await stock(driver) == before


BAD_INPUT = [
    ("/thing", "Write add, the thing's name and, after |, how many there are."),
    ("/thing lend Drill", "Write add"),
    ("/thing add", "Name the thing."),
    ("/thing add  | 4", "Name the thing."),
    ("/thing add " + "x" * 65, "at most 64 characters"),
    ("/thing add Drill | 0", "A quantity is a whole number from 1 to 10,000, not “0”."),
    ("/thing add Drill | lots", "not “lots”"),
    ("/thing add #3", "A thing's name cannot be only a number: 3 means thing #3."),
    ("/lend", "Which thing, and to whom?"),
    ("/lend Drill", "Whom do you hand it to? Add their @username."),
    ("/lend Hammer @alice", "There is no thing “Hammer”; /things lists them."),
    ("/lend 7 @alice", "There is no thing #7; /things lists them."),
    ("/lend Drill @nobody", "Nobody on the roster is @nobody"),
    ("/return", "Which thing? Give its number or name from /things."),
    ("/return Hammer", "There is no thing “Hammer”"),
    ("/give", "Give the thing, how many, then | and the number of the plan item"),
    ("/give Cement 2", "Give the thing, how many, then |"),
    ("/give Cement bags two | 1", "not “two”"),
    ("/give Cement bags 2 | first", "“first” is not a number like 5 or #5."),
    ("/give Cement bags 2 | 1", "There is no plan item #1; /plan lists them."),
    ("/give Drill 1 | 1", "There is no plan item #1"),
    ("/thing add Drill | " + "9" * 5000, "not “" + "9" * 39 + "…”."),
    ("/give Drill 1 | " + "9" * 5000, "is not a number like 5 or #5."),
    ("/lend " + "9" * 5000 + " @alice", "A thing's name has at most 64 characters."),
]


async def test_bad_input_gets_a_hint_with_an_example(driver: Driver) -> None:
    alice = named(driver, "Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/thing add Drill")
    await driver.send(alice, chat, "/thing add Cement bags | 3")
    before = await moves(driver)
    for command, expected in BAD_INPUT:
        reply = text(await driver.send(alice, chat, command))
        assert expected in reply and "Example:" in reply, (command, reply)
        assert len(reply) < 500
    assert await moves(driver) == before


async def test_giving_more_than_the_store_holds_says_how_many_there_are(driver: Driver) -> None:
    alice = named(driver, "Alice")
    chat = await driver.community(alice)
    item = await plan_item(driver, chat, "Fence", PlanStatus.PLANNED)
    await driver.send(alice, chat, "/thing add Planks | 3")
    reply = text(await driver.send(alice, chat, f"/give Planks 5 | {item}"))
    assert "Only 3 of <b>Planks</b> (#1) in store." in reply
    assert f"Example: <code>/give 1 3 | {item}</code>" in reply
    await driver.send(alice, chat, f"/give Planks 3 | {item}")
    reply = text(await driver.send(alice, chat, f"/give Planks 1 | {item}"))
    assert "<b>Planks</b> (#1) is all used up: none in store." in reply
    assert "Only" not in text(await driver.send(alice, chat, "/lend Planks @alice"))


async def test_user_text_is_escaped_and_the_store_speaks_the_communitys_language(
    driver: Driver,
) -> None:
    alice = named(driver, "Alice", "ru")
    chat = await driver.community(alice, setup="Europe/Moscow ru")
    reply = text(await driver.send(alice, chat, "/thing add <b>Дрель</b> & Co"))
    assert "&lt;b&gt;Дрель&lt;/b&gt; &amp; Co" in reply
    assert "на складе" in reply
    assert "Пример:" in text(await driver.send(alice, chat, "/lend Молоток @alice"))
    assert "Общие вещи" in text(await driver.send(alice, chat, "/things"))


async def test_an_empty_store_says_how_to_add_a_thing(driver: Driver) -> None:
    alice = named(driver, "Alice")
    chat = await driver.community(alice)
    reply = text(await driver.send(alice, chat, "/things"))
    assert "The store is empty." in reply
    assert "<code>/thing add Cement bags | 10</code>" in reply


async def test_a_long_ledger_is_paged(driver: Driver) -> None:
    alice = named(driver, "Alice")
    chat = await driver.community(alice)
    for n in range(12):
        await driver.send(alice, chat, f"/thing add Tool {n}")
    replies = await driver.send(alice, chat, "/things")
    assert "Tool 9" in text(replies) and "Tool 10" not in text(replies)
    assert any(b.label == "1/2" for r in replies for row in getattr(r, "buttons", []) for b in row)
