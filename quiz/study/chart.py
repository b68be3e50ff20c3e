"""A horizontal bar chart of recall, laid out here and drawn as SVG by a template.

No chart library in the browser: the geometry (every x, y and width) is computed in
Python and written as SVG attributes; colours come from CSS classes, so the page needs
no inline style.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from quiz.study.memory import Recall

WIDTH = 360
ROW = 46
BAR = 14
LABEL_CHARS = 46


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    url: str
    percent: int
    facts: int
    y_label: int
    y_bar: int
    width: float
    level: str  # "low", "mid" or "high": the CSS class of the bar


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    bar_height: int
    percent_x: int


def level(percent: int) -> str:
    return "low" if percent < 70 else "mid" if percent < 90 else "high"


def shorten(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def recall_chart(rows: Sequence[Recall]) -> Chart:
    """One labelled bar per row: the label on a line, the bar below it, its percentage at the end."""
    plot = WIDTH - 54  # room for "100%" at the right
    bars = tuple(
        Bar(
            label=shorten(row.label),
            full_label=row.label,
            url=row.url,
            percent=row.percent,
            facts=row.facts,
            y_label=i * ROW + 15,
            y_bar=i * ROW + 22,
            width=round(plot * row.recall, 1),
            level=level(row.percent),
        )
        for i, row in enumerate(rows)
    )
    return Chart(bars=bars, width=WIDTH, height=max(ROW, len(bars) * ROW), bar_height=BAR, percent_x=plot + 6)
