"""What a run tells Prefect: which events fire when, and what its summary artifact says."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows import observe
from tasks.records import (
    Article,
    FeedEntry,
    FeedOutcome,
    FeedState,
    FetchResult,
    PageJob,
    PageOutcome,
    RunSummary,
    Source,
)

NOW = datetime(2026, 12, 4, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, dict]]:
    events: list[tuple[str, str, dict]] = []

    def emit(event: str, resource: dict, payload: dict) -> None:
        events.append((event, resource["prefect.resource.id"], payload))

    monkeypatch.setattr(observe, "emit_event", emit)
    return events


def outcome(name: str, status: str, failures: int) -> FeedOutcome:
    fetch = FetchResult(url=f"http://127.0.0.1/{name}", final_url="", status=status, kind="feed")
    return FeedOutcome(Source(name=name, url=fetch.url), fetch, None, None, NOW, failures)


def test_only_a_change_of_a_source_is_an_event(emitted):
    outcomes = [
        outcome("starts", "http_error", 1),
        outcome("still-failing", "http_error", 4),
        outcome("recovers", "ok", 0),
        outcome("fine", "ok", 0),
    ]
    states = {
        "still-failing": FeedState("still-failing", "u", consecutive_failures=3),
        "recovers": FeedState("recovers", "u", consecutive_failures=2),
    }
    changed = observe.emit_source_events(outcomes, states)
    assert changed == ["starts", "recovers"]
    assert [(e, r) for e, r, _ in emitted] == [
        ("newsflow.source.failing", "newsflow.source.starts"),
        ("newsflow.source.recovered", "newsflow.source.recovers"),
    ]
    assert emitted[0][2]["error_class"] == "http_error"


@pytest.mark.parametrize(
    ("due", "not_modified", "new", "error", "expected"),
    [
        (3, 1, 0, None, ["newsflow.run.stored-nothing"]),
        (3, 3, 0, None, []),  # every due source unchanged: nothing to store
        (3, 1, 2, None, []),
        (0, 0, 0, None, []),  # nothing was due
        (3, 0, 0, "WarehouseError: disk full", ["newsflow.run.failed"]),
    ],
)
def test_run_events(emitted, due, not_modified, new, error, expected):
    summary = RunSummary(run_id="r1", feeds_not_modified=not_modified, articles_new=new)
    observe.emit_run_events(summary, due, error)
    assert [event for event, _, _ in emitted] == expected


def test_the_summary_names_errors_and_the_newest_titles_escaped():
    report = observe.RunReport(sources=[Source(name="a", url="http://127.0.0.1/a")], due={"a"})
    entry = FeedEntry(entry_key="k", url="http://127.0.0.1/p")
    for day, title in [(1, "Old news"), (3, "Newest | [click](x)"), (2, "Middle")]:
        article = Article(
            url=None,
            canonical_url=None,
            text="t",
            title=title,
            published_at=datetime(2026, 12, day, tzinfo=UTC),
        )
        report.note_pages([PageOutcome(PageJob("a", entry), None, article=article)])
    summary = RunSummary(
        run_id="r1",
        feeds_total=1,
        articles_new=3,
        errors_by_class={"page:timeout": 2, "feed:http_error": 5},
    )
    text = observe.summary_markdown(summary, "completed", report)
    assert "| new articles | 3 |" in text
    assert text.index("`feed:http_error`: 5") < text.index("`page:timeout`: 2")
    titles = text.split("## Newest titles")[1]
    assert titles.index("Newest") < titles.index("Middle") < titles.index("Old news")
    assert r"Newest \| \[click\](x)" in titles
    assert observe.source_rows(report)[0]["result"] == "not fetched"


def test_the_documented_automations_are_valid():
    import yaml
    from prefect.events.schemas.automations import AutomationCore

    document = yaml.safe_load((REPO / "docs" / "automations.yaml").read_text(encoding="utf-8"))
    automations = [AutomationCore.model_validate(a) for a in document["automations"]]
    expected = {observe.SOURCE_FAILING, observe.RUN_FAILED, observe.RUN_STORED_NOTHING}
    assert {e for a in automations for e in a.trigger.after | a.trigger.expect} >= expected


def test_flow_runs_that_ended_before_the_history_start_are_deleted_with_their_artifacts(
    prefect_server,
):
    from prefect import flow
    from prefect.artifacts import create_markdown_artifact
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    @flow(name="prune-probe")
    def probe() -> None:
        create_markdown_artifact("# a run", key="probe")

    old = probe(return_state=True).state_details.flow_run_id
    history_start = datetime.now(UTC)
    recent = probe(return_state=True).state_details.flow_run_id
    assert observe.prune_history("prune-probe", before=history_start) == 1
    with get_client(sync_client=True) as client:
        flow_filter = FlowFilter(name=FlowFilterName(any_=["prune-probe"]))
        left = client.read_flow_runs(flow_filter=flow_filter)
        artifacts = {artifact.flow_run_id for artifact in client.read_artifacts()}
    assert [run.id for run in left] == [recent]
    assert old not in artifacts
    assert recent in artifacts
