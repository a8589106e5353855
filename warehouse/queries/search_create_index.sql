-- The BM25 index over what search_docs holds (schema fts_main_search_docs, with its macros and
-- stopwords), replacing any index there. Words are runs of letters or digits in any script: the
-- fts default ignore pattern ('(\\.|[^a-z])+') drops digits, so "2024", "G7" or "COVID-19"
-- would not be searchable.
PRAGMA create_fts_index(
    'search_docs', 'article_id', 'title', 'text',
    stemmer = 'porter', stopwords = 'english', ignore = '[^\p{L}\p{N}]+',
    strip_accents = 1, lower = 1, overwrite = 1
);
