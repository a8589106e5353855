-- Requests made before $cutoff (keep_fetch_log_days). fetch_log is published by day (migration
-- 0005), so the days losing rows are queued for the next publish in the same transaction.
INSERT INTO publish_queue
SELECT DISTINCT 'fetch_log', strftime(CAST(requested_at AS DATE), '%Y-%m-%d')
FROM fetch_log
WHERE requested_at < $cutoff;

DELETE FROM fetch_log WHERE requested_at < $cutoff;
