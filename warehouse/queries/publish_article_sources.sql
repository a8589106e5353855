-- The listings of one day of articles: published beside them, in the same partition.
SELECT *
FROM article_sources
WHERE article_id IN (SELECT article_id FROM articles WHERE stored_on = CAST($part AS DATE));
