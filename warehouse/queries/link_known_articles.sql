-- A pending entry whose URL is already stored as an article (listed by another feed, or seen
-- under that URL before) is linked without fetching the page again. Entries that went back to
-- pending because their updated time changed have attempts = 0 and a done history: those are
-- re-fetched, so only never-fetched entries (no article_id yet) are linked here. Two equi-joins
-- (final URL, canonical URL), not one join on either: an OR condition compared every pending
-- entry with every article.
CREATE OR REPLACE TEMP TABLE known_links AS
SELECT d.source_name, d.entry_key, a.article_id
FROM discoveries d JOIN articles a ON a.url = d.url
WHERE d.state = 'pending' AND d.article_id IS NULL
UNION
SELECT d.source_name, d.entry_key, a.article_id
FROM discoveries d JOIN articles a ON a.canonical_url = d.url
WHERE d.state = 'pending' AND d.article_id IS NULL;

INSERT INTO article_sources (article_id, source_name, first_seen_at)
SELECT DISTINCT article_id, source_name, $now FROM known_links
ON CONFLICT DO NOTHING;

INSERT INTO publish_queue
SELECT DISTINCT 'articles', strftime(stored_on, '%Y-%m-%d')
FROM articles WHERE article_id IN (SELECT article_id FROM known_links);

UPDATE discoveries SET state = 'done', article_id = k.article_id
FROM (SELECT source_name, entry_key, any_value(article_id) AS article_id FROM known_links GROUP BY ALL) k
WHERE discoveries.source_name = k.source_name AND discoveries.entry_key = k.entry_key;

DROP TABLE known_links;
