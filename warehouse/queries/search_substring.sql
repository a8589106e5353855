-- Fallback when the BM25 index cannot be used: case-insensitive substring matching of each of
-- $terms (lower-case words); every occurrence in the text counts 1, a headline match counts 3.
WITH scored AS (
    SELECT
        article_id, dated_at, source_name, title, flags, canonical_url, text,
        list_sum(list_transform($terms, t ->
            CASE WHEN contains(lower(coalesce(title, '')), t) THEN 3 ELSE 0 END
            + (length(lower(text)) - length(replace(lower(text), t, ''))) // length(t)
        )) AS score
    FROM clean_articles
    WHERE (CAST($since AS TIMESTAMPTZ) IS NULL OR dated_at >= CAST($since AS TIMESTAMPTZ))
      AND (CAST($source AS VARCHAR) IS NULL OR list_contains(listed_by, $source) OR source_name = $source)
)
SELECT article_id, dated_at, source_name, title, CAST(score AS DOUBLE) AS score, flags, canonical_url, text
FROM scored
WHERE score > 0
ORDER BY score DESC, dated_at DESC
LIMIT $limit;
