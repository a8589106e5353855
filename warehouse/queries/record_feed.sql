-- Remember one source's fetch: HTTP validators, health counters, next due time, moved URL.
UPDATE sources SET
    url = coalesce($moved_to, url),
    etag = CASE WHEN $ok THEN coalesce($etag, etag) ELSE etag END,
    last_modified = CASE WHEN $ok THEN coalesce($last_modified, last_modified) ELSE last_modified END,
    body_hash = coalesce($body_hash, body_hash),
    feed_title = coalesce($feed_title, feed_title),
    feed_format = coalesce($feed_format, feed_format),
    feed_interval_s = coalesce($feed_interval_s, feed_interval_s),
    last_fetched_at = $now,
    last_success_at = CASE WHEN $ok THEN $now ELSE last_success_at END,
    next_fetch_at = $next_fetch_at,
    consecutive_failures = CASE WHEN $ok THEN 0 ELSE consecutive_failures + 1 END,
    last_error_class = CASE WHEN $ok THEN NULL ELSE $error_class END,
    last_error = CASE WHEN $ok THEN NULL ELSE $error END,
    enabled = CASE WHEN $disabled_reason IS NULL THEN enabled ELSE FALSE END,
    disabled_reason = coalesce($disabled_reason, disabled_reason)
WHERE name = $name;
