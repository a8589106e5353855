-- Day folders of $out_dir to rewrite: the old and new day of every article that is new or
-- changed since the last export there, and the day of every exported article since deleted.
-- Only the articles of partitions published after that export ($watermark) or waiting to be
-- are compared, so the cost follows what changed, not the warehouse. Articles merely before
-- $since are left alone.
WITH touched AS (
    SELECT article_id
    FROM articles
    WHERE stored_on IN (
        SELECT CAST(part AS DATE) FROM published_parts
        WHERE table_name = 'articles' AND publish_id > $watermark
        UNION
        SELECT CAST(part AS DATE) FROM publish_queue WHERE table_name = 'articles'
    )
),
current_rows AS (
    SELECT article_id, day, fingerprint
    FROM export_rows
    WHERE article_id IN (SELECT article_id FROM touched)
      AND (CAST($since AS DATE) IS NULL OR day >= CAST($since AS DATE))
),
previous AS (
    SELECT article_id, day, fingerprint
    FROM exported_articles
    WHERE out_dir = $out_dir AND article_id IN (SELECT article_id FROM touched)
),
deleted AS (
    SELECT day
    FROM exported_articles
    WHERE out_dir = $out_dir AND article_id NOT IN (SELECT article_id FROM articles)
)
SELECT DISTINCT day
FROM (
    SELECT unnest([c.day, p.day]) AS day
    FROM current_rows c
    FULL JOIN previous p ON p.article_id = c.article_id
    WHERE p.article_id IS NULL
       OR (c.article_id IS NOT NULL AND c.fingerprint <> p.fingerprint)
    UNION ALL
    SELECT day FROM deleted
)
WHERE day IS NOT NULL
ORDER BY day;
