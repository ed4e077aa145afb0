"""Charts drawn on the server: accessible SVG for pages, PNG (matplotlib, Agg) for Word documents.

Both take the same rows of (label, value) so a page's chart, its data table and the Word
report's picture show the same numbers. The SVG carries <title> and <desc> (its text
alternative) and uses presentation attributes only, so it renders under a strict CSP.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

PALETTE = ("#0d6efd", "#198754", "#6c757d", "#ffc107", "#212529", "#dc3545", "#0dcaf0")


def describe(title: str, rows: Sequence[tuple[str, float | None]], unit: str = "") -> str:
    """A one-sentence text alternative listing every bar's value."""
    parts = [f"{label}: {'—' if value is None else _fmt(value)}{unit}" for label, value in rows]
    return f"{title}. " + "; ".join(parts) + "."


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def bar_chart_svg(
    chart_id: str, title: str, rows: Sequence[tuple[str, float | None]], *, maximum: float | None = None,
    unit: str = "", colours: Sequence[str] | None = None,
) -> str:
    """A horizontal bar chart as an SVG string (role="img", titled and described)."""
    width, label_width, bar_height, gap = 640, 260, 22, 10
    top = 8
    height = top + len(rows) * (bar_height + gap) + 24
    top_value = maximum if maximum is not None else max([v or 0 for _, v in rows] + [1])
    scale = (width - label_width - 70) / (top_value or 1)
    colours = colours or PALETTE
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(title, rows, unit))}</desc>',
    ]
    axis_x = label_width
    for n, (label, value) in enumerate(rows):
        y = top + n * (bar_height + gap)
        short = label if len(label) <= 38 else label[:36] + "…"
        out.append(f'<text x="{axis_x - 8}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" font-size="13" '
                   f'fill="#212529">{escape(short)}</text>')
        bar = 0 if value is None else max(value, 0) * scale
        colour = colours[n % len(colours)]
        out.append(f'<rect x="{axis_x}" y="{y}" width="{bar:.1f}" height="{bar_height}" fill={quoteattr(colour)}/>')
        text = "—" if value is None else f"{_fmt(value)}{unit}"
        out.append(f'<text x="{axis_x + bar + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="13" '
                   f'fill="#212529">{escape(text)}</text>')
    base = top + len(rows) * (bar_height + gap)
    out.append(f'<line x1="{axis_x}" y1="{top - 4}" x2="{axis_x}" y2="{base}" stroke="#6c757d" stroke-width="1"/>')
    if maximum is not None:
        out.append(f'<text x="{axis_x}" y="{base + 16}" font-size="11" fill="#495057">0{escape(unit)}</text>')
        end_x = axis_x + maximum * scale
        out.append(f'<text x="{end_x:.1f}" y="{base + 16}" font-size="11" text-anchor="end" fill="#495057">'
                   f'{_fmt(maximum)}{escape(unit)}</text>')
    out.append("</svg>")
    return "".join(out)


def bar_chart_png(
    title: str, rows: Sequence[tuple[str, float | None]], *, maximum: float | None = None, unit: str = "",
    colours: Sequence[str] | None = None,
) -> bytes:
    """The same chart as a PNG (matplotlib's Agg canvas, no display, no pyplot state).

    Drawing takes a few hundred milliseconds, so the last charts drawn are kept: a final
    evaluation's report, downloaded again, reuses them.
    """
    return _png(title, tuple((str(label), value) for label, value in rows), maximum, unit,
                tuple(colours) if colours else None)


@lru_cache(maxsize=64)
def _png(title: str, rows: tuple, maximum: float | None, unit: str, colours: tuple | None) -> bytes:
    # matplotlib takes over a second to import: only the processes that draw a chart pay it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [label if len(label) <= 45 else label[:43] + "…" for label, _ in rows]
    values = [0 if v is None else v for _, v in rows]
    height = 0.4 * max(len(rows), 1) + 0.9
    figure = Figure(figsize=(6.5, height), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    colours = list(colours or PALETTE)
    positions = list(range(len(rows)))[::-1]
    ax.barh(positions, values, color=[colours[n % len(colours)] for n in range(len(rows))])
    ax.set_yticks(positions, labels=labels, fontsize=8)
    ax.set_title(title, fontsize=10)
    if maximum is not None:
        ax.set_xlim(0, maximum * 1.12)
    for pos, (_label, value) in zip(positions, rows, strict=True):
        text = "—" if value is None else f"{_fmt(value)}{unit}"
        ax.text((value or 0) + (maximum or max(values + [1])) * 0.01, pos, text, va="center", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    # Fixed margins rather than tight_layout (which measures every label and doubles the time).
    figure.subplots_adjust(left=0.45, right=0.95, top=1 - 0.45 / height, bottom=0.35 / height)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
