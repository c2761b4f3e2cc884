"""bot.fonts: the start-up look for Chinese and emoji fonts, without fontconfig too."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.fonts
from bot.fonts import font_warning, missing_fonts


def test_without_fontconfig_well_known_font_files_are_looked_for(tmp_path: Path) -> None:
    fonts = tmp_path / "fonts"
    (fonts / "truetype" / "dejavu").mkdir(parents=True)
    (fonts / "truetype" / "dejavu" / "DejaVuSans.ttf").touch()
    assert missing_fonts(fontconfig=False, directories=[fonts, tmp_path / "nowhere"]) == [
        "Chinese",
        "emoji",
    ]
    (fonts / "opentype" / "noto").mkdir(parents=True)
    (fonts / "opentype" / "noto" / "NotoSansCJK-Regular.ttc").touch()
    assert missing_fonts(fontconfig=False, directories=[fonts]) == ["emoji"]
    (fonts / "truetype" / "noto").mkdir(parents=True)
    (fonts / "truetype" / "noto" / "NotoColorEmoji.ttf").touch()
    assert missing_fonts(fontconfig=False, directories=[fonts]) == []


def test_the_real_bot_does_not_warn_about_emoji(monkeypatch: pytest.MonkeyPatch) -> None:
    def only_emoji_missing(scripts: tuple[str, ...], **_: object) -> list[str]:
        return [script for script in scripts if script == "emoji"]

    monkeypatch.setattr(bot.fonts, "missing_fonts", only_emoji_missing)
    assert font_warning(sandbox=False) is None
    warning = font_warning(sandbox=True)
    assert (
        warning is not None and "apt-get install fonts-noto-cjk fonts-noto-color-emoji" in warning
    )
