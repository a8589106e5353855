-- A pending entry whose URL is already stored as an article (listed by another feed, or seen
-- under that URL before) is linked without fetching the page again. Entries that went back to
-- pending because their updated time changed have attempts = 0 and a done history: those are
-- re-fetched, so only never-fetched entries (no article_id yet) are linked here.
INSERT INTO article_sources (article_id, source_name, first_seen_at)
SELECT DISTINCT a.article_id, d.source_name, $now
FROM discoveries d
JOIN articles a ON a.url = d.url OR a.canonical_url = d.url
WHERE d.state = 'pending' AND d.article_id IS NULL
ON CONFLICT DO NOTHING;

UPDATE discoveries SET state = 'done', article_id = a.article_id
FROM articles a
WHERE discoveries.state = 'pending'
  AND discoveries.article_id IS NULL
  AND (a.url = discoveries.url OR a.canonical_url = discoveries.url);
