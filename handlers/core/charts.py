"""Poll result charts: horizontal bars, one stacked bar per row, or a grid, as PNG bytes.

Three layouts share the fonts, the header and the child process: ``bars``
(one bar per option, the default), ``stacked`` (each row one bar cut into
segments, one per series, with a legend: a consent poll's agree / abstain /
disagree / block) and ``grid`` (rows × columns of counts, each cell shaded
by its count: a meeting poll's slots × yes / maybe / no, best rows marked).

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
        return _png(figure)


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


@dataclass(slots=True)
class _Frame:
    """A figure with its header drawn and the fonts chosen for its texts."""

    fig: Figure
    height_px: float
    header_px: float
    regular: Any
    small: Any
    bold_small: Any
    covered: frozenset[int]


def _frame(
    title: str,
    subtitle: str | None,
    body_px: float,
    texts: Sequence[str],
    bold_texts: Sequence[str] = (),
) -> _Frame:
    """A figure ``body_px`` tall below its title and subtitle, which are drawn; its fonts
    cover ``texts`` (and, in bold, the title and ``bold_texts``)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    families, covered = _fonts("normal", _letters(subtitle, *texts))
    bold_families, bold_covered = _fonts("bold", _letters(title, *bold_texts))
    title_text = _drawable(title, bold_covered)
    subtitle_text = _drawable(subtitle, covered) if subtitle else None
    header_px = _PAD_PX + (_TITLE_PX if title_text else 0) + (_SUBTITLE_PX if subtitle_text else 0)
    height_px = header_px + body_px + _PAD_PX
    fig = Figure(figsize=(WIDTH_PX / _DPI, height_px / _DPI), dpi=_DPI, facecolor="white")
    FigureCanvasAgg(fig)  # attaches itself as fig.canvas; measuring text needs it
    bold = FontProperties(family=list(bold_families), size=14, weight="bold")
    small = FontProperties(family=list(families), size=10.5)
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
    return _Frame(
        fig,
        height_px,
        header_px,
        FontProperties(family=list(families), size=11),
        small,
        FontProperties(family=list(bold_families), size=11, weight="bold"),
        covered,
    )


def _figure(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    value_labels: Sequence[str],
    subtitle: str | None,
) -> Figure:
    from matplotlib.transforms import offset_copy

    n = len(labels)
    frame = _frame(title, subtitle, n * _ROW_PX, [*labels, *value_labels])
    fig, height_px, covered = frame.fig, frame.height_px, frame.covered
    regular, small = frame.regular, frame.small

    label_texts = [_drawable(label, covered) or f"{row + 1}." for row, label in enumerate(labels)]
    value_texts = [
        _drawable(text, covered) or f"{value:g}"
        for text, value in zip(value_labels, values, strict=True)
    ]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]

    def width(text: str, font: Any) -> float:
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


def render_stacked_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[str],
    cells: Sequence[Sequence[float]],
    colours: Sequence[str],
    *,
    subtitle: str | None = None,
) -> bytes:
    """Each row of ``cells`` as one bar cut into a segment per series, with a legend.

    Rows are as long as their totals (the longest fills the width); a
    segment wide enough shows its count. ``labels`` may all be empty (one
    row needs none): the bars then take the whole width. ``series`` names
    each segment in the legend, in the colour of ``colours``.
    """
    with _RENDER_LOCK:
        figure = stacked_chart_figure(title, labels, series, cells, colours, subtitle=subtitle)
        return _png(figure)


def render_grid_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[str],
    cells: Sequence[Sequence[float]],
    colours: Sequence[str],
    *,
    highlight: Sequence[int] = (),
    subtitle: str | None = None,
) -> bytes:
    """A table of counts: a row per label, a column per series, each cell tinted by its count.

    The rows in ``highlight`` (the best) are marked with a band and a bold label.
    """
    with _RENDER_LOCK:
        figure = grid_chart_figure(
            title, labels, series, cells, colours, highlight=highlight, subtitle=subtitle
        )
        return _png(figure)


def _png(figure: Figure) -> bytes:
    # No "Software" tag: the bytes then depend only on the inputs and fonts.
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _check_cells(
    labels: Sequence[str], series: Sequence[str], cells: Sequence[Sequence[float]], colours: Any
) -> None:
    if not labels or not series:
        raise ValueError("a chart needs at least one row and one series")
    if len(cells) != len(labels) or any(len(row) != len(series) for row in cells):
        raise ValueError("cells must have a row per label and a column per series")
    if len(colours) != len(series):
        raise ValueError("a colour per series")
    if not all(math.isfinite(v) and v >= 0 for row in cells for v in row):
        raise ValueError("values must be finite and non-negative")


def _label_column(frame: _Frame, labels: Sequence[str], font: Any) -> tuple[list[str], float]:
    """The labels as they can be drawn, and the width of their column (0 when all empty)."""
    texts = [
        _drawable(label, frame.covered) or (f"{i + 1}." if label else "")
        for i, label in enumerate(labels)
    ]
    if not any(texts):
        return texts, 0.0
    renderer = frame.fig.canvas.get_renderer()  # type: ignore[attr-defined]
    widest = max(
        float(renderer.get_text_width_height_descent(text, font, ismath=False)[0]) for text in texts
    )
    return texts, min(widest, _MAX_LABEL_COL_PX)


_LEGEND_PX = 30
_SEGMENT_TEXT_PX = 28


def stacked_chart_figure(
    title: str,
    labels: Sequence[str],
    series: Sequence[str],
    cells: Sequence[Sequence[float]],
    colours: Sequence[str],
    *,
    subtitle: str | None = None,
) -> Figure:
    """The chart of :func:`render_stacked_chart`, laid out but not yet encoded."""
    from matplotlib.patches import Patch

    _check_cells(labels, series, cells, colours)
    n = len(labels)
    frame = _frame(title, subtitle, n * _ROW_PX + _LEGEND_PX, [*labels, *series])
    fig, height_px = frame.fig, frame.height_px
    label_texts, label_col = _label_column(frame, labels, frame.regular)
    left_px = _PAD_PX + (label_col + _GAP_PX if label_col else 0)
    bars_px = WIDTH_PX - _PAD_PX - left_px
    ax = fig.add_axes(
        (
            left_px / WIDTH_PX,
            (_PAD_PX + _LEGEND_PX) / height_px,
            bars_px / WIDTH_PX,
            n * _ROW_PX / height_px,
        )
    )
    ax.set_axis_off()
    top = max(sum(row) for row in cells)
    ax.set_xlim(0, top or 1)
    ax.set_ylim(n - 0.5, -0.5)
    ax.barh(range(n), [top or 1] * n, height=0.62, color=_TRACK_COLOUR)
    scale = bars_px / (top or 1)
    for row, values in enumerate(cells):
        left = 0.0
        for value, colour in zip(values, colours, strict=True):
            if value:
                ax.barh(row, value, left=left, height=0.62, color=colour)
                if value * scale >= _SEGMENT_TEXT_PX:
                    ax.text(
                        left + value / 2,
                        row,
                        f"{value:g}",
                        fontproperties=frame.bold_small,
                        color="white",
                        ha="center",
                        va="center",
                        parse_math=False,
                    )
            left += value
        if label_texts[row]:
            artist = ax.text(
                -_GAP_PX / scale,
                row,
                label_texts[row],
                fontproperties=frame.regular,
                color=_TEXT_COLOUR,
                ha="right",
                va="center",
                parse_math=False,
            )
            _shorten(artist, label_col)
    names = [_drawable(name, frame.covered) or f"{i + 1}" for i, name in enumerate(series)]
    handles = [Patch(color=colour, label=name) for colour, name in zip(colours, names, strict=True)]
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, _PAD_PX / 2 / height_px),
        ncol=len(handles),
        frameon=False,
        prop=frame.small,
        handlelength=1.0,
        columnspacing=1.4,
    )
    return fig


_CELL_PX = 96


def grid_chart_figure(
    title: str,
    labels: Sequence[str],
    series: Sequence[str],
    cells: Sequence[Sequence[float]],
    colours: Sequence[str],
    *,
    highlight: Sequence[int] = (),
    subtitle: str | None = None,
) -> Figure:
    """The chart of :func:`render_grid_chart`, laid out but not yet encoded."""
    from matplotlib.colors import to_rgba
    from matplotlib.patches import FancyBboxPatch, Rectangle

    _check_cells(labels, series, cells, colours)
    n, columns = len(labels), len(series)
    frame = _frame(title, subtitle, (n + 1) * _ROW_PX, [*labels, *series], [*labels, *series])
    fig, height_px = frame.fig, frame.height_px
    grid_px = columns * _CELL_PX
    label_texts, label_col = _label_column(frame, labels, frame.bold_small)
    label_col = min(max(label_col, 1.0), WIDTH_PX - 2 * _PAD_PX - _GAP_PX - grid_px)
    left_px = _PAD_PX + label_col + _GAP_PX
    ax = fig.add_axes(
        (left_px / WIDTH_PX, _PAD_PX / height_px, grid_px / WIDTH_PX, (n + 1) * _ROW_PX / height_px)
    )
    ax.set_axis_off()
    ax.set_xlim(0, columns)
    ax.set_ylim(n, -1)
    scale = _CELL_PX  # pixels per column unit
    best = set(highlight)
    for row in best:
        ax.add_patch(
            Rectangle(
                (-(label_col + _GAP_PX) / scale, row),
                columns + (label_col + _GAP_PX) / scale,
                1,
                color=_TRACK_COLOUR,
                zorder=0,
                clip_on=False,
            )
        )
    names = [_drawable(name, frame.covered) or f"{i + 1}" for i, name in enumerate(series)]
    for column, name in enumerate(names):
        artist = ax.text(
            column + 0.5,
            -0.5,
            name,
            fontproperties=frame.bold_small,
            color=_TEXT_COLOUR,
            ha="center",
            va="center",
            parse_math=False,
        )
        _shorten(artist, _CELL_PX - _GAP_PX)
    top = max((v for row in cells for v in row), default=0) or 1
    for row, values in enumerate(cells):
        for column, (value, colour) in enumerate(zip(values, colours, strict=True)):
            shade = to_rgba(colour, 0.12 + 0.88 * value / top)
            ax.add_patch(
                FancyBboxPatch(
                    (column + 0.08, row + 0.12),
                    0.84,
                    0.76,
                    boxstyle="round,pad=0,rounding_size=0.12",
                    color=shade,
                    mutation_aspect=scale / _ROW_PX,
                )
            )
            ax.text(
                column + 0.5,
                row + 0.5,
                f"{value:g}",
                fontproperties=frame.bold_small,
                color="white" if value / top > 0.55 else _TEXT_COLOUR,
                ha="center",
                va="center",
                parse_math=False,
            )
        artist = ax.text(
            -_GAP_PX / scale,
            row + 0.5,
            label_texts[row],
            fontproperties=frame.bold_small if row in best else frame.regular,
            color=_TEXT_COLOUR,
            ha="right",
            va="center",
            parse_math=False,
        )
        _shorten(artist, label_col)
    return fig


CHART_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class ChartRequest:
    """Everything needed to draw a result chart, as plain JSON-able data.

    A poll's close writes this into the outbox instead of a picture: drawing
    takes a child process and half a second or more, which must not happen
    while the closing transaction holds its locks. The outbox drain draws it
    once the claim has committed (see ``handlers.core.jobs.Claimed``).

    ``layout`` is ``bars`` (``values`` and ``value_labels`` per label),
    ``stacked`` or ``grid`` (``series``, ``cells`` — a row per label, a value
    per series — ``colours`` per series, and for a grid the ``highlight`` rows).
    """

    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    value_labels: tuple[str, ...] | None = None
    subtitle: str | None = None
    layout: str = "bars"
    series: tuple[str, ...] = ()
    cells: tuple[tuple[float, ...], ...] = ()
    colours: tuple[str, ...] = ()
    highlight: tuple[int, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": self.title,
            "labels": list(self.labels),
            "values": list(self.values),
            "value_labels": list(self.value_labels) if self.value_labels is not None else None,
            "subtitle": self.subtitle,
        }
        if self.layout != "bars":
            data.update(
                layout=self.layout,
                series=list(self.series),
                cells=[list(row) for row in self.cells],
                colours=list(self.colours),
                highlight=list(self.highlight),
            )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChartRequest:
        value_labels = data.get("value_labels")
        return cls(
            title=data["title"],
            labels=tuple(data["labels"]),
            values=tuple(data["values"]),
            value_labels=tuple(value_labels) if value_labels is not None else None,
            subtitle=data.get("subtitle"),
            layout=data.get("layout", "bars"),
            series=tuple(data.get("series", ())),
            cells=tuple(tuple(row) for row in data.get("cells", ())),
            colours=tuple(data.get("colours", ())),
            highlight=tuple(data.get("highlight", ())),
        )

    def render(self) -> bytes:
        if self.layout == "stacked":
            return render_stacked_chart(
                self.title,
                self.labels,
                self.series,
                self.cells,
                self.colours,
                subtitle=self.subtitle,
            )
        if self.layout == "grid":
            return render_grid_chart(
                self.title,
                self.labels,
                self.series,
                self.cells,
                self.colours,
                highlight=self.highlight,
                subtitle=self.subtitle,
            )
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
