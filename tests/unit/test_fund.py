"""The common fund and plan costs, in-process: money in and out, the limit's poll, reversals,
the currency, and who may do what."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from models import AuditEntry, EntryKind, EntryState, FundEntry, OutboxMessage, PlanCost
from tests.support import Driver, answers, buttons, text
from tests.unit.test_needs import adopt

LISTED = re.compile(r"<b>#(\d+)</b>")


async def entries(driver: Driver) -> list[FundEntry]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(FundEntry).order_by(FundEntry.id)))


async def audit_actions(driver: Driver) -> list[str]:
    async with driver.sessions() as session:
        return list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


async def posted(driver: Driver, chat_id: int) -> list[str]:
    """What was queued in the outbox for ``chat_id`` (edits left out)."""
    async with driver.sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return [row.payload["text"] for row in rows if "edit_key" not in row.payload]


async def vote(driver: Driver, voters: list, chat, replies, label: str) -> None:  # type: ignore[no-untyped-def]
    data = dict(buttons(replies))[label]
    for voter in voters:
        await driver.press(voter, chat, data)


async def test_money_in_and_out_is_listed_with_number_date_amount_note_and_who(
    driver: Driver,
) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    recorded = text(await driver.send(alice, chat, "/fund in 120.50 Bake sale"))
    assert "Entry #1: €120.50 in — Bake sale. Recorded by Alice." in recorded
    assert "The fund holds €120.50." in recorded
    driver.clock.advance(timedelta(days=1))
    paid = text(await driver.send(bob, chat, "/fund out 20,25 Light bulbs"))
    assert "Entry #2: €20.25 out — Light bulbs. Recorded by Bob." in paid
    assert "The fund holds €100.25." in paid

    shown = text(await driver.send(bob, chat, "/fund"))
    assert "💰 <b>Common fund</b>: €100.25" in shown
    assert "<b>#2</b> Tue 3 Mar, 09:00 UTC · <b>−€20.25</b> · Light bulbs — Bob" in shown, (
        "newest first, with its date, amount, note and who recorded it"
    )
    assert shown.index("<b>#2</b>") < shown.index("<b>#1</b>")
    assert "<b>#1</b> Mon 2 Mar, 09:00 UTC · <b>+€120.50</b> · Bake sale — Alice" in shown

    stored = await entries(driver)
    assert [(e.kind, e.state, e.amount_minor, e.currency) for e in stored] == [
        (EntryKind.IN, EntryState.RECORDED, 12050, "EUR"),
        (EntryKind.OUT, EntryState.RECORDED, -2025, "EUR"),
    ]
    assert (await audit_actions(driver))[-2:] == ["fund.in", "fund.out"]
    log = text(await driver.send(alice, chat, "/log"))
    assert "Bob recorded entry #2: €20.25 out — Light bulbs" in log


async def test_anyone_in_the_group_reads_the_fund_but_only_members_record(
    driver: Driver,
) -> None:
    alice, stranger = driver.person("Alice"), driver.person("Stranger")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/fund in 10 Dues")
    assert "€10.00" in text(await driver.send(stranger, chat, "/fund"))
    for command in ("/fund in 10 Mine", "/fund out 5 Mine", "/fund reverse 1"):
        assert "Send /join first" in text(await driver.send(stranger, chat, command))
    assert len(await entries(driver)) == 1
    assert "is not set up yet" in text(await driver.send(alice, driver.group(), "/fund"))


async def test_bad_amounts_and_missing_notes_get_a_hint_with_an_example(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    cases = {
        "/fund in": "How much came in",
        "/fund in 20": "Add a note",
        "/fund out 12abc Bulbs": "is not an amount",
        "/fund out -5 Bulbs": "without a sign",
        "/fund in 0 Nothing": "more than zero",
        "/fund in 12.505 Bulbs": "could mean a thousand times",
        "/fund in 1,200 Bulbs": "could mean a thousand times",
        "/fund in 12.5051 Bulbs": "more decimals than the currency",
        "/fund in 1 200 Bake sale": "Is “1 200” one amount?",
        "/fund in 99999999999 Lottery": "too large",
        "/fund out 5 Bulbs | x": "the number of the plan item",
        "/fund out 5 Bulbs | 9": "There is no plan item #9",
        "/fund sideways 5": "/fund in or /fund out",
    }
    for command, problem in cases.items():
        refusal = text(await driver.send(alice, chat, command))
        assert problem in refusal, (command, refusal)
        assert "Example: <code>/fund" in refusal or "/fund in or" in refusal, refusal
    assert await entries(driver) == []


async def test_an_out_above_the_limit_waits_for_a_poll_that_records_it(driver: Driver) -> None:
    alice, bob, carol = driver.person("Alice"), driver.person("Bob"), driver.person("Carol")
    chat = await driver.community(alice, bob, carol)
    await driver.send(alice, chat, "/fund in 500 Dues")
    asked = await driver.send(bob, chat, "/fund out 250 New hose")
    said = text(asked)
    assert "Pay €250.00 out of the common fund? New hose (entry #2, asked by Bob)" in said
    assert "above the fund's limit of €100.00, so it waits for poll #1" in said
    [entry] = [e for e in await entries(driver) if e.number == 2]
    assert (entry.state, entry.poll_id) == (EntryState.PENDING, entry.poll_id)

    shown = text(await driver.send(carol, chat, "/fund"))
    assert "<b>Common fund</b>: €500.00" in shown, "a waiting out is not counted"
    assert "waiting for members' polls: €250.00" in shown
    assert "<b>Free</b>: €250.00" in shown
    assert "⏳ waiting for poll #1, not counted yet" in shown
    assert "Entry #2 is not recorded: it is waiting for its poll" in text(
        await driver.send(alice, chat, "/fund reverse 2")
    )
    assert "opened by the community's rules, so nobody can close it early" in text(
        await driver.send(bob, chat, "/close 1")
    ), "who asked cannot close the vote on their own out"

    await vote(driver, [alice, bob], chat, asked, "1. Yes")
    driver.clock.advance(timedelta(hours=73))
    await driver.run_jobs()
    [entry] = [e for e in await entries(driver) if e.number == 2]
    assert entry.state is EntryState.RECORDED
    approved = (await posted(driver, chat.id))[-1]
    assert "Poll #1 approved entry #2: €250.00 out — New hose. It is recorded." in approved
    assert "The fund holds €250.00." in approved
    shown = text(await driver.send(carol, chat, "/fund"))
    assert "<b>Common fund</b>: €250.00" in shown and "approved by poll #1" in shown
    assert "Poll #1 approved entry #2: €250.00 out is recorded" in text(
        await driver.send(carol, chat, "/log")
    )


async def test_an_out_the_poll_does_not_approve_is_rejected_and_never_counted(
    driver: Driver,
) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob, setup="fund_limit=50")
    await driver.send(alice, chat, "/fund in 500 Dues")
    asked = await driver.send(bob, chat, "/fund out 60 Party")
    await vote(driver, [alice], chat, asked, "2. No")
    driver.clock.advance(timedelta(hours=73))
    await driver.run_jobs()
    [_, entry] = await entries(driver)
    assert entry.state is EntryState.REJECTED
    assert (
        "did not approve entry #2: €60.00 out — Party. Nothing is paid"
        in (await posted(driver, chat.id))[-1]
    )
    shown = text(await driver.send(alice, chat, "/fund"))
    assert "<b>Common fund</b>: €500.00" in shown and "✖ rejected by poll #1" in shown
    assert "Free" not in shown
    assert "was rejected by its poll" in text(await driver.send(alice, chat, "/fund reverse 2"))
    assert "fund.out_rejected" in await audit_actions(driver)


async def test_the_fund_never_pays_more_than_it_has_free(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/fund in 300 Dues")
    await driver.send(alice, chat, "/fund out 250 Roof repair")
    refused = text(await driver.send(bob, chat, "/fund out 60 Paint"))
    assert "The fund cannot pay €60.00: it has €50.00 free." in refused, refused
    assert "waiting for members' polls: €250.00" in refused
    assert "Entry #3" in text(await driver.send(bob, chat, "/fund out 50 Paint"))


async def test_a_mistaken_entry_is_reversed_once_and_a_reversal_never(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/fund in 200 Dues")
    await driver.send(alice, chat, "/fund in 55 Typo")
    reversed_ = text(await driver.send(bob, chat, "/fund reverse #2 Meant 5.50 <&>"))
    assert "Entry #3 reverses entry #2 (+€55.00 — Typo). Recorded by Bob." in reversed_
    assert "The fund holds €200.00." in reversed_
    assert "already reversed by entry #3" in text(await driver.send(alice, chat, "/fund reverse 2"))
    assert "itself a reversal" in text(await driver.send(alice, chat, "/fund reverse 3"))
    assert "There is no entry #9" in text(await driver.send(alice, chat, "/fund reverse 9"))
    assert "Which entry?" in text(await driver.send(alice, chat, "/fund reverse"))
    shown = text(await driver.send(alice, chat, "/fund"))
    assert "+€55.00</b> · Typo — Alice · reversed by #3" in shown
    assert "<b>−€55.00</b> · reverses #2: Meant 5.50 &lt;&amp;&gt; — Bob" in shown
    [_, typo, reversal] = await entries(driver)
    assert (reversal.kind, reversal.amount_minor, reversal.reverses_id) == (
        EntryKind.REVERSAL,
        -5500,
        typo.id,
    )
    assert typo.amount_minor == 5500, "nothing edits an entry"
    assert "Bob reversed entry #2 with entry #3" in text(await driver.send(alice, chat, "/log"))


async def test_reversing_money_that_was_spent_says_the_fund_now_falls_short(
    driver: Driver,
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/fund in 100 Dues")
    await driver.send(alice, chat, "/fund out 80 Paint")
    reply = text(await driver.send(alice, chat, "/fund reverse 1 Never paid"))
    assert "The fund holds -€80.00." in reply


async def test_the_currency_is_a_setting_shown_in_each_language(driver: Driver) -> None:
    alice, wei = driver.person("Alice", "ru"), driver.person("Wei", "zh-hans")
    chat = await driver.community(alice, wei, setup="ru currency=rub")
    for bad in ("bitcoin", "XAU"):
        refused = text(await driver.send(alice, chat, f"/setup currency={bad}"))
        assert f"«{bad}»" in refused or f"“{bad}”" in refused, refused
        assert "<code>/setup currency=EUR</code>" in refused
    recorded = text(await driver.send(alice, chat, "/fund in 1\u00a0250,5 Взносы"))
    assert "1\u00a0250,50\u00a0₽" in recorded, recorded
    assert "€" not in recorded
    refused = text(await driver.send(alice, chat, "/setup currency=EUR"))
    assert "RUB" in refused
    assert "EUR" not in text(await driver.send(alice, chat, "/setup")), "nothing was changed"
    [entry] = await entries(driver)
    assert (entry.currency, entry.amount_minor) == ("RUB", 125050)


async def test_a_currency_without_decimals_keeps_whole_units(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice, setup="currency=JPY fund_limit=10000")
    assert "¥1,200 in" in text(await driver.send(alice, chat, "/fund in ¥1,200 Dues"))
    assert "has decimals, but the currency has none" in text(
        await driver.send(alice, chat, "/fund in 12.5 Dues")
    )
    [entry] = await entries(driver)
    assert entry.amount_minor == 1200


async def test_the_limit_is_a_setting(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    shown = text(await driver.send(alice, chat, "/setup fund_limit=0"))
    assert "Payments out of the fund above 0 need a members' poll." in shown
    assert "The fund keeps its money in EUR (Euro)." in shown
    assert "fund_limit is the largest payment" in text(
        await driver.send(alice, chat, "/setup fund_limit=lots")
    )
    await driver.send(alice, chat, "/fund in 10 Dues")
    assert "waits for poll #1" in text(await driver.send(bob, chat, "/fund out 1 Stamp"))


async def test_a_long_ledger_is_paged(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    for n in range(1, 13):
        await driver.send(alice, chat, f"/fund in {n} Dues {n}")
    first = await driver.send(alice, chat, "/fund")
    assert LISTED.findall(text(first)) == [str(n) for n in range(12, 2, -1)]
    assert "<b>Common fund</b>: €78.00" in text(first)
    turn = dict(buttons(first))["▶"]
    second = await driver.press(alice, chat, turn)
    assert LISTED.findall(text(second)) == ["2", "1"]
    assert not answers(second) or not answers(second)[0].alert


async def cost_of(driver: Driver, plan_item_id: int) -> PlanCost | None:
    async with driver.sessions() as session:
        return await session.get(PlanCost, plan_item_id)


async def test_a_plan_item_gets_a_cost_that_can_change_and_go(driver: Driver) -> None:
    alice, bob, stranger = driver.person("Alice"), driver.person("Bob"), driver.person("Eve")
    chat = await driver.community(alice, bob)
    await adopt(driver, alice, chat, "Paint the fence")
    assert "Plan item #1, Paint the fence, costs €120.00." in text(
        await driver.send(bob, chat, "/cost 1 120")
    )
    assert "now costs €1,350.00 (it was €120.00)" in text(
        await driver.send(alice, chat, "/cost #1 1 350")
    ), "where nothing follows the amount, spaces group its digits"
    cost = await cost_of(driver, 1)
    assert cost is not None and (cost.amount_minor, cost.set_by) == (135000, alice.id)
    log = text(await driver.send(alice, chat, "/log"))
    assert "Alice changed the cost of plan item #1 from €120.00 to €1,350.00" in log
    assert "Bob set the cost of plan item #1 to €120.00" in log
    assert "has no cost now (it was €1,350.00)" in text(
        await driver.send(bob, chat, "/cost 1 none")
    )
    assert await cost_of(driver, 1) is None
    assert "has no cost to remove" in text(await driver.send(bob, chat, "/cost 1 none"))
    assert "cost.removed" in await audit_actions(driver)

    assert "Send /join first" in text(await driver.send(stranger, chat, "/cost 1 50"))
    assert "There is no plan item #7" in text(await driver.send(bob, chat, "/cost 7 50"))
    assert "What does plan item #1 cost?" in text(await driver.send(bob, chat, "/cost 1"))
    assert "is not an amount" in text(await driver.send(bob, chat, "/cost 1 cheap"))
    assert "Which plan item" in text(await driver.send(bob, chat, "/cost"))
    await driver.send(alice, chat, "/done 1 Painted")
    assert "already done" in text(await driver.send(bob, chat, "/cost 1 50"))
    assert await cost_of(driver, 1) is None
