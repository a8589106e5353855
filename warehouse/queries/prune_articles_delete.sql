-- Delete the articles of pruned_articles (prune_articles_select) and every row kept about them.
-- Their days are queued for the next publish, and their ids for the search index update, which
-- takes an article that no longer exists out of search_docs and the BM25 index. Discoveries
-- stay, so a feed still listing one of them does not bring it back.
INSERT INTO publish_queue
SELECT DISTINCT 'articles', strftime(stored_on, '%Y-%m-%d') FROM pruned_articles;

INSERT INTO search_queue SELECT article_id FROM pruned_articles;

DELETE FROM article_sources WHERE article_id IN (SELECT article_id FROM pruned_articles);

DELETE FROM article_versions WHERE article_id IN (SELECT article_id FROM pruned_articles);

DELETE FROM raw_pages WHERE article_id IN (SELECT article_id FROM pruned_articles);

DELETE FROM site_paragraphs WHERE article_id IN (SELECT article_id FROM pruned_articles);

DELETE FROM articles WHERE article_id IN (SELECT article_id FROM pruned_articles);

DROP TABLE pruned_articles;
