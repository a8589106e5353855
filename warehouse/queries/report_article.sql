-- One article with its text, metadata and flags, plus the other articles of its story.
SELECT
    c.*,
    (SELECT list(struct_pack(article_id := o.article_id, source_name := o.source_name, title := o.title)
                 ORDER BY o.dated_at)
     FROM clean_articles o
     WHERE o.story_id = c.story_id AND o.article_id <> c.article_id) AS same_story
FROM clean_articles c
WHERE c.article_id = $article_id;
