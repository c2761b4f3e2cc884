"""Real, unmodified python-telegram-bot against the emulator through base_url/base_file_url."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
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
    async with Bot(
        emu.token, base_url=f"{emu.base_url}/bot", base_file_url=f"{emu.base_url}/file/bot"
    ) as ptb_bot:
        yield ptb_bot


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "CourtyardBot", True)


async def test_send_message_with_inline_keyboard(emu: Emulator, bot: Bot) -> None:
    group = emu.add_group("Yard")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Vote", callback_data="poll:7:yes")]])
    sent = await bot.send_message(
        group.id, "<i>Poll</i> open", parse_mode="HTML", reply_markup=markup
    )
    assert sent.text == "Poll open"
    assert sent.text_html == "<i>Poll</i> open"
    (message,) = emu.bot_messages(group)
    assert message.buttons == [[("Vote", "poll:7:yes")]]


async def test_errors_map_onto_ptb_exceptions(emu: Emulator, bot: Bot) -> None:
    group = emu.add_group("Yard")
    ann = emu.add_user("Ann")
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(group.id, "pick", reply_markup=too_long)
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(ann.id, "hi")
    emu.inject_fault("sendMessage", status=429, retry_after=2)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.id, "hi")
    assert caught.value.retry_after in (2, timedelta(seconds=2))  # int in 22.x, later timedelta


async def test_send_photo_and_document(emu: Emulator, bot: Bot) -> None:
    group = emu.add_group("Yard")
    png = tiny_png(3, 2)
    photo_message = await bot.send_photo(group.id, png, caption="<b>Chart</b>", parse_mode="HTML")
    photo = photo_message.photo[-1]
    assert (photo.width, photo.height, photo_message.caption) == (3, 2, "Chart")
    photo_file = await bot.get_file(photo.file_id)
    assert bytes(await photo_file.download_as_bytearray()) == png

    csv = b"date,amount\n2026-03-01,120\n"
    document_message = await bot.send_document(
        group.id, InputFile(csv, filename="fund.csv"), caption="Export"
    )
    document = document_message.document
    assert document is not None
    assert (document.file_name, document.mime_type, document.file_size) == (
        "fund.csv",
        "text/csv",
        len(csv),
    )
    document_file = await bot.get_file(document.file_id)
    assert bytes(await document_file.download_as_bytearray()) == csv

    photo_view, document_view = emu.bot_messages(group)
    assert photo_view.photo == png
    assert document_view.document is not None
    assert document_view.document.filename == "fund.csv"
    assert document_view.document.data == csv


async def test_get_updates_with_chat_member_after_a_join(emu: Emulator, bot: Bot) -> None:
    olga, ann = emu.add_user("Olga"), emu.add_user("Ann")
    group = emu.add_group("Yard", admins=[olga])
    wanted = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER, Update.CHAT_MEMBER]
    assert await bot.get_updates(timeout=0, allowed_updates=wanted) == ()

    await emu.join(ann, group)
    service, member = await bot.get_updates(timeout=1)
    assert service.message is not None
    assert [u.id for u in service.message.new_chat_members] == [ann.id]
    assert member.chat_member is not None
    assert member.chat_member.chat.id == group.id
    assert member.chat_member.old_chat_member.status == "left"
    assert member.chat_member.new_chat_member.status == "member"
    assert member.chat_member.new_chat_member.user.id == ann.id

    emu.set_admin(ann, group)
    await emu.leave(ann, group)
    updates = await bot.get_updates(offset=member.update_id + 1, timeout=1)
    changes = [
        (u.chat_member.old_chat_member.status, u.chat_member.new_chat_member.status)
        for u in updates
        if u.chat_member is not None
    ]
    assert changes == [("member", "administrator"), ("administrator", "left")]
    assert any(u.message and u.message.left_chat_member for u in updates)


async def test_commands_and_chat_queries(emu: Emulator, bot: Bot) -> None:
    olga = emu.add_user("Olga")
    group = emu.add_group("Yard", admins=[olga])
    await bot.set_my_commands([BotCommand("duty", "Duty roster")], language_code="de")
    assert emu.commands("de") == [("duty", "Duty roster")]
    assert (await bot.get_my_commands(language_code="de"))[0].command == "duty"
    chat = await bot.get_chat(group.id)
    assert chat.title == "Yard"
    admins = await bot.get_chat_administrators(group.id)
    assert [a.status for a in admins] == ["creator", "administrator"]


async def test_application_polling_end_to_end(emu: Emulator) -> None:
    """The way the e2e tests will run: a real PTB Application polling the emulator."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ping", callback_data="ping")]])
        await update.effective_message.reply_text("Hello!", reply_markup=markup)

    async def ping(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("pong")

    application: Application = (  # type: ignore[type-arg]
        ApplicationBuilder()
        .token(emu.token)
        .base_url(f"{emu.base_url}/bot")
        .base_file_url(f"{emu.base_url}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(ping, pattern="^ping$"))
    ann = emu.add_user("Ann")
    chat = emu.private_chat(ann)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            asked = await emu.send_text(ann, chat, "/start")
            hello = await emu.wait_for_bot_message(chat, since=asked.message_id, timeout=3)
            assert hello.text == "Hello!"
            query_id = await emu.press(ann, hello, "ping")
            assert (await emu.wait_callback_answer(query_id, timeout=3)).text == "pong"
        finally:
            await asyncio.wait_for(application.updater.stop(), 5)
            await application.stop()
