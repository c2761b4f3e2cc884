"""The weekly skills digest: its moment, its content, its fair pairing, its language."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from handlers.core.weekly import Weekly, next_weekly
from handlers.skills.rules import pair
from models import Job, JobState
from tests.skills_support import add_skill, posted
from tests.support import Driver, text


async def due_digests(driver: Driver) -> list[datetime]:
    async with driver.sessions() as session:
        rows = await session.scalars(
            select(Job.due_at).where(Job.kind == "skills.digest", Job.state == JobState.DUE)
        )
        return list(rows)


async def test_setup_schedules_one_digest_for_monday_nine_local_time(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice, setup="Europe/Berlin")
    assert await due_digests(driver) == [], "no skills, no digest"
    await add_skill(driver.sessions, driver.clock, chat.id, "Plumbing", holders=(alice.id,))
    await driver.send(alice, chat, "/setup Europe/Berlin")
    # The fixture's Monday 2 March, 10:00 in Berlin: this week's 09:00 has passed.
    assert await due_digests(driver) == [datetime(2026, 3, 9, 8, 0, tzinfo=UTC)]
    await driver.send(alice, chat, "/setup Europe/Berlin")
    await driver.send(alice, chat, "/teach Plumbing | 2026-03-05 18:00 | 2")
    assert len(await due_digests(driver)) == 1, "a second /setup keeps one digest job"
    reply = text(await driver.send(alice, chat, "/setup digest=fri 18:30"))
    assert "digest comes on Fri at 18:30" in reply
    assert await due_digests(driver) == [datetime(2026, 3, 6, 17, 30, tzinfo=UTC)]
    assert "digest is off" in text(await driver.send(alice, chat, "/setup digest=off"))
    assert await due_digests(driver) == []
    assert "weekly time for the digest" in text(
        await driver.send(alice, chat, "/setup digest=soon")
    )


async def test_the_digest_posts_single_holders_and_pairs_then_comes_again(
    driver: Driver,
) -> None:
    alice, bob, carol, dan = (driver.person(n) for n in ("Alice", "Bob", "Carol", "Dan"))
    chat = await driver.community(alice, bob, carol, dan, setup="Europe/Berlin")
    await add_skill(
        driver.sessions,
        driver.clock,
        chat.id,
        "Plumbing",
        holders=(alice.id,),
        wants=(carol.id, dan.id),
    )
    await add_skill(
        driver.sessions,
        driver.clock,
        chat.id,
        "Sewing",
        holders=(bob.id, carol.id),
        wants=(alice.id, dan.id),
    )
    await driver.send(alice, chat, "/setup")
    driver.clock.advance(timedelta(days=6, hours=23))  # Monday 9 March, 09:00 Berlin
    await driver.run_jobs()
    [digest] = [
        m.payload["text"]
        for m in await posted(driver.sessions)
        if m.chat_id == chat.id and "Skills this week" in m.payload["text"]
    ]
    assert "• Plumbing — Alice" in digest and "Sewing —" not in digest
    assert "Carol can learn Plumbing from Alice" in digest
    assert "Dan can learn Plumbing from Alice" in digest
    assert "Alice can learn Sewing from Bob" in digest
    assert "Dan can learn Sewing from Carol" in digest, "spread over both holders"
    assert await due_digests(driver) == [datetime(2026, 3, 16, 8, 0, tzinfo=UTC)]


async def test_nothing_to_say_posts_nothing_and_a_russian_community_reads_russian(
    driver: Driver,
) -> None:
    alice, bob = driver.person("Alice", "ru"), driver.person("Bob", "ru")
    chat = await driver.community(alice, bob, setup="Europe/Moscow ru")
    await add_skill(driver.sessions, driver.clock, chat.id, "Шитьё", holders=(alice.id, bob.id))
    await driver.send(alice, chat, "/setup")
    driver.clock.advance(timedelta(days=7))
    assert await driver.run_jobs() == 1
    assert [m for m in await posted(driver.sessions) if m.chat_id == chat.id] == []
    await add_skill(driver.sessions, driver.clock, chat.id, "Сварка", holders=(alice.id,))
    driver.clock.advance(timedelta(days=7))
    await driver.run_jobs()
    [digest] = [m.payload["text"] for m in await posted(driver.sessions) if m.chat_id == chat.id]
    assert "Сварка — Alice" in digest and "Skills this week" not in digest


def test_the_digest_moment_keeps_local_time_across_the_clock_change() -> None:
    monday = Weekly(0, 9, 0)
    before = next_weekly(monday, "Europe/Berlin", datetime(2026, 3, 20, tzinfo=UTC))
    after = next_weekly(monday, "Europe/Berlin", before)
    assert (before.hour, after.hour) == (8, 7), "09:00 CET, then 09:00 CEST"


people = st.integers(min_value=0, max_value=8)


@given(
    wants=st.dictionaries(st.sampled_from("abc"), st.lists(people, max_size=12), max_size=3),
    holders=st.dictionaries(st.sampled_from("abcd"), st.lists(people, max_size=6), max_size=4),
)
def test_pairing_is_fair_never_self_and_deterministic(
    wants: dict[str, list[int]], holders: dict[str, list[int]]
) -> None:
    pairs = pair(wants, holders)
    assert pairs == pair(wants, holders)
    assert all(learner != holder for _, learner, holder in pairs)
    assert len({(skill, learner) for skill, learner, _ in pairs}) == len(pairs)
    for skill, learners in wants.items():
        mine = [p for p in pairs if p[0] == skill]
        teachers = set(holders.get(skill, ()))
        assert all(holder in teachers and learner in learners for _, learner, holder in mine)
        paired = {learner for _, learner, _ in mine}
        assert paired == {learner for learner in learners if teachers - {learner}}
        if teachers:
            load = Counter(dict.fromkeys(teachers, 0))
            load.update(holder for _, _, holder in mine)
            assert max(load.values()) - min(load.values()) <= 1
