"""A community with something in every section of its public page, for the page's and the
exports' tests.

Most of it is made the way members make it (/need, /adopt and votes, /report, /poll, /duty
new); the fund, costs and a budget round are rows written straight into the database, as
models/money.py documents them, since their commands belong to another feature. People
have Telegram-sized ids and usernames, so that a test can look for either in what is
published.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from handlers.core.messages import Chat, Person
from models import (
    Budget,
    BudgetVoter,
    Community,
    EntryKind,
    EntryState,
    FundEntry,
    PlanCost,
    PlanItem,
    PlanStatus,
    Poll,
)
from tests.support import Driver, buttons, text

PAGES = "https://pages.example.org"
#: Free text with everything that must come out as text: markup, quotes, a formula.
NASTY = '<script>alert("x")</script> & =HYPERLINK("http://evil.example")'


@dataclass
class Street:
    driver: Driver
    chat: Chat
    alice: Person
    bob: Person
    carmen: Person
    community_id: int
    slug: str

    @property
    def people(self) -> tuple[Person, ...]:
        return (self.alice, self.bob, self.carmen)


def resident(driver: Driver, name: str, user_id: int) -> Person:
    return dataclasses.replace(
        driver.person(name), id=user_id, username=f"{name.lower()}_tg", last_name="Stone"
    )


async def press_option(
    driver: Driver, person: Person, chat: Chat, on: list[tuple[str, str]], option: str
) -> None:
    """``person`` presses the button labelled ``option`` among the buttons ``on``."""
    data = next(d for label, d in on if option in label)
    await driver.press(person, chat, data)


async def lively_community(driver: Driver) -> Street:
    """Maple Court with a plan, a need, a problem, closed polls, shifts, a fund and a budget."""
    alice = resident(driver, "Alice", 7_104_000_001)
    bob = resident(driver, "Bob", 7_104_000_002)
    carmen = resident(driver, "Carmen", 7_104_000_003)
    chat = await driver.community(alice, bob, carmen)
    await driver.send(alice, chat, "/setup public=on")

    # Need #1 is adopted by a vote: plan item #1. Need #2 stays open, with support.
    await driver.send(bob, chat, "/need Paint the door")
    adoption = await driver.send(alice, chat, "/adopt 1")
    for person in (alice, bob):
        await press_option(driver, person, chat, buttons(adoption), "Yes")
    card = await driver.send(carmen, chat, f"/need {NASTY}")
    support = next(d for label, d in buttons(card) if "Support" in label)
    await driver.press(alice, chat, support)
    await driver.send(carmen, chat, f"/report {NASTY}")

    # A poll people vote in secret; it closes with its totals.
    poll = await driver.send(alice, chat, "/poll Colour of the door? | Green | Blue | 24h")
    await press_option(driver, bob, chat, buttons(poll), "Green")
    await press_option(driver, carmen, chat, buttons(poll), "Green")
    await press_option(driver, alice, chat, buttons(poll), "Blue")
    reply = text(await driver.send(alice, chat, "/duty new Night watch | daily 22:00 | 8h | 2"))
    assert "Night watch" in reply, reply
    driver.clock.advance(timedelta(days=4))
    await driver.run_jobs()

    async with driver.sessions() as session, session.begin():
        community = await session.scalar(select(Community).where(Community.chat_id == chat.id))
        assert community is not None
        item = await session.scalar(
            select(PlanItem).where(PlanItem.community_id == community.id, PlanItem.number == 1)
        )
        assert item is not None, "the adoption vote did not pass"
        item.status, item.taker_id, item.taken_at = (
            PlanStatus.IN_PROGRESS,
            bob.id,
            driver.clock.now(),
        )
        second = PlanItem(
            community_id=community.id,
            number=2,
            title="New bike shed",
            status=PlanStatus.PLANNED,
            created_at=driver.clock.now(),
        )
        session.add(second)
        await session.flush()
        now = driver.clock.now()
        budget = Budget(
            community_id=community.id,
            number=1,
            amount_minor=50_000,
            currency="EUR",
            opened_by=alice.id,
            opened_at=now - timedelta(days=8),
            closes_at=now - timedelta(days=1),
            closed_at=now - timedelta(days=1),
            electorate=3,
            items=[[item.id, 12_050], [second.id, 45_000]],
            # As the fund feature closes a round: the count published, the picks erased.
            result={"support": [[item.id, 2], [second.id, 1]], "funded": [item.id]},
        )
        session.add(budget)
        await session.flush()
        session.add_all(
            [
                PlanCost(
                    plan_item_id=item.id,
                    amount_minor=12_050,
                    currency="EUR",
                    set_by=alice.id,
                    set_at=now,
                    funded_by=budget.id,
                ),
                PlanCost(
                    plan_item_id=second.id,
                    amount_minor=45_000,
                    currency="EUR",
                    set_by=alice.id,
                    set_at=now,
                ),
                *(BudgetVoter(budget_id=budget.id, user_id=p.id) for p in (alice, bob, carmen)),
            ]
        )
        poll_id = await session.scalar(
            select(Poll.id).where(Poll.community_id == community.id, Poll.number == 2)
        )
        entries = ledger(community.id, alice, bob, poll_id, item.id, budget.id)
        for entry in entries:
            entry.community_id, entry.currency, entry.recorded_at = community.id, "EUR", now
        session.add_all(entries)
        await session.flush()
        session.add(
            FundEntry(
                community_id=community.id,
                number=3,
                kind=EntryKind.REVERSAL,
                amount_minor=1_234,
                currency="EUR",
                note="Paid twice",
                recorded_by=alice.id,
                recorded_at=now,
                reverses_id=entries[1].id,
            )
        )
        slug = str(community.settings["public_slug"])
        community_id = community.id
    return Street(driver, chat, alice, bob, carmen, community_id, slug)


def ledger(
    community_id: int, alice: Person, bob: Person, poll_id: int | None, item_id: int, budget_id: int
) -> list[FundEntry]:
    """Entries #1, #2, #4, #5: €500.00 in, €12.34 out (#3 reverses it), a €900.00 out waiting
    for a vote and the budget's €120.50 commitment (neither counted). Balance: €500.00."""
    return [
        FundEntry(
            number=1, kind=EntryKind.IN, amount_minor=50_000, note="Donation", recorded_by=alice.id
        ),
        FundEntry(
            number=2, kind=EntryKind.OUT, amount_minor=-1_234, note="Paint", recorded_by=bob.id
        ),
        FundEntry(
            number=4,
            kind=EntryKind.OUT,
            state=EntryState.PENDING,
            amount_minor=-90_000,
            note=NASTY,
            recorded_by=bob.id,
            poll_id=poll_id,
        ),
        FundEntry(
            number=5,
            kind=EntryKind.COMMITMENT,
            amount_minor=-12_050,
            note="Budget round #1",
            recorded_by=None,
            plan_item_id=item_id,
            budget_id=budget_id,
        ),
    ]


def slug_in(reply: str) -> str:
    match = re.search(r"/public/([A-Za-z0-9_-]+)", reply)
    assert match is not None, reply
    return match[1]
