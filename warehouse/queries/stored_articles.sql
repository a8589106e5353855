-- Content hashes of batch articles already stored (new vs changed vs unchanged).
SELECT article_id, content_hash FROM articles WHERE list_contains($ids, article_id);
