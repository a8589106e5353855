-- The newest articles, optionally of one source ($source NULL for all).
SELECT article_id, dated_at, source_name, title, word_count, flags
FROM latest_articles
WHERE CAST($source AS VARCHAR) IS NULL OR source_name = $source
LIMIT $limit;
