-- Every article of the day folders being rewritten (a folder always holds its whole day). The
-- filter is on the article's own columns, so DuckDB applies it while scanning articles, before
-- the listings are joined.
CREATE OR REPLACE TEMP TABLE export_batch AS
SELECT * FROM export_rows WHERE list_contains(CAST($days AS DATE[]), day) ORDER BY day, dated_at, article_id;

SELECT article_id, day, fingerprint FROM export_batch;
