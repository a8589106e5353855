-- Day folders of $out_dir to rewrite: the old and new day of every article that is new or
-- changed since the last export there, and the day of every exported article since deleted.
-- Articles merely before $since are left alone.
WITH current_rows AS (
    SELECT article_id, day, fingerprint
    FROM export_rows
    WHERE CAST($since AS DATE) IS NULL OR day >= CAST($since AS DATE)
),
previous AS (
    SELECT article_id, day, fingerprint FROM exported_articles WHERE out_dir = $out_dir
)
SELECT DISTINCT day
FROM (
    SELECT unnest([c.day, p.day]) AS day
    FROM current_rows c
    FULL JOIN previous p ON p.article_id = c.article_id
    WHERE p.article_id IS NULL
       OR (c.article_id IS NOT NULL AND c.fingerprint <> p.fingerprint)
       OR (c.article_id IS NULL AND p.article_id NOT IN (SELECT article_id FROM articles))
)
WHERE day IS NOT NULL
ORDER BY day;
