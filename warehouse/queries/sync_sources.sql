-- Add configured sources and refresh their settings. A source whose configured URL changed in
-- feeds.toml starts over from the new URL; one moved by a permanent redirect keeps its move.
INSERT INTO sources (name, url, configured_url, tags, language, min_interval_s, enabled)
SELECT name, url, url, tags, language, min_interval_s, enabled FROM batch_sources
ON CONFLICT (name) DO UPDATE SET
    url = CASE WHEN excluded.configured_url <> sources.configured_url THEN excluded.url ELSE sources.url END,
    etag = CASE WHEN excluded.configured_url <> sources.configured_url THEN NULL ELSE sources.etag END,
    last_modified = CASE WHEN excluded.configured_url <> sources.configured_url THEN NULL ELSE sources.last_modified END,
    configured_url = excluded.configured_url,
    tags = excluded.tags,
    language = excluded.language,
    min_interval_s = excluded.min_interval_s,
    -- a source disabled by the feed itself (410 Gone) stays off until its URL is changed
    enabled = CASE
        WHEN sources.disabled_reason IS NOT NULL AND excluded.configured_url = sources.configured_url THEN FALSE
        ELSE excluded.enabled END,
    disabled_reason = CASE
        WHEN excluded.configured_url <> sources.configured_url THEN NULL ELSE sources.disabled_reason END;

INSERT INTO publish_queue VALUES ('sources', 'all');
