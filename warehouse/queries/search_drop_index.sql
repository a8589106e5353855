-- Drop the BM25 index (when the fts extension cannot be loaded, a stale index would hide new
-- articles and look current to the next rebuild).
DROP SCHEMA fts_main_search_docs CASCADE;
