-- Whether the search tables exist: search_queue (migration 0005) and the BM25 index schema.
SELECT
    EXISTS (SELECT 1 FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'search_queue') AS has_queue,
    EXISTS (SELECT 1 FROM duckdb_schemas() WHERE schema_name = 'fts_main_search_docs') AS has_index;
