"""Are the fonts installed that Chinese text and emoji need? One cheap look, for a warning.

Why a warning at start: without a CJK font a Chinese poll's chart loses its title and its
bars read "1.", "2."; without a colour emoji font the sandbox page (Chromium, Firefox) shows
boxes for 👍📊🏆. Nothing fails, so nobody would know why. The fix is one package line.

Why not ask matplotlib: importing it costs the bot ~45 MB for good (charts are drawn in a
child process precisely to keep it out). fontconfig's ``fc-list`` answers in milliseconds and
is what browsers use to find fonts; where it is missing, a glob over the usual font
directories for well-known file names stands in.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

__all__ = ["FONT_PACKAGES", "font_warning", "missing_fonts"]

FONT_PACKAGES = "fonts-noto-cjk fonts-noto-color-emoji"

#: fontconfig patterns: a font for Chinese, a font with 👍 (U+1F44D).
_PATTERNS = {"Chinese": ":lang=zh", "emoji": ":charset=1f44d"}
#: File names that give a script away, for systems without fontconfig.
_FILE_GLOBS = {
    "Chinese": ("*CJK*", "*cjk*", "wqy*", "*SourceHan*", "*DroidSansFallback*", "uming*", "ukai*"),
    "emoji": ("*Emoji*", "*emoji*"),
}
_FONT_DIRECTORIES = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)


def missing_fonts(
    scripts: Iterable[str] = ("Chinese", "emoji"),
    *,
    fontconfig: bool = True,
    directories: Iterable[Path] = _FONT_DIRECTORIES,
) -> list[str]:
    """Which of ``scripts`` ("Chinese", "emoji") no installed font covers.

    ``fontconfig=False`` (or no ``fc-list`` on the PATH) looks for font files instead.
    """
    fc_list = shutil.which("fc-list") if fontconfig else None
    return [
        script
        for script in scripts
        if not (
            _fontconfig_has(fc_list, _PATTERNS[script])
            if fc_list
            else _files_exist(directories, _FILE_GLOBS[script])
        )
    ]


def font_warning(*, sandbox: bool) -> str | None:
    """One line for the log when fonts are missing, naming the packages that fix it.

    The real bot only draws charts, where emoji are left out anyway; the sandbox also shows
    a page in a browser, which needs both.
    """
    missing = missing_fonts(("Chinese", "emoji") if sandbox else ("Chinese",))
    if not missing:
        return None
    where = "charts and the sandbox page" if sandbox else "poll charts"
    return (
        f"no font for {' or '.join(missing)} is installed: {where} will show such text as "
        f"boxes or leave it out. Fix: apt-get install {FONT_PACKAGES}"
    )


def _fontconfig_has(fc_list: str, pattern: str) -> bool:
    try:
        found = subprocess.run(
            [fc_list, pattern, "file"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return True  # cannot tell; better no warning than a false one
    return bool(found.stdout.strip())


def _files_exist(directories: Iterable[Path], globs: Iterable[str]) -> bool:
    patterns = tuple(globs)
    for directory in directories:
        if directory.is_dir():
            for pattern in patterns:
                if next(directory.rglob(pattern), None) is not None:
                    return True
    return False
