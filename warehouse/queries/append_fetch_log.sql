INSERT INTO fetch_log SELECT * FROM batch_fetch_log;

INSERT INTO publish_queue
SELECT DISTINCT 'fetch_log', strftime(CAST(requested_at AS DATE), '%Y-%m-%d') FROM batch_fetch_log;
