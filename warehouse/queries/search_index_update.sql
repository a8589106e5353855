-- Bring search_docs and its BM25 index (schema fts_main_search_docs, made by create_fts_index)
-- up to date incrementally: only new, changed and deleted articles are tokenised, where a
-- create_fts_index rebuild would re-tokenise every article. Tokens are made exactly as
-- create_fts_index makes them (fts 1.4): the schema's own tokenize macro, stopwords dropped
-- before Porter stemming, one terms row per token, dict.df = documents containing the term.
-- At most $chunk articles per call, so the tokens held at once stay bounded.
CREATE OR REPLACE TEMP TABLE search_changed AS
SELECT coalesce(a.article_id, s.article_id) AS article_id, a.article_id IS NOT NULL AS present
FROM articles a
FULL JOIN search_docs s ON s.article_id = a.article_id
WHERE s.article_id IS NULL
   OR a.article_id IS NULL
   OR a.content_hash <> s.content_hash
   OR a.title IS DISTINCT FROM s.title
LIMIT $chunk;

-- Take the old versions out of the index.
CREATE OR REPLACE TEMP TABLE search_removed AS
SELECT d.docid FROM fts_main_search_docs.docs d JOIN search_changed c ON c.article_id = d.name;

UPDATE fts_main_search_docs.dict AS d SET df = d.df - r.docs
FROM (
    SELECT termid, count(DISTINCT docid) AS docs
    FROM fts_main_search_docs.terms
    WHERE docid IN (SELECT docid FROM search_removed)
    GROUP BY termid
) r
WHERE d.termid = r.termid;

DELETE FROM fts_main_search_docs.terms WHERE docid IN (SELECT docid FROM search_removed);

DELETE FROM fts_main_search_docs.docs WHERE docid IN (SELECT docid FROM search_removed);

DELETE FROM fts_main_search_docs.dict WHERE df <= 0;

DELETE FROM search_docs WHERE article_id IN (SELECT article_id FROM search_changed);

INSERT INTO search_docs (article_id, title, text, content_hash, indexed_at)
SELECT article_id, title, text, content_hash, $now
FROM articles
WHERE article_id IN (SELECT article_id FROM search_changed WHERE present);

-- Tokenise the new versions.
CREATE OR REPLACE TEMP TABLE search_new_docs AS
SELECT
    (SELECT coalesce(max(docid), -1) FROM fts_main_search_docs.docs) + row_number() OVER (ORDER BY article_id) AS docid,
    article_id, title, text
FROM search_docs
WHERE article_id IN (SELECT article_id FROM search_changed WHERE present);

CREATE OR REPLACE TEMP TABLE search_new_terms AS
WITH tokenized AS (
    SELECT docid, (SELECT fieldid FROM fts_main_search_docs.fields WHERE field = 'title') AS fieldid,
           unnest(fts_main_search_docs.tokenize(title)) AS w
    FROM search_new_docs
    UNION ALL
    SELECT docid, (SELECT fieldid FROM fts_main_search_docs.fields WHERE field = 'text') AS fieldid,
           unnest(fts_main_search_docs.tokenize(text)) AS w
    FROM search_new_docs
)
SELECT docid, fieldid, stem(w, 'porter') AS term
FROM tokenized
WHERE w IS NOT NULL AND len(w) > 0 AND w NOT IN (SELECT sw FROM fts_main_search_docs.stopwords);

INSERT INTO fts_main_search_docs.dict (termid, term, df)
SELECT (SELECT coalesce(max(termid), -1) FROM fts_main_search_docs.dict) + row_number() OVER (ORDER BY term), term, 0
FROM (SELECT DISTINCT term FROM search_new_terms)
WHERE term NOT IN (SELECT term FROM fts_main_search_docs.dict);

INSERT INTO fts_main_search_docs.terms (docid, fieldid, termid)
SELECT n.docid, n.fieldid, d.termid
FROM search_new_terms n
JOIN fts_main_search_docs.dict d USING (term);

UPDATE fts_main_search_docs.dict AS d SET df = d.df + a.docs
FROM (SELECT term, count(DISTINCT docid) AS docs FROM search_new_terms GROUP BY term) a
WHERE d.term = a.term;

INSERT INTO fts_main_search_docs.docs (docid, name, len)
SELECT n.docid, n.article_id, count(t.term)
FROM search_new_docs n
LEFT JOIN search_new_terms t USING (docid)
GROUP BY n.docid, n.article_id;

DELETE FROM fts_main_search_docs.stats;

INSERT INTO fts_main_search_docs.stats (num_docs, avgdl)
SELECT count(docid), sum(len) / count(len) FROM fts_main_search_docs.docs;

DROP TABLE search_changed;
DROP TABLE search_removed;
DROP TABLE search_new_docs;
DROP TABLE search_new_terms;
