-- Day folders of $out_dir to rewrite: the old and new day of every article that is new or
-- changed since the last export there, and the day of every exported article since deleted.
-- Those articles and days go into export_changed, so the rewrite reads only them from the
-- warehouse and keeps the rest of each day from its file (export_kept.sql).
-- Only the articles of partitions published after that export ($watermark) or waiting to be
-- are compared, so the cost follows what changed, not the warehouse. Articles merely before
-- $since are left alone.
WITH touched AS (
    SELECT article_id, content_hash, version, title, coalesce(published_at, fetched_at) AS dated_at,
           flags, story_id
    FROM articles
    WHERE stored_on IN (
        SELECT CAST(part AS DATE) FROM published_parts
        WHERE table_name = 'articles' AND publish_id > $watermark
        UNION
        SELECT CAST(part AS DATE) FROM publish_queue WHERE table_name = 'articles'
    )
),
-- Listings of the touched articles only: clean_articles groups every article's.
listings AS (
    SELECT article_id, list_sort(list_distinct(list(source_name))) AS listed_by
    FROM article_sources
    WHERE article_id IN (SELECT article_id FROM touched)
    GROUP BY article_id
),
current_rows AS (
    SELECT
        t.article_id,
        CAST(t.dated_at AS DATE) AS day,
        export_fingerprint(t.content_hash, t.version, t.title, t.dated_at, coalesce(l.listed_by, []), t.flags, t.story_id)
            AS fingerprint
    FROM touched t
    LEFT JOIN listings l USING (article_id)
    WHERE CAST($since AS DATE) IS NULL OR CAST(t.dated_at AS DATE) >= CAST($since AS DATE)
),
previous AS (
    SELECT article_id, day, fingerprint
    FROM exported_articles
    WHERE out_dir = $out_dir AND article_id IN (SELECT article_id FROM touched)
),
deleted AS (
    SELECT article_id, day
    FROM exported_articles
    WHERE out_dir = $out_dir AND article_id NOT IN (SELECT article_id FROM articles)
)
INSERT INTO export_changed
SELECT article_id, day
FROM (
    SELECT coalesce(c.article_id, p.article_id) AS article_id, unnest([c.day, p.day]) AS day
    FROM current_rows c
    FULL JOIN previous p ON p.article_id = c.article_id
    WHERE p.article_id IS NULL
       OR (c.article_id IS NOT NULL AND c.fingerprint <> p.fingerprint)
    UNION ALL
    SELECT article_id, day FROM deleted
)
WHERE day IS NOT NULL;

SELECT DISTINCT day FROM export_changed ORDER BY day;
