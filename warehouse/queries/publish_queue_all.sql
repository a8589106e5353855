-- Queue every partition of every published table: the next publish rewrites them all (a
-- warehouse moved to another folder, whose catalog names the old paths; a test's direct inserts).
DELETE FROM published_parts;

INSERT INTO publish_queue
SELECT DISTINCT 'articles', strftime(stored_on, '%Y-%m-%d') FROM articles
UNION ALL
SELECT DISTINCT 'fetch_log', strftime(CAST(requested_at AS DATE), '%Y-%m-%d') FROM fetch_log
UNION ALL
SELECT 'sources', 'all'
UNION ALL
SELECT 'ingest_runs', 'all';
