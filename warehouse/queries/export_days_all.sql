-- Every day folder of a full export.
SELECT DISTINCT day
FROM export_rows
WHERE CAST($since AS DATE) IS NULL OR day >= CAST($since AS DATE)
ORDER BY day;
