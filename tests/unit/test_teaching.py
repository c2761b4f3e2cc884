"""Teaching sessions: /teach, sign-up with a waitlist, reminders, "did you learn it?", hours."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from handlers.core.messages import CallbackAnswer, Chat, Person
from handlers.skills.queries import hours_taught
from models import Community, Job, JobState, MemberSkill, SessionSeat, Stance, TeachingSession
from tests.skills_support import add_skill, edited, posted
from tests.support import Driver, answers, buttons, text

# The fixture clock: Monday 2 March 2026, 09:00 UTC (10:00 in Berlin).
WHEN = "2026-03-05 18:00"  # Thursday, Berlin time: 17:00 UTC


async def _teach_setup(driver: Driver, *names: str) -> tuple[Chat, list[Person], int]:
    people = [driver.person(name) for name in ("Alice", *names)]
    chat = await driver.community(people[0], *people[1:], setup="Europe/Berlin")
    skill = await add_skill(
        driver.sessions,
        driver.clock,
        chat.id,
        "Plumbing",
        holders=(people[0].id,),
        aliases=("pipes",),
    )
    return chat, people, skill


async def _card_button(driver: Driver, chat: Chat, teacher: Person, command: str) -> str:
    replies = await driver.send(teacher, chat, command)
    [(label, data)] = buttons(replies)
    assert label.startswith("✋ Sign up (0/")
    return data


def _answer(replies: list) -> str:  # type: ignore[type-arg]
    [answer] = answers(replies)
    return answer.text


async def test_capacity_two_takes_two_waitlists_the_third_and_a_cancel_promotes_them(
    driver: Driver,
) -> None:
    chat, (alice, bob, carol, dan), _ = await _teach_setup(driver, "Bob", "Carol", "Dan")
    await driver.send(dan, driver.private(dan), "/start")
    data = await _card_button(driver, chat, alice, f"/teach plumbing | {WHEN} | 2")

    assert "signed up" in _answer(await driver.press(bob, chat, data))
    replies = await driver.press(carol, chat, data)
    assert "signed up" in _answer(replies)
    assert buttons(replies)[0][0] == "✋ Sign up (2/2)"
    replies = await driver.press(dan, chat, data)
    assert "number 1 on the waitlist" in _answer(replies)
    assert buttons(replies)[0][0] == "✋ Sign up (2/2, 1 waiting)"
    assert "Waitlist (1): Dan" in text(replies)

    replies = await driver.press(bob, chat, data)
    assert "cancelled your seat" in _answer(replies)
    assert buttons(replies)[0][0] == "✋ Sign up (2/2)"
    assert "Coming: Carol, Dan" in text(replies)
    [told] = [m for m in await posted(driver.sessions) if m.chat_id == dan.id]
    assert "A seat opened at session #1" in told.payload["text"]


async def test_a_promoted_member_who_never_started_the_bot_is_mentioned_in_the_group(
    driver: Driver,
) -> None:
    chat, (alice, bob, carol), _ = await _teach_setup(driver, "Bob", "Carol")
    data = await _card_button(driver, chat, alice, f"/teach Pipes | {WHEN} | 1")
    await driver.press(bob, chat, data)
    await driver.press(carol, chat, data)
    await driver.press(bob, chat, data)
    [told] = [m for m in await posted(driver.sessions) if m.chat_id == chat.id]
    assert f'<a href="tg://user?id={carol.id}">Carol</a>' in told.payload["text"]


async def test_pressing_again_leaves_the_waitlist_and_the_teacher_cannot_sign_up(
    driver: Driver,
) -> None:
    chat, (alice, bob, carol), _ = await _teach_setup(driver, "Bob", "Carol")
    data = await _card_button(driver, chat, alice, f"/teach Plumbing | {WHEN} | 1")
    await driver.press(bob, chat, data)
    await driver.press(carol, chat, data)
    assert "left the waitlist" in _answer(await driver.press(carol, chat, data))
    assert "You are teaching" in _answer(await driver.press(alice, chat, data))
    driver.clock.advance(timedelta(days=4))
    assert "already begun" in _answer(await driver.press(carol, chat, data))


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/teach", "separated by |"),
        ("/teach Plumbing | 2026-03-05 18:00", "separated by |"),
        ("/teach Knitting | 2026-03-05 18:00 | 3", "is not in the skill registry"),
        ("/teach Plumbing | next thursday | 3", "YYYY-MM-DD HH:MM"),
        ("/teach Plumbing | 2026-02-30 18:00 | 3", "YYYY-MM-DD HH:MM"),
        ("/teach Plumbing | 2026-03-01 18:00 | 3", "is in the past"),
        ("/teach Plumbing | 2026-03-05 18:00 | 0", "from 1 to 100"),
        ("/teach Plumbing | 2026-03-05 18:00 | lots", "from 1 to 100"),
    ],
)
async def test_bad_input_is_explained_with_an_example(
    driver: Driver, command: str, expected: str
) -> None:
    chat, (alice,), _ = await _teach_setup(driver)
    reply = text(await driver.send(alice, chat, command))
    assert expected in reply
    assert "Example: <code>/teach Plumbing | 2026-12-05 18:00 | 4</code>" in reply


async def test_a_session_in_russian_explains_in_russian(driver: Driver) -> None:
    alice = driver.person("Alice", "ru")
    chat = await driver.community(alice, setup="Europe/Moscow ru")
    reply = text(await driver.send(alice, chat, "/teach Вязание | 2026-03-05 18:00 | 2"))
    assert "Вязание" in reply and "Example" not in reply


async def test_reminders_reach_the_teacher_and_seated_privately_or_in_the_group(
    driver: Driver,
) -> None:
    chat, (alice, bob, carol, dan), _ = await _teach_setup(driver, "Bob", "Carol", "Dan")
    for person in (alice, bob):
        await driver.send(person, driver.private(person), "/start")
    data = await _card_button(driver, chat, alice, f"/teach Plumbing | {WHEN} | 2")
    for person in (bob, carol, dan):
        await driver.press(person, chat, data)
    before = len(await posted(driver.sessions))

    driver.clock.advance(timedelta(days=2, hours=8, minutes=1))  # 4 March 17:01 UTC
    await driver.run_jobs()
    new = (await posted(driver.sessions))[before:]
    by_chat = {m.chat_id: m.payload["text"] for m in new}
    assert set(by_chat) == {alice.id, bob.id, chat.id}, "Dan waits: no reminder"
    assert "You teach Plumbing at session #1" in by_chat[alice.id]
    assert "Reminder: session #1" in by_chat[bob.id]
    assert f"tg://user?id={carol.id}" in by_chat[chat.id]
    assert f"tg://user?id={dan.id}" not in by_chat[chat.id]

    driver.clock.advance(timedelta(hours=23))
    await driver.run_jobs()
    assert len(await posted(driver.sessions)) == before + 6, "the hour-before reminder too"


async def test_after_the_session_learners_are_asked_and_may_hold_the_skill(
    driver: Driver,
) -> None:
    chat, (alice, bob, carol), skill_id = await _teach_setup(driver, "Bob", "Carol")
    await driver.send(bob, driver.private(bob), "/start")
    data = await _card_button(driver, chat, alice, f"/teach Plumbing | {WHEN} | 5")
    await driver.press(bob, chat, data)
    await driver.press(carol, chat, data)
    driver.clock.advance(timedelta(days=3, hours=9))  # 5 March 18:00 UTC: the hour is over
    await driver.run_jobs()
    messages = await posted(driver.sessions)
    [asked] = [m for m in messages if m.chat_id == bob.id]
    assert "did you learn Plumbing from Alice?" in asked.payload["text"]
    [[yes, _no]] = asked.payload["buttons"]
    [group_ask] = [m for m in messages if m.chat_id == chat.id]
    assert f"tg://user?id={carol.id}" in group_ask.payload["text"]
    assert any("has taken place" in m.payload["text"] for m in await edited(driver.sessions))

    replies = await driver.press(bob, driver.private(bob), yes[1])
    [(label, hold)] = buttons(replies)
    assert "Plumbing" in label
    assert "You hold Plumbing now" in _answer(await driver.press(bob, driver.private(bob), hold))
    _, no_button = group_ask.payload["buttons"][0]
    assert "Thank you" in _answer(await driver.press(carol, chat, no_button[1]))
    assert "no seat" in _answer(await driver.press(alice, chat, no_button[1]))

    async with driver.sessions() as session:
        learned = dict(
            (await session.execute(select(SessionSeat.user_id, SessionSeat.learned))).all()
        )
        assert learned == {bob.id: True, carol.id: False}
        held = set(
            await session.scalars(
                select(MemberSkill.user_id).where(
                    MemberSkill.skill_id == skill_id, MemberSkill.stance == Stance.HAS
                )
            )
        )
        assert held == {alice.id, bob.id}
        community = await session.scalar(select(Community))
        assert community is not None
        teaching = await session.scalar(select(TeachingSession))
        assert teaching is not None and teaching.asked_at is not None
        assert [(u.id, h) for u, h in await hours_taught(session, community)] == [(alice.id, 1.0)]
    fairness = text(await driver.send(bob, chat, "/fairness"))
    [alice_line] = [line for line in fairness.splitlines() if line.startswith("Alice")]
    assert "1 h taught" in alice_line, "teaching counts beside duty service"


async def test_simultaneous_presses_fill_the_seats_one_after_the_other(driver: Driver) -> None:
    """Two bot processes (two apps over one database) take the presses at the same time."""
    chat, (alice, *others), _ = await _teach_setup(driver, "B", "C", "D", "E", "F")
    data = await _card_button(driver, chat, alice, f"/teach Plumbing | {WHEN} | 2")
    second = Driver(driver.sessions, driver.clock)
    results = await asyncio.gather(
        *(
            (driver if i % 2 else second).press(person, chat, data, message_id=1)
            for i, person in enumerate(others)
        )
    )
    said = [a.text for r in results for a in r if isinstance(a, CallbackAnswer)]
    assert sum("You are signed up" in s for s in said) == 2
    assert sorted(s.split("number ")[1][0] for s in said if "waitlist" in s) == ["1", "2", "3"]


async def test_teach_schedules_one_digest_and_the_jobs_of_the_session(driver: Driver) -> None:
    chat, (alice,), _ = await _teach_setup(driver)
    await driver.send(alice, chat, f"/teach Plumbing | {WHEN} | 2")
    await driver.send(alice, chat, "/teach Plumbing | 2026-03-02 11:30 | 2")
    async with driver.sessions() as session:
        jobs = list(await session.scalars(select(Job).where(Job.state == JobState.DUE)))
    kinds = sorted(j.kind for j in jobs)
    assert kinds.count("skills.digest") == 1
    assert kinds.count("session.remind24") == 1, "the second session is too close for it"
    assert kinds.count("session.remind1") == 2 and kinds.count("session.ask") == 2
