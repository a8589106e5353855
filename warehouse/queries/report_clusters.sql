-- Stories carried by more than one article, newest first, with their articles.
SELECT
    s.story_id, s.articles, s.sources, s.first_seen_at, s.first_title,
    list(struct_pack(article_id := a.article_id, source_name := a.source_name, title := a.title,
                     dated_at := coalesce(a.published_at, a.fetched_at))
         ORDER BY coalesce(a.published_at, a.fetched_at)) AS members
FROM story_clusters s
JOIN articles a USING (story_id)
WHERE s.articles > 1
GROUP BY ALL
ORDER BY s.first_seen_at DESC
LIMIT $limit;
