"""The plan: adopted needs taken on, worked on with dated notes, and finished."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from handlers.core.i18n import Translator
from handlers.core.numbering import parse_number
from models import NoteKind, PlanItem, PlanNote, PlanStatus
from tests.support import Driver, text
from tests.unit.test_needs import adopt, audit_actions


def short(moment: datetime) -> str:
    return Translator("en").moment(moment, now=moment)


async def plan_item(driver: Driver, number: int) -> PlanItem:
    async with driver.sessions() as session:
        item = await session.scalar(select(PlanItem).where(PlanItem.number == number))
        assert item is not None
        return item


async def test_a_plan_item_goes_from_planned_to_in_progress_to_done(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await adopt(driver, alice, chat, "Paint the fence")
    assert "#1</b> Paint the fence — planned, nobody has taken it yet" in text(
        await driver.send(bob, chat, "/plan")
    )

    assert "Bob took plan item #1: Paint the fence" in text(await driver.send(bob, chat, "/take 1"))
    assert "in progress, taken by Bob" in text(await driver.send(alice, chat, "/plan"))

    noted = short(driver.clock.advance(timedelta(days=1)))
    progress = text(await driver.send(bob, chat, "/progress #1 Bought the paint"))
    assert f"Paint the fence — progress from Bob, {noted}:\nBought the paint" in progress
    assert f"taken by Bob; latest note {noted}" in text(await driver.send(bob, chat, "/plan"))

    finished = short(driver.clock.advance(timedelta(days=1)))
    done = text(await driver.send(bob, chat, "/done 1 Painted it green"))
    assert "✅ Plan item #1 is done: Paint the fence\nBob: Painted it green" in done
    assert f"done by Bob, {finished}" in text(await driver.send(alice, chat, "/plan"))

    item = await plan_item(driver, 1)
    assert (item.status, item.taker_id, item.done_at) == (
        PlanStatus.DONE,
        bob.id,
        driver.clock.now(),
    )
    async with driver.sessions() as session:
        notes = list(await session.scalars(select(PlanNote).order_by(PlanNote.id)))
    assert [(n.kind, n.text, n.author_id) for n in notes] == [
        (NoteKind.PROGRESS, "Bought the paint", bob.id),
        (NoteKind.DONE, "Painted it green", bob.id),
    ]
    assert (await audit_actions(driver))[-3:] == ["plan.taken", "plan.progress", "plan.done"]
    log = text(await driver.send(alice, chat, "/log"))
    assert "Bob finished plan item #1: Painted it green" in log
    assert "Bob noted progress on plan item #1: Bought the paint" in log


async def test_plan_lists_work_under_way_then_waiting_then_done(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    for title in ("Finished thing", "Waiting thing", "Ongoing thing"):
        await adopt(driver, alice, chat, title)
    await driver.send(alice, chat, "/done 1 All good")
    await driver.send(alice, chat, "/take 3")
    listing = text(await driver.send(alice, chat, "/plan"))
    assert (
        listing.index("Ongoing thing")
        < listing.index("Waiting thing")
        < listing.index("Finished thing")
    )


async def test_an_empty_plan_says_how_items_get_there(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    assert "/adopt" in text(await driver.send(alice, chat, "/plan"))


async def test_any_member_may_take_an_untaken_item(driver: Driver) -> None:
    alice, carol = driver.person("Alice"), driver.person("Carol")
    chat = await driver.community(alice, carol)
    await adopt(driver, alice, chat, "Fix the gate")
    assert "Carol took plan item #1" in text(await driver.send(carol, chat, "/take 1"))
    again = text(await driver.send(carol, chat, "/take 1"))
    assert "You have already taken plan item #1." in again and "Example" in again


async def test_only_the_taker_posts_progress_or_finishes(driver: Driver) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    await adopt(driver, alice, chat, "Fix the gate")
    await driver.send(bob, chat, "/take 1")
    for command in ("/progress 1 Looked at it", "/done 1 Fixed it"):
        refusal = text(await driver.send(carol, chat, command))
        assert "Only Bob, who took plan item #1, can post progress or finish it." in refusal
    assert "Only Bob" in text(await driver.send(alice, chat, "/done 1 Fixed it"))
    item = await plan_item(driver, 1)
    assert item.status is PlanStatus.IN_PROGRESS
    assert "is done" in text(await driver.send(bob, chat, "/done 1 New hinges"))


async def test_posting_on_an_untaken_item_takes_it(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await adopt(driver, alice, chat, "Fix the gate")
    await driver.send(bob, chat, "/progress 1 Ordered hinges")
    item = await plan_item(driver, 1)
    assert (item.status, item.taker_id) == (PlanStatus.IN_PROGRESS, bob.id)
    assert (await audit_actions(driver))[-2:] == ["plan.taken", "plan.progress"]

    await adopt(driver, alice, chat, "Oil the lock")
    assert "is done" in text(await driver.send(alice, chat, "/done 2 Oiled"))
    assert (await plan_item(driver, 2)).taker_id == alice.id


async def test_a_taken_item_cannot_be_taken_over_while_its_taker_keeps_at_it(
    driver: Driver,
) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    await adopt(driver, alice, chat, "Fix the gate")
    await driver.send(bob, chat, "/take 1")
    driver.clock.advance(timedelta(days=10))
    await driver.send(bob, chat, "/progress 1 Waiting for hinges")
    driver.clock.advance(timedelta(days=10))
    refusal = text(await driver.send(carol, chat, "/take 1"))
    assert "Bob has taken plan item #1" in refusal and "2 weeks" in refusal
    assert (await plan_item(driver, 1)).taker_id == bob.id


async def test_an_item_idle_for_two_weeks_can_be_taken_over(driver: Driver) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    await adopt(driver, alice, chat, "Fix the gate")
    await driver.send(bob, chat, "/take 1")
    driver.clock.advance(timedelta(days=14))
    reply = text(await driver.send(carol, chat, "/take 1"))
    assert "Carol took plan item #1 over from Bob" in reply
    assert (await plan_item(driver, 1)).taker_id == carol.id
    assert (await audit_actions(driver))[-1] == "plan.taken_over"
    assert "Only Carol" in text(await driver.send(bob, chat, "/progress 1 Still on it"))


async def test_an_item_whose_taker_left_can_be_taken_over_at_once(driver: Driver) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    await adopt(driver, alice, chat, "Fix the gate")
    await driver.send(bob, chat, "/take 1")
    await driver.send(bob, chat, "/leave")
    assert "over from Bob" in text(await driver.send(carol, chat, "/take 1"))


async def test_a_done_item_is_final(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await adopt(driver, alice, chat, "Fix the gate")
    await driver.send(alice, chat, "/done 1 Fixed")
    for person, command in (
        (bob, "/take 1"),
        (alice, "/progress 1 More"),
        (alice, "/done 1 Again"),
    ):
        refusal = text(await driver.send(person, chat, command))
        assert "Plan item #1 is already done; /plan shows what is left." in refusal
        assert "Example" not in refusal, "no example where none helps"


@pytest.mark.parametrize(
    ("command", "expected", "example"),
    [
        ("/take", "Which plan item?", "/take 3"),
        ("/take first", "is not a number", "/take 3"),
        ("/take 9", "There is no plan item #9", "/take 3"),
        ("/progress 1", "note on how it is going", "/progress 3 Bought the paint"),
        ("/progress", "note on how it is going", "/progress 3 Bought the paint"),
        ("/progress 9 Bought", "There is no plan item #9", "/progress 3 Bought the paint"),
        ("/done 1", "note on what was done", "/done 3 Painted the fence"),
        ("/done #1   ", "note on what was done", "/done 3 Painted the fence"),
        ("/done 1 " + "y" * 501, "501 characters; the limit is 500", "/done 3 Painted the fence"),
    ],
)
async def test_bad_plan_commands_get_a_hint(
    driver: Driver, command: str, expected: str, example: str
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await adopt(driver, alice, chat, "Fix the gate")
    reply = text(await driver.send(alice, chat, command))
    assert expected in reply and f"Example: <code>{example}</code>" in reply
    assert (await plan_item(driver, 1)).status is PlanStatus.PLANNED


async def test_html_in_plan_notes_is_escaped(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await adopt(driver, alice, chat, "<i>Gate</i>")
    reply = text(await driver.send(alice, chat, "/done 1 <script>x</script>"))
    assert "&lt;i&gt;Gate&lt;/i&gt;" in reply and "&lt;script&gt;x&lt;/script&gt;" in reply
    assert "<script>" not in reply and "<i>" not in text(await driver.send(alice, chat, "/plan"))


async def test_strangers_are_told_to_join(driver: Driver) -> None:
    alice, dave = driver.person("Alice"), driver.person("Dave")
    chat = await driver.community(alice)
    await adopt(driver, alice, chat, "Fix the gate")
    for command in ("/plan", "/take 1", "/progress 1 Hi", "/done 1 Done"):
        assert "/join" in text(await driver.send(dave, chat, command))
    assert (await plan_item(driver, 1)).taker_id is None


@pytest.mark.parametrize(
    ("written", "number"),
    [("5", 5), ("#5", 5), ("# 12", 12), (" #7 ", 7), ("five", None), ("#", None), ("5a", None)],
)
def test_numbers_are_read_as_members_write_them(written: str, number: int | None) -> None:
    assert parse_number(written) == number
