"""Real, unmodified aiogram against the emulator through its custom-server setting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.filters import Command
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.sandbox import Emulator
from tests.sandbox import tiny_png


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator()
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
    aiogram_bot = Bot(emu.token, session=session)
    yield aiogram_bot
    await aiogram_bot.session.close()


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data)] for text, data in pairs
        ]
    )


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "CourtyardBot", True)


async def test_send_message_with_inline_keyboard(emu: Emulator, bot: Bot) -> None:
    group = emu.add_group("Yard")
    sent = await bot.send_message(
        group.id,
        "<b>Plan:</b> paint the fence",
        parse_mode="HTML",
        reply_markup=keyboard(("I'm in", "plan:1:join"), ("Later", "plan:1:later")),
    )
    assert sent.text == "Plan: paint the fence"
    assert sent.html_text == "<b>Plan:</b> paint the fence"
    assert sent.reply_markup is not None
    (message,) = emu.bot_messages(group)
    assert message.buttons == [[("I'm in", "plan:1:join")], [("Later", "plan:1:later")]]
    assert message.html == "<b>Plan:</b> paint the fence"


async def test_errors_map_onto_aiogram_exceptions(emu: Emulator, bot: Bot) -> None:
    group = emu.add_group("Yard")
    ann = emu.add_user("Ann")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(group.id, "<b>open", parse_mode="HTML")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(ann.id, "hi")
    emu.inject_fault("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(group.id, "hi")
    assert caught.value.retry_after == 3


async def test_get_updates_sees_a_command(emu: Emulator, bot: Bot) -> None:
    ann = emu.add_user("Ann", language_code="ru")
    await emu.send_text(ann, emu.private_chat(ann), "/start ref42")
    (update,) = await bot.get_updates(timeout=1)
    message = update.message
    assert message is not None and message.from_user is not None
    assert message.text == "/start ref42"
    assert message.from_user.language_code == "ru"
    assert message.entities is not None
    assert (message.entities[0].type, message.entities[0].length) == ("bot_command", 6)
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == []


async def test_callback_query_round_trip(emu: Emulator, bot: Bot) -> None:
    ann = emu.add_user("Ann")
    group = emu.add_group("Yard", members=[ann])
    sent = await bot.send_message(group.id, "Coming?", reply_markup=keyboard(("Yes", "rsvp:yes")))
    query_id = await emu.press(ann, emu.bot_messages(group)[0], "rsvp:yes")

    (update,) = await bot.get_updates(timeout=1)
    query = update.callback_query
    assert query is not None and query.message is not None
    assert (query.id, query.data, query.from_user.id) == (query_id, "rsvp:yes", ann.id)
    assert query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Counted!", show_alert=True)

    answer = await emu.wait_callback_answer(query_id, timeout=1)
    assert (answer.text, answer.show_alert) == ("Counted!", True)
    assert emu.callback_answer(query_id) == "Counted!"


async def test_send_photo_upload_and_download(emu: Emulator, bot: Bot) -> None:
    group = emu.add_group("Yard")
    png = tiny_png()
    sent = await bot.send_photo(
        group.id, BufferedInputFile(png, filename="chart.png"), caption="Fund, March"
    )
    assert sent.photo is not None
    photo = sent.photo[-1]
    assert (photo.width, photo.height) == (2, 3)
    downloaded = await bot.download(photo.file_id)
    assert downloaded is not None and downloaded.read() == png
    (message,) = emu.bot_messages(group)
    assert (message.photo, message.caption) == (png, "Fund, March")

    again = await bot.send_photo(group.id, photo.file_id)  # resend by file_id
    assert again.photo is not None and again.photo[-1].file_id == photo.file_id


async def test_set_my_commands_with_language(emu: Emulator, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="plan", description="Plans")])
    await bot.set_my_commands([BotCommand(command="plan", description="Планы")], language_code="ru")
    assert emu.commands() == [("plan", "Plans")]
    assert emu.commands("ru") == [("plan", "Планы")]
    (command,) = await bot.get_my_commands(language_code="ru")
    assert command.description == "Планы"


async def test_chat_queries_parse(emu: Emulator, bot: Bot) -> None:
    olga = emu.add_user("Olga")
    group = emu.add_group("Yard", admins=[olga])
    chat = await bot.get_chat(group.id)
    assert (chat.id, chat.title) == (group.id, "Yard")
    admins = await bot.get_chat_administrators(group.id)
    assert [type(a).__name__ for a in admins] == ["ChatMemberOwner", "ChatMemberAdministrator"]
    member = await bot.get_chat_member(group.id, olga.id)
    assert member.status == "creator"
    assert await bot.send_chat_action(group.id, "typing")


async def test_dispatcher_polling_end_to_end(emu: Emulator, bot: Bot) -> None:
    """The way the e2e tests will run: a real Dispatcher polling the emulator."""
    dispatcher = Dispatcher()

    @dispatcher.message(Command("start"))
    async def start(message: Message) -> None:
        await message.answer("Hello!", reply_markup=keyboard(("Ping", "ping")))

    @dispatcher.callback_query(F.data == "ping")
    async def ping(query: CallbackQuery) -> None:
        await query.answer("pong")

    ann = emu.add_user("Ann")
    chat = emu.private_chat(ann)
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot, handle_signals=False, close_bot_session=False, polling_timeout=1
        )
    )
    try:
        asked = await emu.send_text(ann, chat, "/start")
        hello = await emu.wait_for_bot_message(chat, since=asked.message_id, timeout=3)
        assert hello.text == "Hello!"
        query_id = await emu.press(ann, hello, "ping")
        assert (await emu.wait_callback_answer(query_id, timeout=3)).text == "pong"
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 5)
