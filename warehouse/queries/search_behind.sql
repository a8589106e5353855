-- Articles the search index is behind on: stored, changed or deleted since it last read them.
-- The queue holds only those, so counting it costs nothing however large the warehouse.
SELECT count(DISTINCT article_id) FROM search_queue;
