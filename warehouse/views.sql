-- Analytical views with stable names for SQL users and dashboards.
-- Recreated whenever this file changes (see warehouse/migrate.py).

CREATE OR REPLACE VIEW clean_articles AS
SELECT
    a.article_id,
    a.canonical_url,
    a.source_name,
    list_sort(list_distinct(list(s.source_name))) AS listed_by,
    a.title,
    a.authors,
    a.published_at,
    a.updated_at,
    coalesce(a.published_at, a.fetched_at) AS dated_at,
    a.language,
    a.site_name,
    a.categories,
    a.tags,
    a.image_url,
    a.summary,
    a.text,
    a.word_count,
    a.story_id,
    a.flags,
    len(a.flags) = 0 AS is_clean,
    a.version,
    a.fetched_at,
    a.extractor_version
FROM articles a
LEFT JOIN article_sources s USING (article_id)
GROUP BY ALL;
COMMENT ON VIEW clean_articles IS 'One row per article with every source that listed it, its story cluster and quality flags.';

CREATE OR REPLACE VIEW articles_per_day AS
SELECT
    CAST(date_trunc('day', coalesce(a.published_at, a.fetched_at)) AS DATE) AS day,
    s.source_name,
    coalesce(a.language, 'und') AS language,
    count(*) AS articles,
    sum(a.word_count) AS words
FROM articles a
JOIN article_sources s USING (article_id)
GROUP BY ALL;
COMMENT ON VIEW articles_per_day IS 'Articles per publication day (fetch day when undated), per listing source and language.';

CREATE OR REPLACE VIEW source_health AS
WITH requests AS (
    SELECT
        source_name,
        count(*) AS requests,
        count(*) FILTER (WHERE error_class IS NOT NULL) AS errors,
        median(elapsed_ms) AS median_latency_ms
    FROM fetch_log
    WHERE source_name IS NOT NULL
    GROUP BY source_name
),
volume AS (
    SELECT
        source_name,
        count(*) AS articles,
        count(*) / greatest(1, date_diff('day', min(first_seen_at), now()) + 1) AS articles_per_day
    FROM article_sources
    GROUP BY source_name
)
SELECT
    src.name AS source_name,
    src.url,
    src.enabled,
    src.disabled_reason,
    src.last_success_at,
    src.last_fetched_at,
    src.next_fetch_at,
    src.consecutive_failures,
    src.last_error_class,
    src.last_error,
    coalesce(r.requests, 0) AS requests,
    round(coalesce(r.errors, 0) / greatest(r.requests, 1), 3) AS error_rate,
    r.median_latency_ms,
    coalesce(v.articles, 0) AS articles,
    round(coalesce(v.articles_per_day, 0), 1) AS articles_per_day,
    NOT src.enabled OR src.consecutive_failures > 0 AS failing
FROM sources src
LEFT JOIN requests r ON r.source_name = src.name
LEFT JOIN volume v ON v.source_name = src.name;
COMMENT ON VIEW source_health IS 'Per source: last success, consecutive failures, error rate, median latency, articles per day.';

CREATE OR REPLACE VIEW latest_articles AS
SELECT article_id, dated_at, source_name, title, authors, language, word_count, flags, canonical_url
FROM clean_articles
ORDER BY dated_at DESC;
COMMENT ON VIEW latest_articles IS 'Newest articles first, without their text.';

CREATE OR REPLACE VIEW fetch_errors AS
SELECT
    kind,
    error_class,
    count(*) AS requests,
    count(DISTINCT url) AS urls,
    max(requested_at) AS last_seen_at,
    any_value(error) AS example_error
FROM fetch_log
WHERE error_class IS NOT NULL
GROUP BY ALL
ORDER BY requests DESC;
COMMENT ON VIEW fetch_errors IS 'Failed requests grouped by kind (feed, page, robots) and error class.';

CREATE OR REPLACE VIEW run_history AS
SELECT * FROM ingest_runs ORDER BY started_at DESC;
COMMENT ON VIEW run_history IS 'One row per ingest run, newest first, with counts, timing and the Prefect flow run id.';

CREATE OR REPLACE VIEW story_clusters AS
SELECT
    story_id,
    count(*) AS articles,
    list_sort(list_distinct(list(source_name))) AS sources,
    min(coalesce(published_at, fetched_at)) AS first_seen_at,
    arg_min(title, coalesce(published_at, fetched_at)) AS first_title
FROM articles
WHERE story_id IS NOT NULL
GROUP BY story_id;
COMMENT ON VIEW story_clusters IS 'Near-duplicate story clusters (wire stories) with the sources that carried them.';
