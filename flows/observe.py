"""What a run tells Prefect beyond its states: artifacts, events, and pruning its history.

Artifacts make a flow run's page in the UI say what the run did (a markdown summary, a table of
per-source results); events are what an operator's automations act on (a source that starts
failing or recovers, a run that stored nothing although sources were due, a failed run). The
run's own record stays in the warehouse (ingest_runs, fetch_log); this is its Prefect view.
"""

from __future__ import annotations

import dataclasses
import heapq
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterEndTime,
)
from prefect.events import emit_event

from tasks.records import FeedOutcome, FeedState, PageOutcome, RunSummary, Source

logger = logging.getLogger(__name__)

SUMMARY_KEY = "ingest-summary"
SOURCES_KEY = "ingest-sources"
SOURCE_FAILING = "newsflow.source.failing"
SOURCE_RECOVERED = "newsflow.source.recovered"
RUN_STORED_NOTHING = "newsflow.run.stored-nothing"
RUN_FAILED = "newsflow.run.failed"
NEWEST_TITLES = 10
TOP_ERRORS = 5
# Flow runs deleted per run at most: a steady schedule ages out one run per run, so this only
# bounds the first prune of a long history.
PRUNE_BATCH = 50


@dataclass
class RunReport:
    """What a run did per source and the newest titles it fetched, for its artifacts."""

    sources: Sequence[Source] = ()
    due: set[str] = field(default_factory=set)
    feeds: dict[str, FeedOutcome] = field(default_factory=dict)
    # (published, title, source) of the newest articles fetched; a bounded min-heap.
    newest: list[tuple[datetime, str, str]] = field(default_factory=list)

    def note_pages(self, outcomes: Iterable[PageOutcome]) -> None:
        """Keep the NEWEST_TITLES most recently published titles seen so far."""
        for outcome in outcomes:
            article = outcome.article
            if article is None or not article.title:
                continue
            published = article.published_at or datetime.min.replace(tzinfo=UTC)
            item = (published, article.title, outcome.job.source_name)
            if len(self.newest) < NEWEST_TITLES:
                heapq.heappush(self.newest, item)
            else:
                heapq.heappushpop(self.newest, item)


def _feed_result(outcome: FeedOutcome | None, due: bool) -> str:
    if not due:
        return "not due"
    if outcome is None:
        return "not fetched"
    if outcome.failed:
        return "failed"
    return "not modified" if outcome.unchanged else "fetched"


def _feed_error(outcome: FeedOutcome) -> tuple[str | None, str | None]:
    parsed = outcome.parsed
    if parsed is not None and parsed.error_class:
        return parsed.error_class, parsed.error
    if not outcome.fetch.succeeded:
        return outcome.fetch.status, outcome.fetch.error
    return None, None


def source_rows(report: RunReport) -> list[dict[str, Any]]:
    """One row per configured source: what this run did with it."""
    rows = []
    for source in report.sources:
        outcome = report.feeds.get(source.name)
        error_class, error = _feed_error(outcome) if outcome else (None, None)
        parsed = outcome.parsed if outcome else None
        rows.append(
            {
                "source": source.name,
                "result": _feed_result(outcome, source.name in report.due),
                "http_status": outcome.fetch.http_status if outcome else None,
                "entries": len(parsed.entries) if parsed else 0,
                "failures_in_a_row": outcome.consecutive_failures if outcome else None,
                "error_class": error_class,
                "error": error,
            }
        )
    return rows


def summary_markdown(summary: RunSummary, status: str, report: RunReport) -> str:
    """The run's summary as the markdown shown on its flow run in Prefect's UI."""
    lines = [
        f"# newsflow ingest: {status}",
        "",
        "| | |",
        "|---|---|",
        f"| sources due | {len(report.due)} of {summary.feeds_total} |",
        f"| fetched | {summary.feeds_fetched - summary.feeds_not_modified} |",
        f"| not modified | {summary.feeds_not_modified} |",
        f"| failed | {summary.feeds_failed} |",
        f"| new entries | {summary.entries_new} |",
        f"| pages fetched / failed | {summary.pages_fetched} / {summary.pages_failed} |",
        f"| new articles | {summary.articles_new} |",
        f"| updated articles | {summary.articles_updated} |",
        f"| duration | {summary.duration_s:.1f} s |",
        f"| warehouse run id | `{summary.run_id}` |",
    ]
    errors = Counter(summary.errors_by_class).most_common(TOP_ERRORS)
    if errors:
        lines += ["", "## Top error classes", ""]
        lines += [f"- `{name}`: {count}" for name, count in errors]
    if report.newest:
        lines += ["", "## Newest titles", ""]
        for published, title, source in sorted(report.newest, reverse=True):
            when = "" if published.year == 1 else f" ({published:%Y-%m-%d %H:%M})"
            lines.append(f"- {_escape(title)} — {source}{when}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """Keep a feed's title from turning into markdown links, tables or headings."""
    return "".join(f"\\{char}" if char in "\\`*_[]<>|#" else char for char in text)


def publish_artifacts(summary: RunSummary, status: str, report: RunReport) -> None:
    """Attach the summary and the per-source table to the current flow run."""
    create_markdown_artifact(
        summary_markdown(summary, status, report),
        key=SUMMARY_KEY,
        description="What the ingest run did",
    )
    create_table_artifact(
        source_rows(report), key=SOURCES_KEY, description="Per-source results of the ingest run"
    )


def _source_resource(name: str) -> dict[str, str]:
    return {"prefect.resource.id": f"newsflow.source.{name}", "prefect.resource.name": name}


def emit_source_events(outcomes: Iterable[FeedOutcome], states: dict[str, FeedState]) -> list[str]:
    """Emit an event for each source that started failing or recovered; returns their names.

    A source failing again is no news: only the change is an event, so an automation fires
    once per incident (or, proactively, when no recovery follows a failure).
    """
    changed = []
    for outcome in outcomes:
        state = states.get(outcome.source.name)
        before = state.consecutive_failures if state else 0
        if outcome.failed and before == 0:
            error_class, error = _feed_error(outcome)
            payload = {"error_class": error_class, "error": error, "url": outcome.fetch.url}
            emit_event(SOURCE_FAILING, _source_resource(outcome.source.name), payload=payload)
        elif not outcome.failed and before > 0:
            payload = {"failures_before": before, "url": outcome.fetch.url}
            emit_event(SOURCE_RECOVERED, _source_resource(outcome.source.name), payload=payload)
        else:
            continue
        changed.append(outcome.source.name)
    return changed


def _run_resource(summary: RunSummary) -> dict[str, str]:
    return {"prefect.resource.id": f"newsflow.run.{summary.run_id}"}


def emit_run_events(summary: RunSummary, due: int, error: str | None) -> None:
    """A failed run, or one that stored nothing although sources were due and had changed."""
    payload = {**dataclasses.asdict(summary), "sources_due": due}
    if error is not None:
        emit_event(RUN_FAILED, _run_resource(summary), payload={**payload, "error": error})
    elif (
        due
        and summary.articles_new + summary.articles_updated == 0
        and summary.feeds_not_modified < due
    ):
        emit_event(RUN_STORED_NOTHING, _run_resource(summary), payload=payload)


def prune_history(flow_name: str, before: datetime) -> int:
    """Delete this flow's runs that ended before `before`, with their artifacts and logs.

    Prefect's server deletes a flow run's task runs and logs with it; artifacts are deleted
    here. Returns the number of flow runs deleted.
    """
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
            flow_run_filter=FlowRunFilter(end_time=FlowRunFilterEndTime(before_=before)),
            limit=PRUNE_BATCH,
        )
        ids = [run.id for run in runs]
        if ids:
            artifact_filter = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=ids))
            for artifact in client.read_artifacts(artifact_filter=artifact_filter):
                client.delete_artifact(artifact.id)
        for run_id in ids:
            client.delete_flow_run(run_id)
    if ids:
        logger.info("deleted %d Prefect flow runs that ended before %s", len(ids), before)
    return len(ids)
