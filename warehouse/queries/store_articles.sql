-- Keep the previous text of changed articles, then upsert the batch (batch_articles).
INSERT INTO article_versions (article_id, version, title, text, content_hash, fetched_at, run_id)
SELECT a.article_id, a.version, a.title, a.text, a.content_hash, a.fetched_at, a.run_id
FROM articles a
JOIN batch_articles b USING (article_id)
WHERE a.content_hash <> b.content_hash
  AND NOT EXISTS (
      SELECT 1 FROM article_versions v WHERE v.article_id = a.article_id AND v.version = a.version
  );

INSERT INTO articles (
    article_id, canonical_url, url, site, source_name, title, authors, published_at, updated_at,
    language, declared_language, site_name, categories, tags, image_url, summary, text,
    word_count, content_hash, flags, story_id, story_signature, fetched_at, first_run_id, run_id,
    extractor_version, version, stored_on
)
SELECT
    article_id, canonical_url, url, site, source_name, title, authors, published_at, updated_at,
    language, declared_language, site_name, categories, tags, image_url, summary, text,
    word_count, content_hash, flags, story_id, story_signature, fetched_at, $run_id, $run_id,
    extractor_version, 1, CAST(fetched_at AS DATE)
FROM batch_articles
ON CONFLICT (article_id) DO UPDATE SET
    url = excluded.url,
    title = excluded.title,
    authors = excluded.authors,
    published_at = coalesce(excluded.published_at, articles.published_at),
    updated_at = excluded.updated_at,
    language = excluded.language,
    declared_language = excluded.declared_language,
    site_name = excluded.site_name,
    categories = excluded.categories,
    tags = excluded.tags,
    image_url = excluded.image_url,
    summary = excluded.summary,
    text = excluded.text,
    word_count = excluded.word_count,
    content_hash = excluded.content_hash,
    flags = excluded.flags,
    story_id = excluded.story_id,
    story_signature = excluded.story_signature,
    fetched_at = excluded.fetched_at,
    run_id = excluded.run_id,
    extractor_version = excluded.extractor_version,
    version = articles.version + 1;

-- The page as fetched now replaces the one kept (raw_pages has no key: see migration 0008).
DELETE FROM raw_pages WHERE article_id IN (SELECT article_id FROM batch_articles);

INSERT INTO raw_pages (article_id, url, final_url, content_type, html_compressed, html_codec, html_bytes, fetched_at)
SELECT article_id, job_url, url, content_type, html_compressed, html_codec, html_bytes, fetched_at
FROM batch_articles;

-- The partitions to publish and the articles to (re)index: the batch's, new or updated.
INSERT INTO publish_queue
SELECT DISTINCT 'articles', strftime(stored_on, '%Y-%m-%d')
FROM articles WHERE article_id IN (SELECT article_id FROM batch_articles);

INSERT INTO search_queue SELECT article_id FROM batch_articles;
