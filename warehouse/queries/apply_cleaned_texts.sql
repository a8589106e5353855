-- Replace texts cleaned of learned site templates (batch_cleaned) and flag the articles; the
-- templates are then applied, so later runs do not read those articles again.
UPDATE articles SET
    text = c.text,
    word_count = len(string_split_regex(trim(c.text), '\s+')),
    content_hash = c.content_hash,
    flags = list_distinct(list_append(flags, 'template_removed'))
FROM batch_cleaned c
WHERE articles.article_id = c.article_id;

INSERT INTO publish_queue
SELECT DISTINCT 'articles', strftime(stored_on, '%Y-%m-%d')
FROM articles WHERE article_id IN (SELECT article_id FROM batch_cleaned);

INSERT INTO search_queue SELECT article_id FROM batch_cleaned;

UPDATE site_templates SET applied = TRUE WHERE NOT applied;
