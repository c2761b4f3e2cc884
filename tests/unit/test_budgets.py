"""Budget rounds in-process: members pick costed plan items in private ballots that never go
over the amount, and the close funds the most picked items that fit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from handlers.core.messages import Chat, Outgoing, Person, Reply
from models import (
    Budget,
    BudgetPick,
    BudgetVoter,
    EntryKind,
    OutboxMessage,
)
from tests.support import Driver, answers, buttons, text
from tests.unit.test_fund import audit_actions, cost_of, entries, posted
from tests.unit.test_needs import adopt


async def costed_plan(driver: Driver, alice: Person, chat: Chat, *items: tuple[str, int]) -> None:
    """Money in the fund, and plan items #1, #2 ... with the given costs."""
    await driver.send(alice, chat, "/fund in 1000 Dues")
    for number, (title, cost) in enumerate(items, 1):
        await adopt(driver, alice, chat, title)
        await driver.send(alice, chat, f"/cost {number} {cost}")


async def ballot(driver: Driver, person: Person, chat: Chat) -> Outgoing:
    """``person`` asks for a private ballot of the running round and gets it in private."""
    await driver.send(person, driver.private(person), "/start")
    [(_, data)] = buttons(await driver.send(person, chat, "/budget"))
    sent = await driver.press(person, chat, data)
    assert answers(sent)[0].text == "I have sent you a private ballot."
    [out] = [r for r in sent if isinstance(r, Outgoing)]
    assert out.chat_id == person.id
    return out


def toggle_of(message: Outgoing, label: str) -> str:
    return next(b.data for row in message.buttons for b in row if label in b.label)


async def pick(driver: Driver, person: Person, message: Outgoing, *labels: str) -> list[Reply]:
    replies: list[Reply] = []
    for label in labels:
        replies = await driver.press(person, driver.private(person), toggle_of(message, label))
    return replies


async def close_by_deadline(driver: Driver) -> None:
    driver.clock.advance(timedelta(days=8))
    await driver.run_jobs()


async def test_two_items_compete_and_the_more_picked_one_that_fits_is_funded(
    driver: Driver,
) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    await costed_plan(driver, alice, chat, ("Paint the fence", 120), ("Bike rack", 300))
    opened = await driver.send(alice, chat, "/budget 350 | 7d")
    said = text(opened)
    assert "<b>Budget #1</b>: €350.00 to share out · opened by Alice" in said
    assert "• #1 Paint the fence — €120.00" in said and "• #2 Bike rack — €300.00" in said
    assert "Ballots: 0 of 3." in said
    assert [label for label, _ in buttons(opened)] == ["Vote privately"]
    assert "Held for budget #1" in text(await driver.send(bob, chat, "/fund"))

    bobs = await ballot(driver, bob, chat)
    assert "<b>€0.00 of €350.00 chosen</b> (€350.00 left)." in bobs.text
    picked = await pick(driver, bob, bobs, "Bike rack")
    assert (
        answers(picked)[0].text
        == "You picked #2 Bike rack. €300.00 of €350.00 chosen (€50.00 left)."
    )
    [mine] = [r for r in picked if isinstance(r, Outgoing)]
    assert "✅ #2 Bike rack · €300.00" in [b.label for row in mine.buttons for b in row]
    too_much = await pick(driver, bob, bobs, "Paint the fence")
    [refusal] = answers(too_much)
    assert refusal.alert
    assert refusal.text == (
        "#1 Paint the fence costs €120.00: with it you would choose €420.00 of €350.00. "
        "Drop another item first."
    )
    carols = await ballot(driver, carol, chat)
    await pick(driver, carol, carols, "Bike rack")
    alices = await ballot(driver, alice, chat)
    dropped = await pick(driver, alice, alices, "Paint the fence", "Paint the fence")
    assert answers(dropped)[0].text.startswith("You dropped #1 Paint the fence.")
    await pick(driver, alice, alices, "Paint the fence")
    group_edit = [
        m for m in await posted_edits(driver) if m.chat_id == chat.id and "Budget #1" in m.text
    ]
    assert "Ballots: 3 of 3." in group_edit[-1].text

    await close_by_deadline(driver)
    result = (await posted(driver, chat.id))[-1]
    assert "<b>Budget #1 is closed</b>\n3 of 3 members took part." in result
    assert "1. #2 Bike rack — €300.00 (2 picks)" in result
    assert "• #1 Paint the fence — €120.00: 1 pick; it did not fit in what was left" in result
    assert "Committed: €300.00 of €350.00" in result
    for name in ("Alice", "Bob", "Carol"):
        assert name not in result, "who picked what is never shown"

    rack = await cost_of(driver, 2)
    fence = await cost_of(driver, 1)
    assert rack is not None and rack.funded_by is not None
    assert fence is not None and fence.funded_by is None
    commitment = (await entries(driver))[-1]
    assert (commitment.kind, commitment.amount_minor, commitment.budget_id) == (
        EntryKind.COMMITMENT,
        -30000,
        rack.funded_by,
    )
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(BudgetPick)) == 0
        budget = await session.scalar(select(Budget))
        assert budget is not None and budget.result is not None
        assert budget.result["funded"] == [rack.plan_item_id]
        assert sorted(budget.result["support"]) == [[1, 1], [2, 2]]
    shown = text(await driver.send(bob, chat, "/fund"))
    assert "€300.00 committed to plan item #2 Bike rack by budget #1" in shown
    assert "Committed to plan items by budget rounds, not yet paid: €300.00" in shown
    assert "<b>Free</b>: €700.00" in shown
    log = text(await driver.send(bob, chat, "/log"))
    assert "Budget #1 committed €300.00 to plan item #2" in log
    assert (
        "Budget #1 closed: €300.00 of €350.00 committed to plan items (1); 3 of 3 took part" in log
    )
    assert "Bike rack — €300.00 (2 picks)" in text(await driver.send(bob, chat, "/budget"))
    plan = text(await driver.send(bob, chat, "/plan"))
    assert "Bike rack — planned, nobody has taken it yet · €300.00, funded by budget #1" in plan
    assert "Paint the fence — planned, nobody has taken it yet · costs €120.00" in plan

    # The bill for the rack is paid from its commitment: no poll, though above the limit.
    paid = text(await driver.send(bob, chat, "/fund out 280 Rack and bolts | 2"))
    assert "It is paid for plan item #2." in paid
    assert "The fund holds €720.00 (€700.00 free)." in paid
    assert (
        "plan item #2 is funded by budget #1"
        in text(await driver.send(alice, chat, "/cost 2 500")).lower()
    )
    assert "a budget round's commitment" in text(await driver.send(alice, chat, "/fund reverse 2"))


async def posted_edits(driver: Driver) -> list[Outgoing]:
    async with driver.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [
            Outgoing(row.chat_id, row.payload["text"]) for row in rows if "edit_key" in row.payload
        ]


async def test_who_may_open_pick_and_close_a_round(driver: Driver) -> None:
    alice, bob, eve = driver.person("Alice"), driver.person("Bob"), driver.person("Eve")
    chat = await driver.community(alice, bob, setup="member_days=3")
    await costed_plan(driver, alice, chat, ("Paint the fence", 120))
    assert "Send /join first" in text(await driver.send(eve, chat, "/budget 100"))
    assert "No budget round has been held yet" in text(await driver.send(eve, chat, "/budget"))
    assert "only money the fund has free: €1,000.00, not €2,000.00" in text(
        await driver.send(alice, chat, "/budget 2000")
    )
    assert "No open plan item has a cost that fits in €100.00" in text(
        await driver.send(alice, chat, "/budget 100")
    )
    assert "how long the round runs" in text(await driver.send(alice, chat, "/budget 200 | 5y"))
    assert "is not an amount" in text(await driver.send(alice, chat, "/budget lots"))

    driver.clock.advance(timedelta(days=4))
    await driver.send(eve, chat, "/join")
    opened = text(await driver.send(alice, chat, "/budget 200 | 2d"))
    assert "Ballots: 0 of 2." in opened, "Eve joined a day ago: not on the electorate"
    assert "Budget #1 is running until" in text(await driver.send(bob, chat, "/budget 100"))
    async with driver.sessions() as session:
        voters = set(await session.scalars(select(BudgetVoter.user_id)))
    assert voters == {alice.id, bob.id}

    await driver.send(eve, driver.private(eve), "/start")
    [(_, data)] = buttons(await driver.send(eve, chat, "/budget"))
    assert (
        "who may take part was fixed when it opened"
        in answers(await driver.press(eve, chat, data))[0].text
    )
    refused = answers(await driver.press(bob, chat, data))[0].text
    assert "I can't write to you yet" in refused, "Bob never started the bot"

    bobs = await ballot(driver, bob, chat)
    await driver.send(bob, chat, "/leave")
    assert "Send /join first" in answers(await pick(driver, bob, bobs, "Paint the fence"))[0].text

    assert "Only the member who opened budget #1" in text(
        await driver.send(eve, chat, "/budget close")
    )
    closed = await driver.send(alice, chat, "/budget close")
    result = (await posted(driver, chat.id))[-1]
    assert "Closed early by Alice." in result and "Nothing was funded: nobody picked" in result
    assert "budget.closed_early" in await audit_actions(driver)
    assert "No budget round is running." in text(await driver.send(alice, chat, "/budget close"))
    assert not text(closed) or "Budget" not in text(closed)
    late = await pick(driver, alice, bobs, "Paint the fence")
    assert "Budget #1 is closed" in answers(late)[0].text
    await close_by_deadline(driver)
    assert len([p for p in await posted(driver, chat.id) if "Budget #1 is closed" in p]) == 1


async def test_a_cost_is_frozen_while_its_item_is_on_a_ballot(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await costed_plan(driver, alice, chat, ("Paint the fence", 120), ("Fix the gate", 2000))
    opened = text(await driver.send(alice, chat, "/budget 500"))
    assert "Not on the ballot, costing more than the round: #2." in opened
    assert "• #2" not in opened
    assert "is on the ballot of budget #1" in text(await driver.send(alice, chat, "/cost 1 90"))
    assert "now costs" in text(await driver.send(alice, chat, "/cost 2 400"))
    cost = await cost_of(driver, 1)
    assert cost is not None and cost.amount_minor == 12000


async def test_an_item_done_before_the_close_is_not_funded(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await costed_plan(driver, alice, chat, ("Paint the fence", 120), ("Bike rack", 300))
    await driver.send(alice, chat, "/budget 500 | 3d")
    bobs = await ballot(driver, bob, chat)
    await pick(driver, bob, bobs, "Paint the fence", "Bike rack")
    await driver.send(alice, chat, "/done 1 Painted it ourselves")
    await close_by_deadline(driver)
    result = (await posted(driver, chat.id))[-1]
    assert "1. #2 Bike rack — €300.00 (1 pick)" in result
    assert "• #1 Paint the fence — €120.00: done before the close" in result
    cost = await cost_of(driver, 1)
    assert cost is not None and cost.funded_by is None


async def test_a_round_funds_within_what_the_fund_still_holds(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob, setup="fund_limit=1000")
    await costed_plan(driver, alice, chat, ("Paint the fence", 120), ("Bike rack", 300))
    await driver.send(alice, chat, "/fund in 100 Counted twice")
    await driver.send(alice, chat, "/budget 420")
    bobs = await ballot(driver, bob, chat)
    await pick(driver, bob, bobs, "Paint the fence", "Bike rack")
    assert "The fund cannot pay €700.00: it has €680.00 free." in text(
        await driver.send(alice, chat, "/fund out 700 Roof")
    ), "the round holds its €420 of the €1,100"
    await driver.send(alice, chat, "/fund out 680 Roof")
    await driver.send(alice, chat, "/fund reverse 2")
    await close_by_deadline(driver)
    result = (await posted(driver, chat.id))[-1]
    # €320 left in the fund: the fence (same support, cheaper) first, then the rack no longer fits.
    assert "1. #1 Paint the fence — €120.00 (1 pick)" in result, result
    assert "• #2 Bike rack — €300.00: 1 pick; it did not fit in what was left" in result
