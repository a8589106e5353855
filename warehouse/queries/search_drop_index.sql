-- Without the fts extension: drop any BM25 index (a stale one would hide new articles and look
-- current to the next update) and forget what it held and was behind on. Creating it again
-- queues every article.
DROP SCHEMA IF EXISTS fts_main_search_docs CASCADE;

DELETE FROM search_docs;

DELETE FROM search_queue;
