-- One row of headline numbers for `newsflow stats`.
SELECT
    (SELECT count(*) FROM articles) AS articles,
    (SELECT count(DISTINCT story_id) FROM articles) AS stories,
    (SELECT count(*) FROM sources WHERE enabled) AS sources_enabled,
    (SELECT count(*) FROM source_health WHERE failing) AS sources_failing,
    (SELECT count(*) FROM discoveries WHERE state = 'pending') AS entries_pending,
    (SELECT count(*) FROM fetch_log WHERE error_class IS NOT NULL) AS failed_requests,
    (SELECT max(finished_at) FROM ingest_runs WHERE status = 'completed') AS last_run_at;
