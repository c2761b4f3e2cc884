"""Poll result charts: a horizontal bar chart rendered to PNG bytes.

matplotlib is imported inside the functions, not at module level: it costs a
noticeable share of a second to import and only poll results need it, so the
bot should not pay for it at start-up.

Rendering uses a bare ``Figure`` with an Agg canvas, never pyplot, so there is
no global figure registry to leak into (nothing to close: the figure is
garbage as soon as its bytes are out) and no display is needed. Calls are
pure (arguments in, bytes out) and meant to run via ``asyncio.to_thread``; a
lock serialises them because matplotlib does not promise that its shared font
caches are thread-safe, and a chart takes only tens of milliseconds.

Labels come from users and may be in any script. DejaVu Sans (shipped with
matplotlib) covers Latin and Cyrillic; the usual CJK families come next when
installed, then any other installed font whose glyphs cover what is still
missing (see :func:`_fonts`). Text that still has uncovered letters is not drawn
at all (a bar is labelled "1.", "2.", ... instead, matching the numbered list in
the message caption), because matplotlib would draw boxes and warn "Glyph
missing". Uncovered symbols such as emoji are simply dropped from otherwise
readable text.
"""

from __future__ import annotations

import asyncio
import functools
import io
import json
import math
import sys
import threading
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Text

#: Tried in order per character; only installed ones are used. DejaVu Sans
#: first so Latin/Cyrillic keep one consistent look whatever else is present.
FONT_FAMILIES = (
    "DejaVu Sans",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)

WIDTH_PX = 800
_DPI = 100
_ROW_PX = 44
_PAD_PX = 14
_TITLE_PX = 36
_SUBTITLE_PX = 24
#: The option labels' column grows with its longest label up to this; longer ones are cut.
#: With the value column's maximum it leaves the bars at least ~220 px.
_MAX_LABEL_COL_PX = 340
#: Room right of the longest bar for its value, as much as the widest one needs, up to this.
_MIN_VALUE_COL_PX = 24
_MAX_VALUE_COL_PX = 200
_GAP_PX = 8
_ELLIPSIS = "…"

_TEXT_COLOUR = "#1f2933"
_MUTED_COLOUR = "#52606d"
_TRACK_COLOUR = "#eef1f5"
_BAR_COLOUR = "#8fb3de"
_LEADER_COLOUR = "#2f6fb3"

_RENDER_LOCK = threading.Lock()


def _fonts(weight: str, letters: frozenset[int]) -> tuple[tuple[str, ...], frozenset[int]]:
    """Families to draw ``letters`` with, in order of preference, and what they cover.

    ``letters`` are the code points of the letters and digits the chart will show. The
    installed FONT_FAMILIES come first. When they leave some of ``letters`` uncovered,
    matplotlib's font list is first brought up to date with the fonts on disk (it is
    cached, and a font installed after the cache was written is otherwise never seen),
    then any other installed font whose glyphs cover some of the rest joins the list.
    """
    families, covered = _preferred_fonts(weight)
    if letters <= covered:
        return families, covered
    if _add_fonts_installed_since_the_cache():
        _preferred_fonts.cache_clear()
        _system_fonts.cache_clear()
        families, covered = _preferred_fonts(weight)
    missing = letters - covered
    extra: list[str] = []
    for family, charmap in _system_fonts(weight):
        if not missing:
            break
        if family not in families and missing & charmap:
            extra.append(family)
            covered |= charmap
            missing -= charmap
    return (*families, *extra), frozenset(covered)


@functools.cache
def _preferred_fonts(weight: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """Installed families from FONT_FAMILIES and the code points they cover.

    Coverage is read from the exact files matplotlib will pick for ``weight``
    (a bold face may cover less than the regular one).
    """
    from matplotlib import font_manager

    families: list[str] = []
    covered: set[int] = set()
    for family in FONT_FAMILIES:
        prop = font_manager.FontProperties(family=family, weight=weight)
        try:
            path = font_manager.fontManager.findfont(prop, fallback_to_default=False)
        except ValueError:  # not installed
            continue
        families.append(family)
        covered.update(font_manager.get_font(path).get_charmap())
    return tuple(families), frozenset(covered)


@functools.cache
def _system_fonts(weight: str) -> tuple[tuple[str, frozenset[int]], ...]:
    """Every installed outline font family by name, with the code points it covers.

    Only the system's fonts: matplotlib's own bundle holds "Last Resort", which "covers"
    everything with boxes, and math fonts. Bitmap-only faces (colour emoji) are left out
    because Agg cannot scale them.
    """
    from matplotlib import font_manager, ft2font, get_data_path

    bundled = str(Path(get_data_path()).resolve())
    fonts = []
    for family in sorted({entry.name for entry in font_manager.fontManager.ttflist}):
        prop = font_manager.FontProperties(family=family, weight=weight)
        try:
            path = font_manager.fontManager.findfont(prop, fallback_to_default=False)
            font = font_manager.get_font(path)
        except (ValueError, OSError, RuntimeError):
            continue
        if str(Path(path).resolve()).startswith(bundled):
            continue
        if font.face_flags & ft2font.FaceFlags.SCALABLE:
            fonts.append((family, frozenset(font.get_charmap())))
    return tuple(fonts)


@functools.cache
def _add_fonts_installed_since_the_cache() -> bool:
    """Add font files on disk that matplotlib's cached font list lacks; True if any.

    ``FontManager.addfont`` is matplotlib's public way to make a font known, and
    ``json_dump`` writes the list where matplotlib reads it at import (what its own
    rebuild does), so the next chart process starts with the fonts already in it.
    Looked at once per process, and only when some text has letters no font covers.
    """
    from matplotlib import font_manager, get_cachedir

    manager = font_manager.fontManager
    known = {str(Path(entry.fname).resolve()) for entry in manager.ttflist}
    added = False
    for path in sorted(font_manager.findSystemFonts()):
        if str(Path(path).resolve()) in known:
            continue
        try:
            manager.addfont(path)
        except Exception:  # an unreadable file: matplotlib skips it when it builds, too
            continue
        added = True
    if added:
        cache = Path(get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")
        font_manager.json_dump(manager, cache)
    return added


def _letters(*texts: str | None) -> frozenset[int]:
    """The code points of the letters and digits in ``texts``: what must be drawable."""
    return frozenset(
        ord(char)
        for text in texts
        if text
        for char in text
        if unicodedata.category(char)[0] in "LN"
    )


def _drawable(text: str, covered: frozenset[int]) -> str | None:
    """``text`` reduced to what the fonts can draw, or None if that loses words.

    Whitespace runs (including newlines) collapse to one space since every
    label is a single line. Uncovered letters or digits make the text
    unreadable, so the caller substitutes a number; other uncovered characters
    (emoji, variation selectors, joiners) are decoration and are dropped.
    """
    kept: list[str] = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif ord(char) in covered and char.isprintable():
            kept.append(char)
        elif unicodedata.category(char)[0] in "LN":
            return None
    return " ".join("".join(kept).split()) or None


def _shorten(artist: Text, max_px: float) -> None:
    """Cut ``artist``'s text to its longest prefix plus an ellipsis that fits."""
    text = artist.get_text()

    def fits(candidate: str) -> bool:
        artist.set_text(candidate)
        return bool(artist.get_window_extent().width <= max_px)

    if fits(text):
        return
    low, high = 0, len(text)  # text[:low] + ellipsis fits; text[:high] + ellipsis does not
    while high - low > 1:
        mid = (low + high) // 2
        if fits(text[:mid].rstrip() + _ELLIPSIS):
            low = mid
        else:
            high = mid
    artist.set_text(text[:low].rstrip() + _ELLIPSIS)


def render_result_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    value_labels: Sequence[str] | None = None,
    subtitle: str | None = None,
) -> bytes:
    """Draw a poll result as a PNG horizontal bar chart, one bar per option.

    Bars keep the order of ``labels`` (top to bottom) so the chart matches the
    numbered caption; the leading option(s) are highlighted. ``value_labels``
    (e.g. "12 (40%)") are written after each bar and default to the plain
    value. For a ranked poll pass the final round's counts. The image is
    ``WIDTH_PX`` wide and grows in height with the number of options.

    Title and subtitle the fonts cannot draw are left out; the message
    caption carries them anyway.

    Raises ValueError for no options, mismatched lengths, or a negative or
    non-finite value.
    """
    with _RENDER_LOCK:
        figure = result_chart_figure(
            title, labels, values, value_labels=value_labels, subtitle=subtitle
        )
        buffer = io.BytesIO()
        # No "Software" tag: the bytes then depend only on the inputs and fonts.
        figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()


def result_chart_figure(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    value_labels: Sequence[str] | None = None,
    subtitle: str | None = None,
) -> Figure:
    """The chart of :func:`render_result_chart`, laid out but not yet encoded.

    Separate so that tests can measure what is drawn (each text's words, font
    and extent) instead of comparing pixels.
    """
    if not labels:
        raise ValueError("a chart needs at least one option")
    if len(values) != len(labels):
        raise ValueError("labels and values differ in length")
    if value_labels is not None and len(value_labels) != len(labels):
        raise ValueError("labels and value_labels differ in length")
    if not all(math.isfinite(v) and v >= 0 for v in values):
        raise ValueError("values must be finite and non-negative")
    if value_labels is None:
        value_labels = [f"{v:g}" for v in values]
    return _figure(title, labels, values, value_labels, subtitle)


def _figure(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    value_labels: Sequence[str],
    subtitle: str | None,
) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.transforms import offset_copy

    families, covered = _fonts("normal", _letters(subtitle, *labels, *value_labels))
    bold_families, bold_covered = _fonts("bold", _letters(title))
    title_text = _drawable(title, bold_covered)
    subtitle_text = _drawable(subtitle, covered) if subtitle else None

    n = len(labels)
    header_px = _PAD_PX + (_TITLE_PX if title_text else 0) + (_SUBTITLE_PX if subtitle_text else 0)
    height_px = header_px + n * _ROW_PX + _PAD_PX
    fig = Figure(figsize=(WIDTH_PX / _DPI, height_px / _DPI), dpi=_DPI, facecolor="white")
    FigureCanvasAgg(fig)  # attaches itself as fig.canvas; measuring text needs it
    regular = FontProperties(family=list(families), size=11)
    small = FontProperties(family=list(families), size=10.5)
    bold = FontProperties(family=list(bold_families), size=14, weight="bold")
    text_px = WIDTH_PX - 2 * _PAD_PX

    if title_text:
        artist = fig.text(
            _PAD_PX / WIDTH_PX,
            1 - _PAD_PX / height_px,
            title_text,
            fontproperties=bold,
            color=_TEXT_COLOUR,
            va="top",
            parse_math=False,
        )
        _shorten(artist, text_px)
    if subtitle_text:
        artist = fig.text(
            _PAD_PX / WIDTH_PX,
            1 - (header_px - _SUBTITLE_PX + 4) / height_px,
            subtitle_text,
            fontproperties=small,
            color=_MUTED_COLOUR,
            va="top",
            parse_math=False,
        )
        _shorten(artist, text_px)

    label_texts = [_drawable(label, covered) or f"{row + 1}." for row, label in enumerate(labels)]
    value_texts = [
        _drawable(text, covered) or f"{value:g}"
        for text, value in zip(value_labels, values, strict=True)
    ]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]

    def width(text: str, font: FontProperties) -> float:
        return float(renderer.get_text_width_height_descent(text, font, ismath=False)[0])

    # Columns follow the texts: labels get the width of the longest one (up to a cap), and
    # the value column what the widest value needs beside its bar, so that a short bar's
    # long value ("out in round 2") runs on over the empty track instead of being cut.
    top = max(values)
    fractions = [v / top if top else 0.0 for v in values]
    label_col = min(max(width(text, regular) for text in label_texts), _MAX_LABEL_COL_PX)
    left_px = _PAD_PX + label_col + _GAP_PX
    span_px = WIDTH_PX - _PAD_PX - left_px  # the bars and the value column together
    value_gap = _GAP_PX / 2
    needs = [
        span_px - (span_px - value_gap - width(text, small)) / fraction
        for text, fraction in zip(value_texts, fractions, strict=True)
        if fraction > 0
    ]
    value_col = min(max([_MIN_VALUE_COL_PX, *needs]), _MAX_VALUE_COL_PX)
    bars_px = span_px - value_col

    # The bar area is placed in pixels so rows keep one height at any count.
    ax = fig.add_axes(
        (left_px / WIDTH_PX, _PAD_PX / height_px, bars_px / WIDTH_PX, n * _ROW_PX / height_px)
    )
    ax.set_axis_off()
    ax.set_xlim(0, top or 1)
    ax.set_ylim(n - 0.5, -0.5)  # first option at the top, as in the caption
    rows = range(n)
    ax.barh(rows, [top or 1] * n, height=0.62, color=_TRACK_COLOUR)
    colours = [_LEADER_COLOUR if top and v == top else _BAR_COLOUR for v in values]
    ax.barh(rows, values, height=0.62, color=colours)

    label_at = offset_copy(ax.get_yaxis_transform(), fig=fig, x=-_GAP_PX, units="dots")
    value_at = offset_copy(ax.transData, fig=fig, x=value_gap, units="dots")
    for row, (label, value, value_text, fraction) in enumerate(
        zip(label_texts, values, value_texts, fractions, strict=True)
    ):
        artist = ax.text(
            0,
            row,
            label,
            transform=label_at,
            fontproperties=regular,
            color=_TEXT_COLOUR,
            ha="right",
            va="center",
            parse_math=False,
        )
        _shorten(artist, label_col)
        artist = ax.text(
            value,
            row,
            value_text,
            transform=value_at,
            fontproperties=small,
            color=_TEXT_COLOUR,
            ha="left",
            va="center",
            parse_math=False,
        )
        _shorten(artist, span_px - fraction * bars_px - value_gap)
    return fig


CHART_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class ChartRequest:
    """Everything needed to draw a result chart, as plain JSON-able data.

    A poll's close writes this into the outbox instead of a picture: drawing
    takes a child process and half a second or more, which must not happen
    while the closing transaction holds its locks. The outbox drain draws it
    once the claim has committed (see ``handlers.core.jobs.Claimed``).
    """

    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    value_labels: tuple[str, ...] | None = None
    subtitle: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "labels": list(self.labels),
            "values": list(self.values),
            "value_labels": list(self.value_labels) if self.value_labels is not None else None,
            "subtitle": self.subtitle,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChartRequest:
        value_labels = data.get("value_labels")
        return cls(
            title=data["title"],
            labels=tuple(data["labels"]),
            values=tuple(data["values"]),
            value_labels=tuple(value_labels) if value_labels is not None else None,
            subtitle=data.get("subtitle"),
        )

    def render(self) -> bytes:
        return render_result_chart(
            self.title,
            self.labels,
            self.values,
            value_labels=self.value_labels,
            subtitle=self.subtitle,
        )


#: Draws a chart to PNG bytes; the service holds one, and tests replace it.
ChartRenderer = Callable[[ChartRequest], Awaitable[bytes]]


class ChartError(RuntimeError):
    """The chart process failed; the caller posts the result without a picture."""


async def render_result_chart_isolated(chart: ChartRequest) -> bytes:
    """``render_result_chart`` in a short-lived child process.

    matplotlib, numpy and the fonts cost ~45 MB that Python never gives back;
    a poll closes rarely, so a second of start-up in a child is the better
    trade than carrying that memory in the bot for good.
    """
    request = json.dumps(chart.as_json()).encode()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "handlers.core.charts",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        png, errors = await asyncio.wait_for(process.communicate(request), CHART_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise ChartError("chart rendering timed out") from None
    if process.returncode != 0 or not png.startswith(b"\x89PNG"):
        raise ChartError(errors.decode(errors="replace").strip().splitlines()[-1:] or "failed")
    return png


def _main() -> None:
    chart = ChartRequest.from_json(json.loads(sys.stdin.buffer.read()))
    sys.stdout.buffer.write(chart.render())


if __name__ == "__main__":
    _main()
