"""Plain text for places Telegram shows without markup (callback answers, chart labels)."""

from __future__ import annotations

from handlers.core.messages import ANSWER_LIMIT, plain_text


def test_tags_go_and_entities_are_read() -> None:
    assert plain_text("<b>Poll #1</b> &amp; &lt;friends&gt;") == "Poll #1 & <friends>"


def test_long_text_is_cut_with_an_ellipsis_at_the_limit() -> None:
    answer = plain_text("<i>" + "x" * 500 + "</i>", ANSWER_LIMIT)
    assert len(answer) == ANSWER_LIMIT and answer.endswith("…")
    assert plain_text("short", ANSWER_LIMIT) == "short"
