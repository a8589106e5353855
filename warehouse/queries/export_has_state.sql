-- Whether the exports table exists: a database created before migration 0002 and opened
-- read-only has none yet.
SELECT count(*) FROM duckdb_tables() WHERE table_name = 'exports';
