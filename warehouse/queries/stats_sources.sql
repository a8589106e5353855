-- Source health for `newsflow stats` and `newsflow sources list`: failing sources first.
SELECT source_name, articles, consecutive_failures AS failures, error_rate, last_error_class,
       last_success_at, next_fetch_at, enabled, disabled_reason
FROM source_health
ORDER BY failing DESC, source_name;
