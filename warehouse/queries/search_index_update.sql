-- Bring the BM25 index (schema fts_main_search_docs, made by create_fts_index) up to date with
-- up to $chunk of the queued articles (search_queue: stored, changed or deleted since the index
-- last read them), and take them off the queue. Only those are read: their old postings are
-- removed and their current title and text tokenised from articles, where a create_fts_index
-- rebuild would re-tokenise every article. Tokens are made exactly as create_fts_index makes
-- them (fts 1.4): the schema's own tokenize macro, stopwords dropped before Porter stemming, one
-- terms row per token, dict.df = documents containing the term.
CREATE OR REPLACE TEMP TABLE search_changed AS
SELECT DISTINCT article_id FROM search_queue ORDER BY article_id LIMIT $chunk;

-- Take the old versions (and deleted articles) out of the index.
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

-- Tokenise the current versions of those still stored, read from articles.
CREATE OR REPLACE TEMP TABLE search_new_docs AS
SELECT
    (SELECT coalesce(max(docid), -1) FROM fts_main_search_docs.docs) + row_number() OVER (ORDER BY article_id) AS docid,
    article_id, title, text, content_hash
FROM articles
WHERE article_id IN (SELECT article_id FROM search_changed);

INSERT INTO search_docs (article_id, content_hash, indexed_at)
SELECT article_id, content_hash, $now FROM search_new_docs;

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

-- In docid order, so each row group of terms spans few documents: taking a document out later
-- reads the row groups holding its postings, not all of them (until its block is sorted, below).
INSERT INTO fts_main_search_docs.terms (docid, fieldid, termid)
SELECT n.docid, n.fieldid, d.termid
FROM search_new_terms n
JOIN fts_main_search_docs.dict d USING (term)
ORDER BY n.docid;

UPDATE fts_main_search_docs.dict AS d SET df = d.df + a.docs
FROM (SELECT term, count(DISTINCT docid) AS docs FROM search_new_terms GROUP BY term) a
WHERE d.term = a.term;

INSERT INTO fts_main_search_docs.docs (docid, name, len)
SELECT n.docid, n.article_id, count(t.term)
FROM search_new_docs n
LEFT JOIN search_new_terms t USING (docid)
GROUP BY n.docid, n.article_id;

-- Sort each block of $block documents this chunk completed by term: a query then reads, per
-- block, the row groups holding its terms (their zone maps), not every posting of the index.
-- Blocks are ranges of docids, handed out in order: a block is sorted when its last docid is.
CREATE OR REPLACE TEMP TABLE search_full_blocks AS
SELECT unnest(range(
    (SELECT min(docid) // $block FROM search_new_docs),
    (SELECT (max(docid) + 1) // $block FROM search_new_docs)
)) AS block;

CREATE OR REPLACE TEMP TABLE search_block_docids AS
SELECT unnest(range(block * $block, (block + 1) * $block)) AS docid FROM search_full_blocks;

-- Held narrow (9 bytes a posting, not 24) for the sort, the largest allocation of the update.
CREATE OR REPLACE TEMP TABLE search_block_terms AS
SELECT CAST(docid AS UINTEGER) AS docid, CAST(fieldid AS UTINYINT) AS fieldid, CAST(termid AS UINTEGER) AS termid
FROM fts_main_search_docs.terms
WHERE docid IN (SELECT docid FROM search_block_docids);

DELETE FROM fts_main_search_docs.terms WHERE docid IN (SELECT docid FROM search_block_docids);

INSERT INTO fts_main_search_docs.terms (docid, fieldid, termid)
SELECT docid, fieldid, termid FROM search_block_terms ORDER BY termid, docid;

DELETE FROM fts_main_search_docs.stats;

INSERT INTO fts_main_search_docs.stats (num_docs, avgdl)
SELECT count(docid), sum(len) / count(len) FROM fts_main_search_docs.docs;

-- Consumed in the same transaction: a run killed before the commit leaves them queued.
DELETE FROM search_queue WHERE article_id IN (SELECT article_id FROM search_changed);

DROP TABLE search_changed;
DROP TABLE search_removed;
DROP TABLE search_new_docs;
DROP TABLE search_new_terms;
DROP TABLE search_full_blocks;
DROP TABLE search_block_docids;
DROP TABLE search_block_terms;
