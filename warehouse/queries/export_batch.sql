-- The rows the export writes from the warehouse: every article of the days in $full_days, and
-- in the days of $changed_days only the articles of export_changed (export_kept.sql adds the
-- rest of those days from their files). The ids come first, from the date columns alone:
-- filtered on its day, export_rows read every article's text, as DuckDB cannot push that
-- filter through the listings join into the scan (11 s and 6.8 GB to export a few days of a
-- 1,000,000-article warehouse). Joined on the ids, the articles scan gets them as an IN filter
-- when there are up to dynamic_or_filter_threshold of them, and skips the blocks holding none.
CREATE OR REPLACE TEMP TABLE export_ids AS
SELECT article_id
FROM articles
WHERE list_contains(CAST($full_days AS DATE[]), CAST(coalesce(published_at, fetched_at) AS DATE))
UNION
SELECT article_id FROM export_changed WHERE list_contains(CAST($changed_days AS DATE[]), day);

SET dynamic_or_filter_threshold = 100000;

CREATE OR REPLACE TEMP TABLE export_batch AS
SELECT *
FROM export_rows
WHERE article_id IN (SELECT article_id FROM export_ids)
  AND (list_contains(CAST($full_days AS DATE[]), day) OR list_contains(CAST($changed_days AS DATE[]), day))
-- In day order, so writing each day skips the row groups of the others (a full export writes
-- thousands of days from this table).
ORDER BY day, dated_at, article_id;

RESET dynamic_or_filter_threshold;
