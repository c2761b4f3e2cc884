"""Hints teach by example, and the example speaks the reader's language too.

The command words stay as they are (they are what you type); the free text
around them is translated like every other user-visible text.
"""

from __future__ import annotations

import re

import pytest

from tests.support import Driver, text

SCRIPTS = {"ru": re.compile("[а-яё]", re.I), "zh-hans": re.compile("[\u4e00-\u9fff]")}
EXAMPLE = re.compile(r"<code>(.*?)</code>", re.S)

# (what is typed, the command words the example must start with)
BAD_INPUT = [
    ("/need", "/need "),
    ("/report", "/report "),
    ("/fixed", "/fixed 4 "),
    ("/reopen", "/reopen 4 "),
    ("/progress", "/progress 3 "),
    ("/done", "/done 3 "),
    ("/poll", "/poll "),
    ("/poll multi ?", "/poll multi "),
    ("/poll ranked ?", "/poll ranked "),
    ("/needs", "/need "),
    ("/problems", "/report "),
]


@pytest.mark.parametrize("language", sorted(SCRIPTS))
@pytest.mark.parametrize(("command", "start"), BAD_INPUT)
async def test_examples_in_hints_are_translated(
    driver: Driver, language: str, command: str, start: str
) -> None:
    alice = driver.person("Alice", language)
    chat = await driver.community(alice, setup=f"Europe/Moscow {language}")
    reply = text(await driver.send(alice, chat, command))
    example = EXAMPLE.search(reply)
    assert example is not None, reply
    assert example[1].startswith(start), example[1]
    assert SCRIPTS[language].search(example[1].removeprefix(start)), example[1]


@pytest.mark.parametrize("language", sorted(SCRIPTS))
async def test_examples_that_name_an_item_are_translated(driver: Driver, language: str) -> None:
    alice = driver.person("Alice", language)
    chat = await driver.community(alice, setup=f"UTC {language}")
    await driver.send(alice, chat, "/report The gate squeaks")
    example = EXAMPLE.search(text(await driver.send(alice, chat, "/reopen 1")))
    assert example is not None and example[1].startswith("/fixed 1 ")
    assert SCRIPTS[language].search(example[1])
