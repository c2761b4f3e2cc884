"""Problem reports: numbered, listed oldest first, closed only with a note, never deleted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from handlers.core.registry import Registry
from handlers.features import all_features
from models import Problem, ProblemStatus
from tests.support import Driver, text
from tests.unit.test_needs import audit_actions

LISTED = re.compile(r"<b>#(\d+)</b>")


async def problem(driver: Driver, number: int) -> Problem:
    async with driver.sessions() as session:
        found = await session.scalar(select(Problem).where(Problem.number == number))
        assert found is not None
        return found


async def test_open_problems_are_listed_oldest_first_with_their_age(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    reported = text(await driver.send(alice, chat, "/report The lift in block B is stuck"))
    assert "<b>Problem #1</b> reported by Alice:\nThe lift in block B is stuck" in reported
    assert "/fixed 1" in reported
    driver.clock.advance(timedelta(days=2))
    await driver.send(bob, chat, "/report Water in the basement")
    driver.clock.advance(timedelta(hours=3))

    listing = text(await driver.send(bob, chat, "/problems"))
    assert "<b>2 open problems</b>, oldest first:" in listing
    assert LISTED.findall(listing) == ["1", "2"]
    assert "The lift in block B is stuck — reported by Alice 2 days ago" in listing
    assert "#2</b> Water in the basement — reported by Bob 3 hours ago" in listing
    assert (await audit_actions(driver))[-2:] == ["problem.reported", "problem.reported"]


async def test_a_problem_closes_only_with_a_note_on_the_fix(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/report The lift is stuck")

    refusal = text(await driver.send(bob, chat, "/fixed 1"))
    assert "note on what was done" in refusal
    assert "Example: <code>/fixed 4 Replaced the fuse</code>" in refusal
    assert (await problem(driver, 1)).status is ProblemStatus.OPEN

    fixed = text(await driver.send(bob, chat, "/fixed 1 Called the lift company"))
    assert "✅ Problem #1 is fixed: The lift is stuck\nBob: Called the lift company" in fixed
    found = await problem(driver, 1)
    assert (found.status, found.fixed_by_id, found.fix_note) == (
        ProblemStatus.FIXED,
        bob.id,
        "Called the lift company",
    )
    assert "No open problems." in text(await driver.send(alice, chat, "/problems"))
    assert "Bob fixed problem #1: Called the lift company" in text(
        await driver.send(alice, chat, "/log")
    )
    again = text(await driver.send(alice, chat, "/fixed 1 Again"))
    assert "already fixed" in again and "<code>/reopen 1</code>" in again


async def test_a_fixed_problem_can_be_reopened_and_that_is_logged(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(alice, chat, "/report The lift is stuck")
    await driver.send(bob, chat, "/fixed 1 Reset the controller")
    driver.clock.advance(timedelta(days=1))
    reopened_at = "Tue 3 Mar, 09:00 UTC"

    reopened = text(await driver.send(alice, chat, "/reopen 1"))
    assert "Problem #1 is open again: The lift is stuck" in reopened
    assert (await problem(driver, 1)).status is ProblemStatus.OPEN
    listing = text(await driver.send(bob, chat, "/problems"))
    assert f"reported by Alice 1 day ago, reopened {reopened_at}" in listing
    assert (await audit_actions(driver))[-1] == "problem.reopened"
    assert "Alice reopened problem #1" in text(await driver.send(bob, chat, "/log"))

    still_open = text(await driver.send(bob, chat, "/reopen 1"))
    assert "Problem #1 is still open." in still_open and "/fixed 1" in still_open


async def test_a_reopening_can_say_why(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/report The lift is stuck")
    await driver.send(alice, chat, "/fixed 1 Reset it")
    reply = text(await driver.send(alice, chat, "/reopen #1 Stuck again on floor 3"))
    assert "Alice: Stuck again on floor 3" in reply
    assert "Alice reopened problem #1: Stuck again on floor 3" in text(
        await driver.send(alice, chat, "/log")
    )


async def test_any_member_fixes_or_reopens_anyones_problem(driver: Driver) -> None:
    alice, bob, carol, dave = (driver.person(n) for n in ("Alice", "Bob", "Carol", "Dave"))
    chat = await driver.community(alice, bob, carol, dave)
    await driver.send(bob, chat, "/report The gate squeaks")
    assert "is fixed" in text(await driver.send(carol, chat, "/fixed 1 Oiled it"))
    assert "open again" in text(await driver.send(dave, chat, "/reopen 1"))
    assert (await problem(driver, 1)).status is ProblemStatus.OPEN


async def test_nobody_can_delete_a_problem_not_even_an_admin(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    await driver.send(bob, chat, "/report The gate squeaks")
    for attempt in ("/delete 1", "/unreport 1", "/remove 1"):
        assert "I don't know" in text(await driver.send(alice, chat, attempt))
    assert not {"delete", "unreport", "remove", "deleteproblem"} & set(
        Registry(all_features()).commands
    )
    # The bot's announcement may be deleted in the chat; the problem lives in the database.
    assert "The gate squeaks" in text(await driver.send(alice, chat, "/problems"))
    async with driver.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Problem)) == 1


@pytest.mark.parametrize(
    ("command", "expected", "example"),
    [
        ("/report", "Describe the problem.", "/report The lift in block B is stuck"),
        (
            "/report " + "z" * 501,
            "501 characters; the limit is 500",
            "/report The lift in block B is stuck",
        ),
        ("/fixed", "note on what was done", "/fixed 4 Replaced the fuse"),
        ("/fixed one Replaced", "is not a number", "/fixed 4 Replaced the fuse"),
        ("/fixed 9 Replaced", "There is no problem #9", "/fixed 4 Replaced the fuse"),
        ("/reopen", "Which problem?", "/reopen 4 The lift is stuck again"),
        ("/reopen #x", "is not a number", "/reopen 4 The lift is stuck again"),
        ("/reopen 9", "There is no problem #9", "/reopen 4 The lift is stuck again"),
    ],
)
async def test_bad_problem_commands_get_a_hint(
    driver: Driver, command: str, expected: str, example: str
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    reply = text(await driver.send(alice, chat, command))
    assert expected in reply and f"Example: <code>{example}</code>" in reply


async def test_html_in_a_report_is_escaped(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    report = text(await driver.send(alice, chat, "/report <b>Leak</b> & drip"))
    listing = text(await driver.send(alice, chat, "/problems"))
    for shown in (report, listing):
        assert "&lt;b&gt;Leak&lt;/b&gt; &amp; drip" in shown and "<b>Leak" not in shown


async def test_many_problems_are_paginated(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    for number in range(1, 13):
        await driver.send(alice, chat, f"/report Problem number {number}")
        driver.clock.advance(timedelta(minutes=5))
    first = await driver.send(alice, chat, "/problems")
    assert LISTED.findall(text(first)) == [str(n) for n in range(1, 11)]
    assert "<b>12 open problems</b>" in text(first)


async def test_strangers_are_told_to_join(driver: Driver) -> None:
    alice, dave = driver.person("Alice"), driver.person("Dave")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/report The gate squeaks")
    for command in ("/report Noise", "/problems", "/fixed 1 Oiled", "/reopen 1"):
        assert "/join" in text(await driver.send(dave, chat, command))
    assert (await problem(driver, 1)).status is ProblemStatus.OPEN
