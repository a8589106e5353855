-- Source health, failing sources first.
SELECT source_name, failing, enabled, consecutive_failures, last_error_class, last_error, error_rate,
       median_latency_ms, articles, articles_per_day, last_success_at, disabled_reason
FROM source_health
ORDER BY failing DESC, source_name;
