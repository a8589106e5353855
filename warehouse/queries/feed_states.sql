-- What the scheduler needs to know about every stored source.
SELECT name, url, enabled, etag, last_modified, body_hash, next_fetch_at, consecutive_failures
FROM sources;
