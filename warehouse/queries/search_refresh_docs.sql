-- Copy the title and text of every article into search_docs, the table the BM25 index is built on.
DELETE FROM search_docs;

INSERT INTO search_docs (article_id, title, text, content_hash, indexed_at)
SELECT article_id, title, text, content_hash, $now
FROM articles;
