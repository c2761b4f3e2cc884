"""The sandbox page's HTTP API: what a person can do, and the refusals Telegram would give.

No bot runs here: where a story needs the bot (a message with a button, an answer to a
press), the test plays it through the emulator's Bot API over the same HTTP server.
"""

from __future__ import annotations

import asyncio
import json
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from bot.sandbox import EmuChat, Emulator, EmuUser
from bot.sandbox.demo import DEMO_GROUP_TITLE, PERSONAS, create_demo, kinds_to_tell
from bot.sandbox.web import LABELS, SandboxWeb, labels
from bot.sandbox.world import World, load_world, read_world, save_world
from handlers.core.clock import ShiftableClock

TOKEN = "100000:courtyard-web-test"


def tiny_png() -> bytes:
    """A valid 1×1 PNG: Telegram (and the emulator) refuse a photo they cannot decode."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x2f\x7d\x5b")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@dataclass
class Page:
    """The sandbox's web side over a real HTTP server, with the demo world in it."""

    client: TestClient[Any, Any]
    emulator: Emulator
    clock: ShiftableClock
    group: EmuChat
    web: SandboxWeb
    ticks: list[datetime] = field(default_factory=list)

    @property
    def alice(self) -> EmuUser:
        return self.emulator.users[0]

    @property
    def bob(self) -> EmuUser:
        return self.emulator.users[1]

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        response = await self.client.request(method, path, json=body if body is not None else None)
        return response.status, await response.json()

    async def bot(self, method: str, **params: Any) -> Any:
        """The bot's side: a Bot API call, as aiogram or PTB would make it."""
        response = await self.client.post(f"/bot{TOKEN}/{method}", json=params)
        answer = await response.json()
        assert answer["ok"], answer
        return answer["result"]


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    clock = ShiftableClock()
    emulator = Emulator(TOKEN, clock=clock.now)
    ticks: list[datetime] = []

    async def tick() -> None:
        ticks.append(clock.now())

    group, kinds = create_demo(emulator)
    web = SandboxWeb(emulator, clock, tick=tick, kinds=kinds)
    async with TestClient(TestServer(web.install(emulator.make_app()))) as client:
        yield Page(client, emulator, clock, group, web, ticks)


# -- the page itself -------------------------------------------------------------------------


async def test_the_page_is_served_with_its_labels_and_a_strict_policy(page: Page) -> None:
    response = await page.client.get("/")
    assert response.status == 200
    html = await response.text()
    assert '<html lang="en">' in html
    assert '"send": "Send"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for asset in ("/static/app.js", "/static/style.css"):
        assert (await page.client.get(asset)).status == 200


async def test_the_interface_language_comes_from_the_query_cookie_or_browser(page: Page) -> None:
    html = await (await page.client.get("/?lang=ru")).text()
    assert '<html lang="ru">' in html
    html = await (await page.client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})).text()
    assert '<html lang="zh-Hans">' in html
    page.client.session.cookie_jar.update_cookies({"courtyard_lang": "ru"})
    status, answer = await page.call("GET", "/api/labels")
    assert status == 200 and set(answer["result"]) == set(LABELS)


@pytest.mark.parametrize("language", ["en", "ru", "zh_Hans"])
def test_every_label_keeps_its_placeholders_in_every_language(language: str) -> None:
    translated = labels(language)
    for key, message in LABELS.items():
        for placeholder in ("{name}", "{time}"):
            assert (placeholder in message) == (placeholder in translated[key]), key


async def test_the_state_has_the_demo_and_never_the_raw_html_or_the_token(page: Page) -> None:
    await page.bot("sendMessage", chat_id=page.group.id, text="<b>Hello</b>", parse_mode="HTML")
    status, answer = await page.call("GET", "/api/state")
    assert status == 200
    state = answer["result"]
    assert [chat["title"] for chat in state["chats"]] == [DEMO_GROUP_TITLE]
    assert [user["name"] for user in state["users"]] == [p.first_name for p in PERSONAS]
    # Kinds are the bot's to know (its roster); no bot has set this group up here.
    assert all("kind" not in user for user in state["users"])
    assert state["communities"] == {}
    text = json.dumps(state)
    assert TOKEN not in text
    last = state["messages"][str(page.group.id)][-1]
    assert last["safe_html"] == "<b>Hello</b>"
    assert "html" not in last


# -- people and groups -----------------------------------------------------------------------


async def test_a_member_is_added_with_a_language_and_joins_the_open_group(page: Page) -> None:
    status, answer = await page.call(
        "POST",
        "/api/users",
        {"first_name": "Dmitri", "language_code": "ru", "group_id": page.group.id},
    )
    assert status == 200, answer
    user = answer["result"]
    assert user["language_code"] == "ru"
    assert user["id"] in page.emulator.get_chat(page.group.id).members
    joined = page.emulator.messages(page.group)[-1]
    assert joined.new_chat_members == [user["id"]]


async def test_html_in_names_and_texts_stays_text(page: Page) -> None:
    name = "<b>Eve</b> & <script>alert(1)</script>"
    status, answer = await page.call(
        "POST", "/api/users", {"first_name": name, "group_id": page.group.id}
    )
    assert status == 200
    eve = answer["result"]
    assert eve["name"] == name  # stored as typed; the page shows it as text
    status, answer = await page.call(
        "POST",
        f"/api/chats/{page.group.id}/messages",
        {"user_id": eve["id"], "text": "<img src=x onerror=alert(1)> hi"},
    )
    assert status == 200
    assert answer["result"]["safe_html"] == "&lt;img src=x onerror=alert(1)&gt; hi"


async def test_a_new_group_is_created_by_its_owner_who_adds_the_bot(page: Page) -> None:
    status, answer = await page.call(
        "POST", "/api/groups", {"title": "Birch Yard", "owner_id": page.bob.id}
    )
    assert status == 200
    group = answer["result"]
    assert group["owner_id"] == page.bob.id and group["bot_status"] == "administrator"
    assert page.emulator.messages(group["id"])[0].new_chat_members == [page.emulator.bot_id]


async def test_joining_and_leaving_the_group(page: Page) -> None:
    status, answer = await page.call("DELETE", f"/api/chats/{page.group.id}/members/{page.bob.id}")
    assert status == 200 and page.bob.id not in answer["result"]["members"]
    status, answer = await page.call(
        "POST", f"/api/chats/{page.group.id}/members", {"user_id": page.bob.id}
    )
    assert status == 200 and page.bob.id in answer["result"]["members"]
    status, answer = await page.call(
        "POST", f"/api/chats/{page.group.id}/members", {"user_id": page.bob.id}
    )
    assert status == 400
    assert answer["description"] == "Bad Request: Bob is already in Maple Court"


# -- refusals, worded as Telegram words them --------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "description"),
    [
        ("POST", "/api/chats/{group}/messages", {"user_id": 5, "text": "hi"}, "user not found"),
        ("POST", "/api/chats/-42/messages", {"user_id": "{alice}", "text": "hi"}, "chat not found"),
        ("POST", "/api/chats/abc/messages", {"user_id": "{alice}", "text": "hi"}, "invalid chat_id specified"),
        ("POST", "/api/chats/{group}/messages", {"user_id": True, "text": "hi"}, "invalid user_id specified"),
        ("POST", "/api/chats/{group}/messages", {"text": "hi"}, "user_id is empty"),
        ("POST", "/api/chats/{group}/members", {"user_id": 99}, "user not found"),
        ("DELETE", "/api/chats/-7/members/{alice}", None, "chat not found"),
        ("POST", "/api/chats/{group}/messages/1/press", {"user_id": 1, "data": "x"}, "user not found"),
        ("POST", "/api/groups", {"title": "X", "owner_id": 12}, "user not found"),
        ("POST", "/api/groups", {"title": "  ", "owner_id": "{alice}"}, "group title is empty"),
        ("POST", "/api/users", {"first_name": ""}, "first name is empty"),
        ("POST", "/api/users", {"first_name": "x" * 65}, "first name is too long: at most 64 characters"),
        ("POST", "/api/users", {"first_name": "Zoe", "language_code": "de"}, "language_code must be one of en, ru, zh-hans"),
        ("POST", "/api/users", {"first_name": "Zoe", "group_id": -5}, "chat not found"),
        ("POST", "/api/users", {"first_name": "Zoe", "kind": "landlord"}, "kind must be one of resident, worker"),
        ("POST", "/api/chats/{group}/messages", {"user_id": "{alice}", "text": "   "}, "message text is empty"),
    ],
)  # fmt: skip
async def test_unknown_ids_and_bad_fields_are_refused_clearly(
    page: Page, method: str, path: str, body: dict[str, Any] | None, description: str
) -> None:
    def fill(value: Any) -> Any:
        if value == "{alice}":
            return page.alice.id
        return value

    path = path.format(group=page.group.id, alice=page.alice.id)
    if body is not None:
        body = {key: fill(value) for key, value in body.items()}
    status, answer = await page.call(method, path, body)
    assert status == 400
    assert answer == {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}


async def test_a_message_longer_than_telegram_allows_is_refused(page: Page) -> None:
    path = f"/api/chats/{page.group.id}/messages"
    status, answer = await page.call("POST", path, {"user_id": page.alice.id, "text": "a" * 5000})
    assert (status, answer["description"]) == (400, "Bad Request: message is too long")
    # Telegram counts UTF-16 code units: 2,049 emoji are 4,098 of them.
    status, answer = await page.call("POST", path, {"user_id": page.alice.id, "text": "🏠" * 2049})
    assert (status, answer["description"]) == (400, "Bad Request: message is too long")
    status, answer = await page.call("POST", path, {"user_id": page.alice.id, "text": "a" * 4096})
    assert status == 200 and len(answer["result"]["text"]) == 4096


async def test_writing_where_one_is_not_a_member_is_forbidden(page: Page) -> None:
    await page.call("DELETE", f"/api/chats/{page.group.id}/members/{page.bob.id}")
    status, answer = await page.call(
        "POST", f"/api/chats/{page.group.id}/messages", {"user_id": page.bob.id, "text": "hi"}
    )
    assert (status, answer["description"]) == (
        403,
        "Forbidden: Bob is not a member of Maple Court",
    )
    status, answer = await page.call(
        "POST", f"/api/chats/{page.alice.id}/messages", {"user_id": page.bob.id, "text": "hi"}
    )
    assert status == 403 and "someone else's private chat" in answer["description"]


async def test_a_request_that_is_not_json_is_refused(page: Page) -> None:
    response = await page.client.post("/api/users", data="first_name=Mallory")
    assert response.status == 400
    assert (await response.json())["description"].startswith("Bad Request: send a JSON object")
    response = await page.client.post(
        "/api/users", data="[1]", headers={"Content-Type": "application/json"}
    )
    assert (await response.json())[
        "description"
    ] == "Bad Request: JSON object expected as request body"


# -- buttons ---------------------------------------------------------------------------------


async def _message_with_button(page: Page) -> dict[str, Any]:
    sent: dict[str, Any] = await page.bot(
        "sendMessage",
        chat_id=page.group.id,
        text="Need #1: a bike rack",
        reply_markup={"inline_keyboard": [[{"text": "Support", "callback_data": "s:1"}]]},
    )
    return sent


async def test_pressing_a_button_returns_the_bots_answer(page: Page) -> None:
    sent = await _message_with_button(page)
    press = asyncio.create_task(
        page.call(
            "POST",
            f"/api/chats/{page.group.id}/messages/{sent['message_id']}/press",
            {"user_id": page.bob.id, "data": "s:1"},
        )
    )
    for _ in range(100):
        queries = [u for u in page.emulator.pending_updates if "callback_query" in u]
        if queries:
            break
        await asyncio.sleep(0.01)
    query = queries[0]["callback_query"]
    assert query["from"]["id"] == page.bob.id
    await page.bot("answerCallbackQuery", callback_query_id=query["id"], text="You support it.")
    status, answer = await press
    assert status == 200
    assert answer["result"]["answered"] is True
    assert answer["result"]["text"] == "You support it."


async def test_pressing_a_button_of_a_deleted_message_is_refused(page: Page) -> None:
    sent = await _message_with_button(page)
    await page.bot("deleteMessage", chat_id=page.group.id, message_id=sent["message_id"])
    status, answer = await page.call(
        "POST",
        f"/api/chats/{page.group.id}/messages/{sent['message_id']}/press",
        {"user_id": page.bob.id, "data": "s:1"},
    )
    assert (status, answer["description"]) == (
        400,
        "Bad Request: message not found: it was deleted or never existed",
    )


async def test_pressing_a_button_the_message_does_not_have_is_refused(page: Page) -> None:
    sent = await _message_with_button(page)
    status, answer = await page.call(
        "POST",
        f"/api/chats/{page.group.id}/messages/{sent['message_id']}/press",
        {"user_id": page.bob.id, "data": "forged"},
    )
    assert status == 400 and "has no button with callback_data 'forged'" in answer["description"]


async def test_people_delete_their_own_messages_and_admins_anyones(page: Page) -> None:
    path = f"/api/chats/{page.group.id}/messages"
    _, answer = await page.call("POST", path, {"user_id": page.bob.id, "text": "oops"})
    message_id = answer["result"]["message_id"]
    carmen = page.emulator.users[2]
    status, answer = await page.call("DELETE", f"{path}/{message_id}?user_id={carmen.id}")
    assert (status, answer["description"]) == (400, "Bad Request: message can't be deleted")
    status, _ = await page.call("DELETE", f"{path}/{message_id}?user_id={page.alice.id}")
    assert status == 200
    assert message_id not in [m.message_id for m in page.emulator.messages(page.group)]


# -- files -----------------------------------------------------------------------------------


async def test_documents_download_under_their_name_and_photos_show_inline(page: Page) -> None:
    png = tiny_png()
    for method, field_name, filename, data in (
        ("sendDocument", "document", "duties.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
        ("sendPhoto", "photo", "chart.png", png),
    ):
        form = FormData()
        form.add_field("chat_id", str(page.group.id))
        form.add_field(field_name, data, filename=filename)
        response = await page.client.post(f"/bot{TOKEN}/{method}", data=form)
        assert (await response.json())["ok"]
    document, photo = page.emulator.messages(page.group)[-2:]
    state = (await page.call("GET", "/api/state"))[1]["result"]
    pages = {m["message_id"]: m for m in state["messages"][str(page.group.id)]}
    link = pages[document.message_id]["file_url"]
    response = await page.client.get(link + "?name=duties.ics")
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="duties.ics"'
    assert response.content_type == "text/calendar"
    assert await response.read() == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    response = await page.client.get(pages[photo.message_id]["file_url"])
    assert response.content_type == "image/png" and await response.read() == png
    assert (await page.client.get("/files/photos/nope.jpg")).status == 404


# -- the clock -------------------------------------------------------------------------------


async def test_the_clock_moves_forward_and_the_bot_runs_what_fell_due(page: Page) -> None:
    before = page.clock.now()
    status, answer = await page.call("POST", "/api/clock", {"seconds": 3600})
    assert status == 200
    assert answer["result"]["shift_seconds"] == pytest.approx(3600)
    assert len(page.ticks) == 1 and page.ticks[0] - before >= timedelta(hours=1)
    target = (page.clock.now() + timedelta(days=3)).replace(microsecond=0)
    status, answer = await page.call("POST", "/api/clock", {"to": target.isoformat()})
    assert status == 200
    assert datetime.fromisoformat(answer["result"]["now"]) >= target


async def test_the_date_field_speaks_the_communitys_wall_time(page: Page) -> None:
    """The page sends Berlin's 09:00 with the zone; the clock lands on 07:00 or 08:00 UTC."""
    berlin = ZoneInfo("Europe/Berlin")
    day = (page.clock.now().astimezone(berlin) + timedelta(days=2)).date()
    status, answer = await page.call(
        "POST", "/api/clock", {"to": f"{day.isoformat()}T09:00", "time_zone": "Europe/Berlin"}
    )
    assert status == 200, answer
    landed = datetime.fromisoformat(answer["result"]["now"]).astimezone(berlin)
    assert (landed.date(), landed.hour, landed.minute) == (day, 9, 0)


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"seconds": -60}, "the sandbox clock only moves forward"),
        ({"to": "2001-01-01T00:00:00Z"}, "the sandbox clock only moves forward"),
        ({"to": "2099-01-01T00:00:00"}, "to needs a time zone, such as 2026-05-01T09:00:00Z"),
        ({"to": "next tuesday"}, "to must be an ISO date such as 2026-05-01T09:00:00Z"),
        ({"seconds": 86400 * 500}, "move the clock at most 400 days at a time"),
        (
            {"to": "2099-01-01T09:00", "time_zone": "Mars/Olympus"},
            "unknown time_zone 'Mars/Olympus'",
        ),
        ({}, "give seconds (a number) or to (an ISO date)"),
    ],
)
async def test_the_clock_refuses_to_go_back_or_guess(
    page: Page, body: dict[str, Any], description: str
) -> None:
    status, answer = await page.call("POST", "/api/clock", body)
    assert (status, answer["description"]) == (400, f"Bad Request: {description}")
    assert page.clock.shift == timedelta(0) and not page.ticks


# -- the live feed ---------------------------------------------------------------------------


async def test_the_live_feed_starts_with_a_snapshot_then_streams_changes(page: Page) -> None:
    async with page.client.ws_connect("/api/live") as socket:
        first = await socket.receive_json(timeout=5)
        assert first["type"] == "snapshot" and first["chats"][0]["title"] == DEMO_GROUP_TITLE
        sent = await page.bot("sendMessage", chat_id=page.group.id, text="first")
        await page.bot(
            "editMessageText", chat_id=page.group.id, message_id=sent["message_id"], text="second"
        )
        await page.bot("deleteMessage", chat_id=page.group.id, message_id=sent["message_id"])
        await page.call("POST", "/api/clock", {"seconds": 60})
        seen = [await socket.receive_json(timeout=5) for _ in range(4)]
    assert [event["type"] for event in seen] == ["message", "edit", "delete", "clock"]
    assert seen[1]["message"]["safe_html"] == "second"
    assert "html" not in seen[1]["message"]


async def test_a_cross_site_page_cannot_open_the_live_feed(page: Page) -> None:
    response = await page.client.get(
        "/api/live",
        headers={
            "Origin": "http://evil.example",
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
    )
    assert response.status == 403


async def test_a_closed_page_is_forgotten(page: Page) -> None:
    socket = await page.client.ws_connect("/api/live")
    await socket.receive_json(timeout=5)
    assert page.web.open_pages == 1
    await socket.close()
    for _ in range(100):
        if not page.web.open_pages:
            break
        await asyncio.sleep(0.01)
    assert page.web.open_pages == 0
    await page.bot("sendMessage", chat_id=page.group.id, text="nobody listens")


# -- the world file --------------------------------------------------------------------------


async def test_the_world_survives_a_save_and_a_load(page: Page, tmp_path: Any) -> None:
    form = FormData()
    form.add_field("chat_id", str(page.group.id))
    form.add_field("photo", tiny_png(), filename="chart.png")
    await (await page.client.post(f"/bot{TOKEN}/sendPhoto", data=form)).json()
    sent = await _message_with_button(page)
    await page.bot("deleteMessage", chat_id=page.group.id, message_id=sent["message_id"])
    page.clock.advance(timedelta(days=2))
    url = f"sqlite+aiosqlite:///{tmp_path}/courtyard.db"
    (tmp_path / "courtyard.db").touch()
    path = tmp_path / "courtyard.sandbox.json"
    world = World(
        clock_shift=page.clock.shift,
        demo_created=True,
        kinds={page.alice.id: "resident"},
        told={(page.group.id, page.alice.id)},
    )
    save_world(path, world, page.emulator, url)

    restored = read_world(path, url)
    assert restored is not None
    assert restored.clock_shift == page.clock.shift and restored.demo_created
    assert restored.kinds == {page.alice.id: "resident"}
    assert restored.told == {(page.group.id, page.alice.id)}
    twin = Emulator(TOKEN, clock=ShiftableClock(restored.clock_shift).now)
    load_world(twin, restored)
    assert [u.name for u in twin.users] == [u.name for u in page.emulator.users]
    old, new = page.emulator.messages(page.group), twin.messages(page.group.id)
    assert [(m.message_id, m.text, m.photo) for m in new] == [
        (m.message_id, m.text, m.photo) for m in old
    ]
    assert new[-1].photo == tiny_png() == twin.file_bytes("photos/file_1.jpg")
    # New ids continue after the old ones instead of reusing them.
    assert twin.add_user("Zoe").id > max(u.id for u in page.emulator.users)
    later = await twin.send_text(page.alice.id, page.group.id, "/needs")
    assert later.message_id == sent["message_id"] + 1

    assert read_world(path, "sqlite+aiosqlite:////elsewhere/other.db") is None
    (tmp_path / "courtyard.db").unlink()
    assert read_world(path, url) is None  # the database is gone, so is its world
    (tmp_path / "courtyard.db").touch()
    path.write_text("{not json", encoding="utf-8")
    assert read_world(path, url) is None


def test_a_world_from_another_version_is_ignored(tmp_path: Any) -> None:
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"version": 0}), encoding="utf-8")
    assert read_world(path, "sqlite+aiosqlite:///x.db") is None


def test_the_demo_has_an_admin_residents_and_workers() -> None:
    emulator = Emulator(TOKEN, clock=lambda: datetime.now(UTC))
    group, kinds = create_demo(emulator)
    assert group.title == DEMO_GROUP_TITLE
    assert len(group.admins) == 1 and len(group.members) == 4
    assert sorted(kinds.values()) == ["resident", "resident", "worker", "worker"]


def test_a_newcomer_on_the_roster_tells_their_kind_once_and_only_if_the_bot_has_it_wrong() -> None:
    emulator = Emulator(TOKEN, clock=lambda: datetime.now(UTC))
    group, kinds = create_demo(emulator)
    alice, bob, carmen, wei = (user.id for user in emulator.users)
    told: set[tuple[int, int]] = set()
    roster = {alice: "resident", carmen: "resident"}
    assert list(kinds_to_tell(group, roster, kinds, told)) == [(carmen, "/iam worker")]
    assert told == {(group.id, alice), (group.id, carmen)}
    # Carmen said /iam resident by hand later; Wei joined: only Wei is told.
    roster |= {wei: "resident"}
    assert list(kinds_to_tell(group, roster, kinds, told)) == [(wei, "/iam worker")]
    assert list(kinds_to_tell(group, roster, kinds, told)) == []
    assert bob not in roster
