-- Articles per day and listing source, from $since (a DATE, NULL for all days).
SELECT day, source_name, CAST(sum(articles) AS BIGINT) AS articles
FROM articles_per_day
WHERE CAST($since AS DATE) IS NULL OR day >= CAST($since AS DATE)
GROUP BY day, source_name
ORDER BY day, source_name;
