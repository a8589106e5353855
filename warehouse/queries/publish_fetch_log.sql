-- One day of requests; bounds on the timestamp itself, so DuckDB skips the other row groups.
SELECT *
FROM fetch_log
WHERE requested_at >= CAST($part AS DATE)::TIMESTAMPTZ
  AND requested_at < CAST($part AS DATE)::TIMESTAMPTZ + INTERVAL 1 DAY
ORDER BY requested_at;
