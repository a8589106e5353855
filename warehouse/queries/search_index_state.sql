-- Whether the search tables exist: search_docs (migration 0002) and its BM25 index schema.
SELECT
    EXISTS (SELECT 1 FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'search_docs') AS has_docs,
    EXISTS (SELECT 1 FROM duckdb_schemas() WHERE schema_name = 'fts_main_search_docs') AS has_index;
