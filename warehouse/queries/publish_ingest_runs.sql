-- Every run (one row per run, published whole).
SELECT * FROM ingest_runs ORDER BY started_at;
