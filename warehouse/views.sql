-- Analytical views with stable names for SQL users and dashboards.
-- Recreated whenever this file changes (see warehouse/migrate.py). Every view column carries a
-- comment (SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'clean_articles');
-- tests/test_warehouse_docs.py fails when one is missing.

-- The sources are aggregated apart and joined on the key: grouping articles themselves hashed
-- every text, so a query for one article or the newest fifty paid for the whole table.
CREATE OR REPLACE VIEW clean_articles AS
WITH listings AS (
    SELECT article_id, list_sort(list_distinct(list(source_name))) AS listed_by
    FROM article_sources
    GROUP BY article_id
)
SELECT
    a.article_id,
    a.canonical_url,
    a.source_name,
    coalesce(s.listed_by, []) AS listed_by,
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
    a.content_hash,
    a.story_id,
    a.flags,
    len(a.flags) = 0 AS is_clean,
    a.version,
    a.fetched_at,
    a.extractor_version
FROM articles a
LEFT JOIN listings s USING (article_id);
COMMENT ON VIEW clean_articles IS 'One row per article with every source that listed it, its story cluster and quality flags.';
COMMENT ON COLUMN clean_articles.article_id IS 'Stable id: sha256 of the canonical URL, first 24 hex digits.';
COMMENT ON COLUMN clean_articles.canonical_url IS 'The URL the article is known by (rel=canonical, else the final URL, tracking parameters removed).';
COMMENT ON COLUMN clean_articles.source_name IS 'The first source (feeds.toml name) that listed the article.';
COMMENT ON COLUMN clean_articles.listed_by IS 'Every source that listed the article, sorted.';
COMMENT ON COLUMN clean_articles.title IS 'Headline from the page (else the feed).';
COMMENT ON COLUMN clean_articles.authors IS 'Bylines, as a list.';
COMMENT ON COLUMN clean_articles.published_at IS 'Publication time (UTC); NULL when missing or implausible.';
COMMENT ON COLUMN clean_articles.updated_at IS 'Last modification time the page or feed declared (UTC).';
COMMENT ON COLUMN clean_articles.dated_at IS 'published_at, else fetched_at: the time to sort and bucket by.';
COMMENT ON COLUMN clean_articles.language IS 'Language detected from the text (ISO 639-1), NULL when unsure.';
COMMENT ON COLUMN clean_articles.site_name IS 'Publication name from the page metadata (og:site_name).';
COMMENT ON COLUMN clean_articles.categories IS 'Sections or categories from the feed and page.';
COMMENT ON COLUMN clean_articles.tags IS 'Keywords and tags from the feed and page.';
COMMENT ON COLUMN clean_articles.image_url IS 'Lead image URL (og:image or the feed enclosure).';
COMMENT ON COLUMN clean_articles.summary IS 'Standfirst or description from the page or feed.';
COMMENT ON COLUMN clean_articles.text IS 'Clean article text: paragraphs separated by blank lines, boilerplate and site templates removed.';
COMMENT ON COLUMN clean_articles.word_count IS 'Words in text.';
COMMENT ON COLUMN clean_articles.content_hash IS 'sha256 of the normalised text: equal hashes, equal texts (what an export compares).';
COMMENT ON COLUMN clean_articles.story_id IS 'Near-duplicate cluster: articles telling the same story (wire copy) share it; see story_clusters.';
COMMENT ON COLUMN clean_articles.flags IS 'Extraction quality flags (too_short, paywall, consent_page, not_article, fallback_extraction, template_removed, ...); empty when clean.';
COMMENT ON COLUMN clean_articles.is_clean IS 'TRUE when flags is empty.';
COMMENT ON COLUMN clean_articles.version IS 'Starts at 1, +1 each time the page changed; earlier texts are in article_versions.';
COMMENT ON COLUMN clean_articles.fetched_at IS 'When the page was last fetched (UTC).';
COMMENT ON COLUMN clean_articles.extractor_version IS 'Version of the extractor that produced text, for re-extraction.';

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
COMMENT ON COLUMN articles_per_day.day IS 'Publication day in UTC (fetch day when the article is undated).';
COMMENT ON COLUMN articles_per_day.source_name IS 'A source that listed the articles: an article listed by two feeds counts for both.';
COMMENT ON COLUMN articles_per_day.language IS 'Detected language, ''und'' when unknown.';
COMMENT ON COLUMN articles_per_day.articles IS 'Number of articles.';
COMMENT ON COLUMN articles_per_day.words IS 'Sum of their word counts.';

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
COMMENT ON COLUMN source_health.source_name IS 'Source name from feeds.toml.';
COMMENT ON COLUMN source_health.url IS 'Current feed URL (a permanent redirect moves it).';
COMMENT ON COLUMN source_health.enabled IS 'FALSE when disabled in feeds.toml or by the feed itself (410 Gone).';
COMMENT ON COLUMN source_health.disabled_reason IS 'Why newsflow disabled the source, e.g. "410 Gone".';
COMMENT ON COLUMN source_health.last_success_at IS 'Last fetch that returned the feed (200 or 304).';
COMMENT ON COLUMN source_health.last_fetched_at IS 'Last fetch attempt, successful or not.';
COMMENT ON COLUMN source_health.next_fetch_at IS 'Not fetched again before this time (interval, feed ttl, backoff).';
COMMENT ON COLUMN source_health.consecutive_failures IS 'Failed fetches in a row; 0 after a success.';
COMMENT ON COLUMN source_health.last_error_class IS 'Error class of the last failure (a FetchStatus such as http_error, timeout, parse_error).';
COMMENT ON COLUMN source_health.last_error IS 'Readable reason of the last failure.';
COMMENT ON COLUMN source_health.requests IS 'Requests in fetch_log attributed to the source (feed and pages).';
COMMENT ON COLUMN source_health.error_rate IS 'Share of those requests that failed, 0 to 1.';
COMMENT ON COLUMN source_health.median_latency_ms IS 'Median request time in milliseconds.';
COMMENT ON COLUMN source_health.articles IS 'Articles the source listed.';
COMMENT ON COLUMN source_health.articles_per_day IS 'Articles listed per day since the source''s first article.';
COMMENT ON COLUMN source_health.failing IS 'TRUE when the source is disabled or its last fetch failed.';

-- On articles alone (nothing here needs the sources), so `LIMIT n` is a top-n over a few
-- narrow columns rather than a sort of every article.
CREATE OR REPLACE VIEW latest_articles AS
SELECT
    article_id,
    coalesce(published_at, fetched_at) AS dated_at,
    source_name,
    title,
    authors,
    language,
    word_count,
    flags,
    canonical_url
FROM articles
ORDER BY dated_at DESC;
COMMENT ON VIEW latest_articles IS 'Newest articles first, without their text.';
COMMENT ON COLUMN latest_articles.article_id IS 'Article id (join clean_articles for the text).';
COMMENT ON COLUMN latest_articles.dated_at IS 'Publication time, else fetch time (UTC).';
COMMENT ON COLUMN latest_articles.source_name IS 'The first source that listed the article.';
COMMENT ON COLUMN latest_articles.title IS 'Headline.';
COMMENT ON COLUMN latest_articles.authors IS 'Bylines.';
COMMENT ON COLUMN latest_articles.language IS 'Detected language (ISO 639-1).';
COMMENT ON COLUMN latest_articles.word_count IS 'Words in the clean text.';
COMMENT ON COLUMN latest_articles.flags IS 'Extraction quality flags; empty when clean.';
COMMENT ON COLUMN latest_articles.canonical_url IS 'Canonical URL of the article.';

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
COMMENT ON COLUMN fetch_errors.kind IS 'What was requested: feed, page, robots or discovery.';
COMMENT ON COLUMN fetch_errors.error_class IS 'Failure class (a FetchStatus): http_error, timeout, network_error, tls_error, too_large, blocked_address, robots_disallowed, ...';
COMMENT ON COLUMN fetch_errors.requests IS 'Failed requests of this kind and class.';
COMMENT ON COLUMN fetch_errors.urls IS 'Distinct URLs among them.';
COMMENT ON COLUMN fetch_errors.last_seen_at IS 'Time of the most recent such failure.';
COMMENT ON COLUMN fetch_errors.example_error IS 'One readable error message of the group.';

CREATE OR REPLACE VIEW run_history AS
SELECT * FROM ingest_runs ORDER BY started_at DESC;
COMMENT ON VIEW run_history IS 'One row per ingest run, newest first, with counts, timing and the Prefect flow run id.';
COMMENT ON COLUMN run_history.run_id IS 'newsflow run id (also in articles.run_id and fetch_log.run_id).';
COMMENT ON COLUMN run_history.flow_run_id IS 'Prefect flow run id, to find the run in the Prefect UI.';
COMMENT ON COLUMN run_history.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN run_history.finished_at IS 'When it ended; NULL while running or after a crash.';
COMMENT ON COLUMN run_history.status IS 'running, completed or failed.';
COMMENT ON COLUMN run_history.feeds_total IS 'Sources considered.';
COMMENT ON COLUMN run_history.feeds_fetched IS 'Feeds fetched and parsed.';
COMMENT ON COLUMN run_history.feeds_not_modified IS 'Feeds answered 304 or unchanged since the last fetch.';
COMMENT ON COLUMN run_history.feeds_skipped IS 'Feeds not due yet (interval or backoff).';
COMMENT ON COLUMN run_history.feeds_failed IS 'Feeds whose fetch or parse failed.';
COMMENT ON COLUMN run_history.entries_seen IS 'Feed entries read.';
COMMENT ON COLUMN run_history.entries_new IS 'Entries never seen before.';
COMMENT ON COLUMN run_history.pages_fetched IS 'Article pages fetched.';
COMMENT ON COLUMN run_history.pages_failed IS 'Article pages that failed (fetch or extraction).';
COMMENT ON COLUMN run_history.articles_new IS 'Articles stored for the first time.';
COMMENT ON COLUMN run_history.articles_updated IS 'Stored articles whose text changed.';
COMMENT ON COLUMN run_history.duration_s IS 'Wall-clock duration in seconds.';
COMMENT ON COLUMN run_history.error IS 'Why a failed run failed.';

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
COMMENT ON COLUMN story_clusters.story_id IS 'Cluster id (articles.story_id).';
COMMENT ON COLUMN story_clusters.articles IS 'Articles in the cluster.';
COMMENT ON COLUMN story_clusters.sources IS 'Sources that carried the story, sorted.';
COMMENT ON COLUMN story_clusters.first_seen_at IS 'Earliest publication (else fetch) time in the cluster.';
COMMENT ON COLUMN story_clusters.first_title IS 'Headline of the earliest article.';

CREATE OR REPLACE VIEW extraction_flags AS
WITH flagged AS (
    SELECT source_name, unnest(flags) AS flag FROM articles
),
totals AS (
    SELECT source_name, count(*) AS total FROM articles GROUP BY source_name
)
SELECT
    f.source_name,
    f.flag,
    count(*) AS articles,
    round(count(*) / any_value(t.total), 3) AS share
FROM flagged f
JOIN totals t USING (source_name)
GROUP BY f.source_name, f.flag
ORDER BY f.source_name, articles DESC;
COMMENT ON VIEW extraction_flags IS 'Extraction quality flags per source: how many articles carry each flag.';
COMMENT ON COLUMN extraction_flags.source_name IS 'The first source that listed the articles.';
COMMENT ON COLUMN extraction_flags.flag IS 'A quality flag (too_short, paywall, consent_page, not_article, fallback_extraction, template_removed, ...).';
COMMENT ON COLUMN extraction_flags.articles IS 'Articles of the source carrying the flag.';
COMMENT ON COLUMN extraction_flags.share IS 'Those articles as a share of all the source''s articles, 0 to 1.';
