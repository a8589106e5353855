-- Replace texts cleaned of learned site templates (batch_cleaned) and flag the articles.
UPDATE articles SET
    text = c.text,
    word_count = len(string_split_regex(trim(c.text), '\s+')),
    content_hash = c.content_hash,
    flags = list_distinct(list_append(flags, 'template_removed'))
FROM batch_cleaned c
WHERE articles.article_id = c.article_id;
