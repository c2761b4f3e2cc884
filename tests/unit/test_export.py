"""Exports: the page's data as JSON, as CSV files, and sent to the chat by /export.

The files hold every section, all of it, with exact amounts, ISO moments in UTC and display
names only; CSV is quoted by the book and free text can never run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from bot.web.site import PublicSite, Source
from handlers.core import limits
from handlers.core.i18n import Translator
from handlers.core.messages import Outgoing
from handlers.public import export, use_cases
from handlers.public.rules import Money
from handlers.public.snapshot import (
    AuditRow,
    NeedRow,
    Part,
    PlanRow,
    Snapshot,
    gather,
)
from models import Community
from models.db import reading
from tests.support import Driver, text
from tests.unit.public_rows import NASTY, PAGES, Street, lively_community
from tests.unit.test_public import assert_nothing_private

MADE = datetime(2026, 12, 4, 18, 30, tzinfo=UTC)
EMPTY: Part[Any] = Part((), 0)


def bare(**sections: Any) -> Snapshot:
    """A snapshot with nothing in it but ``sections``."""
    values: dict[str, Any] = {
        "title": "Maple Court",
        "language": "en",
        "timezone": "Europe/Berlin",
        "made_at": MADE,
        "plan": EMPTY,
        "needs": EMPTY,
        "problems": EMPTY,
        "polls": EMPTY,
        "shifts": EMPTY,
        "balance": (),
        "fund": EMPTY,
        "budgets": EMPTY,
        "audit": EMPTY,
        "audit_page": 1,
    }
    values.update(sections)
    return Snapshot(**values)


def rows_of(content: bytes) -> list[dict[str, str]]:
    assert content.startswith("\ufeff".encode()), "a byte-order mark, for spreadsheets"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def need(text: str) -> NeedRow:
    return NeedRow(7, text, "Bob", MADE, "open", 3)


# Pure: the formats


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"])))
def test_any_text_comes_back_from_a_csv_cell_as_it_was_written(value: str) -> None:
    content = export.section_csv(bare(needs=Part((need(value),), 1)), "needs")
    (row,) = rows_of(content)
    guarded = value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert row["text"] == ("'" + value if guarded else value)


def test_csv_quotes_commas_quotes_and_newlines_and_defuses_formulas() -> None:
    texts = ['Paint, then "dry"', "two\nlines", "=1+1", "@SUM(A1)", "-2", "+3", "fine"]
    part = Part(tuple(need(t) for t in texts), len(texts))
    content = export.section_csv(bare(needs=part), "needs")
    assert b'"Paint, then ""dry"""' in content
    assert [r["text"] for r in rows_of(content)] == [
        'Paint, then "dry"',
        "two\nlines",
        "'=1+1",
        "'@SUM(A1)",
        "'-2",
        "'+3",
        "fine",
    ]
    assert content.count(b"\r\n") == len(texts) + 1, "RFC 4180 line ends; a newline in a cell stays"


def test_amounts_are_exact_decimals_never_floats_and_never_defused() -> None:
    plan = PlanRow(1, "Door", "planned", None, None, None, None, None, Money(-1, "EUR"), None)
    (row,) = rows_of(export.section_csv(bare(plan=Part((plan,), 1)), "plan"))
    assert (row["cost"], row["currency"]) == ("-0.01", "EUR")
    document = export.as_document(bare(plan=Part((plan,), 1), balance=(Money(10**17 + 1, "BHD"),)))
    assert document["plan"][0]["cost"] == "-0.01"
    assert document["fund"]["balance"] == [{"currency": "BHD", "balance": "100000000000000.001"}]


def test_every_table_has_its_header_even_when_empty_and_the_zip_holds_them_all() -> None:
    empty = bare()
    with zipfile.ZipFile(io.BytesIO(export.as_zip(empty))) as archive:
        assert archive.namelist() == [f"{name}.csv" for name in export.TABLES]
        for name in export.TABLES:
            header = archive.read(f"{name}.csv").decode("utf-8-sig").splitlines()[0]
            assert header.split(",") == list(export.COLUMNS[name])


def test_the_audit_log_is_exported_as_plain_text() -> None:
    entry = AuditRow(MADE, "need.proposed", Markup("Bob proposed need #1: {t}").format(t=NASTY))
    snapshot = bare(audit=Part((entry,), 1))
    document = export.as_document(snapshot)
    assert document["audit"] == [
        {
            "at": "2026-12-04T18:30:00+00:00",
            "action": "need.proposed",
            "text": f"Bob proposed need #1: {NASTY}",
        }
    ]
    (row,) = rows_of(export.section_csv(snapshot, "audit"))
    assert row["text"] == f"Bob proposed need #1: {NASTY}"
    assert export.filename(snapshot, "json") == "courtyard-2026-12-04.json"


# The data of a lively community


async def snapshot_of(driver: Driver, street: Street, language: str = "en") -> Snapshot:
    async with reading(driver.sessions) as session:
        community = await session.get(Community, street.community_id)
        assert community is not None
        return await gather(
            session,
            community,
            driver.app.registry.audit_templates,
            Translator(language, community.timezone),
            driver.clock.now(),
        )


@pytest.fixture
def driver(driver: Driver) -> Driver:
    driver.app.services = replace(driver.services, public_url=PAGES)
    return driver


async def test_json_and_csv_hold_every_section_and_nothing_private(driver: Driver) -> None:
    street = await lively_community(driver)
    snapshot = await snapshot_of(driver, street)
    document = json.loads(export.as_json(snapshot))
    assert document["format"] == "courtyard.public/1"
    assert document["community"] == {"title": "Maple Court", "timezone": "UTC"}
    assert [p["title"] for p in document["plan"]] == ["Paint the door", "New bike shed"]
    assert document["plan"][0] | {"taken_at": None} == {
        "number": 1,
        "title": "Paint the door",
        "status": "in_progress",
        "taken_by": "Bob Stone",
        "taken_at": None,
        "done_at": None,
        "latest_note": None,
        "noted_at": None,
        "cost": "120.50",
        "currency": "EUR",
        "funded_by_budget": 1,
    }
    assert document["needs"][0]["text"] == NASTY and document["needs"][0]["support"] == 1
    assert document["problems"][0]["reported_by"] == "Carmen Stone"
    colour = document["polls"][1]
    assert colour["options"] == [
        {"option": "Green", "votes": 2, "won": True},
        {"option": "Blue", "votes": 1, "won": False},
    ]
    assert (colour["ballots"], colour["electorate"], colour["outcome"]) == (3, 3, None)
    assert document["polls"][0]["decision_plan_item"] == 1
    assert document["shifts"][0]["duty"] == "Night watch"
    assert len(document["shifts"][0]["people"]) == 2
    assert document["fund"]["balance"] == [{"currency": "EUR", "balance": "500.00"}]
    assert [(e["number"], e["amount"], e["state"]) for e in document["fund"]["entries"]] == [
        (5, "-120.50", "recorded"),
        (4, "-900.00", "pending"),
        (3, "12.34", "recorded"),
        (2, "-12.34", "recorded"),
        (1, "500.00", "recorded"),
    ]
    assert document["fund"]["entries"][2]["reverses"] == 2
    budget = document["budgets"][0]
    assert (budget["amount"], budget["funded_total"], budget["left"]) == (
        "500.00",
        "120.50",
        "379.50",
    )
    assert [(i["plan_item"], i["support"], i["funded"]) for i in budget["items"]] == [
        (1, 2, True),
        (2, 1, False),
    ]
    assert any(a["text"].startswith("Carmen Stone reported problem #1") for a in document["audit"])
    assert snapshot.audit.total == len(document["audit"]), "the export has the whole log"

    published = [export.as_json(snapshot).decode()]
    with zipfile.ZipFile(io.BytesIO(export.as_zip(snapshot))) as archive:
        for name in export.TABLES:
            content = archive.read(f"{name}.csv")
            assert content == export.section_csv(snapshot, name)
            published.append(content.decode("utf-8-sig"))
            for row in export.TABLES[name](snapshot):
                assert sorted(row) == sorted(export.COLUMNS[name]), name
    assert all(rows_of(export.section_csv(snapshot, name)) for name in export.TABLES)
    for content in published:
        assert_nothing_private(street, content)
    polls = json.dumps(document["polls"]) + export.section_csv(snapshot, "polls").decode()
    for person in street.people:
        assert person.first_name not in polls, "no poll result names anyone"


async def test_the_page_links_its_exports(driver: Driver) -> None:
    street = await lively_community(driver)
    site = PublicSite(lambda: Source(driver.sessions, driver.app.registry, driver.clock))
    async with TestClient(TestServer(site.install(web.Application()))) as client:
        html = await (await client.get(f"/public/{street.slug}?lang=ru")).text()
        for name in ("export.json?lang=ru", "export.zip?lang=ru", "fund.csv?lang=ru"):
            assert f'href="{street.slug}/{name}"' in html
        response = await client.get(f"/public/{street.slug}/export.json?lang=ru")
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        document = json.loads(await response.read())
        assert document["language"] == "ru" and len(document["fund"]["entries"]) == 5
        response = await client.get(f"/public/{street.slug}/export.zip")
        assert zipfile.ZipFile(io.BytesIO(await response.read())).namelist()[0] == "plan.csv"
        response = await client.get(f"/public/{street.slug}/balance.csv")
        assert rows_of(await response.read()) == [{"currency": "EUR", "balance": "500.00"}]


# /export in the chat


async def test_a_member_gets_json_or_a_zip_of_csv_files(
    driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice, bob, stranger = driver.person("Alice"), driver.person("Bob"), driver.person("Eve")
    chat = await driver.community(alice, bob)
    await driver.send(bob, chat, "/report The lift is stuck")

    (reply,) = await driver.send(bob, chat, "/export")
    assert isinstance(reply, Outgoing) and reply.document is not None
    assert reply.document.filename.endswith(".json")
    assert reply.document.mime_type == "application/json"
    assert json.loads(reply.document.content)["problems"][0]["text"] == "The lift is stuck"
    assert "<b>Maple Court</b>: everything the public page shows, as of" in reply.text
    assert "Public page:" not in reply.text, "no page while it is off"
    assert len(reply.text) <= limits.CAPTION

    await driver.send(alice, chat, "/setup public=on")
    (reply,) = await driver.send(bob, chat, "/export CSV")
    assert isinstance(reply, Outgoing) and reply.document is not None
    assert reply.document.mime_type == "application/zip"
    assert "plan.csv" in zipfile.ZipFile(io.BytesIO(reply.document.content)).namelist()
    assert f"Public page: {PAGES}/public/" in reply.text

    assert "audit log entries" not in reply.text

    monkeypatch.setattr(use_cases, "EXPORT_LOG", 2)
    (reply,) = await driver.send(bob, chat, "/export")
    assert isinstance(reply, Outgoing) and reply.document is not None
    document = json.loads(reply.document.content)
    assert len(document["audit"]) == 2 and document["audit_total"] == 6
    assert "It has the latest 2 of the 6 audit log entries; /log shows them all" in reply.text

    refused = text(await driver.send(stranger, chat, "/export"))
    assert "You are not on the roster yet. Send /join first." in refused
    refused = text(await driver.send(bob, chat, "/export xml"))
    assert "/export sends JSON, or CSV files in a zip: not “xml”." in refused
    assert "<code>/export csv</code>" in refused
    refused = text(await driver.send(bob, driver.private(bob), "/export"))
    assert "/export works in the community's group chat." in refused
