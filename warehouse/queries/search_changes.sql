-- Articles whose title or text differ from their copy in search_docs: new, changed or deleted.
SELECT count(*)
FROM articles a
FULL JOIN search_docs s ON s.article_id = a.article_id
WHERE s.article_id IS NULL
   OR a.article_id IS NULL
   OR a.content_hash <> s.content_hash
   OR a.title IS DISTINCT FROM s.title;
