-- An empty BM25 index (schema fts_main_search_docs, with its macros and stopwords), replacing any
-- index there, and every article queued for search_index_update to add. It is made on the empty
-- search_docs, whose always-NULL title and text columns name the index's two fields. Words are
-- runs of letters or digits in any script: the fts default ignore pattern ('(\\.|[^a-z])+')
-- drops digits, so "2024", "G7" or "COVID-19" would not be searchable.
DELETE FROM search_docs;

PRAGMA create_fts_index(
    'search_docs', 'article_id', 'title', 'text',
    stemmer = 'porter', stopwords = 'english', ignore = '[^\p{L}\p{N}]+',
    strip_accents = 1, lower = 1, overwrite = 1
);

DELETE FROM search_queue;

INSERT INTO search_queue SELECT article_id FROM articles;
