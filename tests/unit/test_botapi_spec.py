"""The pinned Bot API description, as the tests read it: the validator and the generator."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.botapi import BOT_API_VERSION, Conformance, objects, updates, validate, validate_result

MESSAGE: dict[str, Any] = {
    "message_id": 5,
    "date": 1_780_000_000,
    "chat": {"id": -1001, "type": "supergroup", "title": "Maple Court"},
    "from": {"id": 42, "is_bot": True, "first_name": "Courtyard", "username": "CourtyardBot"},
    "text": "Poll #1",
    "link_preview_options": {"is_disabled": True},
}


def test_the_pinned_description_is_a_known_bot_api() -> None:
    assert BOT_API_VERSION.startswith("Bot API ")


def test_a_message_as_telegram_sends_it_conforms() -> None:
    assert validate("Message", MESSAGE) == []
    assert validate_result("sendMessage", MESSAGE) == []
    assert validate_result("editMessageText", True) == []


def test_unknown_fields_wrong_types_and_missing_fields_are_each_named() -> None:
    broken = {**MESSAGE, "colour": "green", "date": "today"}
    del broken["chat"]
    errors = validate("Message", broken)
    assert "Message.colour: unknown field of Message" in errors
    assert any(e.startswith("Message.date: expected Integer, got str") for e in errors)
    assert "Message.chat: required field of Message is missing" in errors
    assert validate("User", {"id": True, "is_bot": False, "first_name": "A"}) != []


def test_unions_accept_any_of_their_kinds() -> None:
    owner = {"status": "creator", "user": MESSAGE["from"], "is_anonymous": False}
    assert validate("ChatMember", owner) == []
    gone = {"chat": MESSAGE["chat"], "message_id": 3, "date": 0}
    assert validate("MaybeInaccessibleMessage", gone) == []
    assert validate("ChatMember", {"status": "creator"}) != []


def test_a_union_value_is_judged_as_the_member_its_discriminator_names() -> None:
    """status "administrator" without rights is a broken administrator, not a fine member;
    a message with date 0 is an InaccessibleMessage, which has no text."""
    bare_admin = {"status": "administrator", "user": MESSAGE["from"]}
    errors = validate("ChatMember", bare_admin)
    assert (
        "ChatMember.can_be_edited: required field of ChatMemberAdministrator is missing (as ChatMemberAdministrator)"
        in errors
    )
    assert all(e.endswith("(as ChatMemberAdministrator)") for e in errors)
    banned = {"status": "kicked", "user": MESSAGE["from"], "until_date": 0}
    assert validate("ChatMember", banned) == []
    assert validate("ChatMemberBanned", {**banned, "status": "left"}) == [
        "ChatMemberBanned.status: always 'kicked' in ChatMemberBanned, got 'left'"
    ]
    assert validate("MaybeInaccessibleMessage", {**MESSAGE, "date": 0}) == [
        "MaybeInaccessibleMessage.from: unknown field of InaccessibleMessage (as InaccessibleMessage)",
        "MaybeInaccessibleMessage.text: unknown field of InaccessibleMessage (as InaccessibleMessage)",
        "MaybeInaccessibleMessage.link_preview_options: unknown field of InaccessibleMessage (as InaccessibleMessage)",
    ]
    assert validate("MaybeInaccessibleMessage", MESSAGE) == []


@given(update=updates(max_depth=3))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_updates_conform_to_the_description(update: dict[str, Any]) -> None:
    assert validate("Update", update) == []
    assert len(update) == 2


@given(message=objects("Message", max_depth=2))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_messages_conform(message: dict[str, Any]) -> None:
    assert validate("Message", message) == []


def test_the_conformance_observer_names_an_answer_that_drifted() -> None:
    checker = Conformance()
    checker("sendMessage", MESSAGE)
    checker("getUpdates", [{"update_id": 1, "message": MESSAGE}])
    assert checker.problems == []
    checker("sendMessage", {**MESSAGE, "colour": "green"})
    checker("getChatMemberCount", "three")
    assert checker.problems == [
        "sendMessage().colour: unknown field of Message",
        "getChatMemberCount(): expected Integer, got str 'three'",
    ]


def test_the_conformance_observer_checks_pending_updates_no_bot_fetched() -> None:
    checker = Conformance()
    fetched = {"update_id": 1, "message": MESSAGE}
    checker("getUpdates", [fetched])
    pending = {"update_id": 2, "message": {**MESSAGE, "colour": "green"}}
    checker.check_pending([fetched, pending])
    assert checker.problems == ["pending Update 2.message.colour: unknown field of Message"]


@given(value=objects("MaybeInaccessibleMessage", max_depth=2))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_union_values_are_the_member_they_were_drawn_as(value: dict[str, Any]) -> None:
    assert validate("MaybeInaccessibleMessage", value) == []
