-- Grow a warehouse made by a real run (the seed articles, bench_seed) with $copies copies of
-- it, numbered from $first_copy, cut at $target articles. Every key stays consistent: new
-- article, entry and story ids per copy, each copy's discoveries, article_sources, raw_pages (the
-- last keep_raw_pages_days only, as retention leaves them),
-- site_paragraphs, fetch_log, search_docs and BM25 index rows. Copies are spread over a year
-- (a prime stride of days), so date-bounded work (the 7-day story window) sees what a year of
-- news would give it. Paragraphs that were template in the seed stay shared; the others get a
-- fingerprint per copy, as a different article's paragraphs would. SELECT * REPLACE copies
-- every column, including any a later migration adds.
CREATE OR REPLACE TEMP TABLE grow_copies AS
SELECT
    c.i AS copy,
    s.article_id AS old_id,
    substr(sha256(s.article_id || ':' || c.i), 1, 24) AS new_id,
    to_days(CAST((c.i * 7919) % 365 AS INTEGER)) + to_minutes(CAST((c.i * 131) % 1440 AS INTEGER)) AS shift
FROM range($first_copy, $first_copy + $copies) c(i)
JOIN bench_seed s ON (c.i - $first_copy) * $seed_size + s.rn <= $target - $current;

CREATE OR REPLACE TEMP TABLE grow_templates AS
SELECT p.site, p.fingerprint
FROM site_paragraphs p JOIN articles a USING (article_id)
WHERE p.article_id IN (SELECT article_id FROM bench_seed)
GROUP BY ALL
HAVING count(DISTINCT coalesce(a.story_id, p.article_id)) >= 3;

INSERT INTO articles
SELECT a.* REPLACE (
    g.new_id AS article_id,
    regexp_replace(a.canonical_url, '/a/', '/a/c' || g.copy || '-') AS canonical_url,
    regexp_replace(a.url, '/a/', '/a/c' || g.copy || '-') AS url,
    a.published_at - g.shift AS published_at,
    a.updated_at - g.shift AS updated_at,
    substr(sha256(a.content_hash || ':' || g.copy), 1, length(a.content_hash)) AS content_hash,
    substr(sha256(coalesce(a.story_id, a.article_id) || ':' || g.copy), 1, 24) AS story_id,
    a.fetched_at - g.shift AS fetched_at,
    CAST(a.fetched_at - g.shift AS DATE) AS stored_on
)
FROM articles a JOIN grow_copies g ON g.old_id = a.article_id;

INSERT INTO raw_pages
SELECT r.* REPLACE (
    g.new_id AS article_id,
    regexp_replace(r.url, '/a/', '/a/c' || g.copy || '-') AS url,
    regexp_replace(r.final_url, '/a/', '/a/c' || g.copy || '-') AS final_url,
    r.fetched_at - g.shift AS fetched_at
)
FROM raw_pages r JOIN grow_copies g ON g.old_id = r.article_id
-- What retention keeps after a year of runs: the raw pages of the last keep_raw_pages_days.
WHERE r.fetched_at - g.shift >= now() - to_days(CAST($keep_raw_pages_days AS INTEGER));

INSERT INTO article_sources
SELECT s.* REPLACE (g.new_id AS article_id, s.first_seen_at - g.shift AS first_seen_at)
FROM article_sources s JOIN grow_copies g ON g.old_id = s.article_id;

INSERT INTO discoveries
SELECT d.* REPLACE (
    sha256(d.entry_key || ':' || g.copy) AS entry_key,
    regexp_replace(d.url, '/a/', '/a/c' || g.copy || '-') AS url,
    d.guid || '#c' || g.copy AS guid,
    d.published_at - g.shift AS published_at,
    g.new_id AS article_id,
    d.first_seen_at - g.shift AS first_seen_at,
    d.last_seen_at - g.shift AS last_seen_at
)
FROM discoveries d JOIN grow_copies g ON g.old_id = d.article_id;

INSERT INTO site_paragraphs
SELECT p.* REPLACE (
    CASE WHEN t.fingerprint IS NULL
         THEN substr(sha256(p.fingerprint || ':' || g.copy), 1, length(p.fingerprint))
         ELSE p.fingerprint END AS fingerprint,
    g.new_id AS article_id
)
FROM site_paragraphs p
JOIN grow_copies g ON g.old_id = p.article_id
LEFT JOIN grow_templates t ON t.site = p.site AND t.fingerprint = p.fingerprint;

INSERT INTO fetch_log
SELECT f.* REPLACE (
    f.run_id || '-c' || g.copy AS run_id,
    regexp_replace(f.url, '/a/', '/a/c' || g.copy || '-') AS url,
    regexp_replace(f.final_url, '/a/', '/a/c' || g.copy || '-') AS final_url,
    f.requested_at - g.shift AS requested_at
)
FROM fetch_log f
JOIN raw_pages r ON r.url = f.url AND f.kind = 'page'
JOIN grow_copies g ON g.old_id = r.article_id;

INSERT INTO search_docs
SELECT s.* REPLACE (g.new_id AS article_id, a.content_hash AS content_hash)
FROM search_docs s
JOIN grow_copies g ON g.old_id = s.article_id
JOIN articles a ON a.article_id = g.new_id;

-- The BM25 index: each copy's documents under new docids, the same terms, df counted again.
CREATE OR REPLACE TEMP TABLE grow_docids AS
SELECT d.docid AS old_docid,
       (SELECT max(docid) + 1 FROM fts_main_search_docs.docs) + row_number() OVER (ORDER BY g.new_id) - 1 AS new_docid,
       g.new_id
FROM fts_main_search_docs.docs d JOIN grow_copies g ON g.old_id = d.name;

-- Laid out as the index update lays postings out: sorted by term within blocks of 8192
-- documents (warehouse/search.py, SEARCH_BLOCK_DOCS).
INSERT INTO fts_main_search_docs.terms (docid, fieldid, termid)
SELECT m.new_docid, t.fieldid, t.termid
FROM fts_main_search_docs.terms t JOIN grow_docids m ON m.old_docid = t.docid
ORDER BY m.new_docid // 8192, t.termid, m.new_docid;

INSERT INTO fts_main_search_docs.docs (docid, name, len)
SELECT m.new_docid, m.new_id, d.len
FROM fts_main_search_docs.docs d JOIN grow_docids m ON m.old_docid = d.docid;

UPDATE fts_main_search_docs.dict AS d SET df = d.df + a.docs
FROM (
    SELECT t.termid, count(DISTINCT t.docid) AS docs
    FROM fts_main_search_docs.terms t
    WHERE t.docid IN (SELECT new_docid FROM grow_docids)
    GROUP BY t.termid
) a
WHERE d.termid = a.termid;

DELETE FROM fts_main_search_docs.stats;

INSERT INTO fts_main_search_docs.stats (num_docs, avgdl)
SELECT count(docid), sum(len) / count(len) FROM fts_main_search_docs.docs;

-- One ingest run per copy, as the runs that would have stored it.
INSERT INTO ingest_runs
SELECT r.* REPLACE (
    r.run_id || '-c' || c.copy AS run_id,
    r.started_at - c.shift AS started_at,
    r.finished_at - c.shift AS finished_at
)
FROM ingest_runs r
JOIN (SELECT DISTINCT copy, shift FROM grow_copies) c ON TRUE
WHERE r.run_id = $seed_run_id;
