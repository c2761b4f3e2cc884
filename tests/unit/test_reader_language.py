"""Who reads a text decides its language.

A message in the group is in the community's language; a callback answer
(seen only by the presser) and a private message are in the reader's own:
their /language choice, else their Telegram language, else the community's.
"""

from __future__ import annotations

from tests.support import Driver, answers, buttons, text


def answer(replies: list) -> str:  # type: ignore[type-arg]
    [found] = answers(replies)
    return found.text


async def test_wei_votes_in_a_russian_group_and_is_answered_in_chinese(driver: Driver) -> None:
    alice, wei = driver.person("Alice", "ru"), driver.person("Wei", "zh-hans")
    chat = await driver.community(alice, wei, setup="Europe/Moscow ru")
    keys = dict(buttons(await driver.send(alice, chat, "/poll Когда? | Суббота | Воскресенье")))
    pressed = await driver.press(wei, chat, keys["1. Суббота"])
    assert answer(pressed) == "你的投票：Суббота"
    assert "Подано бюллетеней: 1 из 2" in text(pressed), "the group message stays Russian"
    assert answer(await driver.press(wei, chat, keys["Мой голос"])) == "你的投票：Суббота"


async def test_the_language_chosen_with_slash_language_beats_telegrams(driver: Driver) -> None:
    alice, boris = driver.person("Alice"), driver.person("Boris", "en")
    chat = await driver.community(alice, boris)
    await driver.send(boris, driver.private(boris), "/language ru")
    keys = dict(buttons(await driver.send(alice, chat, "/poll Paint? | Yes | No")))
    assert answer(await driver.press(boris, chat, keys["1. Yes"])) == "Ваш голос: Yes"


async def test_support_toasts_refusals_and_stale_buttons_speak_the_presser_language(
    driver: Driver,
) -> None:
    alice, wei, dave = (
        driver.person(n, lang) for n, lang in [("Alice", "en"), ("Wei", "zh-hans"), ("Dave", "ru")]
    )
    chat = await driver.community(alice, wei)
    support = dict(buttons(await driver.send(alice, chat, "/need A bike rack")))
    assert answer(await driver.press(wei, chat, support["👍 Support (0)"])) == "你支持需求 #1。"
    keys = dict(buttons(await driver.send(alice, chat, "/poll Paint? | Yes | No")))
    refused = answer(await driver.press(dave, chat, keys["1. Yes"]))
    assert refused == "Вас ещё нет в списке участников. Сначала отправьте /join."
    assert answer(await driver.press(wei, chat, "poll.v:1:0:forged")) == "此按钮已失效。"


async def test_without_a_language_of_their_own_the_reader_gets_the_community_language(
    driver: Driver,
) -> None:
    alice, eve = driver.person("Alice"), driver.person("Eve", "")
    chat = await driver.community(alice, eve, setup="UTC ru")
    keys = dict(buttons(await driver.send(alice, chat, "/poll Когда? | Сейчас | Потом")))
    assert answer(await driver.press(eve, chat, keys["1. Сейчас"])) == "Ваш голос: Сейчас"
