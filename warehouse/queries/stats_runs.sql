-- The last runs for `newsflow stats`.
SELECT started_at, status, feeds_fetched, feeds_failed, entries_new, articles_new, articles_updated,
       pages_failed, duration_s
FROM run_history
LIMIT 5;
