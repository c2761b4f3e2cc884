"""/mine (group or private) and /fairness: next shifts and how shifts went, per member."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.core.messages import Outgoing
from models import ShiftOutcome
from tests.support import Driver, buttons, text
from tests.unit.duty_rows import add_duty, add_shift, button_data, named

NOW = datetime.fromisoformat("2026-03-02T09:00:00+00:00")
SERVED, COVERED, MISSED = ShiftOutcome.SERVED, ShiftOutcome.COVERED, ShiftOutcome.MISSED


async def test_mine_lists_my_next_shifts_with_who_else_and_my_record(driver: Driver) -> None:
    alice, bob, carol = (named(driver, n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol, setup="Europe/Berlin en")
    duty = await add_duty(driver, chat, alice, people=2)
    await add_shift(driver, chat, duty, NOW - timedelta(days=3), [alice, bob], outcome=SERVED)
    await add_shift(driver, chat, duty, NOW - timedelta(days=2), [alice], outcome=COVERED)
    await add_shift(driver, chat, duty, NOW - timedelta(days=1), [alice], outcome=MISSED)
    await add_shift(driver, chat, duty, NOW + timedelta(days=1, hours=12), [alice, bob])
    await add_shift(driver, chat, duty, NOW + timedelta(days=2, hours=12), [alice])
    await add_shift(driver, chat, duty, NOW + timedelta(days=3), [carol])

    mine = text(await driver.send(alice, chat, "/mine"))
    assert "#4 Night watch, Tue 3 Mar, 22:00 CET — with Bob" in mine
    assert "#5 Night watch, Wed 4 Mar, 22:00 CET — you alone" in mine
    assert "#6" not in mine and "#1" not in mine
    assert mine.index("#4") < mine.index("#5")
    assert "served 1 · covered 1 · missed 1 · swaps 0" in mine

    asked = await driver.send(alice, chat, "/swap 5 @carol")
    await driver.press(carol, chat, button_data(asked, "Accept"))
    assert "swaps 1" in text(await driver.send(alice, chat, "/mine"))
    carols = text(await driver.send(carol, chat, "/mine"))
    assert "#5" in carols and "#6" in carols and "swaps 1" in carols


async def test_mine_in_private_covers_every_community_in_its_own_zone(driver: Driver) -> None:
    alice = named(driver, "Alice")
    maple = await driver.community(alice, setup="Europe/Berlin en")
    oak = await driver.community(alice, setup="Asia/Shanghai en")
    for chat in (maple, oak):
        duty = await add_duty(driver, chat, alice, "Bins")
        await add_shift(driver, chat, duty, NOW + timedelta(days=1), [alice])
    mine = text(await driver.send(alice, driver.private(alice), "/mine"))
    assert "Maple Court: #1 Bins, Tue 3 Mar, 10:00 CET" in mine
    assert "Maple Court: #1 Bins, Tue 3 Mar, 17:00 CST" in mine


async def test_mine_in_private_without_a_community_says_how_to_join(driver: Driver) -> None:
    stranger = driver.person("Stranger")
    assert "/join" in text(await driver.send(stranger, driver.private(stranger), "/mine"))


async def test_mine_without_shifts(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    mine = text(await driver.send(alice, chat, "/mine"))
    assert "No shifts ahead of you." in mine and "served 0" in mine


async def test_fairness_counts_per_member_most_done_first(driver: Driver) -> None:
    alice, bob, carol = (named(driver, n) for n in ("Alice", "Bob", "Carol"))
    chat = await driver.community(alice, bob, carol, setup="Europe/Berlin en")
    duty = await add_duty(driver, chat, alice)
    for days, who, outcome in (
        (5, bob, SERVED),
        (4, bob, SERVED),
        (3, bob, COVERED),
        (2, carol, MISSED),
        (1, alice, SERVED),
    ):
        await add_shift(driver, chat, duty, NOW - timedelta(days=days), [who], outcome=outcome)
    await add_shift(driver, chat, duty, NOW + timedelta(days=1), [carol])  # not yet recorded
    listed = text(await driver.send(carol, chat, "/fairness"))
    assert "Fairness" in listed
    assert "Bob: served 2 · covered 1 · missed 0" in listed
    assert "Alice: served 1 · covered 0 · missed 0" in listed
    assert "Carol: served 0 · covered 0 · missed 1" in listed
    assert listed.index("Bob") < listed.index("Alice") < listed.index("Carol")


async def test_fairness_turns_pages_for_a_big_roster(driver: Driver) -> None:
    people = [driver.person(f"Member {i:02d}") for i in range(12)]
    chat = await driver.community(*people)
    first = await driver.send(people[0], chat, "/fairness")
    assert "Member 09" in text(first) and "Member 10" not in text(first)
    labels = [label for label, _ in buttons(first)]
    assert labels == ["1/2", "▶"]
    turned = await driver.press(people[1], chat, button_data(first, "▶"))
    [page] = [r for r in turned if isinstance(r, Outgoing)]
    assert page.edit_message_id is not None and "Member 11" in page.text


async def test_mine_in_a_group_needs_the_sender_on_its_roster(driver: Driver) -> None:
    alice, stranger = driver.person("Alice"), driver.person("Stranger")
    chat = await driver.community(alice)
    assert "/join" in text(await driver.send(stranger, chat, "/mine"))


async def test_a_russian_group_reads_its_record_in_russian(driver: Driver) -> None:
    alice = driver.person("Alice", "ru")
    chat = await driver.community(alice, setup="Europe/Moscow ru")
    mine = text(await driver.send(alice, chat, "/mine"))
    assert "Впереди у вас смен нет." in mine and "отработано 0" in mine
