-- The articles `newsflow prune --articles-before` deletes (first stored before $before), and the
-- rows it deletes with them, per table.
CREATE OR REPLACE TEMP TABLE pruned_articles AS
SELECT article_id, stored_on FROM articles WHERE stored_on < $before;

SELECT
    (SELECT count(*) FROM pruned_articles) AS articles,
    (SELECT count(*) FROM article_sources SEMI JOIN pruned_articles USING (article_id)) AS article_sources,
    (SELECT count(*) FROM article_versions SEMI JOIN pruned_articles USING (article_id)) AS article_versions,
    (SELECT count(*) FROM raw_pages SEMI JOIN pruned_articles USING (article_id)) AS raw_pages,
    (SELECT count(*) FROM site_paragraphs SEMI JOIN pruned_articles USING (article_id)) AS site_paragraphs;
