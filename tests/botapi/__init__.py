"""The machine-readable Bot API description as the oracle for tests.

``api.json`` beside this file is a pinned copy of ``api.json`` from
github.com/PaulSonOfLars/telegram-bot-api-spec at commit
160fd99507e1c7c77e92dc90f5993d724735b51c: Bot API 10.1 (June 11, 2026). To move to a newer
Bot API, replace the file with a newer one from that repository and update this paragraph.

Two uses:

* :func:`validate` / :func:`validate_result` check an object the emulator returns (or an update
  it hands out) against the description: only known fields, the right JSON types, every
  required field present. Our emulator is our mirror; this keeps it answering like Telegram.
* :func:`objects` / :func:`updates` are hypothesis strategies that build valid objects of any
  type, with each optional field present or absent at random, so the runtimes can be fed every
  shape Telegram may send.

Constants the description states in words ("always “creator”", "can be either “private”, …")
are honoured when building objects (mostly: sometimes an unknown value is drawn instead, as a
future Bot API may add one). The validator checks types, and of the constants only those that
tell a union's members apart (ChatMemberBanned's status is always "kicked",
InaccessibleMessage's date always 0): they decide which member a value is judged as.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "BOT_API_VERSION",
    "NEWER_FIELDS",
    "SPEC",
    "Conformance",
    "load_spec",
    "objects",
    "updates",
    "validate",
    "validate_result",
]

_HERE = Path(__file__).resolve().parent
_PRIMITIVES = {"Integer", "String", "Boolean", "Float", "True", "InputFile"}
_QUOTED = re.compile(r"[“\"]([^”\"]+)[”\"]")
_ALWAYS_NUMBER = re.compile(r"\balways (-?\d+)\b", re.I)
_ALWAYS_QUOTED = re.compile(r"\balways [“\"]([^”\"]+)[”\"]")
_LEADING_ALWAYS_NUMBER = re.compile(r"^Always (-?\d+)\b")
_INT64 = 2**53
#: At most this many optional fields are filled per object (Message alone has over a hundred).
OPTIONAL_FIELDS = 6  # Telegram's ids fit in 52 bits; JSON clients must read them exactly


#: Fields Telegram added after the pinned description (Bot API 10.2-10.3), which the
#: frameworks we run already require: aiogram 3.31 (Bot API 10.3) refuses a
#: ChatMemberAdministrator without ``can_send_welcome_messages``. Each entry names its source;
#: drop an entry when a newer pinned description has the field.
NEWER_FIELDS: dict[str, list[dict[str, Any]]] = {
    "ChatMemberAdministrator": [
        {
            "name": "can_send_welcome_messages",
            "types": ["Boolean"],
            "required": True,
            "description": "aiogram 3.31 types/chat_member_administrator.py (Bot API 10.3)",
        }
    ],
}


@cache
def load_spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_HERE / "api.json").read_text(encoding="utf-8"))
    for type_name, fields in NEWER_FIELDS.items():
        known = {f["name"] for f in data["types"][type_name]["fields"]}
        data["types"][type_name]["fields"].extend(f for f in fields if f["name"] not in known)
    return data


#: The description itself (with NEWER_FIELDS): {"version", "methods", "types", ...}.
SPEC: dict[str, Any] = load_spec()
BOT_API_VERSION: str = SPEC["version"]


def _type(name: str) -> dict[str, Any]:
    types: dict[str, dict[str, Any]] = load_spec()["types"]
    if name not in types:
        raise KeyError(f"the Bot API has no type {name!r}")
    return types[name]


# -- validation ----------------------------------------------------------------------------


def validate(type_name: str, value: object, path: str | None = None) -> list[str]:
    """Every way ``value`` differs from the Bot API's ``type_name``; empty when it conforms."""
    return _check([type_name], value, path or type_name)


def validate_result(method: str, result: object) -> list[str]:
    """Check the result of a Bot API method against what the description says it returns."""
    methods: dict[str, dict[str, Any]] = {m.lower(): v for m, v in load_spec()["methods"].items()}
    spec = methods.get(method.lower())
    if spec is None:
        return [f"{method}: not a Bot API method"]
    return _check(list(spec["returns"]), result, f"{spec['name']}()")


def _check(types: list[str], value: object, path: str) -> list[str]:
    """``value`` against a union of type strings; the closest alternative's errors if none fits."""
    best: list[str] | None = None
    for type_string in types:
        errors = _check_one(type_string, value, path)
        if not errors:
            return []
        if best is None or len(errors) < len(best):
            best = errors
    return best or [f"{path}: no type given"]


def _check_one(type_string: str, value: object, path: str) -> list[str]:
    if type_string.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{path}: expected {type_string}, got {type(value).__name__}"]
        inner = type_string.removeprefix("Array of ")
        return [e for i, item in enumerate(value) for e in _check_one(inner, item, f"{path}[{i}]")]
    if type_string in _PRIMITIVES:
        return [] if _primitive_ok(type_string, value) else [_wrong(path, type_string, value)]
    spec = _type(type_string)
    if subtypes := spec.get("subtypes"):
        return _check_union(list(subtypes), value, path)
    if not isinstance(value, dict):
        return [_wrong(path, type_string, value)]
    fields = {f["name"]: f for f in spec.get("fields", [])}
    errors = [f"{path}.{key}: unknown field of {type_string}" for key in value if key not in fields]
    for name, field in fields.items():
        if name not in value:
            if field["required"]:
                errors.append(f"{path}.{name}: required field of {type_string} is missing")
            continue
        errors.extend(_check(list(field["types"]), value[name], f"{path}.{name}"))
    for name, constant in _discriminators(type_string).items():
        if name in value and value[name] != constant:
            errors.append(
                f"{path}.{name}: always {constant!r} in {type_string}, got {value[name]!r}"
            )
    return errors


def _check_union(members: list[str], value: object, path: str) -> list[str]:
    """A union's value is judged as the member its discriminator names.

    ChatMember by ``status`` ("kicked" is ChatMemberBanned), MaybeInaccessibleMessage by
    ``date == 0``: a member whose constants all match is the one meant, and members without
    constants (Message) are meant only when none matches. Without that, an "administrator"
    lacking its rights would pass as a ChatMemberMember, a date-0 message as a Message.
    When no member fits, the problems are those of the closest meant member.
    """
    named = [m for m in members if _discriminators(m) and _carries(value, _discriminators(m))]
    plain = [m for m in members if not _discriminators(m)]
    candidates = named or plain or members
    best: tuple[str, list[str]] | None = None
    for member in candidates:
        errors = _check_one(member, value, path)
        if not errors:
            return []
        if best is None or len(errors) < len(best[1]):
            best = (member, errors)
    assert best is not None
    member, errors = best
    return [f"{error} (as {member})" for error in errors]


def _carries(value: object, constants: dict[str, object]) -> bool:
    return isinstance(value, dict) and all(value.get(k) == v for k, v in constants.items())


@cache
def _discriminators(type_string: str) -> dict[str, object]:
    """The constants of a union member's fields: ``status`` always "kicked", ``date`` always 0.

    Only members of a union count: elsewhere "always" is prose ("always 0 for crafted gifts").
    """
    types: dict[str, dict[str, Any]] = load_spec()["types"]
    spec = types.get(type_string)
    if spec is None or not spec.get("subtype_of"):
        return {}
    found: dict[str, object] = {}
    for field in spec.get("fields", []):
        description = str(field.get("description", ""))
        quoted = _ALWAYS_QUOTED.search(description)
        number = _LEADING_ALWAYS_NUMBER.match(description)
        if field["types"] == ["String"] and quoted:
            found[field["name"]] = quoted[1]
        elif field["types"] == ["Integer"] and number:
            found[field["name"]] = int(number[1])
    return found


def _primitive_ok(type_string: str, value: object) -> bool:
    if type_string == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_string == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_string == "Boolean":
        return isinstance(value, bool)
    if type_string == "True":
        return value is True
    return isinstance(value, str)  # String, and InputFile as a file_id or URL


def _wrong(path: str, expected: str, value: object) -> str:
    return f"{path}: expected {expected}, got {type(value).__name__} {value!r:.60}"


# -- generation ----------------------------------------------------------------------------


def objects(type_name: str, *, max_depth: int = 3) -> st.SearchStrategy[Any]:
    """Valid objects of ``type_name``: required fields always, optional ones at random.

    Beyond ``max_depth`` nested objects, optional object-valued fields are left out (required
    ones are still built), so recursive types like Message stay finite.
    """
    return _strategy(type_name, max_depth)


def updates(*, max_depth: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    """An Update as Telegram sends it: an update_id and exactly one of its payloads."""
    fields = [f for f in _type("Update")["fields"] if f["name"] != "update_id"]

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        field = draw(st.sampled_from(fields))
        payload = draw(_field_strategy(field, max_depth - 1))
        return {"update_id": draw(st.integers(1, 2**31 - 1)), field["name"]: payload}

    return build()


@cache
def _strategy(type_name: str, depth: int) -> st.SearchStrategy[Any]:
    spec = _type(type_name)
    if subtypes := spec.get("subtypes"):
        if depth < 0:  # deep enough: prefer kinds that need no further object (RichText …)
            subtypes = [sub for sub in subtypes if _is_leaf(sub)] or subtypes
        return st.one_of([_member_strategy(sub, list(subtypes), depth) for sub in subtypes])
    fields = spec.get("fields", [])
    required = {f["name"]: _field_strategy(f, depth - 1) for f in fields if f["required"]}
    optional = {
        f["name"]: _field_strategy(f, depth - 1)
        for f in fields
        if not f["required"] and (depth > 0 or all(t in _PRIMITIVES for t in f["types"]))
    }
    names = sorted(optional)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        value = {name: draw(strategy) for name, strategy in required.items()}
        if names:
            some = st.lists(st.sampled_from(names), max_size=OPTIONAL_FIELDS, unique=True)
            for name in draw(some):
                value[name] = draw(optional[name])
        return value

    return build()


def _member_strategy(member: str, members: list[str], depth: int) -> st.SearchStrategy[Any]:
    """A union member's values; a member without constants (Message) never carries a
    sibling's (date 0 is an InaccessibleMessage), so the validator judges it as drawn."""
    strategy = _type_strategy(member, depth)
    if _discriminators(member):
        return strategy
    siblings = [_discriminators(m) for m in members if _discriminators(m)]
    if not siblings:
        return strategy
    return strategy.filter(lambda value: not any(_carries(value, c) for c in siblings))


def _is_leaf(type_string: str) -> bool:
    """A primitive, or an object none of whose required fields holds another object."""
    if type_string in _PRIMITIVES or type_string.startswith("Array of "):
        return True  # an array can be empty
    spec = _type(type_string)
    if "subtypes" in spec:
        return False
    return all(
        t in _PRIMITIVES or t.startswith("Array of ")
        for f in spec.get("fields", [])
        if f["required"]
        for t in f["types"]
    )


def _field_strategy(field: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    description = str(field.get("description", ""))
    types: list[str] = field["types"]
    if types == ["String"]:
        named = _QUOTED.findall(description)
        if re.search(r"\balways [“\"]", description, re.I):
            return st.just(named[0])
        if named and "can be" in description:
            return st.one_of(st.sampled_from(named), st.text(max_size=12))
        if field["name"] in ("text", "data"):
            command = st.from_regex(r"\A/[a-z_]{1,12}(@[A-Za-z]{1,12}Bot)?( [^\n]{0,20})?\Z")
            return st.one_of(st.text(max_size=40), command)
    if types == ["Integer"] and (always := _ALWAYS_NUMBER.search(description)):
        return st.just(int(always[1]))
    return st.one_of([_type_strategy(t, depth) for t in types])


def _type_strategy(type_string: str, depth: int) -> st.SearchStrategy[Any]:
    if type_string.startswith("Array of "):
        inner = type_string.removeprefix("Array of ")
        if depth < 0 and inner.removeprefix("Array of ") not in _PRIMITIVES:
            return st.just([])  # deep enough: an empty list ends a cycle through arrays
        return st.lists(_type_strategy(inner, depth), max_size=3)
    if type_string == "Integer":
        return st.integers(-_INT64, _INT64)
    if type_string == "Float":
        return st.floats(allow_nan=False, allow_infinity=False, width=32)
    if type_string == "Boolean":
        return st.booleans()
    if type_string == "True":
        return st.just(True)
    if type_string in ("String", "InputFile"):
        return st.text(max_size=40)
    return _strategy(type_string, depth)


class Conformance:
    """An emulator observer: holds every answer against the description, keeps the problems.

    Register it with ``Emulator.observe``; it sees every successful answer, and through
    getUpdates' answers every update handed out. :meth:`check_pending` covers the updates
    a test made but no bot fetched. Methods the description does not know (none today) are
    skipped rather than failed, so the emulator may grow test-only endpoints without
    pretending they are Telegram's. Each problem is kept once, at most five per answer.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []
        self._methods = {m.lower() for m in load_spec()["methods"]}
        self._handed_out: set[int] = set()

    def __call__(self, method: str, result: object) -> None:
        if method.lower() not in self._methods:
            return
        if method.lower() == "getupdates" and isinstance(result, list):
            self._handed_out.update(
                u["update_id"] for u in result if isinstance(u, dict) and "update_id" in u
            )
        self._keep(validate_result(method, result))

    def check_pending(self, pending: Iterable[Mapping[str, Any]]) -> None:
        """Hold updates no bot fetched against the description (those fetched were held)."""
        for update in pending:
            update_id = update.get("update_id")
            if update_id not in self._handed_out:
                self._keep(validate("Update", update, path=f"pending Update {update_id}"))

    def _keep(self, problems: list[str]) -> None:
        for problem in problems[:5]:
            if problem not in self.problems:
                self.problems.append(problem)
