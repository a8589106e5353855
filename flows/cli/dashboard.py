"""`newsflow dashboard`: a Streamlit app over the warehouse, read through short read-only connections.

Run with `newsflow dashboard [--db FILE]` (or `streamlit run flows/cli/dashboard.py` with
NEWSFLOW_DB_PATH set). Every read opens the DuckDB file read-only for one query batch and
closes it, and results are cached for CACHE_S seconds, so a scheduled ingest run is never
blocked for longer than one query and the dashboard waits (bounded) while a batch is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from config.settings import ConfigError, load_settings
from warehouse import query
from warehouse.db import WarehouseError
from warehouse.search import search

CACHE_S = 30
WAIT_S = 10.0
FAILING_STYLE = "background-color: #fde8e8; color: #8b0000"
METADATA = [
    "source_name",
    "listed_by",
    "dated_at",
    "published_at",
    "updated_at",
    "authors",
    "language",
    "site_name",
    "categories",
    "tags",
    "word_count",
    "version",
    "story_id",
    "canonical_url",
    "fetched_at",
    "extractor_version",
]


@st.cache_data(ttl=CACHE_S, show_spinner=False)
def _report(db_path: str) -> dict[str, pd.DataFrame]:
    return query.report_data(Path(db_path))


@st.cache_data(ttl=CACHE_S, show_spinner=False)
def _latest(db_path: str, source: str | None) -> pd.DataFrame:
    return query.latest_articles(Path(db_path), source=source, limit=200, wait_s=WAIT_S)


@st.cache_data(ttl=CACHE_S, show_spinner=False)
def _article(db_path: str, article_id: str) -> pd.DataFrame:
    return query.article(Path(db_path), article_id, wait_s=WAIT_S)


@st.cache_data(ttl=CACHE_S, show_spinner=False)
def _clusters(db_path: str) -> pd.DataFrame:
    return query.story_clusters(Path(db_path), limit=100, wait_s=WAIT_S)


@st.cache_data(ttl=CACHE_S, show_spinner=False)
def _search(db_path: str, words: str, source: str | None) -> tuple[pd.DataFrame, str | None]:
    found = search(Path(db_path), words, source=source, limit=50)
    return found, found.attrs.get("notice")


def _overview(report: dict[str, pd.DataFrame]) -> None:
    row = report["overview"].iloc[0]
    columns = st.columns(4)
    columns[0].metric("articles", int(row["articles"]))
    columns[1].metric("stories", int(row["stories"]))
    columns[2].metric("sources enabled", int(row["sources_enabled"]))
    columns[3].metric("sources failing", int(row["sources_failing"]))


def _volume_tab(report: dict[str, pd.DataFrame]) -> None:
    volume = report["volume"]
    if volume.empty:
        st.info("No articles yet: run `newsflow run` or `newsflow demo`.")
        return
    wide = volume.pivot_table(
        index="day", columns="source_name", values="articles", aggfunc="sum", fill_value=0
    )
    wide.index = wide.index.strftime("%Y-%m-%d")  # one bar per day, not a time axis of thin bars
    st.bar_chart(wide, y_label="articles per day")
    st.caption("An article listed by several sources counts once per source.")


def _sources_tab(report: dict[str, pd.DataFrame]) -> None:
    sources = report["sources"]
    for row in sources[sources["failing"]].itertuples(index=False):
        reason = (
            row.disabled_reason if not row.enabled else f"{row.last_error_class}: {row.last_error}"
        )
        st.error(
            f"**{row.source_name}** is failing ({row.consecutive_failures} in a row) — {reason}"
        )
    styled = sources.style.apply(lambda r: [FAILING_STYLE if r["failing"] else ""] * len(r), axis=1)
    st.dataframe(styled, hide_index=True, width="stretch")
    flags = report["flags"]
    if not flags.empty:
        st.subheader("Extraction quality")
        shares = flags.assign(clean_share=flags["clean"] / flags["articles"])
        st.dataframe(
            shares.assign(flags=shares["flags"].astype(str)), hide_index=True, width="stretch"
        )


def _articles_tab(db_path: str, sources: list[str]) -> None:
    left, right = st.columns([3, 1])
    words = left.text_input("Search articles", key="query", placeholder="e.g. freight strike")
    source = right.selectbox("Source", ["all sources", *sources], key="source")
    source = None if source == "all sources" else source
    if words.strip():
        found, notice = _search(db_path, words, source)
        if notice:
            st.info(notice)
        shown = found[["title", "source_name", "dated_at", "score", "snippet", "article_id"]]
    else:
        shown = _latest(db_path, source)
    st.dataframe(shown.drop(columns="article_id"), hide_index=True, width="stretch")
    if shown.empty:
        st.write("No articles match.")
        return
    # Labels carry the id's start: two sources may use the same headline.
    labels = {
        f"{row.title or '(untitled)'} · {row.source_name} · {row.article_id[:8]}": row.article_id
        for row in shown.itertuples(index=False)
    }
    chosen = st.selectbox("Open article", list(labels), key="article")
    _article_view(db_path, labels[chosen])


def _article_view(db_path: str, article_id: str) -> None:
    found = _article(db_path, article_id)
    if found.empty:
        st.warning("That article is no longer in the warehouse.")
        return
    article = found.iloc[0]
    text_col, meta_col = st.columns([2, 1])
    text_col.subheader(article["title"] or "(untitled)")
    text_col.markdown(article["text"].replace("\n", "  \n"))
    flags = list(article["flags"])
    if flags:
        meta_col.warning("Flags: " + ", ".join(flags))
    else:
        meta_col.success("Clean extraction (no flags)")
    meta = {key: _plain(article[key]) for key in METADATA}
    meta_col.table(pd.DataFrame({"value": [str(v) for v in meta.values()]}, index=list(meta)))
    others = article["same_story"]
    if isinstance(others, (list, np.ndarray)) and len(others):
        meta_col.caption(
            "Same story: " + "; ".join(f"{o['title']} ({o['source_name']})" for o in others)
        )


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return (
        ""
        if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value))
        else value
    )


def _stories_tab(db_path: str) -> None:
    clusters = _clusters(db_path)
    if clusters.empty:
        st.info("No story is carried by more than one article yet.")
        return
    st.caption("Near-duplicate articles (wire copy, syndication) grouped into stories.")
    for row in clusters.itertuples(index=False):
        with st.expander(
            f"{row.first_title} — {row.articles} articles from {', '.join(row.sources)}"
        ):
            members = pd.DataFrame(list(row.members))
            st.dataframe(
                members[["dated_at", "source_name", "title"]], hide_index=True, width="stretch"
            )


def _render(db_path: str) -> None:
    report = _report(db_path)
    last_run = report["overview"].iloc[0]["last_run_at"]
    last_run = "never" if pd.isna(last_run) else f"{last_run:%Y-%m-%d %H:%M} UTC"
    caption, refresh = st.columns([5, 1])
    caption.caption(
        f"{db_path} · last completed run {last_run} · read-only, cached for {CACHE_S} s"
    )
    if refresh.button("Refresh now"):
        st.cache_data.clear()
        report = _report(db_path)
    _overview(report)
    volume, health, articles, stories = st.tabs(["Volume", "Source health", "Articles", "Stories"])
    with volume:
        _volume_tab(report)
    with health:
        _sources_tab(report)
    with articles:
        _articles_tab(db_path, sorted(report["sources"]["source_name"]))
    with stories:
        _stories_tab(db_path)


def main() -> None:
    """Render the dashboard for the database named by settings (NEWSFLOW_DB_PATH)."""
    st.set_page_config(page_title="newsflow", layout="wide")
    st.title("newsflow")
    try:
        _render(str(load_settings().db_path))
    except (WarehouseError, ConfigError) as exc:
        # a missing file, or one held by a writer past WAIT_S: say so, the next rerun retries
        st.error(str(exc))


main()
