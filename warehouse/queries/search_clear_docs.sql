-- Empty search_docs: an index then created on it starts empty, and every article is a change
-- for search_index_update to add.
DELETE FROM search_docs;
