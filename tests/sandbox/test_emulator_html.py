"""Telegram's HTML subset as the emulator parses and renders it (tdlib's rules and wording)."""

from __future__ import annotations

import pytest

from bot.sandbox.telegram_html import (
    HtmlParseError,
    ParsedText,
    parse_html,
    render_html,
    strip_text,
    utf16_len,
)


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_len("a🙂я") == 4


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("<B>x</B>", "x", [{"type": "bold", "offset": 0, "length": 1}]),
        (
            "🙂<b>x<i>y</i></b>",
            "🙂xy",
            [
                {"type": "bold", "offset": 2, "length": 2},
                {"type": "italic", "offset": 3, "length": 1},
            ],
        ),
        ("&#128578;&lt;&#x41;&quot;", '🙂<A"', []),
        (
            '<pre><code class="language-python">print(1)</code></pre>',
            "print(1)",
            [{"type": "pre", "offset": 0, "length": 8, "language": "python"}],
        ),
        (
            '<code class="language-python">x</code>',
            "x",
            [{"type": "code", "offset": 0, "length": 1}],
        ),
        (
            "<blockquote expandable>long</blockquote>",
            "long",
            [{"type": "expandable_blockquote", "offset": 0, "length": 4}],
        ),
        (
            '<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>',
            "ab",
            [
                {"type": "spoiler", "offset": 0, "length": 1},
                {"type": "spoiler", "offset": 1, "length": 1},
            ],
        ),
        (
            "<a href='https://example.org/?a=1&amp;b=2'>site</a>",
            "site",
            [
                {
                    "type": "text_link",
                    "offset": 0,
                    "length": 4,
                    "url": "https://example.org/?a=1&b=2",
                }
            ],
        ),
        (
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
            "👍",
            [
                {
                    "type": "custom_emoji",
                    "offset": 0,
                    "length": 2,
                    "custom_emoji_id": "5368324170671202286",
                }
            ],
        ),
        ("<b></b>x<u></u>", "x", []),
    ],
)
def test_parses_like_telegram(source: str, text: str, entities: list[dict[str, object]]) -> None:
    assert parse_html(source) == ParsedText(text, entities)


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("да <x>", 'Unsupported start tag "x" at byte offset 5'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<i>open", 'Can\'t find end tag corresponding to start tag "i"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href>x</a>", 'Expected equal sign in declaration of an attribute of the tag "a"'),
        ("<a href=https://x.org>x</a>", "Unexpected end of name token at byte offset 8"),
        ('<tg-emoji emoji-id="zero">x</tg-emoji>', "Invalid custom emoji identifier specified"),
        ("&#xD83D;", "Text contains invalid Unicode characters after decoding HTML entities"),
        ("Tom & Jerry", 'Unescaped "&" at byte offset 4'),
        ("&nbsp;", 'Unescaped "&" at byte offset 0'),
    ],
)
def test_refuses_like_telegram(source: str, error: str) -> None:
    with pytest.raises(HtmlParseError) as caught:
        parse_html(source)
    assert str(caught.value).startswith(error)


def test_lenient_entities_keep_a_bare_ampersand_like_telegram() -> None:
    assert parse_html("Tom & Jerry &nbsp;", strict_entities=False).text == "Tom & Jerry &nbsp;"


def test_strip_moves_entities_with_the_text() -> None:
    parsed = strip_text(parse_html("\n  <b>hi</b> there  \n"))
    assert parsed == ParsedText("hi there", [{"type": "bold", "offset": 0, "length": 2}])
    assert strip_text(ParsedText(" \n", [])) == ParsedText("", [])


def test_render_escapes_everything_and_rebuilds_known_tags() -> None:
    parsed = parse_html(
        '<b>1 &lt; 2</b> <a href="javascript:alert(1)">x</a> <a href="https://a.b/?q=&quot;">y</a>'
        ' <pre><code class="language-py">z</code></pre>'
    )
    assert render_html(parsed.text, parsed.entities) == (
        "<b>1 &lt; 2</b> x "
        '<a href="https://a.b/?q=&quot;" rel="noopener noreferrer" target="_blank">y</a> '
        '<pre><code class="language-py">z</code></pre>'
    )


def test_render_skips_overlapping_entities() -> None:
    entities = [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "italic", "offset": 2, "length": 3},
    ]
    assert render_html("abcde", entities) == "<b>abc</b>de"
    assert render_html("🙂<x>", [{"type": "code", "offset": 2, "length": 3}]) == (
        "🙂<code>&lt;x&gt;</code>"
    )
