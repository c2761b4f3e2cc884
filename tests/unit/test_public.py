"""The public page: opting in with /setup, what the page gathers, and the page over HTTP.

Alice, an admin, publishes Maple Court's page with /setup public=on; the bot posts an
address nobody could guess from the chat. The page shows the plan, needs, open problems,
poll results (totals only), the duty schedule, the fund, budgets and the audit log, in the
community's language or the one asked for, with display names only; /setup public=off
takes it down.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.web.site import HEADERS, PublicSite, Source
from handlers.core.i18n import Translator
from handlers.public.rules import Money, format_money, is_slug, sheet_cell
from handlers.public.snapshot import LOG_PAGE, gather
from handlers.public.use_cases import SLUG_KEY
from models import AuditEntry, Community, OutboxMessage, Problem, User
from models.db import reading
from tests.support import Driver, text, write_at_once
from tests.unit.public_rows import NASTY, PAGES, Street, lively_community

Client = TestClient[Any, Any]


@pytest.fixture
def driver(driver: Driver) -> Driver:
    """The bot with a public address, as PUBLIC_URL gives it."""
    driver.app.services = replace(driver.services, public_url=PAGES)
    return driver


@pytest.fixture
async def client(driver: Driver) -> AsyncIterator[Client]:
    site = PublicSite(lambda: Source(driver.sessions, driver.app.registry, driver.clock))
    async with TestClient(TestServer(site.install(web.Application()))) as client:
        yield client


async def community(driver: Driver, chat_id: int) -> Community:
    async with driver.sessions() as session:
        found = await session.scalar(select(Community).where(Community.chat_id == chat_id))
        assert found is not None
        return found


async def posted(driver: Driver) -> list[str]:
    async with driver.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [row.payload["text"] for row in rows]


# Opting in and out


async def test_an_admin_publishes_the_page_at_an_address_nobody_can_guess(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    assert SLUG_KEY not in (await community(driver, chat.id)).settings

    reply = text(await driver.send(alice, chat, "/setup public=on"))
    assert "The public page is on; /export sends the same data as a file." in reply
    found = await community(driver, chat.id)
    slug = found.settings[SLUG_KEY]
    assert found.settings["public"] is True
    assert is_slug(slug) and len(slug) >= 22
    assert str(abs(chat.id)) not in slug
    address = f"{PAGES}/public/{slug}"
    announcement = (await posted(driver))[-1]
    assert f'<a href="{address}">{address}</a>' in announcement
    assert "never how anyone voted" in announcement
    assert (await audit_of(driver))[-1] == ("community.setting", "public", "True")

    other = await driver.community(bob, setup="public=on")
    assert (await community(driver, other.id)).settings[SLUG_KEY] != slug

    reply = text(await driver.send(alice, chat, "/setup public=off"))
    assert "The public page is off (/setup public=on publishes it)." in reply
    assert (await community(driver, chat.id)).settings["public"] is False
    await driver.send(alice, chat, "/setup public=on")
    assert (await community(driver, chat.id)).settings[SLUG_KEY] == slug, "the address is kept"
    assert address in (await posted(driver))[-1]


async def audit_of(driver: Driver) -> list[tuple[str, str, str]]:
    async with driver.sessions() as session:
        entries = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.details.get("name", ""), e.details.get("value", "")) for e in entries]


async def test_only_an_admin_publishes_and_only_on_or_off(driver: Driver) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = await driver.community(alice, bob)
    refused = text(await driver.send(bob, chat, "/setup public=on"))
    assert "Only an admin of this Telegram group can run /setup." in refused
    assert not (await community(driver, chat.id)).settings.get("public")

    refused = text(await driver.send(alice, chat, "/setup public=maybe"))
    assert "public is on or off, not “maybe”." in refused
    assert "<code>/setup public=on</code>" in refused
    assert SLUG_KEY not in (await community(driver, chat.id)).settings


async def test_without_a_public_url_the_bot_says_who_must_set_one(driver: Driver) -> None:
    driver.app.services = replace(driver.services, public_url=None)
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/setup public=on")
    assert "whoever runs it sets PUBLIC_URL" in (await posted(driver))[-1]
    assert SLUG_KEY in (await community(driver, chat.id)).settings


async def test_the_address_is_posted_in_the_community_language(driver: Driver) -> None:
    alice = driver.person("Alice")
    chat = driver.group(admins=(alice,))
    await driver.send(alice, chat, "/setup ru public=on")
    assert "Публичная страница" in (await posted(driver))[-1]


# What the page gathers


async def test_the_snapshot_has_every_section_with_display_names_and_totals(
    driver: Driver,
) -> None:
    street = await lively_community(driver)
    await driver.send(street.alice, street.chat, "/outcome 2 Green; Bob buys the paint")
    async with reading(driver.sessions) as session:
        found = await session.get(Community, street.community_id)
        assert found is not None
        t = Translator("en", found.timezone)
        s = await gather(session, found, driver.app.registry.audit_templates, t, driver.clock.now())

    item = s.plan.rows[0]
    assert (item.number, item.title, item.status, item.taker) == (
        1,
        "Paint the door",
        "in_progress",
        "Bob Stone",
    )
    assert (item.cost, item.funded_by) == (Money(12_050, "EUR"), 1)
    assert [(r.number, r.status, r.taker) for r in s.plan.rows[1:]] == [(2, "planned", None)]
    assert [(n.number, n.text, n.author, n.support) for n in s.needs.rows] == [
        (2, NASTY, "Carmen Stone", 1)
    ]
    assert [(p.number, p.text, p.reporter) for p in s.problems.rows] == [(1, NASTY, "Carmen Stone")]

    adoption, colour = s.polls.rows  # latest closed first: the adoption vote ran 72 h
    assert colour.question == "Colour of the door?"
    assert [(o.name, o.votes, o.won) for o in colour.options] == [
        ("Green", 2, True),
        ("Blue", 1, False),
    ]
    assert (colour.ballots, colour.electorate, colour.decision) == (3, 3, None)
    assert colour.outcome is not None and adoption.outcome is None
    assert (colour.outcome.text, colour.outcome.by) == ("Green; Bob buys the paint", "Alice Stone")
    assert adoption.decision == ("need", 1, 1), "need #1 became plan item #1"

    assert s.shifts.total >= 2 and s.shifts.rows[0].duty == "Night watch"
    assert all(len(shift.people) == 2 for shift in s.shifts.rows)
    assert set(s.shifts.rows[0].people) <= {"Alice Stone", "Bob Stone", "Carmen Stone"}

    assert s.balance == (Money(50_000, "EUR"),), "a commitment is a promise, not money out"
    assert [(e.number, e.kind, e.state, e.amount.minor) for e in s.fund.rows] == [
        (5, "commitment", "recorded", -12_050),
        (4, "out", "pending", -90_000),
        (3, "reversal", "recorded", 1_234),
        (2, "out", "recorded", -1_234),
        (1, "in", "recorded", 50_000),
    ]
    commitment, pending, reversal = s.fund.rows[:3]
    assert (commitment.plan_item, commitment.budget, commitment.recorded_by) == (1, 1, None)
    assert (pending.poll, pending.recorded_by, reversal.reverses) == (2, "Bob Stone", 2)

    (budget,) = s.budgets.rows
    assert [(i.plan_item, i.cost.minor, i.support, i.funded) for i in budget.items] == [
        (1, 12_050, 2, True),
        (2, 45_000, 1, False),
    ]
    assert (budget.funded, budget.left) == (Money(12_050, "EUR"), Money(37_950, "EUR"))

    texts = [str(a.text) for a in s.audit.rows]
    assert "Alice Stone opened poll #2: Colour of the door?" in texts
    assert "Carmen Stone proposed need #2: &lt;script&gt;" in "\n".join(texts)


async def test_a_name_that_is_only_an_id_never_shows(driver: Driver) -> None:
    alice = driver.person("Alice")
    nameless = replace(driver.person(""), id=7_555_000_111)  # Telegram: no name, the id
    chat = await driver.community(alice, nameless)
    await driver.send(nameless, chat, "/report The lift is stuck")
    found = await community(driver, chat.id)
    async with reading(driver.sessions) as session:
        user = await session.get(User, nameless.id)
        assert user is not None and user.display_name == "7555000111"
        s = await gather(
            session,
            found,
            driver.app.registry.audit_templates,
            Translator("en"),
            driver.clock.now(),
        )
    assert s.problems.rows[0].reporter == "a member"
    assert all("7555000111" not in str(a.text) for a in s.audit.rows)


# The page over HTTP


async def page(client: Client, slug: str, query: str = "") -> str:
    response = await client.get(f"/public/{slug}{query}")
    assert response.status == 200, await response.text()
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    return await response.text()


async def test_a_community_that_never_opted_in_or_opted_out_has_no_page(
    driver: Driver, client: Client
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice)
    await driver.send(alice, chat, "/setup public=on")
    slug = (await community(driver, chat.id)).settings[SLUG_KEY]
    assert "<h1>Maple Court</h1>" in await page(client, slug)

    await driver.send(alice, chat, "/setup public=off")
    for path in ("", "/export.json", "/export.zip", "/fund.csv"):
        response = await client.get(f"/public/{slug}{path}")
        assert response.status == 404
        assert "No public page here" in await response.text()
    for path in ("/public/" + "A" * 22, "/public/short", "/public/../etc/passwd", "/public/"):
        assert (await client.get(path)).status == 404
    await driver.send(alice, chat, "/setup public=on")
    assert (await client.get(f"/public/{slug}/nothing.csv")).status == 404


async def test_the_page_speaks_the_community_language_and_switches(
    driver: Driver, client: Client
) -> None:
    alice, bob = driver.person("Alice"), driver.person("Bob")
    chat = driver.group(admins=(alice,))
    await driver.send(alice, chat, "/setup ru public=on")
    await driver.send(bob, chat, "/join")
    await driver.send(bob, chat, "/report Лифт застрял")
    slug = (await community(driver, chat.id)).settings[SLUG_KEY]

    russian = await page(client, slug)
    assert '<html lang="ru">' in russian
    assert "Открытые проблемы" in russian and "Лифт застрял" in russian
    english = await page(client, slug, "?lang=en")
    assert '<html lang="en">' in english and "Open problems" in english
    assert "reported problem #1" in english, "the audit log is in the page's language"
    chinese = await page(client, slug, "?lang=zh-hans")
    assert '<html lang="zh-Hans">' in chinese
    assert f'href="{slug}?lang=ru"' in chinese and 'aria-current="page"' in chinese
    assert f'href="{slug}/export.json?lang=zh_Hans"' in chinese
    assert '<html lang="ru">' in await page(client, slug, "?lang=klingon")


async def test_the_fund_section_shows_the_ledger_exactly(driver: Driver, client: Client) -> None:
    street = await lively_community(driver)
    html = await page(client, street.slug)
    fund = section(html, "fund")
    assert "Balance: <strong>€500.00</strong>" in fund
    assert "a budget round’s promise, paid out later; not counted in the balance" in fund
    for amount in ("€500.00", "-€12.34", "€12.34", "-€900.00", "-€120.50"):
        assert f'<td class="num">{amount}</td>' in fund, amount
    assert "reverses entry #2" in fund
    assert "waits for the members’ vote, poll #2; not counted yet" in fund
    assert "for plan item #1" in fund and "the bot" in fund
    russian = section(await page(client, street.slug, "?lang=ru"), "fund")
    assert "500,00\xa0€" in russian and "-900,00\xa0€" in russian
    chinese = section(await page(client, street.slug, "?lang=zh_Hans"), "fund")
    assert "€500.00" in chinese


def section(html: str, name: str) -> str:
    match = re.search(rf'<section id="{name}".*?</section>', html, re.S)
    assert match is not None, name
    return match[0]


async def test_long_sections_say_what_they_leave_out_and_the_log_has_pages(
    driver: Driver, client: Client
) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice, setup="public=on")
    found = await community(driver, chat.id)
    async with driver.sessions() as session, session.begin():
        for number in range(LOG_PAGE + 5):
            at = driver.clock.now()
            session.add(
                Problem(
                    community_id=found.id,
                    number=number + 1,
                    text=f"Problem {number}",
                    reporter_id=alice.id,
                    created_at=at,
                )
            )
            session.add(
                AuditEntry(
                    community_id=found.id,
                    at=at,
                    actor_id=alice.id,
                    action="problem.reported",
                    details={
                        "actor": "Alice",
                        "number": str(number + 1),
                        "text": f"Problem {number}",
                    },
                )
            )
    slug = found.settings[SLUG_KEY]
    html = await page(client, slug)
    assert "The latest 25 of 55; the downloads have them all." in section(html, "problems")
    log = section(html, "log")
    assert log.count("<li>") == LOG_PAGE and "Page 1 of 2" in log
    assert f'href="{slug}?log=2#log"' in log
    older = section(await page(client, slug, "?log=2"), "log")
    assert "Page 2 of 2" in older and "Problem 0" in older and "Problem 54" not in older


async def test_no_ids_usernames_or_votes_reach_the_page_and_text_stays_text(
    driver: Driver, client: Client
) -> None:
    street = await lively_community(driver)
    for language in ("en", "ru", "zh_Hans"):
        html = await page(client, street.slug, f"?lang={language}")
        assert_nothing_private(street, html)
        assert "<script" not in html.lower(), "what people wrote is escaped"
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; =HYPERLINK" in html
        polls = section(html, "polls")
        for person in street.people:
            assert person.first_name not in polls, "a poll result names nobody"


def assert_nothing_private(street: Street, published: str) -> None:
    """No Telegram id, username or mention link of anyone, nor the chat's id."""
    for person in street.people:
        assert str(person.id) not in published
        assert person.username is not None and person.username not in published
    assert str(abs(street.chat.id)) not in published
    assert "tg://" not in published


async def test_a_page_being_read_holds_up_no_chat(driver: Driver, database_url: str) -> None:
    alice = driver.person("Alice")
    chat = await driver.community(alice, setup="public=on")
    async with reading(driver.sessions) as session:
        found = await community(driver, chat.id)
        await gather(
            session,
            found,
            driver.app.registry.audit_templates,
            Translator("en"),
            driver.clock.now(),
        )
        await write_at_once(database_url)  # raises if the reader held a lock a writer needs


def test_the_bot_loads_no_web_page_code_until_it_serves_pages() -> None:
    probe = (
        "import sys, bot.cli, bot.lifecycle, bot.service, handlers.features, bot.web.site;"
        "print(sorted(m for m in ('jinja2', 'bot.web.pages') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# Money and cells


@given(st.integers(-(10**15), 10**15), st.sampled_from(["EUR", "JPY", "BHD", "RUB", "CNY"]))
def test_money_is_exact_from_minor_units(minor: int, currency: str) -> None:
    money = Money(minor, currency)
    assert money.amount.scaleb(money.digits) == minor
    assert money.amount.as_tuple().exponent == -money.digits
    shown = format_money(money, "en")
    digits = re.sub(r"\D", "", shown)
    assert int(digits) == abs(minor)
    assert shown.startswith("-") == (minor < 0)


@given(st.text())
def test_a_cell_of_user_text_is_never_a_formula(value: str) -> None:
    cell = sheet_cell(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (value, "'" + value)
