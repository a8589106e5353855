-- search_docs without its copy of every title and text (6.5 KB per article): the index update
-- (warehouse/search.py) tokenises the queued articles (search_queue) from articles itself, so
-- search_docs keeps only which version of each article the BM25 index holds, and since when.
--
-- title and text remain, always NULL: create_fts_index, run once on the empty table for the
-- index's schema and macros, takes its fields (fts_main_search_docs.fields) from columns of the
-- table it indexes. NULL columns take no space; the CHECKs keep a copy from creeping back.
CREATE TABLE search_docs_indexed (
    article_id    VARCHAR PRIMARY KEY,
    content_hash  VARCHAR NOT NULL,                  -- articles.content_hash when tokenised
    indexed_at    TIMESTAMPTZ NOT NULL,
    title         VARCHAR CHECK (title IS NULL),
    text          VARCHAR CHECK (text IS NULL)
);

INSERT INTO search_docs_indexed (article_id, content_hash, indexed_at)
SELECT article_id, content_hash, indexed_at FROM search_docs;

DROP TABLE search_docs;

ALTER TABLE search_docs_indexed RENAME TO search_docs;
