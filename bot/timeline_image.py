"""A timeline as a picture: dates along the bottom, one row per outlet, each development a labelled point
coloured by its outlet. matplotlib (Agg, no display) is imported here only, when a picture is asked for."""

from __future__ import annotations

import io
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

from retrieval.timeline import Timeline

MAX_POINTS = 40  # the latest developments drawn; a longer timeline's picture says how many are left out
LABEL_CHARS = 48
DPI = 110


def _when(published_at: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat((published_at or "")[:10])
    except ValueError:
        return None


def render_png(timeline: Timeline) -> bytes:
    """The timeline's picture as PNG bytes (undated developments are left out of it).

    Raises:
        ValueError: the timeline has no dated development to draw.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    dated = [(when, e) for e in timeline.entries if (when := _when(e.published_at)) is not None]
    if not dated:
        raise ValueError("no dated development to draw")
    left_out = max(0, len(dated) - MAX_POINTS)
    dated = dated[-MAX_POINTS:]
    outlets = list(dict.fromkeys(e.source or e.origin or "unknown outlet" for _, e in dated))
    colours = matplotlib.colormaps["tab10"]
    height = 1.6 + 0.55 * len(dated)
    fig, ax = plt.subplots(figsize=(10, min(height, 24)), dpi=DPI)
    try:
        for n, (when, entry) in enumerate(dated):
            outlet = entry.source or entry.origin or "unknown outlet"
            colour = colours(outlets.index(outlet) % 10)
            y = len(dated) - n
            ax.scatter([when], [y], s=80 if entry.first_report else 40, color=colour, zorder=3,
                       marker="*" if entry.first_report else "o", label=outlet)
            label = textwrap.shorten(entry.title or entry.text, LABEL_CHARS, placeholder="…")
            extra = f" (+{len(entry.also_carried_by)})" if entry.also_carried_by else ""
            ax.annotate(f"{label}{extra}", (when, y), xytext=(8, -3), textcoords="offset points", fontsize=8)
        ax.set_yticks([])
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b %Y"))
        fig.autofmt_xdate()
        first, last = dated[0][0], dated[-1][0]
        pad = max((last - first) * 0.6, timedelta(days=2))  # room for the last labels
        ax.set_xlim(first - pad / 6, last + pad)
        ax.set_ylim(0.3, len(dated) + 0.7)
        ax.grid(axis="x", alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, title="outlet",
                  title_fontsize=8)
        title = timeline.event.label if timeline.event else timeline.query
        ax.set_title(textwrap.shorten(title, 90, placeholder="…"), fontsize=10)
        if left_out:
            ax.text(0, -0.12, f"{left_out} earlier developments not drawn", transform=ax.transAxes, fontsize=8)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(fig)


def write_png(timeline: Timeline, path: Path) -> None:
    """Draw the timeline to `path` (see `render_png`)."""
    Path(path).write_bytes(render_png(timeline))
