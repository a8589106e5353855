-- Articles matching $query by BM25 over title and text, best first. The title-only score is
-- added on top, so an article whose headline matches outranks one that mentions the words once.
WITH scored AS (
    SELECT
        article_id,
        fts_main_search_docs.match_bm25(article_id, $query) AS text_score,
        fts_main_search_docs.match_bm25(article_id, $query, fields := 'title') AS title_score
    FROM search_docs
)
SELECT
    c.article_id,
    c.dated_at,
    c.source_name,
    c.title,
    round(s.text_score + coalesce(s.title_score, 0), 4) AS score,
    c.flags,
    c.canonical_url,
    c.text
FROM scored s
JOIN clean_articles c USING (article_id)
WHERE s.text_score IS NOT NULL
  AND (CAST($since AS TIMESTAMPTZ) IS NULL OR c.dated_at >= CAST($since AS TIMESTAMPTZ))
  AND (CAST($source AS VARCHAR) IS NULL OR list_contains(c.listed_by, $source) OR c.source_name = $source)
ORDER BY score DESC, c.dated_at DESC
LIMIT $limit;
