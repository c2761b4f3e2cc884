"""Every user-visible string exists in every language, with the same placeholders.

The catalogs must also be current: extracted from today's code and compiled,
because a plain ``pip install`` ships the committed .mo files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from locales import DOMAIN, LOCALES_DIR

ROOT = LOCALES_DIR.parent
TRANSLATED = ("ru", "zh_Hans")
KEYWORDS = {"t": None, "gettext": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
TAG = re.compile(r"</?([a-z-]+)")


def _po(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _code_messages() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            keywords=KEYWORDS,
            method_map=[("**.py", "python"), ("web/templates/**.html", "jinja2")],
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _key(message_id: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(_strings(message_id))


def _strings(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_template_is_current_with_the_code() -> None:
    with (LOCALES_DIR / f"{DOMAIN}.pot").open("rb") as handle:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    missing = _code_messages() - template
    assert not missing, f"run locales/update.sh: not extracted yet: {sorted(missing)[:5]}"
    # A message the extractor no longer finds is dropped by the next update.sh, even when the
    # code still shows it (a translator called by a name that is not a keyword).
    unused = template - _code_messages()
    assert not unused, (
        f"not found in the code (call translators t() or .gettext()): {sorted(unused)[:5]}"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str) -> None:
    untranslated = [
        m.id for m in _po(language) if m.id and (m.fuzzy or not all(_strings(m.string)))
    ]
    assert not untranslated, (
        f"{language}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    )
    assert _code_messages() <= {m.id if isinstance(m.id, str) else m.id[0] for m in _po(language)}


@pytest.mark.parametrize("language", ("en", *TRANSLATED))
def test_placeholders_and_tags_match(language: str) -> None:
    for message in _po(language):
        if not message.id:
            continue
        sources = _strings(message.id)
        expected = {tuple(sorted(set(PLACEHOLDER.findall(s)) - {"n"})) for s in sources}
        tags = {tuple(sorted(TAG.findall(s))) for s in sources}
        for translation in _strings(message.string):
            if not translation:
                continue
            found = tuple(sorted(set(PLACEHOLDER.findall(translation)) - {"n"}))
            assert found in expected, f"{language}: {message.id!r} → {translation!r}"
            assert tuple(sorted(TAG.findall(translation))) in tags, (
                f"{language}: tags differ in {message.id!r}"
            )
            translation.format(**dict.fromkeys(found, "x"), n=1)


@pytest.mark.parametrize("language", ("en", *TRANSLATED))
def test_compiled_catalog_matches_source(language: str) -> None:
    mo_path: Path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo_path.open("rb") as handle:
        compiled = {_key(m.id): tuple(_strings(m.string)) for m in read_mo(handle) if m.id}
    source = {
        _key(m.id): tuple(_strings(m.string))
        for m in _po(language)
        if m.id and not m.fuzzy and all(_strings(m.string))
    }
    stale = sorted(k for k in source if compiled.get(k) != source[k])
    assert not stale, f"run locales/update.sh to recompile {language}: {stale[:3]}"
