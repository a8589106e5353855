-- Remember each fetched source's result (batch_feed_states, one row per source): HTTP
-- validators, health counters, next due time, moved URL. One statement for every feed of a run.
-- consecutive_failures is stored as the fetch stage counted it (its backoff used that count).
UPDATE sources SET
    url = coalesce(f.moved_to, sources.url),
    etag = CASE WHEN f.ok THEN coalesce(f.etag, sources.etag) ELSE sources.etag END,
    last_modified = CASE WHEN f.ok THEN coalesce(f.last_modified, sources.last_modified) ELSE sources.last_modified END,
    body_hash = coalesce(f.body_hash, sources.body_hash),
    feed_title = coalesce(f.feed_title, sources.feed_title),
    feed_format = coalesce(f.feed_format, sources.feed_format),
    feed_interval_s = coalesce(f.feed_interval_s, sources.feed_interval_s),
    last_fetched_at = f.fetched_at,
    last_success_at = CASE WHEN f.ok THEN f.fetched_at ELSE sources.last_success_at END,
    next_fetch_at = f.next_fetch_at,
    consecutive_failures = f.consecutive_failures,
    last_error_class = CASE WHEN f.ok THEN NULL ELSE f.error_class END,
    last_error = CASE WHEN f.ok THEN NULL ELSE f.error END,
    enabled = CASE WHEN f.disabled_reason IS NULL THEN sources.enabled ELSE FALSE END,
    disabled_reason = coalesce(f.disabled_reason, sources.disabled_reason)
FROM batch_feed_states f
WHERE sources.name = f.name;

INSERT INTO publish_queue VALUES ('sources', 'all');
