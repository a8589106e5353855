-- Content hashes of batch articles already stored (new vs changed vs unchanged): a join on the
-- key, not a per-row search of the id list.
SELECT article_id, content_hash FROM articles
WHERE article_id IN (SELECT unnest(CAST($ids AS VARCHAR[])));
