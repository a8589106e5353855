"""`newsflow report`: a self-contained HTML report with inline SVG charts (no scripts, no network)."""

from __future__ import annotations

import html
import logging
import math
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flows.cli.report import _cell
from warehouse.query import report_data

logger = logging.getLogger(__name__)

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
OTHERS = "#999999"
CHART_W, CHART_H, MARGIN_L, MARGIN_B, MARGIN_T = 760, 260, 44, 48, 12
CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 980px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.meta { color: #666; } .cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: .6rem 1rem; min-width: 8rem; }
.card b { display: block; font-size: 1.4rem; }
.wide { overflow-x: auto; } table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: .8rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
tr.failing td { background: #fde8e8; } tr.failing td:first-child { border-left: 4px solid #c62828; }
.legend span { display: inline-block; margin-right: 1rem; } .legend i { display: inline-block; width: .8rem;
height: .8rem; margin-right: .3rem; vertical-align: -1px; } svg text { font: 11px system-ui, sans-serif; fill: #444; }
"""


def write_report(db_path: Path, out: Path, since: date | None = None) -> Path:
    """Write the HTML report for db_path to out (folders created); returns out.

    Raises:
        WarehouseError: the database is missing or stays locked.
        OSError: out cannot be written.

    """
    data = report_data(db_path, since)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        render_report(data, db_label=str(db_path), generated_at=datetime.now(UTC)), encoding="utf-8"
    )
    logger.info("report written to %s", out)
    return out


def render_report(data: dict[str, pd.DataFrame], *, db_label: str, generated_at: datetime) -> str:
    """The whole report as one HTML document: overview, volume, source health, extraction flags."""
    overview = data["overview"].iloc[0]
    sources = data["sources"]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>newsflow report</title><style>",
        CSS,
        "</style></head><body>",
        "<h1>newsflow report</h1>",
        (
            f"<p class='meta'>{_e(db_label)} · generated {generated_at:%Y-%m-%d %H:%M} UTC · "
            f"articles dated {_e(_cell(overview['first_day'])[:10])} to {_e(_cell(overview['last_day'])[:10])}</p>"
        ),
        _cards(overview),
        "<h2>Volume per day and source</h2>",
        _stacked_bars(data["volume"]),
        "<h2>Source health</h2>",
        f"<p>{int(sources['failing'].sum())} of {len(sources)} sources failing (disabled, or last fetch failed); they are listed first.</p>",
        _table(sources, highlight="failing"),
        "<h2>Extraction flags</h2>",
        "<p>Share of each source's articles extracted cleanly (no quality flag), and how many carry each flag.</p>",
        _clean_share_bars(data["flags"]),
        _table(data["flags"]),
        "</body></html>",
    ]
    return "\n".join(parts)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _cards(overview: pd.Series) -> str:
    clean = overview["clean_articles"] / overview["articles"] if overview["articles"] else 0
    cards = [
        ("articles", overview["articles"]),
        ("stories", overview["stories"]),
        ("extracted cleanly", f"{clean:.0%}"),
        ("sources enabled", overview["sources_enabled"]),
        ("sources failing", overview["sources_failing"]),
        ("last completed run", _cell(overview["last_run_at"]) or "never"),
    ]
    return (
        "<div class='cards'>"
        + "".join(f"<div class='card'><b>{_e(v)}</b>{_e(k)}</div>" for k, v in cards)
        + "</div>"
    )


def _display(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(str(v) for v in value)
    return _cell(None if value is pd.NA else value)


def _table(frame: pd.DataFrame, highlight: str | None = None) -> str:
    """An HTML table; rows whose `highlight` column is true get the class "failing"."""
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns if c != highlight)
    rows = []
    for record in frame.to_dict("records"):
        css = " class='failing'" if highlight and bool(record.get(highlight)) else ""
        cells = "".join(f"<td>{_e(_display(v))}</td>" for c, v in record.items() if c != highlight)
        rows.append(f"<tr{css}>{cells}</tr>")
    return f"<div class='wide'><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"


def _nice_step(maximum: float, ticks: int = 4) -> int:
    """A round axis step (1, 2, 5 x 10^n) giving about `ticks` gridlines up to maximum."""
    raw = max(maximum, 1) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return max(1, int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw)))


def _colours(names: Iterable[str]) -> dict[str, str]:
    return {name: PALETTE[i] if i < len(PALETTE) else OTHERS for i, name in enumerate(names)}


def _legend(colours: dict[str, str]) -> str:
    items = "".join(
        f"<span><i style='background:{c}'></i>{_e(n)}</span>" for n, c in colours.items()
    )
    return f"<div class='legend'>{items}</div>"


def _stacked_bars(volume: pd.DataFrame) -> str:
    """Articles per day as bars stacked by source, largest sources at the bottom."""
    if volume.empty:
        return "<p>No articles yet.</p>"
    table = volume.pivot_table(
        index="day", columns="source_name", values="articles", aggfunc="sum", fill_value=0
    )
    table = table[table.sum().sort_values(ascending=False).index]
    colours = _colours(table.columns)
    plot_w, plot_h = CHART_W - MARGIN_L, CHART_H - MARGIN_B - MARGIN_T
    step = _nice_step(table.sum(axis=1).max())
    top = step * math.ceil(table.sum(axis=1).max() / step)
    slot = plot_w / len(table)
    label_every = max(1, math.ceil(len(table) / 12))
    svg = [
        (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {CHART_W} {CHART_H}' width='100%' role='img' "
            "aria-label='articles per day and source'>"
        )
    ]
    for tick in range(0, top + 1, step):
        y = MARGIN_T + plot_h - tick / top * plot_h
        svg.append(
            f"<line x1='{MARGIN_L}' x2='{CHART_W}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e5e5e5'/>"
            f"<text x='{MARGIN_L - 6}' y='{y + 4:.1f}' text-anchor='end'>{tick}</text>"
        )
    for i, (day, row) in enumerate(table.iterrows()):
        x, base, label = MARGIN_L + i * slot + slot * 0.1, MARGIN_T + plot_h, _e(_cell(day)[:10])
        for source, count in row.items():
            if count:
                height = count / top * plot_h
                base -= height
                svg.append(
                    f"<rect x='{x:.1f}' y='{base:.1f}' width='{slot * 0.8:.1f}' height='{height:.1f}' "
                    f"fill='{colours[source]}'><title>{label} {_e(source)}: {int(count)}</title></rect>"
                )
        if i % label_every == 0:
            svg.append(
                f"<text x='{x + slot * 0.4:.1f}' y='{CHART_H - MARGIN_B + 16}' text-anchor='middle'>{label}</text>"
            )
    svg.append("</svg>")
    return "".join(svg) + _legend(colours)


def _clean_share_bars(flags: pd.DataFrame) -> str:
    """One horizontal bar per source: clean share in green, flagged share in orange."""
    if flags.empty:
        return ""
    row_h, label_w, bar_w = 24, 160, 520
    svg = [
        (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {label_w + bar_w + 80} {row_h * len(flags) + 8}' "
            "width='100%' role='img' aria-label='clean share per source'>"
        )
    ]
    for i, row in enumerate(flags.itertuples(index=False)):
        y, share = 4 + i * row_h, row.clean / row.articles if row.articles else 0
        svg.append(
            f"<text x='{label_w - 8}' y='{y + 15}' text-anchor='end'>{_e(row.source_name)}</text>"
            f"<rect x='{label_w}' y='{y + 2}' width='{bar_w * share:.1f}' height='{row_h - 8}' fill='#009E73'/>"
            f"<rect x='{label_w + bar_w * share:.1f}' y='{y + 2}' width='{bar_w * (1 - share):.1f}' "
            f"height='{row_h - 8}' fill='#E69F00'/>"
            f"<text x='{label_w + bar_w + 8}' y='{y + 15}'>{share:.0%} clean</text>"
        )
    svg.append("</svg>")
    return "".join(svg)
