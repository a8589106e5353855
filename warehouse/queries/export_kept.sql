-- The unchanged rest of each day in $files (that day's file of the last export, by its
-- fingerprint there): read back from the file instead of the warehouse, so a day with one
-- new article costs that day, not a scan of every stored text.
INSERT INTO export_batch BY NAME
SELECT f.*, CAST(f.dated_at AS DATE) AS day, e.fingerprint
FROM read_parquet(CAST($files AS VARCHAR[]), hive_partitioning = false) f
JOIN exported_articles e ON e.out_dir = $out_dir AND e.article_id = f.article_id
WHERE f.article_id NOT IN (SELECT article_id FROM export_changed);
