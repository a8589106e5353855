-- Every article of the day folders being rewritten (a folder always holds its whole day).
CREATE OR REPLACE TEMP TABLE export_batch AS
SELECT * FROM export_rows
-- The days' articles found on two narrow columns first, so the view's text and listings are
-- read for them only.
WHERE article_id IN (
    SELECT article_id FROM articles
    WHERE list_contains(CAST($days AS DATE[]), CAST(coalesce(published_at, fetched_at) AS DATE))
)
ORDER BY day, dated_at, article_id;

SELECT article_id, day, fingerprint FROM export_batch;
