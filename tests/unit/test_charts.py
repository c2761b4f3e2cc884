"""handlers.core.charts: PNG output, scripts without fonts, and lazy matplotlib."""

from __future__ import annotations

import itertools
import json
import os
import struct
import subprocess
import sys
import unicodedata
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.fonts import FONT_PACKAGES, missing_fonts
from handlers.core.charts import WIDTH_PX, render_result_chart, result_chart_figure
from handlers.core.i18n import Translator

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

ROOT = Path(__file__).resolve().parents[2]


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def render_strictly(*args: object, **kwargs: object) -> bytes:
    """Render with every warning an error, whatever pytest is configured to do."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return render_result_chart(*args, **kwargs)  # type: ignore[arg-type]


def test_returns_png_of_fixed_width_growing_in_height() -> None:
    two = render_strictly("Paint the fence?", ["Yes", "No"], [3, 1])
    ten = render_strictly("Colour", [f"Option {i}" for i in range(10)], list(range(10)))
    width2, height2 = png_size(two)
    width10, height10 = png_size(ten)
    assert width2 == width10 == WIDTH_PX
    assert height10 > height2


@pytest.mark.parametrize(
    ("title", "labels"),
    [
        ("Where to put the bike shed?", ["Courtyard", "Basement", "Nowhere"]),
        ("Ремонт подъезда", ["Да, сделать весной", "Нет", "Воздержусь"]),
        ("小区停车位规划", ["同意", "反对", "弃权"]),
        ("Mixed Смешанный 混合 🏠", ["Да 👍", "中文 and Latin", "$x^2$ costs $5", "a\nb\tc"]),
    ],
)
def test_any_script_renders_without_warnings(title: str, labels: list[str]) -> None:
    values = [float(i + 1) for i in range(len(labels))]
    texts = [f"{v:g} ({v / sum(values):.0%})" for v in values]
    data = render_strictly(title, labels, values, value_labels=texts, subtitle="Итог · 结果")
    assert png_size(data)[0] == WIDTH_PX


def test_all_zero_values() -> None:
    assert png_size(render_strictly("Nobody voted", ["A", "B", "C"], [0, 0, 0]))[0] == WIDTH_PX


def test_rendering_is_deterministic() -> None:
    args = ("Fence", ["Yes", "No"], [2, 1])
    assert render_strictly(*args) == render_strictly(*args)


def test_undrawable_labels_become_numbers() -> None:
    # Adlam letters: none of the configured fonts cover them.
    unreadable = render_strictly("Poll", ["Yes", "\U0001e900\U0001e901", "No"], [1, 2, 3])
    numbered = render_strictly("Poll", ["Yes", "2.", "No"], [1, 2, 3])
    assert unreadable == numbered


def test_undrawable_title_is_left_out() -> None:
    assert render_strictly("\U0001e900", ["A"], [1]) == render_strictly("", ["A"], [1])


def test_undrawable_symbols_are_dropped_from_readable_text() -> None:
    with_emoji = render_strictly("Poll 🏠", ["Да 👍", "Нет"], [1, 2])
    without = render_strictly("Poll", ["Да", "Нет"], [1, 2])
    assert with_emoji == without


def test_long_labels_are_shortened_to_the_same_prefix() -> None:
    prefix = "Repaint the whole stairwell including the railings " * 4
    first = render_strictly("Poll", [prefix + "first", "B"], [1, 2])
    second = render_strictly("Poll", [prefix + "second", "B"], [1, 2])
    assert first == second


def test_default_value_labels_are_the_values() -> None:
    assert render_strictly("Poll", ["A", "B"], [3, 1.5]) == render_strictly(
        "Poll", ["A", "B"], [3, 1.5], value_labels=["3", "1.5"]
    )


def test_concurrent_rendering_matches_sequential() -> None:
    jobs = [("Poll", ["Да", "Нет"], [i, 10 - i]) for i in range(6)]
    expected = [render_strictly(*job) for job in jobs]
    with ThreadPoolExecutor(max_workers=3) as pool:
        assert list(pool.map(lambda job: render_strictly(*job), jobs)) == expected


@pytest.mark.parametrize(
    ("labels", "values", "value_labels"),
    [
        ([], [], None),
        (["A", "B"], [1], None),
        (["A"], [1], ["1", "2"]),
        (["A"], [-1], None),
        (["A"], [float("nan")], None),
    ],
)
def test_rejects_bad_input(
    labels: list[str], values: list[float], value_labels: list[str] | None
) -> None:
    with pytest.raises(ValueError):
        render_result_chart("Poll", labels, values, value_labels=value_labels)


def test_importing_charts_does_not_import_matplotlib() -> None:
    code = "import sys, handlers.core.charts; sys.exit('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert result.returncode == 0


async def test_isolated_rendering_in_a_child_process_gives_the_same_png() -> None:
    from handlers.core.charts import ChartRequest, render_result_chart, render_result_chart_isolated

    args = ("Paint the door?", ["1. Green", "2. Blue"], [2, 1])
    value_labels = ("2 (67%)", "1 (33%)")
    chart = ChartRequest(args[0], tuple(args[1]), tuple(args[2]), value_labels)
    isolated = await render_result_chart_isolated(ChartRequest.from_json(chart.as_json()))
    assert isolated.startswith(b"\x89PNG")
    assert isolated == render_result_chart(*args, value_labels=value_labels)


# -- what is drawn, measured: every text whole where it fits, none overlapping --------------


def drawn_texts(figure: Figure) -> list[tuple[Text, Bbox]]:
    """Every visible text of the figure with its extent in pixels, after a real draw."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = [*figure.texts, *(text for axes in figure.axes for text in axes.texts)]
    return [(text, text.get_window_extent(renderer)) for text in texts if text.get_text()]


def assert_inside_and_apart(figure: Figure) -> None:
    width, height = figure.canvas.get_width_height()
    extents = drawn_texts(figure)
    for text, box in extents:
        assert box.x0 >= 0 and box.y0 >= 0, text.get_text()
        assert box.x1 <= width and box.y1 <= height, text.get_text()
    for (first, a), (second, b) in itertools.combinations(extents, 2):
        assert not a.overlaps(b), (first.get_text(), second.get_text())


def option_labels(figure: Figure) -> list[Text]:
    """The option labels: right-aligned left of the bars."""
    return [
        text
        for axes in figure.axes
        for text in axes.texts
        if text.get_horizontalalignment() == "right"
    ]


def value_texts(figure: Figure) -> list[Text]:
    return [
        text
        for axes in figure.axes
        for text in axes.texts
        if text.get_horizontalalignment() == "left"
    ]


@pytest.mark.parametrize(
    "language",
    [
        "en",
        "ru",
        pytest.param(
            "zh_Hans",
            marks=pytest.mark.skipif(
                bool(missing_fonts(["Chinese"])), reason="no CJK font: Chinese chart NOT tested"
            ),
        ),
    ],
)
def test_a_ranked_result_names_the_eliminated_options_in_full(language: str) -> None:
    t = Translator(language)
    labels = ["1. Green", "2. Blue", "3. Red", "4. Yellow"]
    shown = ["6 (60%)", "4 (40%)", str(t("out in round {n}", n=2)), str(t("out in round {n}", n=1))]
    subtitle = str(t("Round {n} (final) · turnout {turnout}", n=3, turnout="83%"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = result_chart_figure(
            "#4 Which colour for the door?",
            labels,
            [6, 4, 0, 0],
            value_labels=shown,
            subtitle=subtitle,
        )
        assert [text.get_text() for text in value_texts(figure)] == shown
        assert [text.get_text() for text in option_labels(figure)] == labels
        assert [text.get_text() for text in figure.texts] == [
            "#4 Which colour for the door?",
            subtitle,
        ]
        assert_inside_and_apart(figure)


def test_labels_as_long_as_a_poll_allows_are_drawn_whole() -> None:
    options = [
        "Repaint the stairwell and fix its lights",
        "Plant a hedge along the eastern fence, too",
        "Leave it",
    ]
    labels = [f"{i}. {option[:40]}" for i, option in enumerate(options, 1)]
    figure = result_chart_figure("Poll", labels, [4, 2, 1], value_labels=["4", "2", "1"])
    assert [text.get_text() for text in option_labels(figure)] == labels
    assert_inside_and_apart(figure)


def test_a_label_too_long_for_its_column_is_cut_clear_of_the_bars() -> None:
    long = "Repaint the whole stairwell including the railings and the doors " * 3
    figure = result_chart_figure("Poll", [long, "B"], [1, 2], value_labels=["1", "2"])
    cut = option_labels(figure)[0]
    assert cut.get_text().endswith("…") and long.startswith(cut.get_text()[:-1])
    bars = figure.axes[0].get_window_extent()
    for text, box in drawn_texts(figure):
        if text in option_labels(figure):
            assert box.x1 <= bars.x0, text.get_text()
    assert_inside_and_apart(figure)


def test_a_long_value_label_uses_the_empty_track_beside_a_short_bar() -> None:
    shown = ["10 (91%)", "1 (9%) — two late ballots were counted"]
    figure = result_chart_figure("Poll", ["1. Yes", "2. No"], [10, 1], value_labels=shown)
    assert [text.get_text() for text in value_texts(figure)] == shown
    assert_inside_and_apart(figure)


# -- Chinese: a font that covers the text is found, even one installed after matplotlib's cache


needs_cjk = pytest.mark.skipif(
    bool(missing_fonts(["Chinese"])),
    reason=f"no CJK font installed (apt-get install {FONT_PACKAGES}): Chinese charts NOT tested",
)

CHINESE_TITLE = "#7 小区停车位规划"
CHINESE_LABELS = ["1. 同意", "2. 反对", "3. 弃权"]
CHINESE_VALUES = ["3 (75%)", "1 (25%)", "第 1 轮淘汰"]
CHINESE_SUBTITLE = "第 2 轮（最终轮）· 投票率 75%"


def covering_font_files(text: Text) -> list[str]:
    """The font files among the artist's families whose glyphs the text uses."""
    from matplotlib import font_manager

    needed = {ord(char) for char in text.get_text() if not char.isspace()}
    files = []
    for family in text.get_fontfamily():
        prop = font_manager.FontProperties(family=family, weight=text.get_fontweight())
        path = font_manager.fontManager.findfont(prop, fallback_to_default=False)
        charmap = set(font_manager.get_font(path).get_charmap())
        if needed & charmap:
            files.append(str(path))
        needed -= charmap
    assert not needed, f"no font of {text.get_fontfamily()} draws {sorted(map(chr, needed))}"
    return files


@needs_cjk
def test_a_chinese_poll_chart_draws_its_title_and_labels_in_a_font_that_covers_them() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph missing" would be a warning
        figure = result_chart_figure(
            CHINESE_TITLE,
            CHINESE_LABELS,
            [3, 1, 0],
            value_labels=CHINESE_VALUES,
            subtitle=CHINESE_SUBTITLE,
        )
        assert [text.get_text() for text in figure.texts] == [CHINESE_TITLE, CHINESE_SUBTITLE]
        assert [text.get_text() for text in option_labels(figure)] == CHINESE_LABELS
        assert [text.get_text() for text in value_texts(figure)] == CHINESE_VALUES
        for text, _box in drawn_texts(figure):
            files = covering_font_files(text)
            if any(unicodedata.category(char) == "Lo" for char in text.get_text()):
                assert any("CJK" in path for path in files), (text.get_text(), files)
        assert_inside_and_apart(figure)


@needs_cjk
def test_a_font_installed_after_matplotlib_cached_its_font_list_is_found(tmp_path: Path) -> None:
    """The cache is written without the CJK fonts, as on a machine that got them later."""
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path)}
    forget_cjk = (
        "from pathlib import Path\n"
        "import matplotlib\n"
        "from matplotlib import font_manager as fm\n"
        "covers = lambda e: ord('中') in fm.get_font(e.fname).get_charmap()\n"
        "fm.fontManager.ttflist = [e for e in fm.fontManager.ttflist if not covers(e)]\n"
        "name = f'fontlist-v{fm.FontManager.__version__}.json'\n"
        "fm.json_dump(fm.fontManager, Path(matplotlib.get_cachedir(), name))\n"
    )
    subprocess.run([sys.executable, "-c", forget_cjk], env=env, check=True, cwd=ROOT)
    draw = (
        "import json, sys\n"
        "from handlers.core.charts import result_chart_figure\n"
        "figure = result_chart_figure(*json.loads(sys.argv[1]))\n"
        "texts = [*figure.texts, *figure.axes[0].texts]\n"
        "print(json.dumps([t.get_text() for t in texts]))\n"
    )
    args = json.dumps([CHINESE_TITLE, CHINESE_LABELS, [3, 1, 0]])
    drawn = subprocess.run(
        [sys.executable, "-c", draw, args], env=env, check=True, cwd=ROOT, capture_output=True
    )
    assert json.loads(drawn.stdout)[0] == CHINESE_TITLE
    assert CHINESE_LABELS[0] in json.loads(drawn.stdout)
