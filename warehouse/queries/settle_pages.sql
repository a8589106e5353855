-- Link every pending entry of a fetched URL to its article and mark it done (batch_links),
-- and count failures against the rest (batch_failures).
INSERT INTO article_sources (article_id, source_name, first_seen_at)
SELECT DISTINCT b.article_id, d.source_name, $now
FROM batch_links b
JOIN discoveries d ON d.url = b.job_url AND d.state = 'pending'
ON CONFLICT DO NOTHING;

-- Their listings changed (article_sources is published with the article's partition).
INSERT INTO publish_queue
SELECT DISTINCT 'articles', strftime(stored_on, '%Y-%m-%d')
FROM articles WHERE article_id IN (SELECT article_id FROM batch_links);

UPDATE discoveries SET
    state = 'done',
    attempts = attempts + 1,
    article_id = b.article_id,
    last_error_class = NULL,
    last_error = NULL
FROM batch_links b
WHERE discoveries.url = b.job_url AND discoveries.state = 'pending';

UPDATE discoveries SET
    attempts = attempts + 1,
    last_error_class = f.error_class,
    last_error = f.error,
    state = CASE
        WHEN NOT f.retryable THEN 'failed'
        WHEN discoveries.attempts + 1 >= $max_attempts THEN 'gave_up'
        ELSE 'pending' END
FROM batch_failures f
WHERE discoveries.url = f.job_url AND discoveries.state = 'pending';
