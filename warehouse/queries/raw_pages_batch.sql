-- Stored raw pages after $after (keyset pagination by article id), with the feed entry that
-- listed them, for re-extraction.
SELECT
    r.article_id, r.url, r.final_url, r.content_type, r.html_compressed, r.html_codec, r.fetched_at, a.source_name,
    (SELECT arg_min(d.entry_json, d.first_seen_at) FROM discoveries d WHERE d.url = r.url) AS entry_json
FROM raw_pages r
JOIN articles a USING (article_id)
WHERE r.article_id > $after AND ($source IS NULL OR a.source_name = $source)
ORDER BY r.article_id
LIMIT $limit;
