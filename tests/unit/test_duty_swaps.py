"""Swaps: asked with /swap, answered with a button by the asked member only, reminded once,
offered to the whole group when still open 12 h before the shift."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from handlers.core.messages import Chat, Outgoing, Person
from handlers.duties.swaps import OFFER_BEFORE, REMIND_AFTER, swap_moments
from models import SwapState
from tests.support import Driver, answers, text, texts
from tests.unit.duty_rows import (
    add_duty,
    add_shift,
    audit_actions,
    button_data,
    named,
    on_shift,
    outbox,
    places,
    swaps,
)

NOW = datetime.fromisoformat("2026-03-02T09:00:00+00:00")


async def _world(driver: Driver) -> tuple[Chat, list[Person]]:
    """Alice (admin), Bob, Carol and Dave; shift #1 is Alice's, two days ahead."""
    people = [named(driver, name) for name in ("Alice", "Bob", "Carol", "Dave")]
    chat = await driver.community(*people, setup="Europe/Berlin en")
    duty = await add_duty(driver, chat, people[0])
    await add_shift(driver, chat, duty, NOW + timedelta(days=2), [people[0]])
    return chat, people


def test_a_request_is_reminded_after_hours_and_offered_12_hours_before() -> None:
    start = NOW + timedelta(days=2)
    assert swap_moments(NOW, start) == (NOW + REMIND_AFTER, start - OFFER_BEFORE)
    late = NOW + timedelta(hours=14)  # the offer would come before the reminder: no reminder
    assert swap_moments(NOW, late) == (None, late - OFFER_BEFORE)
    soon = NOW + timedelta(hours=6)  # less than 12 h left: half of it for the asked member
    assert swap_moments(NOW, soon) == (None, NOW + timedelta(hours=3))


async def test_an_accepted_swap_gives_the_asked_member_the_place(driver: Driver) -> None:
    chat, (alice, bob, _, _) = await _world(driver)
    asked = await driver.send(alice, chat, "/swap 1 @bob")
    [message] = [r for r in asked if isinstance(r, Outgoing)]
    assert "Bob</a>, Alice asks you to take their place on shift #1 Night watch" in message.text
    assert f'href="tg://user?id={bob.id}"' in message.text
    assert message.key is not None and message.key.startswith("swap:")
    [request] = await swaps(driver)
    assert (request.from_user, request.to_user, request.state) == (
        alice.id,
        bob.id,
        SwapState.ASKED,
    )

    pressed = await driver.press(bob, chat, button_data(asked, "Accept"))
    assert "You are on shift #1 now." in answers(pressed)[0].text
    said = texts(pressed)
    assert any("✅ Bob took Alice's place on shift #1" in t for t in said)
    assert any(f'tg://user?id={alice.id}"' in t and "takes your place" in t for t in said)
    assert await on_shift(driver, 1) == [bob.id]
    [place] = await places(driver, 1)
    assert place.acknowledged_at is None
    [request] = await swaps(driver)
    assert (request.state, request.taken_by) == (SwapState.ACCEPTED, bob.id)
    assert (await audit_actions(driver))[-2:] == ["duty.swap_asked", "duty.swapped"]
    assert "Bob took Alice's place on shift #1" in text(await driver.send(alice, chat, "/log"))

    again = await driver.press(bob, chat, button_data(asked, "Accept"))
    assert "already" in answers(again)[0].text
    assert await on_shift(driver, 1) == [bob.id]


async def test_a_declined_swap_changes_nothing_and_tells_the_asker(driver: Driver) -> None:
    chat, (alice, bob, _, _) = await _world(driver)
    asked = await driver.send(alice, chat, "/swap #1 @Bob")
    pressed = await driver.press(bob, chat, button_data(asked, "Decline"))
    assert "You declined; Alice is told." in answers(pressed)[0].text
    assert any(f'tg://user?id={alice.id}"' in t and "Bob declined" in t for t in texts(pressed))
    assert await on_shift(driver, 1) == [alice.id]
    [request] = await swaps(driver)
    assert request.state is SwapState.DECLINED
    assert (await audit_actions(driver))[-1] == "duty.swap_declined"
    late = await driver.press(bob, chat, button_data(asked, "Accept"))
    assert "already been answered" in answers(late)[0].text
    assert await on_shift(driver, 1) == [alice.id]


async def test_only_the_asked_member_may_answer(driver: Driver) -> None:
    chat, (alice, _, carol, _) = await _world(driver)
    asked = await driver.send(alice, chat, "/swap 1 @bob")
    for who in (carol, alice):
        for label in ("Accept", "Decline"):
            [answer] = answers(await driver.press(who, chat, button_data(asked, label)))
            assert answer.alert and "Only Bob can answer this request." in answer.text
    [request] = await swaps(driver)
    assert request.state is SwapState.ASKED
    assert await on_shift(driver, 1) == [alice.id]


async def test_a_text_mention_names_the_member_by_their_name(driver: Driver) -> None:
    chat, (alice, _, carol, _) = await _world(driver)
    asked = await driver.send(alice, chat, "/swap 1 Carol")
    assert "Carol</a>, Alice asks you" in text(asked)
    [request] = await swaps(driver)
    assert request.to_user == carol.id


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("/swap", "Which shift, and with whom?"),
        ("/swap x @bob", "“x” is not a number"),
        ("/swap 1", "Whom do you ask?"),
        ("/swap 1 @nobody", "Nobody on the roster is @nobody."),
        ("/swap 9 @bob", "There is no shift #9"),
        ("/swap 1 @alice", "You cannot swap with yourself"),
    ],
)
async def test_bad_swap_input_gets_a_hint_with_an_example(
    driver: Driver, command: str, says: str
) -> None:
    chat, (alice, *_) = await _world(driver)
    reply = text(await driver.send(alice, chat, command))
    assert says in reply and "Example: <code>/swap " in reply
    assert await swaps(driver) == []


async def test_only_someone_on_the_shift_asks_and_never_someone_on_it(driver: Driver) -> None:
    chat, (alice, bob, _, _) = await _world(driver)
    assert "You are not on shift #1" in text(await driver.send(bob, chat, "/swap 1 @carol"))
    duty = await add_duty(driver, chat, alice, "Bins")
    await add_shift(driver, chat, duty, NOW + timedelta(days=1), [alice, bob])
    refused = text(await driver.send(alice, chat, "/swap 2 @bob"))
    assert "Bob is already on shift #2; ask someone else." in refused
    await driver.send(alice, chat, "/swap 2 @carol")
    assert "already asked for a swap of shift #2" in text(
        await driver.send(alice, chat, "/swap 2 @dave")
    )
    assert len(await swaps(driver)) == 1


async def test_no_swap_of_a_shift_that_has_begun(driver: Driver) -> None:
    chat, (alice, bob, _, _) = await _world(driver)
    asked = await driver.send(alice, chat, "/swap 1 @bob")
    driver.clock.advance(timedelta(days=2, minutes=1))
    assert "already begun" in text(await driver.send(alice, chat, "/swap 1 @carol"))
    [answer] = answers(await driver.press(bob, chat, button_data(asked, "Accept")))
    assert "already begun" in answer.text
    assert await on_shift(driver, 1) == [alice.id]
    [request] = await swaps(driver)
    assert request.state is SwapState.CLOSED


async def test_a_strangers_html_is_escaped(driver: Driver) -> None:
    alice, evil = named(driver, "Alice"), named(driver, "<b>Eve</b>")
    chat = await driver.community(alice, evil)
    duty = await add_duty(driver, chat, alice, "<i>Bins</i>")
    await add_shift(driver, chat, duty, NOW + timedelta(days=1), [alice])
    asked = text(await driver.send(alice, chat, "/swap 1 <b>Eve</b>"))
    assert "&lt;b&gt;Eve&lt;/b&gt;</a>" in asked and "&lt;i&gt;Bins&lt;/i&gt;" in asked


async def test_an_unanswered_request_is_reminded_once_then_offered_to_all(
    driver: Driver,
) -> None:
    chat, (alice, bob, carol, dave) = await _world(driver)
    asked = await driver.send(alice, chat, "/swap 1 @bob")
    driver.clock.advance(REMIND_AFTER)
    await driver.run_jobs()
    [reminder] = await outbox(driver)
    assert "Alice is still waiting for your answer" in reminder["text"]
    assert reminder["chat_id"] == chat.id and reminder["copies"] is True
    driver.clock.advance(REMIND_AFTER)
    await driver.run_jobs()
    assert len(await outbox(driver)) == 1, "reminded once"

    driver.clock.advance(NOW + timedelta(days=2) - OFFER_BEFORE - driver.clock.now())
    await driver.run_jobs()
    queued = await outbox(driver)
    assert "no answer came, so it is offered to everyone" in queued[1]["text"]
    assert queued[1]["edit_key"] == queued[0]["key"]
    offer = queued[2]
    assert "Shift #1 Night watch" in offer["text"] and "needs someone" in offer["text"]
    [request] = await swaps(driver)
    assert request.state is SwapState.OFFERED
    take = button_data([offer], "I'll take it")

    [late] = answers(await driver.press(bob, chat, button_data(asked, "Accept")))
    assert late.alert and "offered to everyone: press “I'll take it”" in late.text
    [mine] = answers(await driver.press(alice, chat, take))
    assert mine.alert and "You are already on shift #1." in mine.text
    taken = await driver.press(carol, chat, take)
    assert "You are on shift #1 now." in answers(taken)[0].text
    assert await on_shift(driver, 1) == [carol.id]
    [later] = answers(await driver.press(dave, chat, take))
    assert later.alert and "Carol has already taken shift #1." in later.text
    [answer] = answers(await driver.press(bob, chat, take))
    assert "Carol has already taken" in answer.text
    assert await on_shift(driver, 1) == [carol.id]
    [request] = await swaps(driver)
    assert (request.state, request.taken_by) == (SwapState.ACCEPTED, carol.id)


async def test_jobs_of_an_answered_request_do_nothing(driver: Driver) -> None:
    chat, (alice, bob, _, _) = await _world(driver)
    asked = await driver.send(alice, chat, "/swap 1 @bob")
    await driver.press(bob, chat, button_data(asked, "Decline"))
    driver.clock.advance(timedelta(days=2))
    await driver.run_jobs()
    assert await outbox(driver) == []
    [request] = await swaps(driver)
    assert request.state is SwapState.DECLINED


async def test_a_request_whose_asker_left_the_shift_takes_nobody(driver: Driver) -> None:
    chat, (alice, bob, carol, _) = await _world(driver)
    asked = await driver.send(alice, chat, "/swap 1 @bob")
    tomorrow = (NOW + timedelta(days=2)).date()
    away = await driver.send(alice, chat, f"/away {tomorrow} {tomorrow}")
    assert "Alice is away from" in text(away)
    [request] = await swaps(driver)
    assert request.state is SwapState.CLOSED
    assert await on_shift(driver, 1) == [bob.id], "the rotation gave Alice's place to Bob"
    [answer] = answers(await driver.press(carol, chat, button_data(asked, "Accept")))
    assert "Only Bob can answer" in answer.text
    [answer] = answers(await driver.press(bob, chat, button_data(asked, "Accept")))
    assert "already been answered" in answer.text
    assert await on_shift(driver, 1) == [bob.id]


async def test_two_presses_at_once_give_the_place_to_one(driver: Driver) -> None:
    """Two bot processes (two apps on one database) handle two presses of one offer at once."""
    chat, (alice, _, carol, dave) = await _world(driver)
    await driver.send(alice, chat, "/swap 1 @bob")
    driver.clock.advance(NOW + timedelta(days=2) - OFFER_BEFORE - driver.clock.now())
    await driver.run_jobs()
    take = button_data(await outbox(driver), "I'll take it")
    other = Driver(driver.sessions, driver.clock)
    both = await asyncio.gather(driver.press(carol, chat, take), other.press(dave, chat, take))
    said = [answers(replies)[0].text for replies in both]
    assert sum("You are on shift #1 now." in s for s in said) == 1, said
    assert sum("has already taken shift #1" in s for s in said) == 1, said
    assert len(await on_shift(driver, 1)) == 1
    assert (await on_shift(driver, 1))[0] in (carol.id, dave.id)
    assert (await audit_actions(driver)).count("duty.swapped") == 1
