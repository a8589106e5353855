-- Headline numbers for the HTML report and the dashboard.
SELECT
    (SELECT count(*) FROM articles) AS articles,
    (SELECT count(*) FROM articles WHERE len(flags) = 0) AS clean_articles,
    (SELECT count(DISTINCT story_id) FROM articles) AS stories,
    (SELECT count(*) FROM sources WHERE enabled) AS sources_enabled,
    (SELECT count(*) FROM source_health WHERE failing) AS sources_failing,
    (SELECT min(day) FROM articles_per_day) AS first_day,
    (SELECT max(day) FROM articles_per_day) AS last_day,
    (SELECT max(finished_at) FROM ingest_runs WHERE status = 'completed') AS last_run_at;
