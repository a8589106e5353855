-- Close a run's row with its counts, status and timing.
UPDATE ingest_runs SET
    feeds_total = $feeds_total,
    feeds_fetched = $feeds_fetched,
    feeds_not_modified = $feeds_not_modified,
    feeds_skipped = $feeds_skipped,
    feeds_failed = $feeds_failed,
    entries_seen = $entries_seen,
    entries_new = $entries_new,
    pages_fetched = $pages_fetched,
    pages_failed = $pages_failed,
    articles_new = $articles_new,
    articles_updated = $articles_updated,
    duration_s = $duration_s,
    status = $status,
    finished_at = $now,
    error = $error
WHERE run_id = $run_id;

INSERT INTO publish_queue VALUES ('ingest_runs', 'all');
