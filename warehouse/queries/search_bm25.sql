-- Articles matching $query by BM25 over title and text, best first. The title-only score is
-- added on top, so an article whose headline matches outranks one that mentions the words once.
-- The scores are fts's match_bm25 (k 1.2, b 0.75, its formula and log) computed once for the
-- postings of the query's terms: calling match_bm25 per document scored every document.
WITH query_terms AS (
    SELECT DISTINCT d.termid, d.df
    FROM fts_main_search_docs.dict d
    WHERE d.term IN (SELECT stem(unnest(fts_main_search_docs.tokenize($query)), 'porter'))
),
postings AS (
    SELECT t.docid, t.termid, q.df, count(*) AS tf,
           count(*) FILTER (WHERE t.fieldid = (SELECT fieldid FROM fts_main_search_docs.fields WHERE field = 'title')) AS title_tf
    FROM fts_main_search_docs.terms t
    JOIN query_terms q USING (termid)
    GROUP BY t.docid, t.termid, q.df
),
bm25 AS (
    SELECT
        p.docid,
        log(((SELECT num_docs FROM fts_main_search_docs.stats) - p.df + 0.5) / (p.df + 0.5) + 1)
            AS idf,
        1.2 * (1 - 0.75 + 0.75 * (d.len / (SELECT avgdl FROM fts_main_search_docs.stats))) AS norm,
        p.tf,
        p.title_tf,
        d.name AS article_id
    FROM postings p
    JOIN fts_main_search_docs.docs d USING (docid)
),
scored AS (
    SELECT
        article_id,
        sum(idf * (tf * 2.2 / (tf + norm))) AS text_score,
        sum(idf * (title_tf * 2.2 / (title_tf + norm))) FILTER (WHERE title_tf > 0) AS title_score
    FROM bm25
    GROUP BY article_id
),
-- Ranked on narrow columns first: the text (snippets) is read for the $limit results only.
ranked AS (
    SELECT
        s.article_id,
        round(s.text_score + coalesce(s.title_score, 0), 4) AS score,
        coalesce(a.published_at, a.fetched_at) AS dated_at
    FROM scored s
    JOIN articles a USING (article_id)
    WHERE (CAST($since AS TIMESTAMPTZ) IS NULL OR coalesce(a.published_at, a.fetched_at) >= CAST($since AS TIMESTAMPTZ))
      AND (CAST($source AS VARCHAR) IS NULL OR a.source_name = $source
           OR a.article_id IN (SELECT article_id FROM article_sources WHERE source_name = $source))
    ORDER BY score DESC, dated_at DESC
    LIMIT $limit
)
-- From articles, not clean_articles: that view aggregates every article's sources first.
SELECT a.article_id, r.dated_at, a.source_name, a.title, r.score, a.flags, a.canonical_url, a.text
FROM ranked r
JOIN articles a USING (article_id)
ORDER BY r.score DESC, r.dated_at DESC;
