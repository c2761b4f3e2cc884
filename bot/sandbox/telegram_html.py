"""Telegram's HTML subset: parse it the way the Bot API does, and render it back safely.

Why this exists: the most common way a bot breaks in production is a message Telegram refuses
("can't parse entities"), usually because user-supplied text was not escaped or a tag was cut
in half by pagination. The sandbox must refuse exactly what Telegram refuses, so the parser
follows tdlib's ``parse_html`` (``td/telegram/MessageEntity.cpp``): same tag set, same
attribute rules, same error texts with UTF-8 *byte* offsets, entity offsets in UTF-16 code
units, empty entities dropped.

One deliberate difference, switchable: Telegram keeps a bare ``&`` (or an unknown entity such
as ``&nbsp;``) as literal text, although its documentation says every ``&`` outside an entity
must be escaped. With ``strict_entities=True`` (the sandbox default) such text is refused, so a
missing ``html.escape`` shows up in tests instead of in a user's name one day.

:func:`render_html` goes the other way: plain text plus entities to HTML that a browser can
show without trusting anything the bot sent.
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ALLOWED_TAGS",
    "HtmlParseError",
    "ParsedText",
    "parse_html",
    "render_html",
    "strip_text",
    "utf16_len",
]

#: Tags the Bot API accepts with ``parse_mode=HTML`` (tdlib's list).
ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

_SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

# tdlib's is_space also counts NUL and vertical tab; NUL is our end of input.
_SPACES = frozenset(" \t\r\n\v")

# What tdlib trims around a message: its text must not start or end with these.
_TRIM = " \t\r\n\v\f"


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(error)`` is tdlib's wording."""


@dataclass(frozen=True)
class ParsedText:
    """Plain text and its Bot API ``MessageEntity`` dicts, as Telegram would store them."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_index: int  # where the tag's content starts in the output list
    expandable: bool = False


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what Telegram counts for limits and entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(source: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity at ``source[pos] == "&"`` like tdlib; ``None`` if there is none.

    Returns the decoded character and the index just past the entity (its ``;`` is optional).
    """
    n = len(source)
    end = pos + 1
    if end < n and source[end] == "#":
        end += 1
        value = 0
        if end < n and source[end] == "x":
            end += 1
            start = end
            while end < n and source[end] in "0123456789abcdefABCDEF":
                end += 1
            if end > start:
                value = int(source[start:end], 16)
        else:
            start = end
            while end < n and source[end].isascii() and source[end].isdigit():
                end += 1
            if end > start:
                value = int(source[start:end])
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(value)
    else:
        while end < n and source[end].isascii() and source[end].isalpha():
            end += 1
        name = source[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if end < n and source[end] == ";":
        end += 1
    return char, end


def parse_html(source: str, *, strict_entities: bool = True) -> ParsedText:
    """Parse Bot API HTML into text and entities, or raise :class:`HtmlParseError`.

    The text is returned untrimmed; :func:`strip_text` applies Telegram's trimming.
    """
    out: list[str] = []
    utf16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[_OpenTag] = []
    n = len(source)
    i = 0

    def error(message: str) -> HtmlParseError:
        return HtmlParseError(message)

    while i < n:
        ch = source[i]
        if ch == "&":
            decoded = _decode_entity(source, i)
            if decoded is not None:
                char, i = decoded
                if 0xD800 <= ord(char) <= 0xDFFF:
                    raise error(
                        "Text contains invalid Unicode characters after decoding HTML entities, "
                        "check for unmatched surrogate code units"
                    )
                out.append(char)
                utf16 += utf16_len(char)
                continue
            if strict_entities:
                raise error(
                    f'Unescaped "&" at byte offset {_byte_offset(source, i)}; '
                    "write &amp; (Telegram keeps a bare & as text, the sandbox is strict)"
                )
        if ch != "<":
            out.append(ch)
            utf16 += 2 if ord(ch) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        begin_byte = _byte_offset(source, begin)
        i += 1
        if i < n and source[i] == "/":
            # An end tag.
            if not stack:
                raise error(f"Unexpected end tag at byte offset {begin_byte}")
            j = i + 1
            while j < n and source[j] not in _SPACES and source[j] != ">":
                j += 1
            end_name = source[i + 1 : j].lower()
            while j < n and source[j] in _SPACES:
                j += 1
            if j >= n or source[j] != ">":
                raise error(f"Unclosed end tag at byte offset {begin_byte}")
            top = stack[-1]
            if end_name and end_name != top.name:
                raise error(
                    f'Unmatched end tag at byte offset {begin_byte}, expected "</{top.name}>", '
                    f'found "</{end_name}>"'
                )
            i = j + 1
            stack.pop()
            if utf16 > top.utf16_offset:
                _close_entity(top, utf16, "".join(out[top.text_index :]), entities)
            continue

        # A start tag.
        j = i
        while j < n and source[j] not in _SPACES and source[j] != ">":
            j += 1
        if j >= n:
            raise error(f"Unclosed start tag at byte offset {begin_byte}")
        tag = source[i:j].lower()
        if tag not in ALLOWED_TAGS:
            raise error(f'Unsupported start tag "{tag}" at byte offset {begin_byte}')
        i = j
        argument = ""
        expandable = False
        while True:
            while i < n and source[i] in _SPACES:
                i += 1
            if i >= n:
                raise error(f"Unclosed start tag at byte offset {begin_byte}")
            if source[i] == ">":
                i += 1
                break
            attr_begin = i
            while i < n and source[i] not in _SPACES and source[i] not in "=>":
                i += 1
            attr_name = source[attr_begin:i].lower()
            if not attr_name:
                raise error(f'Empty attribute name in the tag "{tag}" at byte offset {begin_byte}')
            while i < n and source[i] in _SPACES:
                i += 1
            if i >= n or source[i] != "=":
                if tag == "blockquote" and attr_name == "expandable":
                    expandable = True
                    continue
                raise error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {begin_byte}'
                )
            i += 1
            while i < n and source[i] in _SPACES:
                i += 1
            if i >= n:
                raise error(f'Unclosed start tag "{tag}" at byte offset {begin_byte}')
            if source[i] not in "'\"":
                token_begin = i
                while i < n and (
                    (source[i].isascii() and source[i].isalnum()) or source[i] in ".-"
                ):
                    i += 1
                value = source[token_begin:i].lower()
                if i < n and source[i] not in _SPACES and source[i] != ">":
                    raise error(
                        "Unexpected end of name token at byte offset "
                        f"{_byte_offset(source, token_begin)}"
                    )
            else:
                quote = source[i]
                i += 1
                chars: list[str] = []
                while i < n and source[i] != quote:
                    if source[i] == "&":
                        decoded = _decode_entity(source, i)
                        if decoded is not None:
                            chars.append(decoded[0])
                            i = decoded[1]
                            continue
                    chars.append(source[i])
                    i += 1
                if i < n:
                    i += 1
                value = "".join(chars)
            if i >= n:
                raise error(f"Unclosed start tag at byte offset {begin_byte}")
            if tag == "a" and attr_name == "href":
                argument = value
            elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                argument = value.removeprefix("language-")
            elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                argument = value.removeprefix("tg-")
            elif tag == "tg-emoji" and attr_name == "emoji-id":
                argument = value
        if tag == "span" and argument != "spoiler":
            raise error(f'Tag "span" must have class "tg-spoiler" at byte offset {begin_byte}')
        stack.append(_OpenTag(tag, argument, utf16, len(out), expandable))

    if stack:
        raise error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities)


def _close_entity(
    tag: _OpenTag, utf16_end: int, inner_text: str, entities: list[dict[str, Any]]
) -> None:
    """Turn a closed, non-empty tag into its Bot API entity (tdlib's rules, incl. pre+code)."""
    offset = tag.utf16_offset
    length = utf16_end - offset
    if tag.name in _SIMPLE_TAG_TYPES:
        entities.append({"type": _SIMPLE_TAG_TYPES[tag.name], "offset": offset, "length": length})
    elif tag.name == "span":
        entities.append({"type": "spoiler", "offset": offset, "length": length})
    elif tag.name == "tg-emoji":
        if not tag.argument.isdigit() or int(tag.argument) == 0:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entities.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": tag.argument,
            }
        )
    elif tag.name == "a":
        url = tag.argument or inner_text
        if url.startswith("tg://user?id=") or _is_link(url):
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
        # tdlib silently drops a link it cannot check; so do we.
    elif tag.name == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("language")
        ):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag.name == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and last["offset"] == offset
            and last["length"] == length
            and tag.argument
        ):
            last["language"] = tag.argument
        else:
            entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
            if tag.argument:
                entity["language"] = tag.argument  # kept only if a <pre> closes around it
            entities.append(entity)
    elif tag.name == "blockquote":
        kind = "expandable_blockquote" if tag.expandable else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


def _is_link(url: str) -> bool:
    lowered = url.strip().lower()
    if lowered.startswith(("http://", "https://", "tg://", "ton://", "mailto:")):
        return len(lowered.split("://", 1)[-1]) > 0
    # Telegram accepts bare domains ("example.com") and adds http://.
    host = lowered.split("/", 1)[0]
    return "." in host and " " not in host and not host.startswith(".")


def strip_text(parsed: ParsedText) -> ParsedText:
    """Trim surrounding whitespace like Telegram does, moving entity offsets along."""
    text = parsed.text
    left = len(text) - len(text.lstrip(_TRIM))
    stripped = text.strip(_TRIM)
    if not stripped:
        return ParsedText("", [])
    shift = utf16_len(text[:left])
    limit = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, entities)


_RENDER_TAGS: dict[str, tuple[str, str]] = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="tg-spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ('<blockquote class="expandable">', "</blockquote>"),
    "custom_emoji": ('<span class="tg-emoji">', "</span>"),
}


def _render_open(entity: dict[str, Any]) -> tuple[str, str]:
    kind = entity.get("type")
    if kind == "text_link":
        url = str(entity.get("url", ""))
        if url.lower().startswith(("http://", "https://", "tg://", "mailto:")):
            href = _html.escape(url, quote=True)
            return f'<a href="{href}" rel="noopener noreferrer" target="_blank">', "</a>"
        return "<span>", "</span>"
    if kind == "pre":
        language = entity.get("language")
        if language:
            css = _html.escape(f"language-{language}", quote=True)
            return f'<pre><code class="{css}">', "</code></pre>"
        return "<pre>", "</pre>"
    return _RENDER_TAGS.get(str(kind), ("", ""))


def render_html(text: str, entities: list[dict[str, Any]] | None = None) -> str:
    """Safe HTML for a browser: every character escaped, only known tags from entities.

    Entities that overlap without nesting (possible with hand-written ``entities``) are
    skipped rather than producing broken markup.
    """
    ordered = sorted(entities or [], key=lambda e: (e["offset"], -e["length"]))
    pieces: list[str] = []
    stack: list[tuple[int, str]] = []  # (utf16 end, closing tag)
    next_entity = 0
    utf16 = 0
    for ch in [*text, ""]:
        while stack and stack[-1][0] <= utf16:
            pieces.append(stack.pop()[1])
        while next_entity < len(ordered) and ordered[next_entity]["offset"] <= utf16:
            entity = ordered[next_entity]
            next_entity += 1
            end = entity["offset"] + entity["length"]
            if entity["offset"] < utf16 or (stack and end > stack[-1][0]):
                continue
            opening, closing = _render_open(entity)
            pieces.append(opening)
            stack.append((end, closing))
        if ch:
            pieces.append(_html.escape(ch, quote=False))
            utf16 += 2 if ord(ch) > 0xFFFF else 1
    while stack:
        pieces.append(stack.pop()[1])
    return "".join(pieces)
